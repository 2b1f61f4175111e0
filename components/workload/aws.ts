/**
 * The AWS side of a workload: an IAM role handed to its service account through EKS Pod
 * Identity, allowed exactly its own queue, its dead-letter queue, the Bedrock models it lists,
 * its database user (IAM database authentication, through RDS Proxy and to the replicas) and
 * its topic (aws-events.ts); for a queue-driven workload an SQS queue with a dead-letter queue
 * (SSE, TLS only), CloudWatch alarms on both, and KEDA's right to read the queue's depth.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Workload } from "../../config/workloads.ts";
import { podIdentityTrustPolicy, type AwsAccount } from "../aws/iam.ts";
import { AwsDatabase } from "../database/aws.ts";
import type { WorkloadCloudArgs, WorkloadCloudParts } from "../kubernetes/kubernetes.ts";
import { narrow } from "../narrow.ts";
import { physicalName, nameRules } from "../../lib/naming.ts";
import { awsEvents, type AwsEventScope, type Statement } from "./aws-events.ts";
import { workloadAlarm } from "./aws-alarms.ts";

/**
 * What every workload of the stack shares on AWS: KEDA's role (each queue and topic grants it
 * the reads it scales on), the alert topic, the event bus and schema registry (created on first
 * use), and the data key the archives are encrypted with.
 */
export interface AwsWorkloadScope extends AwsEventScope {
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
}

/** Actions a consumer needs on its own queue (SQS Developer Guide, "Amazon SQS API permissions"). */
export const consumerActions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"];
/** Invoke, streaming included (Bedrock User Guide, "Identity-based policy examples"). */
export const modelActions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

/** Geography prefixes of Bedrock's cross-region inference profiles (`eu.anthropic…`). */
const inferenceProfileGeography = /^(us|eu|apac|jp|au|ca|us-gov|global)\./;

/**
 * What invoking `modelId` needs (Bedrock User Guide, "Prerequisites for inference profiles"): a
 * foundation model in the region (`arn:aws:bedrock:<region>::foundation-model/<id>`, no account);
 * for a cross-region inference profile, the profile and its model in every region it routes to.
 */
export function modelArns(scope: AwsAccount & { readonly region: string }, modelId: string): string[] {
    const { partition, account, region } = scope;
    const geography = inferenceProfileGeography.exec(modelId);
    if (!geography) {
        return [`arn:${partition}:bedrock:${region}::foundation-model/${modelId}`];
    }
    return [
        `arn:${partition}:bedrock:${region}:${account}:inference-profile/${modelId}`,
        `arn:${partition}:bedrock:*::foundation-model/${modelId.slice(geography[0].length)}`,
    ];
}

/** The workload role's policy: only its queue, its dead-letter queue, its models, its database user and its topic; undefined when it needs nothing. */
export function workloadPolicy(grants: {
    readonly queueArn?: string | undefined;
    readonly deadLetterArn?: string | undefined;
    readonly modelArns: readonly string[];
    readonly databaseUserArns?: readonly string[] | undefined;
    readonly events?: readonly Statement[] | undefined;
}): string | undefined {
    const statements = [
        ...(grants.queueArn ? [{ Sid: "ConsumeOwnQueue", Effect: "Allow", Action: consumerActions, Resource: grants.queueArn }] : []),
        ...(grants.deadLetterArn ? [{ Sid: "DeadLetterOwnMessages", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: grants.deadLetterArn }] : []),
        ...(grants.modelArns.length > 0 ? [{ Sid: "InvokeListedModels", Effect: "Allow", Action: modelActions, Resource: [...grants.modelArns] }] : []),
        ...(grants.databaseUserArns?.length ? [{ Sid: "ConnectAsOwnDatabaseUser", Effect: "Allow", Action: "rds-db:connect", Resource: [...grants.databaseUserArns] }] : []),
        ...(grants.events ?? []),
    ];
    return statements.length > 0 ? JSON.stringify({ Version: "2012-10-17", Statement: statements }) : undefined;
}

/**
 * `rds-db:connect` names a user of one instance or proxy by its resource id (RDS User Guide,
 * "Creating and using an IAM policy for IAM database access").
 */
