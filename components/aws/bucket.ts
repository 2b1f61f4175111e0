import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface BucketGuardArgs {
    readonly bucket: aws.s3.Bucket;
    /** The KMS key objects are encrypted under; a bucket key caches its data key per bucket, cutting KMS calls. */
    readonly keyArn: pulumi.Input<string>;
    /** The bucket policy; it denies plain HTTP and old TLS at least. */
    readonly policy: pulumi.Input<string>;
    /** The bucket's policy opens reads on purpose: its public-policy blocks stay off (ACLs stay blocked). @default false */
    readonly publicRead?: boolean;
    /** A bucket outside the provider's region (the resource's own `region`, @pulumi/aws 7). */
    readonly region?: string;
}

/**
 * Every bucket's guard rails: public access blocked, ACLs off (the bucket owner owns every object,
 * whoever wrote it), SSE-KMS under the given key with a bucket key, and its policy once the block
 * is in place (a public-read policy is refused while the block stands).
 */
export function guardBucket(name: string, args: BucketGuardArgs, parent: pulumi.Resource): void {
    const where = { bucket: args.bucket.bucket, ...(args.region ? { region: args.region } : {}) };
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
        ...where,
        blockPublicAcls: true,
        blockPublicPolicy: !args.publicRead,
        ignorePublicAcls: true,
        restrictPublicBuckets: !args.publicRead,
    }, { parent });
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { ...where, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent });
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
        ...where,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.keyArn }, bucketKeyEnabled: true }],
    }, { parent });
    new aws.s3.BucketPolicy(`${name}-policy`, { ...where, policy: args.policy }, { parent, dependsOn: [publicAccess] });
}
