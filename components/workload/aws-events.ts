/**
 * An event_processor's side of the stack's event bus on AWS: its topic on the MSK Serverless
 * cluster (made by a provisioning job: MSK's topic API is documented for provisioned clusters
 * only), its Avro schema in the stack's Glue Schema Registry, an Amazon Data Firehose stream
 * archiving the topic to the stack's bucket for replay beyond the topic's retention, CloudWatch
 * alarms on consumer lag and on the oldest unread event, KEDA's Kafka scaler on lag, and the
 * IAM statements that confine the workload to its own topic, consumer group and schema.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadEvents } from "../../config/workloads.ts";
import { sameAccountServiceTrustPolicy, type AwsAccount } from "../aws/iam.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { ProvisioningStep, ScalerTrigger, WorkloadCloudArgs } from "../kubernetes/kubernetes.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";
import { provisioningImages } from "./specs.ts";
import { workloadAlarm } from "./aws-alarms.ts";

export type Statement = Record<string, unknown>;

/** What every event_processor of the stack shares: the cluster and the schema registry. */
export interface AwsEventBus {
    readonly cluster: aws.msk.ServerlessCluster;
    /** The cluster policy that lets Firehose connect; archive streams wait for it. */
    readonly firehoseAccess: aws.msk.ClusterPolicy;
    readonly registry: aws.glue.Registry;
}

/** What a topic needs of the stack's AWS workload scope (workload/aws.ts). */
export interface AwsEventScope {
    readonly context: PlatformContext;
    readonly region: string;
    readonly account: pulumi.Output<AwsAccount>;
    readonly boundaryArn: pulumi.Input<string>;
    readonly kedaRoleName?: pulumi.Output<string> | undefined;
    readonly alertTopicArn: (emails: readonly string[]) => pulumi.Output<string>;
    readonly eventBus: () => AwsEventBus;
    readonly dataKeyArn: pulumi.Output<string>;
}

/** MSK's IAM port inside the VPC (MSK Developer Guide, "Port information"). */
export const mskIamPort = 9098;

/**
 * The IAM client library the Kafka tools sign in with (aws/aws-msk-iam-auth, Apache-2.0): its
 * shaded jar from the project's GitHub release, 2.3.9 (September 2026).
 */
export const mskIamAuthJar = { url: "https://github.com/aws/aws-msk-iam-auth/releases/download/v2.3.9/aws-msk-iam-auth-2.3.9-all.jar", file: "aws-msk-iam-auth.jar" };

/** `cluster/<name>/<uuid>` → the ARNs of a topic and a consumer group of that cluster (MSK Developer Guide, "IAM access control"). */
export function kafkaArns(clusterArn: string, topic: string, group: string): { cluster: string; topic: string; group: string } {
    return { cluster: clusterArn, topic: `${clusterArn.replace(":cluster/", ":topic/")}/${topic}`, group: `${clusterArn.replace(":cluster/", ":group/")}/${group}` };
}

/** Actions of the workload: consume and produce on its own topic, commit offsets of its own group. */
export const eventActions = {
    /** Idempotent producers (Kafka clients' default since 3.0.1) need it on the cluster (MSK Developer Guide, "Semantics of IAM authorization policy actions"). */
    cluster: ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"],
    topic: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:WriteData"],
    group: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
    /** Schema reads by name; `GetSchemaVersion` by version id is authorised on "*" only (Glue Developer Guide, "IAM examples for deserializers"). */
    schema: ["glue:GetSchema", "glue:GetSchemaByDefinition", "glue:GetSchemaVersion", "glue:GetRegistry", "glue:ListSchemaVersions"],
};

/** The workload role's event statements. */
export function eventStatements(arns: ReturnType<typeof kafkaArns>, schemaArns: { readonly registry: string; readonly schema: string }): Statement[] {
    return [
        { Sid: "ConnectToEventBus", Effect: "Allow", Action: eventActions.cluster, Resource: arns.cluster },
        { Sid: "OwnTopic", Effect: "Allow", Action: eventActions.topic, Resource: arns.topic },
        { Sid: "OwnConsumerGroup", Effect: "Allow", Action: eventActions.group, Resource: arns.group },
        { Sid: "ReadOwnSchema", Effect: "Allow", Action: eventActions.schema, Resource: [schemaArns.registry, schemaArns.schema] },
        // The deserializer looks a version up by its id alone: IAM sees no registry to scope to.
        { Sid: "ReadSchemaVersionsById", Effect: "Allow", Action: "glue:GetSchemaVersion", Resource: "*" },
    ];
}

