import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "../../config/bootstrap.ts";
import { guardBucket } from "../aws/bucket.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";
import { globalNames } from "../global-names.ts";
import { partitionOf, stateBucketPolicy, stateKeyPolicy } from "./aws-policy.ts";
import { awsKmsSecretsProvider, s3BackendUrl } from "./layout.ts";
import type { StateBackend, StateBackendArgs } from "./state-backend.ts";

/** S3 bucket names: globally unique, 3-63 lowercase letters, digits and hyphens. */
const bucketRule = { ...nameRules.display, maxLength: 63 } as const;
const suffixLength = 6;

/** Days after which S3 aborts a multipart upload that never completed. */
export const abortIncompleteUploadDays = 7;

export interface AwsStateBackendArgs extends StateBackendArgs {
    readonly aws: NonNullable<BootstrapConfig["aws"]>;
}

/**
 * The provider for the bootstrap stack: the configured region, and only the configured
 * account, so credentials of another account fail before anything is created there.
 */
export function awsProvider(settings: NonNullable<BootstrapConfig["aws"]>, tags: Record<string, string>): aws.Provider {
    return new aws.Provider("aws", { region: settings.region, allowedAccountIds: [settings.accountId], defaultTags: { tags } });
}

/**
 * An account's state store on AWS: a versioned S3 bucket (never public, owner-enforced,
 * SSE-KMS with a bucket key, TLS 1.2+ only, old versions expire, abandoned uploads are
 * aborted) and the secrets-provider key (rotated yearly by KMS, behind an alias). The
 * policies grant each platform stack's CI roles exactly what `aws-policy.ts` lists. Both
 * are protected; KMS keeps a deleted key recoverable for 30 days.
 */
export class AwsStateBackend extends pulumi.ComponentResource implements StateBackend {
    readonly backendUrl: pulumi.Output<string>;
    readonly secretsProviders: pulumi.Output<Record<string, string>>;
    readonly ownSecretsProvider: pulumi.Output<string>;

    constructor(name: string, args: AwsStateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:state-backend:AwsStateBackend", name, {}, opts);
        const { region, accountId: account } = args.aws;
        const { project, stacks } = args.platform;
        const parent = { parent: this };
        const guarded = { parent: this, protect: !args.releasing };

        const uniqueName = globalNames(`${name}-suffix`, this, suffixLength);
        const bucket = new aws.s3.Bucket(`${name}-bucket`, {
            bucket: uniqueName([project, "state"], bucketRule),
            // Only the deliberate release before a destroy lets the provider empty it.
            forceDestroy: args.releasing,
        }, guarded);
        const scope = bucket.arn.apply((bucketArn) => ({ partition: partitionOf(region), account, region, bucketArn, project, stacks }));

        const key = new aws.kms.Key(`${name}-key`, {
            description: `Pulumi state and secrets of ${project} (${stacks.join(", ")})`,
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: 30,
            policy: scope.apply(stateKeyPolicy),
        }, guarded);
        const alias = new aws.kms.Alias(`${name}-key`, {
            name: `alias/${physicalName([project, "state"], nameRules.kmsAlias)}`,
            targetKeyId: key.keyId,
        }, parent);

        // With the bucket key, S3 names the bucket ARN as the encryption context (the key policy's condition).
        guardBucket(name, { bucket, keyArn: key.arn, policy: scope.apply(stateBucketPolicy) }, this);
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucket.bucket,
            versioningConfiguration: { status: "Enabled" },
        }, parent);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.bucket,
            rules: stateLifecycleRules(args.noncurrentVersionDays),
        }, { parent: this, dependsOn: [versioning] });

        const provider = (stack: { project: string; stack: string }) => alias.name.apply((aliasName) => awsKmsSecretsProvider(aliasName, region, stack.project, stack.stack));
        this.backendUrl = bucket.bucket.apply((bucketName) => s3BackendUrl(bucketName, region));
        this.secretsProviders = pulumi.all(Object.fromEntries(stacks.map((stack) => [stack, provider({ project, stack })])));
        this.ownSecretsProvider = provider(args.self);
        this.registerOutputs({ backendUrl: this.backendUrl, secretsProviders: this.secretsProviders, ownSecretsProvider: this.ownSecretsProvider });
    }
}

/** Replaced and deleted state stays recoverable for `noncurrentDays`; abandoned uploads go after a week. */
export function stateLifecycleRules(noncurrentDays: number) {
    return [
        {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays },
            // Delete markers left with no versions behind them are clutter.
            expiration: { expiredObjectDeleteMarker: true },
        },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: abortIncompleteUploadDays } },
    ];
}
