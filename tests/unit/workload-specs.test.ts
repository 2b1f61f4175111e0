/** A workload's Kubernetes objects, as the specs build them from a resolved entry. */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { parsePlatformConfig } from "../../config/schema.ts";
import type { Workload } from "../../config/workloads.ts";
import { coveredByZone, gatewayListeners, listenerFor } from "../../components/kubernetes/edge-values.ts";
import {
    consumerLagRuleSpec, databaseProvisioningSql, dataServiceEnv, deploymentSpec, disruptionBudgetSpec, externalSecretSpec, horizontalAutoscalerSpec,
    httpRouteSpec, migrationJobName, migrationJobSpec, provisioningJobSpec, rateLimitPolicySpec, restrictedContainerSecurity, restrictedPodSecurity,
    scaledObjectSpec, secretEnvName, workloadNetworkPolicy,
} from "../../components/workload/specs.ts";
import { stackPlatformConfig } from "../support/stack-config.ts";

const digest = `@sha256:${"cd".repeat(32)}`;

function workload(stack: "dev" | "prod", entry: Record<string, unknown>): Workload {
    const config = stackPlatformConfig(stack);
    config["workloads"] = [{ image: `ghcr.io/acme/app${digest}`, ...entry }];
    return parsePlatformConfig(config).workloads[0]!;
}

const cloud = { serviceAccountName: "orders", podLabels: { "azure.workload.identity/use": "true" }, env: { QUEUE_URL: "https://sqs/q" } };

describe("a workload's Deployment", () => {
    const api = workload("prod", { name: "orders", pattern: "web_api", secrets: ["openai-api-key"], env: { LOG_LEVEL: "info" } });
    const spec = deploymentSpec(api, cloud) as any;
    const container = spec.template.spec.containers[0];

    it("passes the restricted Pod Security Standard", () => {
        assert.deepEqual(spec.template.spec.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(container.securityContext.capabilities, { drop: ["ALL"] });
        assert.equal(container.securityContext.seccompProfile.type, "RuntimeDefault");
    });

    it("has requests and limits from its size: CPU limit twice the request, memory limit equal", () => {
        assert.deepEqual(container.resources, { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
    });

    it("probes the pattern's paths on its port, and leaves the replica count to the autoscaler", () => {
        assert.equal(container.startupProbe.httpGet.path, "/healthz");
        assert.equal(container.readinessProbe.httpGet.path, "/readyz");
        assert.equal(container.livenessProbe.httpGet.path, "/healthz");
        assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        assert.equal(spec.replicas, undefined);
    });

    it("reads each named secret from the Secret its ExternalSecret syncs, next to its plain and cloud values", () => {
        assert.deepEqual(container.env, [
            { name: "LOG_LEVEL", value: "info" },
            { name: "QUEUE_URL", value: "https://sqs/q" },
            { name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "orders-openai-api-key", key: "value" } } },
        ]);
        assert.equal(secretEnvName("postgres-app-password"), "POSTGRES_APP_PASSWORD");
        const external = externalSecretSpec(api, "openai-api-key", "platform/prod/openai-api-key", "platform-secrets") as any;
        assert.deepEqual(external.secretStoreRef, { kind: "SecretStore", name: "platform-secrets" });
        assert.deepEqual(external.data, [{ secretKey: "value", remoteRef: { key: "platform/prod/openai-api-key" } }]);
        assert.equal(external.target.name, "orders-openai-api-key");
    });

    it("spreads across zones outside dev only, and carries the cloud's pod labels", () => {
        assert.deepEqual(spec.template.spec.topologySpreadConstraints.map((constraint: any) => constraint.topologyKey), ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
        assert.equal(spec.template.metadata.labels["azure.workload.identity/use"], "true");
        const dev = deploymentSpec(workload("dev", { name: "orders", pattern: "web_api" }), cloud) as any;
        assert.equal(dev.template.spec.topologySpreadConstraints, undefined);
    });
});

describe("a workload's scaling and disruption budget", () => {
    it("gives a web API a CPU autoscaler that scales up fast and down slowly", () => {
        const hpa = horizontalAutoscalerSpec(workload("prod", { name: "orders", pattern: "web_api" })) as any;
        assert.deepEqual(hpa.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "orders" });
        assert.equal(hpa.metrics[0].resource.target.averageUtilization, 70);
        assert.equal(hpa.behavior.scaleUp.stabilizationWindowSeconds, 0);
        assert.equal(hpa.behavior.scaleDown.stabilizationWindowSeconds, 300);
        assert.ok(hpa.behavior.scaleUp.policies[0].value > hpa.behavior.scaleDown.policies[0].value);
    });

    it("scales a worker with KEDA on its queue, from zero in dev", () => {
        const trigger = { type: "aws-sqs-queue", metadata: { queueURL: "https://sqs/q", queueLength: "10", awsRegion: "eu-west-1" }, authentication: { podIdentity: { provider: "aws" } } };
        const dev = scaledObjectSpec(workload("dev", { name: "jobs", pattern: "background_worker" }), trigger, "jobs") as any;
        assert.equal(dev.minReplicaCount, 0);
        assert.deepEqual(dev.triggers, [{ type: "aws-sqs-queue", metadata: trigger.metadata, authenticationRef: { name: "jobs" } }]);
        const prod = scaledObjectSpec(workload("prod", { name: "jobs", pattern: "background_worker" }), trigger, "jobs") as any;
        assert.ok(prod.minReplicaCount >= 2);
        assert.equal(horizontalAutoscalerSpec(workload("dev", { name: "jobs", pattern: "background_worker" })), undefined, "no HPA beside KEDA's");
    });

    it("has a disruption budget only with more than one replica", () => {
        assert.equal(disruptionBudgetSpec(workload("dev", { name: "orders", pattern: "web_api" })), undefined);
        assert.deepEqual(disruptionBudgetSpec(workload("prod", { name: "orders", pattern: "web_api" })), { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "orders" } } });
    });
});

