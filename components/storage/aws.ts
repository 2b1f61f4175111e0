import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import { nameRules } from "../../lib/naming.ts";
import { AwsSecretStore } from "../secrets/aws.ts";
import type { ObjectStorage, StorageArgs } from "./storage.ts";
import { narrow } from "../narrow.ts";

/** S3 bucket names: globally unique, 3-63 lowercase letters, digits and hyphens. */
const bucketRule = { ...nameRules.display, maxLength: 63 } as const;
const suffixLength = 6;

/** Days after which S3 aborts a multipart upload that never completed. */
export const abortIncompleteUploadDays = 7;

/**
 * An S3 bucket that is never public (public access block, owner-enforced ownership),
 * encrypted with the stack's KMS key, reachable only over TLS 1.2+, with lifecycle rules
 * for temporary objects, old versions and abandoned uploads, and optional Object Lock.
 * Outside dev the bucket is protected and cannot be emptied by a destroy.
 */
export class AwsObjectStorage extends pulumi.ComponentResource implements ObjectStorage {
    readonly bucketName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:storage:AwsObjectStorage", name, {}, opts);
        const { context } = args;
        const keyArn = narrow(args.secrets, AwsSecretStore).keyArn;
        const parent = { parent: this };

        // Bucket names are global; a random suffix keeps same-named stacks of other accounts apart.
        const uniqueName = globalNames(`${name}-suffix`, this, suffixLength);
        const bucket = new aws.s3.Bucket(`${name}-bucket`, {
            bucket: uniqueName([context.project, context.stack, "data"], bucketRule),
            // Object Lock can only be switched on when the bucket is created.
            objectLockEnabled: args.objectLockDays > 0,
            forceDestroy: !context.protectStateful,
        }, { parent: this, protect: context.protectStateful });

        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.bucket,
            blockPublicAcls: true,
            // ACLs stay blocked either way; a public-read stack opens the bucket through its policy only.
            blockPublicPolicy: !args.publicRead,
            ignorePublicAcls: true,
            restrictPublicBuckets: !args.publicRead,
        }, parent);
        // ACLs off: the bucket owner owns every object, whoever wrote it.
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
            bucket: bucket.bucket,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.bucket,
            // The bucket key cuts KMS requests (and their cost) by caching a data key per bucket.
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
        }, parent);
        new aws.s3.BucketPolicy(`${name}-policy`, {
            bucket: bucket.bucket,
            policy: pulumi.jsonStringify(bucketPolicy(bucket.arn, args.publicRead)),
        }, { parent: this, dependsOn: [publicAccess] });

        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucket.bucket,
            versioningConfiguration: { status: args.versioning ? "Enabled" : "Suspended" },
        }, parent);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.bucket,
            rules: lifecycleRules(args),
        }, { parent: this, dependsOn: [versioning] });
        if (args.objectLockDays > 0) {
            // Governance mode: privileged principals can still shorten or lift retention.
            new aws.s3.BucketObjectLockConfiguration(`${name}-object-lock`, {
                bucket: bucket.bucket,
                rule: { defaultRetention: { mode: "GOVERNANCE", days: args.objectLockDays } },
            }, { parent: this, dependsOn: [versioning] });
        }

        this.bucketName = bucket.bucket;
        this.endpoint = pulumi.interpolate`https://${bucket.bucketRegionalDomainName}`;
        this.registerOutputs({ bucketName: this.bucketName, endpoint: this.endpoint });
    }
}

/** Expire temporary objects, old versions (when versioned) and abandoned multipart uploads. */
export function lifecycleRules(args: Pick<StorageArgs, "versioning" | "temporaryPrefix" | "temporaryExpiryDays" | "softDeleteDays">) {
    return [
        { id: "expire-temporary", status: "Enabled", filter: { prefix: args.temporaryPrefix }, expiration: { days: args.temporaryExpiryDays } },
        ...(args.versioning
            ? [{
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: args.softDeleteDays },
                // Delete markers left with no versions behind them are clutter.
                expiration: { expiredObjectDeleteMarker: true },
            }]
            : []),
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: abortIncompleteUploadDays } },
    ];
}

/** Denies every request over plain HTTP or TLS older than 1.2; lets anyone read objects when `publicRead`. */
export function bucketPolicy(bucketArn: pulumi.Input<string>, publicRead: boolean) {
    const objects = pulumi.interpolate`${bucketArn}/*`;
    const resources = [bucketArn, objects];
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
            ...(publicRead ? [{ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: objects }] : []),
        ],
    };
}