/** The topic, created once and then kept at the entry's partitions (they only grow) and retention. */
export function topicScript(): string {
    const kafka = "/opt/kafka/bin";
    const connect = `--bootstrap-server "$BOOTSTRAP_SERVERS" --command-config /tmp/client.properties`;
    return [
        "set -eu",
        "cat > /tmp/client.properties <<'EOF'",
        "security.protocol=SASL_SSL",
        "sasl.mechanism=AWS_MSK_IAM",
        "sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;",
        "sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler",
        "EOF",
        "export CLASSPATH=/tmp/aws-msk-iam-auth.jar LOG_DIR=/tmp",
        `${kafka}/kafka-topics.sh ${connect} --create --if-not-exists --topic "$TOPIC" --partitions "$PARTITIONS" --config "retention.ms=$RETENTION_MS"`,
        `current=$(${kafka}/kafka-topics.sh ${connect} --describe --topic "$TOPIC" | sed -n 's/.*PartitionCount: *\\([0-9]*\\).*/\\1/p' | head -n 1)`,
        `if [ "$current" -lt "$PARTITIONS" ]; then ${kafka}/kafka-topics.sh ${connect} --alter --topic "$TOPIC" --partitions "$PARTITIONS"; fi`,
        `${kafka}/kafka-configs.sh ${connect} --alter --entity-type topics --entity-name "$TOPIC" --add-config "retention.ms=$RETENTION_MS"`,
        "",
    ].join("\n");
}

const glueCompatibility = { none: "NONE", backward: "BACKWARD", forward: "FORWARD" } as const;
const day = 86_400_000;

export function awsEvents(name: string, args: WorkloadCloudArgs, scope: AwsEventScope, parent: pulumi.Resource) {
    const events = args.workload.events!;
    const { context, region } = scope;
    const opts = { parent };
    const bus = scope.eventBus();
    const arns = bus.cluster.arn.apply((clusterArn) => kafkaArns(clusterArn, events.topic, events.consumerGroup));
    const schema = new aws.glue.Schema(`${name}-schema`, {
        schemaName: events.schema.name,
        registryArn: bus.registry.arn,
        dataFormat: "AVRO",
        compatibility: glueCompatibility[events.schema.compatibility],
        schemaDefinition: events.schema.definition,
        description: `Events of ${args.workload.name}`,
        tags: context.tags,
    }, opts);

    const provisioning: ProvisioningStep[] = [];
    if (args.provisioner) {
        const grant = new aws.iam.RolePolicy(`${name}-provisioner-topic`, {
            role: args.provisioner.identity,
            policy: arns.apply((resource) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "Connect", Effect: "Allow", Action: "kafka-cluster:Connect", Resource: resource.cluster },
                    {
                        Sid: "ManageWorkloadTopic",
                        Effect: "Allow",
                        Action: [
                            "kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:AlterTopic",
                            "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:AlterTopicDynamicConfiguration",
                        ],
                        Resource: resource.topic,
                    },
                ],
            })),
        }, opts);
        provisioning.push({
            step: "topic",
            image: provisioningImages.kafka,
            fetch: mskIamAuthJar,
            script: topicScript(),
            env: {
                BOOTSTRAP_SERVERS: bus.cluster.bootstrapBrokersSaslIam,
                TOPIC: events.topic,
                PARTITIONS: String(events.partitions),
                RETENTION_MS: String(events.retentionDays * day),
                AWS_REGION: region,
            },
            after: [grant],
        });
    }

    const archiveName = physicalName([context.project, context.stack, args.workload.name, "archive"], nameRules.firehoseStream);
    alarms(name, args, scope, bus, parent);
    if (scope.kedaRoleName) {
        new aws.iam.RolePolicy(`${name}-keda`, {
            role: scope.kedaRoleName,
            policy: arns.apply((resource) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "Connect", Effect: "Allow", Action: "kafka-cluster:Connect", Resource: resource.cluster },
                    { Sid: "ReadLag", Effect: "Allow", Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:DescribeGroup"], Resource: [resource.topic, resource.group] },
                ],
            })),
        }, opts);
    }
    const scaler: ScalerTrigger | undefined = args.workload.autoscaling.signal === "consumerLag"
        ? {
            type: "kafka",
            metadata: {
                bootstrapServers: bus.cluster.bootstrapBrokersSaslIam,
                consumerGroup: events.consumerGroup,
                topic: events.topic,
                lagThreshold: String(args.workload.autoscaling.eventsPerReplica),
                // A new group reads from the start: nothing published before it first ran is skipped.
                offsetResetPolicy: "earliest",
                sasl: "oauthbearer",
                saslTokenProvider: "aws_msk_iam",
                tls: "enable",
                awsRegion: region,
            },
            authentication: { podIdentity: { provider: "aws" } },
        }
        : undefined;
    return {
        statements: pulumi.all([arns, bus.registry.arn, schema.arn]).apply(([resource, registry, schemaArn]) => eventStatements(resource, { registry, schema: schemaArn })),
        env: {
            KAFKA_BOOTSTRAP_SERVERS: bus.cluster.bootstrapBrokersSaslIam,
            KAFKA_TOPIC: events.topic,
            KAFKA_CONSUMER_GROUP: events.consumerGroup,
            // SASL_SSL with AWS_MSK_IAM (aws-msk-iam-auth), signed by the pod's role.
            KAFKA_AUTH: "aws-msk-iam",
            SCHEMA_REGISTRY: bus.registry.registryName,
            SCHEMA_NAME: events.schema.name,
            EVENT_ARCHIVE: pulumi.interpolate`s3://${args.storage.bucketName}/${archivePrefix(events)}`,
            EVENT_ARCHIVE_STREAM: archiveName,
        },
        scaler,
        provisioning,
        // The stream reads a topic the provisioning job makes, through the cluster policy.
        afterProvisioning: (provisioned: readonly pulumi.Resource[]) => void archiveStream(name, args, scope, { bus, arns, streamName: archiveName, after: provisioned }, parent),
    };
}