describe("a web API's route on the shared gateway", () => {
    const api = workload("prod", { name: "orders", pattern: "web_api" });
    const zone = stackPlatformConfig("prod")["dns"]["zone"] as string;

    it("attaches to the HTTPS listener of its host only, with the pattern's security headers and timeout", () => {
        const route = httpRouteSpec(api, listenerFor(api.route!.host, zone)) as any;
        assert.deepEqual(route.parentRefs, [{ name: "platform", namespace: "gateway", sectionName: "https" }]);
        assert.deepEqual(route.hostnames, [`orders.${zone}`]);
        const headers = Object.fromEntries(route.rules[0].filters[0].responseHeaderModifier.set.map((header: any) => [header.name, header.value]));
        assert.match(headers["Strict-Transport-Security"], /^max-age=\d+/);
        assert.equal(headers["X-Content-Type-Options"], "nosniff");
        assert.equal(headers["X-Frame-Options"], "DENY");
        assert.deepEqual(route.rules[0].timeouts, { request: "30s" });
    });

    it("is rate limited at the gateway", () => {
        const policy = rateLimitPolicySpec(api) as any;
        assert.deepEqual(policy.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "orders" }]);
        assert.deepEqual(policy.rateLimit.local.rules[0].limit, { requests: 100, unit: "Second" });
    });

    it("gets a listener and certificate of its own when the zone's wildcard does not cover its host", () => {
        assert.equal(coveredByZone("orders.example.com", "example.com"), true);
        assert.equal(coveredByZone("a.b.example.com", "example.com"), false, "a wildcard covers one label");
        assert.equal(coveredByZone("shop.example.org", "example.com"), false);
        assert.equal(listenerFor("shop.example.org", "example.com"), "https-shop-example-org");
        assert.equal(listenerFor("example.com", "example.com"), "https-apex");
        const listeners = gatewayListeners("example.com", ["orders.example.com", "shop.example.org"]) as any[];
        const own = listeners.find((listener) => listener.name === "https-shop-example-org");
        assert.equal(own.hostname, "shop.example.org");
        assert.deepEqual(own.tls.certificateRefs, [{ kind: "Secret", name: "shop-example-org-tls" }]);
        assert.equal(listeners.filter((listener) => listener.hostname === "orders.example.com").length, 0, "the wildcard listener serves it");
    });

    it("lets only the gateway's proxies in, on its port", () => {
        const policy = workloadNetworkPolicy(api, "envoy-gateway-system")!;
        assert.deepEqual(policy.spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "orders" } });
        assert.deepEqual(policy.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
        assert.equal(workloadNetworkPolicy(workload("dev", { name: "jobs", pattern: "background_worker" }), "envoy-gateway-system"), undefined, "nothing routes to a worker");
    });
});

describe("a workload's cloud parts, as data", () => {
    it("grants a foundation model in the region, and a cross-region profile with its model wherever it routes", async () => {
        const { modelArns } = await import("../../components/workload/aws.ts");
        const scope = { partition: "aws", account: "123456789012", region: "eu-west-1" };
        assert.deepEqual(modelArns(scope, "amazon.nova-pro-v1:0"), ["arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0"]);
        assert.deepEqual(modelArns(scope, "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"), [
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        ]);
    });

    it("writes Service Bus durations as ARM returns them", async () => {
        const { isoDuration } = await import("../../components/workload/azure.ts");
        assert.deepEqual([300, 60, 90, 3600, 45].map(isoDuration), ["PT5M", "PT1M", "PT1M30S", "PT1H", "PT45S"]);
    });
});

