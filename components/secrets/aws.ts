import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nameRules, physicalName } from "../../lib/naming.ts";
import type { PlatformContext } from "../../config/context.ts";
import { AwsNetwork } from "../network/aws.ts";
import { accountKeyPolicy, dataKeyPolicy, sameAccountServiceTrustPolicy } from "../aws/iam.ts";
import { cloudSettings } from "../../config/context.ts";
import type { ApiKeyName } from "../../config/data-services.ts";
import { requireCatalogued } from "./catalog.ts";
import { apiKeyExpiries, apiKeyValues, unsetApiKeys, type SecretsArgs, type SecretStore, type SecretValue, type StoredSecret } from "./secrets.ts";
import { expiryWarningDays } from "../../config/secrets.ts";
import { narrow } from "../narrow.ts";
import { emailTopic } from "../aws/email-topic.ts";

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

/** Secrets Manager calls that return a secret's value (Secrets Manager User Guide, "Logging with CloudTrail"). */
export const secretReadEvents = ["GetSecretValue", "BatchGetSecretValue"];

/**
 * Secrets Manager under a customer-managed KMS key with yearly automatic rotation and an
 * explicit key policy (the account administers it, IAM policies decide the rest). The same
 * key encrypts the other data services at rest (RDS, ElastiCache, S3). Every read of a secret
 * is kept in a CloudTrail Lake event data store for `logRetentionDays`; an API key with an
 * issue date carries its expiry as a tag, and an e-mail reminder goes out 30 days before it.
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
    private readonly network: AwsNetwork;
    private readonly expiries: Map<string, Date>;
    private readonly alertEmails: readonly string[];
    private reminders: { readonly topic: aws.sns.Topic; readonly role: aws.iam.Role } | undefined;
    private recovery: { readonly region: string; readonly keyArn: pulumi.Output<string> } | undefined;

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:secrets:AwsSecretStore", name, {}, opts);
        this.context = args.context;
        this.baseName = name;
        this.network = narrow(args.network, AwsNetwork);
        this.expiries = apiKeyExpiries(args);
        this.alertEmails = args.alertEmails;
        const key = new aws.kms.Key(`${name}-key`, {
            description: `Data at rest and secrets of ${args.context.project}/${args.context.stack}`,
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: 30,
            policy: this.network.account.apply(dataKeyPolicy),
        }, { parent: this, protect: args.context.protectStateful });
        new aws.kms.Alias(`${name}-key`, {
            name: `alias/${physicalName([args.context.project, args.context.stack, "data"], nameRules.kmsAlias)}`,
            targetKeyId: key.keyId,
        }, { parent: this });
        this.keyArn = key.arn;
        this.storeId = key.arn;
        // GetSecretValue is a management event, which trails cannot select by name; an event data store can.
        new aws.cloudtrail.EventDataStore(`${name}-reads`, {
            name: physicalName([args.context.project, args.context.stack, "secret-reads"], nameRules.display),
            advancedEventSelectors: [{
                name: "Secret values read",
                fieldSelectors: [
                    { field: "eventCategory", equals: ["Management"] },
                    { field: "eventSource", equals: ["secretsmanager.amazonaws.com"] },
                    { field: "eventName", equals: secretReadEvents },
                ],
            }],
            multiRegionEnabled: false,
            organizationEnabled: false,
            billingMode: "EXTENDABLE_RETENTION_PRICING",
            retentionPeriod: args.context.logRetentionDays,
            terminationProtectionEnabled: args.context.protectStateful,
            tags: args.context.tags,
        }, { parent: this });
        this.apiKeys = apiKeyValues(this, args.apiKeys);
        this.placeholders = unsetApiKeys(args.apiKeys);
        this.registerOutputs({ storeId: this.storeId, keyArn: this.keyArn, secretRefs: this.secretRefs });
    }

    /**
     * An e-mail to `alertEmails` `expiryWarningDays` before `expiry` (EventBridge Scheduler, one
     * time, to an SNS topic under the stack's key); none once that day has passed, when the plan
     * warns instead.
     */
    private remindBefore(name: string, expiry: Date, owner: pulumi.Resource): void {
        const remindAt = new Date(expiry.getTime() - expiryWarningDays * 86_400_000);
        if (remindAt.getTime() <= Date.now()) {
            return;
        }
        const { topic, role } = this.reminderTarget();
        new aws.scheduler.Schedule(`${this.baseName}-${name}-expiry`, {
            name: physicalName([this.context.project, this.context.stack, name, "expiry"], nameRules.display),
            description: `${secretName(this.context, name)} expires on ${expiry.toISOString().slice(0, 10)}`,
            scheduleExpression: `at(${remindAt.toISOString().slice(0, 19)})`,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            // NONE: a schedule AWS deletes after it fires would read as drift.
            actionAfterCompletion: "NONE",
            target: {
                arn: topic.arn,
                roleArn: role.arn,
                // SNS takes the text as the message (EventBridge Scheduler, "templated targets").
                input: `${secretName(this.context, name)} expires on ${expiry.toISOString().slice(0, 10)}. Rotate it: docs/operations/secret-rotation.md`,
            },
        }, { parent: owner });
    }

    /** The reminders' topic and the role Scheduler publishes with, made with the first reminder. */
    private reminderTarget(): { readonly topic: aws.sns.Topic; readonly role: aws.iam.Role } {
        if (!this.reminders) {
            const { project, stack, tags } = this.context;
            const topicName = physicalName([project, stack, "secret-expiry"], nameRules.display);
            const topic = emailTopic(`${this.baseName}-expiry`, { name: topicName, keyArn: this.keyArn, emails: this.alertEmails, tags }, this);
            const role = new aws.iam.Role(`${this.baseName}-expiry`, {
                assumeRolePolicy: this.network.account.apply((account) => sameAccountServiceTrustPolicy("scheduler.amazonaws.com", account)),
                permissionsBoundary: this.network.workloadBoundaryArn,
                tags,
            }, { parent: this });
            new aws.iam.RolePolicy(`${this.baseName}-expiry`, {
                role: role.name,
                policy: pulumi.all([topic.arn, this.keyArn]).apply(([topicArn, keyArn]) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "PublishReminders", Effect: "Allow", Action: "sns:Publish", Resource: topicArn },
                        // The topic is encrypted with the stack's key (SNS Developer Guide, "Encryption at rest").
                        { Sid: "EncryptReminders", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: keyArn },
                    ],
                })),
            }, { parent: this });
            this.reminders = { topic, role };
        }
        return this.reminders;
    }

    /**
     * The key for copies kept in `aws.recoveryRegion` (replicated backups, object replicas),
     * made with the first copy: a key cannot leave its region.
     */
    recoveryKey(): { readonly region: string; readonly keyArn: pulumi.Output<string> } {
        if (!this.recovery) {
            const { project, stack, protectStateful } = this.context;
            const region = cloudSettings(this.context, "aws").recoveryRegion;
            if (!region) {
                throw new Error("platform:aws.recoveryRegion must be set for copies in a second region");
            }
            const key = new aws.kms.Key(`${this.baseName}-recovery-key`, {
                region,
                description: `Copies of ${project}/${stack} kept in ${region}`,
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: 30,
                policy: this.network.account.apply(accountKeyPolicy),
            }, { parent: this, protect: protectStateful });
            new aws.kms.Alias(`${this.baseName}-recovery-key`, {
                region,
                name: `alias/${physicalName([project, stack, "recovery"], nameRules.kmsAlias)}`,
                targetKeyId: key.keyId,
            }, { parent: this });
            this.recovery = { region, keyArn: key.arn };
        }
        return this.recovery;
    }

    /** ARN patterns of `names`: a grant by name stays valid when a secret is recreated. */
    arnPatterns(names: readonly string[]): pulumi.Output<string[]> {
        return this.keyArn.apply((keyArn) => names.map((name) => secretArnPattern(keyArn, secretName(this.context, name))));
    }

    store(values: readonly SecretValue[]): StoredSecret[] {
        return values.map(({ name, value, owner }) => {
            requireCatalogued(name);
            const protect = this.context.protectStateful;
            const expiry = this.expiries.get(name);
            const secret = new aws.secretsmanager.Secret(`${this.baseName}-${name}`, {
                name: secretName(this.context, name),
                kmsKeyId: this.keyArn,
                // Deleted secrets stay recoverable for the maximum window outside dev.
                recoveryWindowInDays: protect ? 30 : 7,
                // Secrets Manager has no expiry of its own: the date is a tag, and a reminder below.
                tags: expiry ? { expires: expiry.toISOString().slice(0, 10) } : undefined,
            }, { parent: owner, protect });
            if (expiry) {
                this.remindBefore(name, expiry, owner);
            }
            new aws.secretsmanager.SecretVersion(`${this.baseName}-${name}`, {
                secretId: secret.id,
                secretString: pulumi.secret(value),
            }, { parent: owner });
            this.secretRefs[name] = secret.arn;
            return { name, ref: secret.arn, resource: secret };
        });
    }
}