export function databaseUserArn(scope: AwsAccount & { readonly region: string }, resourceId: string, user: string): string {
    return `arn:${scope.partition}:rds-db:${scope.region}:${scope.account}:dbuser:${resourceId}/${user}`;
}

/** The login role, signed in to with IAM tokens only: `rds_iam` turns password sign-in off for it (RDS User Guide, "IAM database authentication"). */
export function iamRoleSql(user: string): string {
    return [
        `SELECT 'CREATE ROLE ${user} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}')\\gexec`,
        `GRANT rds_iam TO ${user};`,
    ].join("\n");
}

/** Only TLS reaches the queue (SQS Developer Guide, "Amazon SQS security best practices"). */
function tlsOnlyQueuePolicy(queueArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queueArn, Condition: { Bool: { "aws:SecureTransport": "false" } } }],
    });
}

export function awsWorkloadCloud(name: string, args: WorkloadCloudArgs, scope: AwsWorkloadScope, parent: pulumi.Resource): WorkloadCloudParts {
    const { workload } = args;
    const { context, region } = scope;
    const opts = { parent };
    const role = new aws.iam.Role(`${name}-role`, {
        assumeRolePolicy: scope.clusterArn.apply(podIdentityTrustPolicy),
        permissionsBoundary: scope.boundaryArn,
        tags: context.tags,
    }, opts);

    const queues = workload.queue ? queuePair(name, workload, scope, parent, args.alertEmails) : undefined;
    const events = workload.events ? awsEvents(name, args, scope, parent) : undefined;
    const models = scope.account.apply((account) => workload.models.aws.flatMap((model) => modelArns({ ...account, region }, model)));
    const database = workload.database && args.database ? narrow(args.database, AwsDatabase) : undefined;
    const user = workload.database?.user;
    // Through the proxy when pooled, and straight to each instance (the replicas, the primary without a proxy).
    const databaseResourceIds = database ? [...(database.proxy ? [database.proxy.resourceId] : []), ...database.instanceResourceIds] : [];
    const databaseUserArns = pulumi.all([scope.account, pulumi.all(databaseResourceIds)])
        .apply(([account, ids]) => ids.map((id) => databaseUserArn({ ...account, region }, id, user!)));
    const policy = pulumi.all([queues?.queue.arn, queues?.deadLetter.arn, models, databaseUserArns, events?.statements])
        .apply(([queueArn, deadLetterArn, models, userArns, eventStatements]) =>
            workloadPolicy({ queueArn, deadLetterArn, modelArns: models, databaseUserArns: userArns, events: eventStatements }));
    const needsPolicy = queues !== undefined || workload.models.aws.length > 0 || database !== undefined || events !== undefined;
    const rolePolicy = needsPolicy
        ? [new aws.iam.RolePolicy(`${name}-role`, { role: role.name, policy: policy.apply((text) => text!) }, opts)]
        : [];
    if (database?.proxy && user) {
        // The proxy signs in to the database as the client's user: it may, for exactly this user.
        new aws.iam.RolePolicy(`${name}-proxy-user`, {
            role: database.proxy.roleName,
            policy: pulumi.all([scope.account, database.instanceResourceIds[0]!]).apply(([account, primaryId]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "ConnectAsWorkloadUser", Effect: "Allow", Action: "rds-db:connect", Resource: databaseUserArn({ ...account, region }, primaryId, user) }],
            })),
        }, opts);
    }
    const association = new aws.eks.PodIdentityAssociation(`${name}-pod-identity`, {
        clusterName: scope.clusterName,
        namespace: args.serviceAccount.namespace,
        serviceAccount: args.serviceAccount.name,
        roleArn: role.arn,
        tags: context.tags,
    }, { parent, dependsOn: rolePolicy });

    const env: Record<string, pulumi.Input<string>> = { AWS_REGION: region };
    if (queues) {
        env["QUEUE_URL"] = queues.queue.url;
        env["DEAD_LETTER_QUEUE_URL"] = queues.deadLetter.url;
    }
    if (workload.models.aws.length > 0) {
        env["MODEL_IDS"] = workload.models.aws.join(",");
    }
    if (database) {
        // Sign in with a token from the SDK's RDS signer, for DATABASE_USER at DATABASE_HOST.
        env["DATABASE_AUTH"] = "aws-iam";
    }
    if (args.cache) {
        // ElastiCache's AUTH token, synced as REDIS_PASSWORD; its IAM sign-in needs RBAC user groups, which the cache does not use.
        env["CACHE_AUTH"] = "password";
    }
    const scaling = workload.autoscaling;
    return {
        serviceAccountAnnotations: {},
        serviceAccountLabels: {},
        podLabels: {},
        env: { ...env, ...events?.env },
        scaler: queues && scaling.signal === "queueDepth"
            ? {
                type: "aws-sqs-queue",
                // In-flight messages count too (the scaler's default): a busy worker is not scaled away.
                metadata: { queueURL: queues.queue.url, queueLength: String(scaling.messagesPerReplica), awsRegion: region },
                // KEDA reads the depth as its own pod identity (identityOwner keda, the default).
                authentication: { podIdentity: { provider: "aws" } },
            }
            : events?.scaler,
        databaseRole: user && database ? pulumi.output(iamRoleSql(user)) : undefined,
        provisioning: events?.provisioning ?? [],
        afterProvisioning: events?.afterProvisioning,
        identity: role.arn,
        ready: [association],
    };
}