/** Where a topic's archive lands in the stack's bucket. */
export function archivePrefix(events: WorkloadEvents): string {
    return `events/${events.topic}/`;
}

/**
 * Amazon Data Firehose reading the topic (MSK as source, IAM, private connectivity) and writing
 * GZIP batches to the stack's bucket under `events/<topic>/`, encrypted with the stack's key.
 */
function archiveStream(
    name: string,
    args: WorkloadCloudArgs,
    scope: AwsEventScope,
    source: { readonly bus: AwsEventBus; readonly arns: pulumi.Output<ReturnType<typeof kafkaArns>>; readonly streamName: string; readonly after: readonly pulumi.Resource[] },
    parent: pulumi.Resource,
) {
    const { bus, arns } = source;
    const events = args.workload.events!;
    const { context } = scope;
    const opts = { parent };
    const role = new aws.iam.Role(`${name}-archive`, {
        assumeRolePolicy: scope.account.apply((account) => sameAccountServiceTrustPolicy("firehose.amazonaws.com", account)),
        permissionsBoundary: scope.boundaryArn,
        tags: context.tags,
    }, opts);
    const bucketArn = pulumi.interpolate`arn:${scope.account.apply((account) => account.partition)}:s3:::${args.storage.bucketName}`;
    const policy = new aws.iam.RolePolicy(`${name}-archive`, {
        role: role.name,
        policy: pulumi.all([arns, bucketArn, scope.dataKeyArn]).apply(([resource, bucket, key]) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                // Firehose's documented rights for an MSK source (Firehose Developer Guide, "Grant Firehose access to Amazon MSK").
                { Sid: "ReadCluster", Effect: "Allow", Action: ["kafka:GetBootstrapBrokers", "kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka-cluster:Connect"], Resource: resource.cluster },
                { Sid: "ReadTopic", Effect: "Allow", Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:ReadData"], Resource: resource.topic },
                { Sid: "ListBucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: bucket },
                // Firehose only writes; no role CI can mint reads the stack's data (the workload boundary allows no s3:GetObject).
                { Sid: "WriteArchive", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: `${bucket}/${archivePrefix(events)}*` },
                { Sid: "EncryptArchive", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: key },
            ],
        })),
    }, opts);
    return new aws.kinesis.FirehoseDeliveryStream(`${name}-archive`, {
        name: source.streamName,
        destination: "extended_s3",
        mskSourceConfiguration: {
            mskClusterArn: bus.cluster.arn,
            topicName: events.topic,
            authenticationConfiguration: { roleArn: role.arn, connectivity: "PRIVATE" },
        },
        extendedS3Configuration: {
            roleArn: role.arn,
            bucketArn,
            prefix: `${archivePrefix(events)}!{timestamp:yyyy/MM/dd/HH}/`,
            errorOutputPrefix: `events-errors/${events.topic}/!{firehose:error-output-type}/`,
            bufferingInterval: events.archiveIntervalSeconds,
            bufferingSize: 64,
            compressionFormat: "GZIP",
            kmsKeyArn: scope.dataKeyArn,
        },
        tags: context.tags,
    }, { parent, dependsOn: [policy, bus.firehoseAccess, ...source.after] });
}

/** Lag and the oldest unread event of its group on its topic (MSK Developer Guide, "Monitor MSK Serverless clusters"). */
function alarms(name: string, args: WorkloadCloudArgs, scope: AwsEventScope, bus: AwsEventBus, parent: pulumi.Resource): void {
    const events = args.workload.events!;
    const alarmScope = { context: scope.context, workload: args.workload.name, topicArn: scope.alertTopicArn(args.alertEmails) };
    const dimensions = { "Cluster Name": bus.cluster.clusterName, "Consumer Group": events.consumerGroup, Topic: events.topic };
    workloadAlarm(name, alarmScope, {
        role: "consumer-lag",
        namespace: "AWS/Kafka",
        metricName: "MaxOffsetLag",
        dimensions,
        threshold: events.alerts.consumerLagEvents,
        description: `${args.workload.name} is ${events.alerts.consumerLagEvents} events behind on a partition of ${events.topic}`,
    }, parent);
    workloadAlarm(name, alarmScope, {
        role: "oldest-event",
        namespace: "AWS/Kafka",
        metricName: "EstimatedMaxTimeLag",
        dimensions,
        threshold: events.alerts.oldestEventAgeMinutes * 60,
        description: `The oldest unread event of ${args.workload.name} has waited ${events.alerts.oldestEventAgeMinutes} minutes`,
    }, parent);
}
