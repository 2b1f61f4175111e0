/**
 * The data_api ("catalog-api") and event_processor ("order-events") of the workloads fixture in
 * the plan: the database and passwordless role made for the data_api before it starts, its
 * migrations before its rollout, the writer through the pooler and the readers, the cache; the
 * event_processor's topic, schema, archive, alerts, KEDA's Kafka trigger and its identity's scope.
 */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { cloudNames, inputsOf, planWithWorkloads, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";
import type { PlanReport } from "../../tools/offline/evaluate.ts";

const job = "kubernetes:batch/v1:Job";
const deployment = "kubernetes:apps/v1:Deployment";
const envOf = (spec: any): Record<string, any> => Object.fromEntries(spec.template.spec.containers[0].env.map((entry: any) => [entry.name, entry.value ?? entry.valueFrom]));
const rolePolicy = (report: PlanReport, name: string) => JSON.parse(inputsOf(report, "aws:iam/rolePolicy:RolePolicy", name).policy);

for (const cloud of cloudNames) {
    for (const stack of stacks) {
        describe(`data_api and event_processor in ${stack} on ${cloud}`, () => {
            const plan = () => planWithWorkloads(stack, cloud);
            const pooled = stackValue(stack, "database")["pooling"] === true;

            it("makes the data_api's database and login role in the provisioning namespace before its pods start", async () => {
                const report = await plan();
                const made = inputsOf(report, job, "workload-catalog-api-database");
                assert.equal(made.metadata.namespace, "platform-provisioning");
                const pod = made.spec.template.spec;
                assert.equal(pod.serviceAccountName, "provisioner");
                assert.match(pod.containers[0].image, /^public\.ecr\.aws\/docker\/library\/postgres:/);
                // As the shell gets it, after the kubelet's expansion (`$$` → `$`).
                const script: string = pod.containers[0].command[2].replaceAll("$$", "$");
                assert.match(script, /CREATE DATABASE catalog_api/);
                assert.match(script, /REVOKE ALL ON DATABASE catalog_api FROM PUBLIC;/);
                assert.match(script, /GRANT CONNECT, TEMPORARY ON DATABASE catalog_api TO catalog_api;/);
                const env = envOf(made.spec);
                assert.deepEqual([env["PGHOST"], env["PGDATABASE"], env["PGSSLMODE"]], [report.outputs["databaseHost"], "postgres", "require"]);
                if (cloud === "aws") {
                    // No password for the workload: an IAM login; the job itself signs in as the admin.
                    assert.match(script, /SELECT 'CREATE ROLE catalog_api LOGIN' WHERE NOT EXISTS \(SELECT FROM pg_roles WHERE rolname = 'catalog_api'\)\\gexec\nGRANT rds_iam TO catalog_api;/);
                    if (stack === "prod") {
                        // A source of read replicas: RDS cannot manage its admin secret, so the program's password, as a Secret only this namespace holds.
                        assert.deepEqual(env["PGPASSWORD"], { secretKeyRef: { name: "postgres-admin", key: "password" } });
                        assert.equal(pod.initContainers, undefined);
                        assert.equal(resourceOf(report, "kubernetes:core/v1:Secret", "workload-provisioner-admin-password").inputs["metadata"].namespace, "platform-provisioning");
                    } else {
                        // The secret RDS manages and rotates, read by the job's own role into its scratch volume before psql signs in.
                        assert.equal(env["PGPASSWORD"], undefined);
                        assert.deepEqual(resourcesOf(report, "kubernetes:core/v1:Secret").filter((secret) => secret.name === "workload-provisioner-admin-password"), []);
                        const [reader] = pod.initContainers;
                        const readerEnv = Object.fromEntries(reader.env.map((entry: any) => [entry.name, entry.value]));
                        assert.match(reader.image, /^public\.ecr\.aws\/aws-cli\/aws-cli:2\./);
                        assert.match(readerEnv["SECRET_ARN"], /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-/);
                        assert.equal(readerEnv["AWS_REGION"], "eu-west-1");
                        assert.match(reader.command[2], /^umask 077; /, "the secret file is the job user's alone");
                        assert.match(reader.command[2].replaceAll("$$", "$"), /get-secret-value --secret-id "\$SECRET_ARN" --query SecretString --output text > \/tmp\/postgres-admin\.json$/);
                        assert.match(script, /^PGPASSWORD="\$\(sed -n .*\/tmp\/postgres-admin\.json/);
                        // Only the provisioner's role may read it.
                        const grant = rolePolicy(report, "workload-provisioner-identity").Statement;
                        assert.deepEqual(grant[0].Resource, [readerEnv["SECRET_ARN"]]);
                        assert.deepEqual(grant[1].Condition, { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } });
                        const externalSecrets = JSON.stringify(rolePolicy(report, "kubernetes-bindings-external-secrets"));
                        assert.ok(!externalSecrets.includes("rds!db-"), "External Secrets cannot reach it");
                    }
                } else {
                    const identity = resourceOf(report, "azure-native:managedidentity:UserAssignedIdentity", "workload-catalog-api-identity");
                    assert.match(script, /SELECT pgaadauth_create_principal_with_oid\('catalog_api', '[0-9a-f-]{36}', 'service', false, false\)/);
                    assert.ok(identity);
                    // The job signs in with an Entra token of the provisioning identity, one of the server's Entra administrators.
                    assert.match(script, /ossrdbms-aad\.database\.windows\.net%2F\.default/);
                    assert.equal(env["PGUSER"], inputsOf(report, "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra").principalName);
                    assert.equal(inputsOf(report, "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra").principalType, "ServicePrincipal");
                }
                const pods = resourceOf(report, deployment, "workload-catalog-api-deployment");
                assert.ok(pods.dependsOn.includes("workload-catalog-api-database"), "the Deployment waits for its database");
            });

            it("runs the data_api's migrations from its image, as it, before the Deployment changes", async () => {
                const report = await plan();
                const migration = resourceOf(report, job, "workload-catalog-api-migrations");
                assert.match(migration.inputs.metadata.name, /^catalog-api-migrate-[0-9a-f]{10}$/);
                assert.equal(migration.inputs.metadata.namespace, "catalog-api");
                const container = migration.inputs.spec.template.spec.containers[0];
                assert.deepEqual(container.command, ["/app/migrate", "up"]);
                assert.match(container.image, /^ghcr\.io\/acme\/catalog-api@sha256:/);
                assert.equal(migration.inputs.spec.template.spec.serviceAccountName, "catalog-api");
                assert.equal(migration.inputs.spec.backoffLimit, 1);
                assert.ok(migration.dependsOn.includes("workload-catalog-api-database"));
                assert.ok(resourceOf(report, deployment, "workload-catalog-api-deployment").dependsOn.includes("workload-catalog-api-migrations"));
            });

            it("hands the data_api the writer (through the pooler when pooling), the readers, its database and the cache over TLS", async () => {
                const report = await plan();
                const env = envOf(inputsOf(report, deployment, "workload-catalog-api-deployment").spec);
                const pooler = report.outputs["databasePooler"] as { host: string; port: number } | undefined;
                assert.equal(pooler !== undefined, pooled);
                assert.equal(env["DATABASE_HOST"], pooled ? pooler!.host : report.outputs["databaseHost"]);
                assert.equal(env["DATABASE_PORT"], String(pooled ? pooler!.port : 5432));
                const replicas = report.outputs["databaseReplicaHosts"] as string[];
                assert.equal(env["DATABASE_READER_HOSTS"], replicas.length > 0 ? replicas.join(",") : report.outputs["databaseHost"]);
                assert.deepEqual([env["DATABASE_NAME"], env["DATABASE_USER"], env["DATABASE_AUTH"], env["PGSSLMODE"]],
                    ["catalog_api", "catalog_api", cloud === "aws" ? "aws-iam" : "entra", "require"]);
                assert.deepEqual([env["CACHE_HOST"], env["CACHE_TLS"]], [report.outputs["cacheHost"], "true"]);
                assert.deepEqual(env["REDIS_PASSWORD"], { secretKeyRef: { name: "catalog-api-redis-password", key: "value" } });
                if (cloud === "azure") {
                    // Passwordless first: its identity holds the cache's default access policy and signs in with an Entra token.
                    const access = inputsOf(report, "azure-native:redisenterprise:AccessPolicyAssignment", "workload-catalog-api-cache-access");
                    assert.deepEqual([access["accessPolicyName"], access["databaseName"]], ["default", "default"]);
                    assert.match(access["user"].objectId, /^[0-9a-f-]{36}$/);
                    assert.deepEqual([env["CACHE_AUTH"], env["CACHE_USER"]], ["entra", access["user"].objectId]);
                } else {
                    assert.equal(env["CACHE_AUTH"], "password");
                }
                assert.deepEqual(resourcesOf(report, "azure-native:redisenterprise:AccessPolicyAssignment").map((entry) => entry.name),
                    cloud === "azure" ? ["workload-catalog-api-cache-access"] : [], "only the workload that uses the cache");
                const endpoints = report.outputs["workloadEndpoints"] as Record<string, any>;
                assert.deepEqual([endpoints["catalog-api"].database, endpoints["catalog-api"].recoveryWindowDays], ["catalog_api", stackValue(stack, "database")["backupRetentionDays"]]);
            });

            it("gives the event_processor its topic, schema and archive, and scales it on consumer lag within its partitions", async () => {
                const report = await plan();
                const scaler = inputsOf(report, "kubernetes:keda.sh/v1alpha1:ScaledObject", "workload-order-events-scaler");
                const trigger = scaler.spec.triggers[0];
                assert.equal(trigger.type, "kafka");
                assert.deepEqual([trigger.metadata.topic, trigger.metadata.consumerGroup, trigger.metadata.lagThreshold], ["order-events", "order-events", "100"]);
                assert.ok(scaler.spec.maxReplicaCount <= 12, "never more consumers than partitions");
                const lag = inputsOf(report, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "workload-order-events-lag-alert");
                assert.match(lag.spec.groups[0].rules[0].expr, /keda_scaler_metrics_value\{exported_namespace="order-events", scaledObject="order-events"\}\) > 10000/);
                const env = envOf(inputsOf(report, deployment, "workload-order-events-deployment").spec);
                assert.deepEqual([env["KAFKA_TOPIC"], env["KAFKA_CONSUMER_GROUP"], env["SCHEMA_NAME"]], ["order-events", "order-events", "order-events"]);
                const kedaEgress = inputsOf(report, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes-keda-allow-event-bus");
                assert.deepEqual(kedaEgress.spec.egress[0].ports, [{ protocol: "TCP", port: cloud === "aws" ? 9098 : 9093 }]);
                if (cloud === "aws") {
                    const cluster = inputsOf(report, "aws:msk/serverlessCluster:ServerlessCluster");
                    assert.equal(cluster.clientAuthentication.sasl.iam.enabled, true);
                    assert.ok(cluster.vpcConfigs[0].subnetIds.length >= 2, "MSK Serverless needs two zones");
                    const topic = inputsOf(report, job, "workload-order-events-topic");
                    assert.match(topic.spec.template.spec.initContainers[0].command.at(-1), /aws-msk-iam-auth-[\d.]+-all\.jar$/);
                    const topicEnv = envOf(topic.spec);
                    assert.deepEqual([topicEnv["TOPIC"], topicEnv["PARTITIONS"], topicEnv["RETENTION_MS"]], ["order-events", "12", String(7 * 86_400_000)]);
                    const schema = inputsOf(report, "aws:glue/schema:Schema");
                    assert.deepEqual([schema.schemaName, schema.dataFormat, schema.compatibility], ["order-events", "AVRO", "BACKWARD"]);
                    assert.equal(JSON.parse(schema.schemaDefinition).name, "OrderPlaced");
                    const archive = inputsOf(report, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
                    assert.equal(archive.mskSourceConfiguration.topicName, "order-events");
                    assert.equal(archive.mskSourceConfiguration.authenticationConfiguration.connectivity, "PRIVATE");
                    assert.match(archive.extendedS3Configuration.prefix, /^events\/order-events\//);
                    assert.match(archive.extendedS3Configuration.kmsKeyArn, /^arn:aws:kms:/);
                    const alarms = resourcesOf(report, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((alarm) => alarm.inputs.namespace === "AWS/Kafka");
                    assert.deepEqual(alarms.map((alarm) => [alarm.inputs.metricName, alarm.inputs.threshold]).sort(), [["EstimatedMaxTimeLag", 15 * 60], ["MaxOffsetLag", 10000]]);
                    assert.deepEqual(Object.keys(alarms[0]!.inputs.dimensions).sort(), ["Cluster Name", "Consumer Group", "Topic"]);
                    assert.deepEqual([trigger.metadata.sasl, trigger.metadata.saslTokenProvider, trigger.metadata.tls], ["oauthbearer", "aws_msk_iam", "enable"]);
                } else {
                    const namespace = inputsOf(report, "azure-native:eventhub:Namespace");
                    assert.equal(namespace.sku.name, stack === "prod" ? "Premium" : "Standard");
                    assert.deepEqual([namespace.publicNetworkAccess, namespace.minimumTlsVersion], ["Disabled", "1.2"]);
                    assert.equal(inputsOf(report, "azure-native:network:PrivateEndpoint", "kubernetes-bindings-event-hubs").privateLinkServiceConnections[0].groupIds[0], "namespace");
                    const hub = inputsOf(report, "azure-native:eventhub:EventHub");
                    assert.deepEqual([hub.eventHubName, hub.partitionCount, hub.retentionDescription.retentionTimeInHours], ["order-events", 12, 7 * 24]);
                    assert.equal(hub.captureDescription.enabled, true);
                    assert.match(hub.captureDescription.destination.archiveNameFormat, /^events\/order-events\//);
                    const group = inputsOf(report, "azure-native:eventhub:SchemaRegistry");
                    assert.deepEqual([group.schemaCompatibility, group.schemaType], ["Backward", "Avro"]);
                    assert.match(inputsOf(report, job, "workload-order-events-schema").spec.template.spec.containers[0].command[2], /serialization=Avro/);
                    const rule = inputsOf(report, "azure-native:eventhub:EventHubAuthorizationRule");
                    assert.deepEqual(rule.rights, ["Listen"], "KEDA's key may only listen");
                    assert.deepEqual(trigger.metadata.bootstrapServers.endsWith(":9093"), true);
                }
            });
        });
    }
}

describe("the data_api's and event_processor's identities on AWS", () => {
    it("lets the data_api sign in as its own database user only, through the proxy and to each instance", async () => {
        const report = await planWithWorkloads("prod", "aws");
        const statement = rolePolicy(report, "workload-catalog-api-role").Statement.find((each: any) => each.Sid === "ConnectAsOwnDatabaseUser");
        assert.equal(statement.Action, "rds-db:connect");
        assert.ok(statement.Resource.every((arn: string) => /^arn:aws:rds-db:eu-west-1:123456789012:dbuser:(prx-[0-9a-f]{17}|db-[A-Z0-9]{26})\/catalog_api$/.test(arn)));
        // The proxy, the primary and the replica.
        assert.equal(statement.Resource.length, 3);
        const proxy = rolePolicy(report, "workload-catalog-api-proxy-user");
        assert.match(proxy.Statement[0].Resource, /:dbuser:db-[A-Z0-9]{26}\/catalog_api$/);
    });

    it("confines the event_processor to its topic, its group and its schema, and the provisioner to making its topic", async () => {
        const report = await planWithWorkloads("prod", "aws");
        const statements = rolePolicy(report, "workload-order-events-role").Statement;
        // Idempotent producers, Kafka clients' default, need this on the cluster.
        assert.deepEqual(statements.find((each: any) => each.Sid === "ConnectToEventBus").Action, ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]);
        const stream = resourceOf(report, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
        assert.ok(["kubernetes-bindings-event-bus", "workload-order-events-topic"].every((each) => stream.dependsOn.includes(each)), "the archive waits for the cluster policy and the topic");
        const resource = (sid: string) => statements.find((each: any) => each.Sid === sid).Resource;
        assert.match(resource("OwnTopic"), /^arn:aws:kafka:eu-west-1:123456789012:topic\/platform-prod-events\/[^/]+\/order-events$/);
        assert.match(resource("OwnConsumerGroup"), /^arn:aws:kafka:eu-west-1:123456789012:group\/platform-prod-events\/[^/]+\/order-events$/);
        assert.deepEqual(resource("ReadSchemaVersionsById"), "*");
        assert.deepEqual(statements.find((each: any) => each.Sid === "ReadSchemaVersionsById").Action, "glue:GetSchemaVersion");
        const provisioner = rolePolicy(report, "workload-order-events-provisioner-topic").Statement;
        assert.match(provisioner[1].Resource, /:topic\/platform-prod-events\/[^/]+\/order-events$/);
        assert.ok(provisioner[1].Action.includes("kafka-cluster:CreateTopic"));
        const keda = rolePolicy(report, "workload-order-events-keda").Statement;
        assert.deepEqual(keda[1].Action, ["kafka-cluster:DescribeTopic", "kafka-cluster:DescribeGroup"]);
    });
});

describe("the event_processor's grants on Azure", () => {
    it("grants its identity receive and send on its hub and read on its schema group, and Capture write on the storage account", async () => {
        const report = await planWithWorkloads("prod", "azure");
        const grants = Object.fromEntries(resourcesOf(report, "azure-native:authorization:RoleAssignment").map((grant) => [grant.name, grant.inputs]));
        assert.match(grants["workload-order-events-events-receive"].scope, /\/providers\/Microsoft\.EventHub\/namespaces\/[^/]+\/eventhubs\/order-events$/);
        assert.match(grants["workload-order-events-events-send"].roleDefinitionId, /2b629674-e913-4c01-ae53-ef4638d8f975$/);
        // Premium: a schema group of its own.
        assert.match(grants["workload-order-events-schemas-read"].scope, /\/schemagroups\/order-events$/);
        assert.match(grants["kubernetes-bindings-event-hubs-capture"].scope, /\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/);
        assert.match(grants["kubernetes-bindings-event-hubs-capture"].roleDefinitionId, /ba92f5b4-2d11-453d-a403-e96b0029c9fe$/);
        assert.match(grants["kubernetes-bindings-schemas-order-events-registrar"].roleDefinitionId, /5dffeca3-4936-4216-b2bc-10343a5abb25$/);
    });

    it("lets Capture reach the storage account as a trusted service, behind a firewall that admits no address", async () => {
        const report = await planWithWorkloads("prod", "azure");
        const account = resourcesOf(report, "azure-native:storage:StorageAccount").find((each) => each.name === "storage-account")!.inputs;
        assert.deepEqual([account.publicNetworkAccess, account.networkRuleSet], ["Enabled", { defaultAction: "Deny", bypass: "AzureServices" }]);
        assert.ok(resourceOf(report, "azure-native:eventhub:EventHub").dependsOn.includes("kubernetes-bindings-event-hubs-capture"), "Capture waits for its right to write");
        assert.deepEqual(report.policy.filter((finding) => finding.rule === "no-public-endpoints"), []);
    });

    it("shares the one schema group Event Hubs Standard allows", async () => {
        const report = await planWithWorkloads("dev", "azure");
        assert.equal(inputsOf(report, "azure-native:eventhub:SchemaRegistry").schemaGroupName, "events");
    });
});