function queuePair(name: string, workload: Workload, scope: AwsWorkloadScope, parent: pulumi.Resource, alertEmails: readonly string[]) {
    const { context } = scope;
    const settings = workload.queue!;
    const opts = { parent };
    const queueName = (suffix: string) => physicalName([context.project, context.stack, workload.name, ...(suffix ? [suffix] : [])], nameRules.sqsQueue);
    const day = 86_400;
    const deadLetter = new aws.sqs.Queue(`${name}-dead-letter`, {
        name: queueName("dlq"),
        messageRetentionSeconds: settings.deadLetterRetentionDays * day,
        sqsManagedSseEnabled: true,
        tags: context.tags,
    }, opts);
    const queue = new aws.sqs.Queue(`${name}-queue`, {
        name: queueName(""),
        visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
        messageRetentionSeconds: settings.retentionDays * day,
        receiveWaitTimeSeconds: 20,
        sqsManagedSseEnabled: true,
        redrivePolicy: deadLetter.arn.apply((deadLetterTargetArn) => JSON.stringify({ deadLetterTargetArn, maxReceiveCount: settings.maxReceiveCount })),
        tags: context.tags,
    }, opts);
    // Only this queue may move messages into its dead-letter queue.
    new aws.sqs.RedriveAllowPolicy(`${name}-dead-letter`, {
        queueUrl: deadLetter.url,
        redriveAllowPolicy: queue.arn.apply((arn) => JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] })),
    }, opts);
    for (const [role, target] of [["queue", queue], ["dead-letter", deadLetter]] as const) {
        new aws.sqs.QueuePolicy(`${name}-${role}-tls`, { queueUrl: target.url, policy: target.arn.apply(tlsOnlyQueuePolicy) }, opts);
    }
    if (scope.kedaRoleName) {
        new aws.iam.RolePolicy(`${name}-keda`, {
            role: scope.kedaRoleName,
            policy: queue.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "ReadQueueDepth", Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: arn }] })),
        }, opts);
    }
    const alerts = workload.alerts!;
    const alarmScope = { context, workload: workload.name, topicArn: scope.alertTopicArn(alertEmails) };
    workloadAlarm(name, alarmScope, {
        role: "dead-letters",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: deadLetter.name },
        threshold: alerts.deadLetterMessages,
        description: `Messages of ${workload.name} failed ${settings.maxReceiveCount} times and wait in its dead-letter queue`,
    }, parent);
    workloadAlarm(name, alarmScope, {
        role: "oldest-message",
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: queue.name },
        threshold: alerts.oldestMessageAgeMinutes * 60,
        description: `The oldest message of ${workload.name} has waited ${alerts.oldestMessageAgeMinutes} minutes`,
    }, parent);
    return { queue, deadLetter };
}
