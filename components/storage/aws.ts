import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import { nameRules } from "../../lib/naming.ts";
import { AwsSecretStore } from "../secrets/aws.ts";
import type { ObjectStorage, StorageArgs } from "./storage.ts";
import { narrow } from "../narrow.ts";
import { sameAccountServiceTrustPolicy } from "../aws/iam.ts";
import { AwsNetwork } from "../network/aws.ts";
import { guardBucket } from "../aws/bucket.ts";

/** S3 bucket names: globally unique, 3-63 lowercase letters, digits and hyphens. */
const bucketRule = { ...nameRules.display, maxLength: 63 } as const;
const suffixLength = 6;

/** Days after which S3 aborts a multipart upload that never completed. */
export const abortIncompleteUploadDays = 7;

/**
 * An S3 bucket that is never public (public access block, owner-enforced ownership),
 * encrypted with the stack's KMS key, reachable only over TLS 1.2+, with lifecycle rules
 * for temporary objects, old versions and abandoned uploads, and optional Object Lock.
 * Outside dev the bucket is protected and cannot be emptied by a destroy. With
 * `crossRegionReplication`, S3 copies every object version and delete marker to a bucket
 * alike in `aws.recoveryRegion`, under that region's stack key.
 */
export class AwsObjectStorage extends pulumi.ComponentResource implements ObjectStorage {
    readonly bucketName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:storage:AwsObjectStorage", name, {}, opts);
        const { context } = args;
        const store = narrow(args.secrets, AwsSecretStore);
        const keyArn = store.keyArn;
        const parent = { parent: this };

        // Bucket names are global; a random suffix keeps same-named stacks of other accounts apart.
        const uniqueName = globalNames(`${name}-suffix`, this, suffixLength);
        const bucket = new aws.s3.Bucket(`${name}-bucket`, {
            bucket: uniqueName([context.project, context.stack, "data"], bucketRule),
            // Object Lock can only be switched on when the bucket is created.
            objectLockEnabled: args.objectLockDays > 0,
            forceDestroy: !context.protectStateful,
        }, { parent: this, protect: context.protectStateful });

        // A public-read stack opens the bucket through its policy only.
        guardBucket(name, { bucket, keyArn, policy: pulumi.jsonStringify(bucketPolicy(bucket.arn, args.publicRead)), publicRead: args.publicRead }, this);

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

        if (args.crossRegionReplication) {
            replicateTo(this, name, args, { bucket, versioning, keyArn, store, uniqueName });
        }

        this.bucketName = bucket.bucket;
        this.endpoint = pulumi.interpolate`https://${bucket.bucketRegionalDomainName}`;
        this.registerOutputs({ bucketName: this.bucketName, endpoint: this.endpoint });
    }
}


/** A bucket in the recovery region like the source (private, TLS only, versioned, its region's key) and S3 replication into it. */
function replicateTo(owner: pulumi.ComponentResource, name: string, args: StorageArgs, source: ReplicationSource): void {
    const { context } = args;
    const recovery = source.store.recoveryKey();
    const region = recovery.region;
    const replica = new aws.s3.Bucket(`${name}-replica`, {
        region,
        // Under `<project>-<stack>-data-`, so every rule on the data bucket's name (CI's, the preview guard's) holds for it too.
        bucket: source.uniqueName([context.project, context.stack, "data", "replica"], bucketRule),
        forceDestroy: !context.protectStateful,
    }, { parent: owner, protect: context.protectStateful });
    guardBucket(`${name}-replica`, { bucket: replica, keyArn: recovery.keyArn, policy: pulumi.jsonStringify(bucketPolicy(replica.arn, false)), region }, owner);
    const replicaVersioning = new aws.s3.BucketVersioning(`${name}-replica-versioning`, { region, bucket: replica.bucket, versioningConfiguration: { status: "Enabled" } }, { parent: owner });
    new aws.s3.BucketLifecycleConfiguration(`${name}-replica-lifecycle`, { region, bucket: replica.bucket, rules: lifecycleRules(args) }, { parent: owner, dependsOn: [replicaVersioning] });

    const network = narrow(args.network, AwsNetwork);
    const role = new aws.iam.Role(`${name}-replication`, {
        assumeRolePolicy: network.account.apply((account) => sameAccountServiceTrustPolicy("s3.amazonaws.com", account)),
        permissionsBoundary: network.workloadBoundaryArn,
        tags: context.tags,
    }, { parent: owner });
    const rolePolicy = new aws.iam.RolePolicy(`${name}-replication`, {
        role: role.name,
        policy: pulumi.all([source.bucket.arn, replica.arn, source.keyArn, recovery.keyArn]).apply(([sourceArn, replicaArn, sourceKey, replicaKey]) =>
            JSON.stringify(replicationPolicy({ sourceArn, replicaArn, sourceKey, replicaKey, sourceRegion: sourceKey.split(":")[3]!, replicaRegion: region }))),
    }, { parent: owner });
    new aws.s3.BucketReplicationConfig(`${name}-replication`, {
        bucket: source.bucket.bucket,
        role: role.arn,
        rules: [{
            id: "recovery-region",
            status: "Enabled",
            // Every object; an empty filter may be dropped on the wire, which S3 reads as the old schema and then
            // refuses deleteMarkerReplication (the V2 schema needs a filter).
            filter: { prefix: "" },
            deleteMarkerReplication: { status: "Enabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: { bucket: replica.arn, encryptionConfiguration: { replicaKmsKeyId: recovery.keyArn } },
        }],
    }, { parent: owner, dependsOn: [source.versioning, replicaVersioning, rolePolicy] });
}

interface ReplicationSource {
    readonly bucket: aws.s3.Bucket;
    readonly versioning: aws.s3.BucketVersioning;
    readonly keyArn: pulumi.Output<string>;
    readonly store: AwsSecretStore;
    readonly uniqueName: ReturnType<typeof globalNames>;
}

/**
 * What S3 replication needs, exactly (S3 User Guide, "Setting up permissions for live
 * replication" and "Replicating encrypted objects"): the source's configuration and versions,
 * the replica's writes, and each key only through S3 in its region, for its bucket's objects.
 */
export function replicationPolicy(scope: { sourceArn: string; replicaArn: string; sourceKey: string; replicaKey: string; sourceRegion: string; replicaRegion: string }) {
    const viaS3 = (region: string, bucketArn: string) => ({
        StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` },
        // With a bucket key, S3 names the bucket in the encryption context, not the object.
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
    });
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "SourceConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: scope.sourceArn },
            {
                Sid: "SourceVersions",
                Effect: "Allow",
                Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                Resource: `${scope.sourceArn}/*`,
            },
            { Sid: "ReplicaWrites", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: `${scope.replicaArn}/*` },
            { Sid: "SourceKey", Effect: "Allow", Action: "kms:Decrypt", Resource: scope.sourceKey, Condition: viaS3(scope.sourceRegion, scope.sourceArn) },
            { Sid: "ReplicaKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: scope.replicaKey, Condition: viaS3(scope.replicaRegion, scope.replicaArn) },
        ],
    };
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
