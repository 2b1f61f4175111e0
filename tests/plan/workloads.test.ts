/**
 * Workloads in the plan, per stack × cloud, from the fixture with one workload of each pattern:
 * web_api "orders", background_worker "billing-jobs", data_api "catalog-api", event_processor
 * "order-events". The Kubernetes objects each gets, its queue or topic and alerts, its
 * identity's exact scope, KEDA's trigger, the route with its traffic policies, the database
 * made for a data_api and the migrations before its rollout.
 */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { cloudNames, inputsOf, planWithWorkloads, resourcesOf } from "../support/plans.ts";
import { stacks } from "../support/stack-config.ts";

const k8s = (kind: string) => kind;
const deployment = k8s("kubernetes:apps/v1:Deployment");

for (const cloud of cloudNames) {
    for (const stack of stacks) {
        describe(`workloads in ${stack} on ${cloud}`, () => {
            const plan = () => planWithWorkloads(stack, cloud);

            it("passes the policy pack with no mandatory finding", async () => {
                const mandatory = (await plan()).policy.filter((finding) => finding.enforcement === "mandatory");
                assert.deepEqual(mandatory, []);
            });

            it("runs each workload in its own guarded namespace under its own service account", async () => {
                const report = await plan();
                for (const name of ["orders", "billing-jobs", "catalog-api", "order-events"]) {
                    const spec = inputsOf(report, deployment, `workload-${name}-deployment`);
                    assert.equal(spec.metadata.namespace, name);
                    assert.equal(spec.spec.template.spec.serviceAccountName, name);
                    const namespace = inputsOf(report, "kubernetes:core/v1:Namespace", `workload-${name}-ns-namespace`);
                    assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
                    assert.ok(resourcesOf(report, "kubernetes:core/v1:ResourceQuota").some((quota) => quota.inputs.metadata.namespace === name));
                    assert.ok(resourcesOf(report, "kubernetes:networking.k8s.io/v1:NetworkPolicy").some((policy) => policy.inputs.metadata.namespace === name && policy.inputs.metadata.name === "default-deny"));
                }
                const budgets = resourcesOf(report, "kubernetes:policy/v1:PodDisruptionBudget").filter((budget) => budget.name.startsWith("workload-"));
                // orders and catalog-api keep 1 / 2 / 3 replicas at least, billing-jobs and order-events 0 / 1 / 2.
                assert.equal(budgets.length, { dev: 0, staging: 2, prod: 4 }[stack], "a budget wherever a workload keeps more than one replica");
            });

            it("syncs each named secret with an ExternalSecret from the namespace's own store", async () => {
                const report = await plan();
                const synced = resourcesOf(report, "kubernetes:external-secrets.io/v1:ExternalSecret").filter((secret) => secret.name.startsWith("workload-"));
                // The data_api's cache password too, as any named secret.
                assert.deepEqual(synced.map((secret) => secret.inputs.metadata.name).sort(), ["billing-jobs-postgres-app-password", "catalog-api-redis-password", "orders-openai-api-key"]);
                const key = synced.find((secret) => secret.inputs.metadata.name === "orders-openai-api-key")!.inputs.spec.data[0].remoteRef.key;
                assert.equal(key, cloud === "aws" ? `platform/${stack}/openai-api-key` : "openai-api-key");
            });

            it("routes the web API's host through the gateway's HTTPS listener, rate limited, and lets only the proxies in", async () => {
                const report = await plan();
                const route = inputsOf(report, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "workload-orders-route");
                assert.match(route.spec.hostnames[0], /^orders\./);
                assert.equal(route.spec.parentRefs[0].sectionName, "https");
                const limit = inputsOf(report, "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", "workload-orders-rate-limit");
                assert.equal(limit.spec.targetRefs[0].name, "orders");
                const policy = inputsOf(report, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "workload-orders-orders-from-gateway");
                assert.equal(policy.spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"], "envoy-gateway-system");
                // Its own namespace has no namespace-wide gateway allowance: only the workload's own policy.
                assert.ok(!resourcesOf(report, "kubernetes:networking.k8s.io/v1:NetworkPolicy").some((each) => each.inputs.metadata.namespace === "orders" && each.inputs.metadata.name === "allow-from-gateway"));
                const hpa = inputsOf(report, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "workload-orders-autoscaler");
                assert.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
            });

            it("scales the worker with KEDA on its queue, authenticated as KEDA's own identity", async () => {
                const report = await plan();
                const scaler = inputsOf(report, "kubernetes:keda.sh/v1alpha1:ScaledObject", "workload-billing-jobs-scaler");
                const trigger = scaler.spec.triggers[0];
                const auth = inputsOf(report, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication", "workload-billing-jobs-trigger-auth");
                assert.equal(scaler.spec.minReplicaCount, stack === "dev" ? 0 : stack === "staging" ? 1 : 2);
                if (cloud === "aws") {
                    assert.equal(trigger.type, "aws-sqs-queue");
                    assert.match(trigger.metadata.queueURL, new RegExp(`^https://sqs\\.eu-west-1\\.amazonaws\\.com/\\d{12}/platform-${stack}-billing-jobs$`));
                    assert.deepEqual(auth.spec.podIdentity, { provider: "aws" });
                } else {
                    assert.equal(trigger.type, "azure-servicebus");
                    assert.equal(trigger.metadata.queueName, "billing-jobs");
                    assert.equal(auth.spec.podIdentity.provider, "azure-workload");
                    const keda = resourcesOf(report, "azure-native:managedidentity:UserAssignedIdentity").find((identity) => identity.name === "kubernetes-bindings-keda");
                    assert.ok(keda, "KEDA has an identity of its own");
                }
            });
        });
    }
}

describe("the worker's queue and the identities' scopes on AWS", () => {
    it("gives the worker an encrypted SQS queue with a dead-letter queue, the pattern's retry policy and TLS only", async () => {
        const report = await planWithWorkloads("prod", "aws");
        const queue = inputsOf(report, "aws:sqs/queue:Queue", "workload-billing-jobs-queue");
        const deadLetter = inputsOf(report, "aws:sqs/queue:Queue", "workload-billing-jobs-dead-letter");
        assert.equal(queue.name, "platform-prod-billing-jobs");
        assert.equal(queue.visibilityTimeoutSeconds, 300);
        assert.equal(queue.sqsManagedSseEnabled, true);
        assert.equal(deadLetter.sqsManagedSseEnabled, true);
        assert.deepEqual(JSON.parse(queue.redrivePolicy), { deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:platform-prod-billing-jobs-dlq", maxReceiveCount: 5 });
        const allow = JSON.parse(inputsOf(report, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "workload-billing-jobs-dead-letter").redriveAllowPolicy);
        assert.deepEqual(allow, { redrivePermission: "byQueue", sourceQueueArns: ["arn:aws:sqs:eu-west-1:123456789012:platform-prod-billing-jobs"] });
        const tls = JSON.parse(inputsOf(report, "aws:sqs/queuePolicy:QueuePolicy", "workload-billing-jobs-queue-tls").policy);
        assert.deepEqual(tls.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    it("alarms on dead letters and on the oldest message's age, to the encrypted alert topic", async () => {
        const report = await planWithWorkloads("prod", "aws");
        const deadLetters = inputsOf(report, "aws:cloudwatch/metricAlarm:MetricAlarm", "workload-billing-jobs-dead-letters");
        assert.equal(deadLetters.metricName, "ApproximateNumberOfMessagesVisible");
        assert.deepEqual(deadLetters.dimensions, { QueueName: "platform-prod-billing-jobs-dlq" });
        assert.equal(deadLetters.threshold, 1);
        const oldest = inputsOf(report, "aws:cloudwatch/metricAlarm:MetricAlarm", "workload-billing-jobs-oldest-message");
        assert.equal(oldest.metricName, "ApproximateAgeOfOldestMessage");
        assert.equal(oldest.threshold, 15 * 60);
        const topic = inputsOf(report, "aws:sns/topic:Topic");
        assert.deepEqual(deadLetters.alarmActions, [`arn:aws:sns:eu-west-1:123456789012:${topic.name}`]);
        assert.match(topic.kmsMasterKeyId, /^arn:aws:kms:/, "a customer-managed key CloudWatch may use");
    });

    it("lets each workload role touch only its own queue, dead-letter queue and listed models, and KEDA only read the depth", async () => {
        const report = await planWithWorkloads("prod", "aws");
        const worker = JSON.parse(inputsOf(report, "aws:iam/rolePolicy:RolePolicy", "workload-billing-jobs-role").policy);
        assert.deepEqual(worker.Statement.map((statement: any) => [statement.Sid, statement.Resource]), [
            ["ConsumeOwnQueue", "arn:aws:sqs:eu-west-1:123456789012:platform-prod-billing-jobs"],
            ["DeadLetterOwnMessages", "arn:aws:sqs:eu-west-1:123456789012:platform-prod-billing-jobs-dlq"],
        ]);
        const api = JSON.parse(inputsOf(report, "aws:iam/rolePolicy:RolePolicy", "workload-orders-role").policy);
        assert.deepEqual(api.Statement, [{
            Sid: "InvokeListedModels",
            Effect: "Allow",
            Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            // A cross-region inference profile: the profile, and its model wherever it routes.
            Resource: [
                "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            ],
        }]);
        const keda = JSON.parse(inputsOf(report, "aws:iam/rolePolicy:RolePolicy", "workload-billing-jobs-keda").policy);
        assert.deepEqual(keda.Statement, [{ Sid: "ReadQueueDepth", Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: "arn:aws:sqs:eu-west-1:123456789012:platform-prod-billing-jobs" }]);
        const association = inputsOf(report, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "workload-orders-pod-identity");
        assert.deepEqual([association.namespace, association.serviceAccount], ["orders", "orders"]);
        const role = inputsOf(report, "aws:iam/role:Role", "workload-orders-role");
        assert.match(role.permissionsBoundary, /:policy\/platform-prod-workload-boundary$/);
    });

    it("gives each workload a build-cache repository whose layers expire, and keeps its other tags immutable", async () => {
        const report = await planWithWorkloads("dev", "aws");
        const cache = inputsOf(report, "aws:ecr/repository:Repository", "registry-build-cache-orders");
        assert.equal(cache.name, "platform-dev/build-cache/orders");
        assert.equal(cache.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
        assert.deepEqual(cache.imageTagMutabilityExclusionFilters, [{ filter: "buildcache*", filterType: "WILDCARD" }]);
        const lifecycle = JSON.parse(inputsOf(report, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-build-cache-orders").policy);
        assert.deepEqual(lifecycle.rules[0].selection, { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 });
    });
});

describe("the worker's queue and the identities' scopes on Azure", () => {
    it("gives the worker a Service Bus queue with the pattern's lock, deliveries and retention, in a namespace without keys", async () => {
        const report = await planWithWorkloads("prod", "azure");
        const queue = inputsOf(report, "azure-native:servicebus:Queue");
        assert.deepEqual([queue.queueName, queue.lockDuration, queue.maxDeliveryCount, queue.defaultMessageTimeToLive, queue.deadLetteringOnMessageExpiration],
            ["billing-jobs", "PT5M", 5, "P4D", true]);
        const namespace = inputsOf(report, "azure-native:servicebus:Namespace");
        assert.equal(namespace.disableLocalAuth, true);
        assert.equal(namespace.minimumTlsVersion, "1.2");
        assert.equal(namespace.sku.name, "Premium");
        const dev = inputsOf(await planWithWorkloads("dev", "azure"), "azure-native:servicebus:Namespace");
        assert.equal(dev.sku.name, "Standard");
    });

    it("alerts on dead letters and on a backlog beyond full scale, per queue", async () => {
        const report = await planWithWorkloads("prod", "azure");
        const alerts = resourcesOf(report, "azure-native:monitor:MetricAlert").map((alert) => alert.inputs.criteria.allOf[0]);
        assert.deepEqual(alerts.map((criterion) => [criterion.metricName, criterion.dimensions[0].values[0], criterion.threshold]).sort(),
            [["ActiveMessages", "billing-jobs", 10 * 20], ["DeadletteredMessages", "billing-jobs", 1]]);
    });

    it("federates each identity with its own service account and grants roles on its own queue and the OpenAI account only", async () => {
        const report = await planWithWorkloads("prod", "azure");
        const subjects = resourcesOf(report, "azure-native:managedidentity:FederatedIdentityCredential")
            .filter((credential) => credential.name.startsWith("workload-")).map((credential) => credential.inputs.subject).sort();
        assert.deepEqual(subjects, [
            "system:serviceaccount:billing-jobs:billing-jobs", "system:serviceaccount:catalog-api:catalog-api", "system:serviceaccount:order-events:order-events",
            "system:serviceaccount:orders:orders", "system:serviceaccount:platform-provisioning:provisioner",
        ]);
        const queueId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-prod/providers/Microsoft.ServiceBus/namespaces/";
        const grants = resourcesOf(report, "azure-native:authorization:RoleAssignment").filter((grant) => grant.name.startsWith("workload-"));
        const byName = Object.fromEntries(grants.map((grant) => [grant.name, grant.inputs]));
        assert.ok(byName["workload-billing-jobs-receive"].scope.startsWith(queueId) && byName["workload-billing-jobs-receive"].scope.endsWith("/queues/billing-jobs"));
        assert.match(byName["workload-billing-jobs-receive"].roleDefinitionId, /4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0$/);
        assert.ok(byName["workload-billing-jobs-keda"].scope.endsWith("/queues/billing-jobs"), "KEDA reads this queue only");
        assert.match(byName["workload-orders-models"].scope, /\/providers\/Microsoft\.CognitiveServices\/accounts\/[^/]+$/);
        assert.match(byName["workload-orders-models"].roleDefinitionId, /5e0bd9bd-7b93-4f28-af87-19fc36ad61bd$/);
        const account = inputsOf(report, "azure-native:cognitiveservices:Account");
        assert.equal(account.kind, "OpenAI");
        assert.equal(account.properties.disableLocalAuth, true);
        const model = inputsOf(report, "azure-native:cognitiveservices:Deployment");
        assert.deepEqual(model.properties.model, { format: "OpenAI", name: "gpt-4.1", version: "2025-04-14" });
    });

    it("creates no Azure OpenAI account or Service Bus namespace when no workload asks for one", async () => {
        const { planOf } = await import("../support/plans.ts");
        const report = await planOf("dev", "azure");
        assert.equal(resourcesOf(report, "azure-native:cognitiveservices:Account").length, 0);
        assert.equal(resourcesOf(report, "azure-native:servicebus:Namespace").length, 0);
    });

    it("purges each build cache's layers after the pattern's expiry", async () => {
        const report = await planWithWorkloads("dev", "azure");
        const task = inputsOf(report, "azure-native:containerregistry:Task", "registry-purge-build-caches");
        const text = Buffer.from(task.step.encodedTaskContent, "base64").toString();
        assert.match(text, /acr purge --filter 'platform-dev\/build-cache\/orders:\.\*' --ago 7d --untagged/);
        assert.match(text, /acr purge --filter 'platform-dev\/build-cache\/billing-jobs:\.\*' --ago 7d --untagged/);
    });
});
