import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nameRules, physicalName } from "../../lib/naming.ts";
import type { PlatformContext } from "../../config/context.ts";
import { AwsNetwork } from "../network/aws.ts";
import { dataKeyPolicy } from "../aws/iam.ts";
import type { ApiKeyName } from "../../config/data-services.ts";
import { requireCatalogued } from "./catalog.ts";
import { apiKeyValues, unsetApiKeys, type SecretsArgs, type SecretStore, type SecretValue, type StoredSecret } from "./secrets.ts";
import { narrow } from "../narrow.ts";

/** The Secrets Manager name of a stack's secret. */
export function secretName(context: Pick<PlatformContext, "project" | "stack">, name: string): string {
    return `${context.project}/${context.stack}/${name}`;
}

/**
 * The ARN of a secret named `fullName` in the account and region of `keyArn` (any ARN there),
 * with `-??????` for the six random characters Secrets Manager appends: the documented way
 * to grant on a secret by name before it exists.
 */
export function secretArnPattern(keyArn: string, fullName: string): string {
    const [, partition, , region, account] = keyArn.split(":");
    return `arn:${partition}:secretsmanager:${region}:${account}:secret:${fullName}-??????`;
}

/**
 * Secrets Manager under a customer-managed KMS key with yearly automatic rotation and an
 * explicit key policy (the account administers it, IAM policies decide the rest). The same
 * key encrypts the other data services at rest (RDS, ElastiCache, S3).
 */
export class AwsSecretStore extends pulumi.ComponentResource implements SecretStore {
    readonly storeId: pulumi.Output<string>;
    /** The customer-managed key for data at rest. */
    readonly keyArn: pulumi.Output<string>;
    readonly apiKeys: readonly SecretValue[];
    readonly secretRefs: Record<string, pulumi.Output<string>> = {};
    readonly placeholders: readonly ApiKeyName[];
    private readonly context: PlatformContext;
    private readonly baseName: string;

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:secrets:AwsSecretStore", name, {}, opts);
        this.context = args.context;
        this.baseName = name;
        const key = new aws.kms.Key(`${name}-key`, {
            description: `Data at rest and secrets of ${args.context.project}/${args.context.stack}`,
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: 30,
            policy: narrow(args.network, AwsNetwork).account.apply(dataKeyPolicy),
        }, { parent: this, protect: args.context.protectStateful });
        new aws.kms.Alias(`${name}-key`, {
            name: `alias/${physicalName([args.context.project, args.context.stack, "data"], nameRules.kmsAlias)}`,
            targetKeyId: key.keyId,
        }, { parent: this });
        this.keyArn = key.arn;
        this.storeId = key.arn;
        this.apiKeys = apiKeyValues(this, args.apiKeys);
        this.placeholders = unsetApiKeys(args.apiKeys);
        this.registerOutputs({ storeId: this.storeId, keyArn: this.keyArn, secretRefs: this.secretRefs });
    }

    /** ARN patterns of `names`: a grant by name stays valid when a secret is recreated. */
    arnPatterns(names: readonly string[]): pulumi.Output<string[]> {
        return this.keyArn.apply((keyArn) => names.map((name) => secretArnPattern(keyArn, secretName(this.context, name))));
    }

    store(values: readonly SecretValue[]): StoredSecret[] {
        return values.map(({ name, value, owner }) => {
            requireCatalogued(name);
            const protect = this.context.protectStateful;
            const secret = new aws.secretsmanager.Secret(`${this.baseName}-${name}`, {
                name: secretName(this.context, name),
                kmsKeyId: this.keyArn,
                // Deleted secrets stay recoverable for the maximum window outside dev.
                recoveryWindowInDays: protect ? 30 : 7,
            }, { parent: owner, protect });
            new aws.secretsmanager.SecretVersion(`${this.baseName}-${name}`, {
                secretId: secret.id,
                secretString: pulumi.secret(value),
            }, { parent: owner });
            this.secretRefs[name] = secret.arn;
            return { name, ref: secret.arn, resource: secret };
        });
    }
}