describe("data_api and event_processor specs", () => {
    const dataApi = (image: string, command = ["/app/migrate", "up"]) =>
        workload("prod", { name: "catalog-api", pattern: "data_api", image, migrations: { command } });
    const image = `ghcr.io/acme/catalog${digest}`;

    it("names the migration Job after the image and command, so each new version migrates once", () => {
        const name = migrationJobName(dataApi(image));
        assert.match(name, /^catalog-api-migrate-[0-9a-f]{10}$/);
        assert.equal(migrationJobName(dataApi(image)), name, "stable for the same version");
        assert.notEqual(migrationJobName(dataApi(`ghcr.io/acme/catalog@sha256:${"ef".repeat(32)}`)), name);
        assert.notEqual(migrationJobName(dataApi(image, ["/app/migrate", "up", "--all"])), name);
    });

    it("runs migrations as the workload, restricted, with a deadline and few retries", () => {
        const spec = migrationJobSpec(dataApi(image), cloud) as any;
        assert.deepEqual([spec.backoffLimit, spec.activeDeadlineSeconds], [1, 900]);
        const pod = spec.template.spec;
        assert.deepEqual([pod.serviceAccountName, pod.restartPolicy], ["orders", "Never"]);
        assert.deepEqual(pod.securityContext, restrictedPodSecurity);
        assert.deepEqual(pod.containers[0].securityContext, restrictedContainerSecurity);
        assert.deepEqual(pod.containers[0].command, ["/app/migrate", "up"]);
        assert.equal(migrationJobSpec(workload("prod", { name: "orders", pattern: "web_api" }), cloud), undefined);
    });

    it("makes a database only its role may use, idempotently", () => {
        const sql = databaseProvisioningSql({ name: "catalog_api", user: "catalog_api", pooled: true, recoveryWindowDays: 30 }, "CREATE ROLE catalog_api LOGIN;");
        const lines = sql.split("\n");
        assert.equal(lines[0], "\\set ON_ERROR_STOP on");
        assert.equal(lines[1], "CREATE ROLE catalog_api LOGIN;");
        assert.match(sql, /WHERE NOT EXISTS \(SELECT FROM pg_database WHERE datname = 'catalog_api'\)\\gexec/);
        assert.ok(sql.indexOf("REVOKE ALL ON DATABASE catalog_api FROM PUBLIC;") < sql.indexOf("\\connect catalog_api"));
        assert.match(sql, /GRANT USAGE, CREATE ON SCHEMA public TO catalog_api;/);
    });

    it("runs provisioning jobs restricted, fetching a client library first when asked", () => {
        const spec = provisioningJobSpec({ image: "apache/kafka:4.3.1", script: "true", env: { TOPIC: "t" }, podLabels: {}, fetch: { url: "https://example.org/a.jar", file: "a.jar" } }) as any;
        const pod = spec.template.spec;
        assert.deepEqual(pod.securityContext, restrictedPodSecurity);
        assert.equal(pod.initContainers[0].command.at(-1), "https://example.org/a.jar");
        assert.ok(pod.initContainers[0].command.includes("=https"), "HTTPS only");
        assert.deepEqual(pod.containers[0].env[0], { name: "HOME", value: "/tmp" });
        const withPassword = provisioningJobSpec({ image: "postgres", script: "psql", env: {}, podLabels: {}, passwordSecret: "postgres-admin" }) as any;
        assert.deepEqual(withPassword.template.spec.containers[0].env.at(-1), { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "postgres-admin", key: "password" } } });
        assert.equal(withPassword.template.spec.initContainers, undefined);
    });

    it("hands a data_api its writer, readers and cache, and nothing without a database", () => {
        const database = { name: "catalog_api", user: "catalog_api", pooled: true, recoveryWindowDays: 7 };
        const env = dataServiceEnv(database, { writer: { host: "proxy.example", port: 5432 }, readers: "r1,r2", port: 5432 }, { host: "cache.example", port: 6379, clustered: false });
        assert.deepEqual(env, {
            DATABASE_HOST: "proxy.example", DATABASE_PORT: "5432", DATABASE_READER_HOSTS: "r1,r2", DATABASE_READER_PORT: "5432",
            DATABASE_NAME: "catalog_api", DATABASE_USER: "catalog_api", PGSSLMODE: "require",
            CACHE_HOST: "cache.example", CACHE_PORT: "6379", CACHE_TLS: "true", CACHE_CLUSTERED: "false",
        });
        assert.deepEqual(dataServiceEnv(undefined, undefined, undefined), {});
    });

    it("alerts on the consumer lag KEDA measures, for an event_processor only", () => {
        const schema = JSON.stringify({ type: "record", name: "E", fields: [] });
        const events = workload("prod", { name: "order-events", pattern: "event_processor", events: { schema: { format: "avro", definition: schema } } });
        const rule = consumerLagRuleSpec(events) as any;
        assert.match(rule.groups[0].rules[0].expr, /scaledObject="order-events"\}\) > 10000$/);
        assert.equal(rule.groups[0].rules[0].for, "10m");
        assert.equal(consumerLagRuleSpec(workload("prod", { name: "orders", pattern: "web_api" })), undefined);
    });
});
