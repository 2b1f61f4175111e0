/** The policy pack on what data_api and event_processor workloads bring: each rule passes the resource as the program makes it, and bites on a weakened copy. */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { encryptionAtRest, tlsInTransit } from "../../policy/rules/encryption.ts";
import { noPublicEndpoints } from "../../policy/rules/exposure.ts";
import { identityNoWildcards } from "../../policy/rules/workload-identity.ts";
import { eventStatements, kafkaArns } from "../../components/workload/aws-events.ts";
import { messages, resource } from "../support/policy.ts";

const proxy = (props: Record<string, unknown>) => resource("aws:rds/proxy:Proxy", "database-proxy", { engineFamily: "POSTGRESQL", defaultAuthScheme: "IAM_AUTH", requireTls: true, ...props });
const msk = (iam: boolean) => resource("aws:msk/serverlessCluster:ServerlessCluster", "kubernetes-bindings-event-bus", { clientAuthentication: { sasl: { iam: { enabled: iam } } } });
const eventHubs = (props: Record<string, unknown>) =>
    resource("azure-native:eventhub:Namespace", "kubernetes-bindings-event-hubs", { minimumTlsVersion: "1.2", publicNetworkAccess: "Disabled", ...props });
const archive = (kmsKeyArn: string | undefined) => resource("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "workload-order-events-archive", {
    destination: "extended_s3",
    extendedS3Configuration: { bucketArn: "arn:aws:s3:::platform-prod-data", ...(kmsKeyArn ? { kmsKeyArn } : {}) },
});
const listenRule = (rights: string[]) => resource("azure-native:eventhub:EventHubAuthorizationRule", "workload-order-events-scaler", { rights });
const arns = kafkaArns("arn:aws:kafka:eu-west-1:123456789012:cluster/platform-prod-events/abc-s1", "order-events", "order-events");
const workloadPolicy = (statements: unknown[]) =>
    resource("aws:iam/rolePolicy:RolePolicy", "workload-order-events-role", { policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
const schemaArns = { registry: "arn:aws:glue:eu-west-1:123456789012:registry/platform-prod", schema: "arn:aws:glue:eu-west-1:123456789012:schema/platform-prod/order-events" };

describe("policy: data and event resources", () => {
    it("requires TLS on RDS Proxy", () => {
        assert.deepEqual(messages(tlsInTransit, [proxy({})]), []);
        assert.match(messages(tlsInTransit, [proxy({ requireTls: false })])[0]!, /^RDS Proxy "database-proxy" has requireTls false; it must be true/);
    });

    it("requires IAM (over TLS) on MSK Serverless", () => {
        assert.deepEqual(messages(tlsInTransit, [msk(true)]), []);
        assert.match(messages(tlsInTransit, [msk(false)])[0]!, /MSK Serverless cluster "kubernetes-bindings-event-bus" clientAuthentication\.sasl\.iam has enabled false/);
    });

    it("requires TLS 1.2 and no public network access on Event Hubs", () => {
        assert.deepEqual([...messages(tlsInTransit, [eventHubs({})]), ...messages(noPublicEndpoints, [eventHubs({})])], []);
        assert.match(messages(tlsInTransit, [eventHubs({ minimumTlsVersion: "1.0" })])[0]!, /Event Hubs namespace .* has minimumTlsVersion "1\.0"; it must be 1\.2 or later/);
        assert.match(messages(noPublicEndpoints, [eventHubs({ publicNetworkAccess: "Enabled" })])[0]!, /Event Hubs namespace/);
    });

    it("requires the stack's key on event archives", () => {
        assert.deepEqual(messages(encryptionAtRest, [archive("arn:aws:kms:eu-west-1:123456789012:key/1")]), []);
        assert.match(messages(encryptionAtRest, [archive(undefined)])[0]!, /^Firehose stream "workload-order-events-archive" S3 destination has kmsKeyArn unset/);
    });

    it("lets an event hub's shared key only listen", () => {
        assert.deepEqual(messages(identityNoWildcards, [listenRule(["Listen"])]), []);
        assert.match(messages(identityNoWildcards, [listenRule(["Listen", "Send"])])[0]!, /grants Send; a shared key may only Listen/);
        assert.match(messages(identityNoWildcards, [listenRule(["Manage", "Listen", "Send"])])[0]!, /grants Manage, Send/);
    });

    it("accepts the event processor's own statements, the Glue schema-version read on \"*\" among them, and nothing broader", () => {
        assert.deepEqual(messages(identityNoWildcards, [workloadPolicy(eventStatements(arns, schemaArns))]), []);
        const broader = [{ Sid: "ReadOwnSchema", Effect: "Allow", Action: ["glue:GetSchemaVersion", "glue:GetSchema"], Resource: "*" }];
        assert.match(messages(identityNoWildcards, [workloadPolicy(broader)])[0]!, /allows resource "\*" \(statement ReadOwnSchema\)/);
        const everyTopic = [{ Sid: "OwnTopic", Effect: "Allow", Action: "kafka-cluster:*", Resource: arns.topic }];
        assert.match(messages(identityNoWildcards, [workloadPolicy(everyTopic)])[0]!, /allows action "kafka-cluster:\*"/);
    });
});
