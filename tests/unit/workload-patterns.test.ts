/** The pattern library and the engine that applies it: defaults, and every refusal naming the workload and key. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "mocha";
import YAML from "yaml";
import { ConfigError } from "../../config/errors.ts";
import { parsePatternLibrary, patternFile, patternLibrary } from "../../config/patterns.ts";
import { parsePlatformConfig } from "../../config/schema.ts";
import { buildCacheRepository } from "../../config/workloads.ts";
import { configRejection, stackPlatformConfig } from "../support/stack-config.ts";
import { projectRoot } from "../support/project.ts";

const digest = `@sha256:${"ab".repeat(32)}`;
const api = { name: "orders", pattern: "web_api", image: `ghcr.io/acme/orders${digest}` };
const worker = { name: "billing-jobs", pattern: "background_worker", image: `ghcr.io/acme/billing${digest}` };
const dataApi = { name: "catalog-api", pattern: "data_api", image: `ghcr.io/acme/catalog${digest}`, migrations: { command: ["/app/migrate", "up"] } };
const orderSchema = JSON.stringify({ type: "record", name: "OrderPlaced", fields: [{ name: "id", type: "string" }] });
const processor = { name: "order-events", pattern: "event_processor", image: `ghcr.io/acme/order-events${digest}`, events: { schema: { format: "avro", definition: orderSchema } } };

function resolved(stack: "dev" | "staging" | "prod", entries: unknown[], change: (config: Record<string, any>) => void = () => {}) {
    const config = stackPlatformConfig(stack);
    config["workloads"] = entries;
    change(config);
    return parsePlatformConfig(config).workloads;
}

function refusal(stack: "dev" | "staging" | "prod", entries: unknown[], change: (config: Record<string, any>) => void = () => {}): string {
    return configRejection(stack, (config) => {
        config["workloads"] = entries;
        change(config);
    });
}

describe("the pattern library", () => {
    it("defines web_api, background_worker, data_api and event_processor with purpose, defaults and rules", () => {
        assert.deepEqual(Object.keys(patternLibrary.patterns).sort(), ["background_worker", "data_api", "event_processor", "web_api"]);
        assert.equal(patternLibrary.patterns.data_api.database?.recovery, "pointInTimeRestore");
        assert.equal(patternLibrary.patterns.event_processor.autoscaling.signal, "consumerLag");
        for (const environment of ["dev", "staging", "prod"] as const) {
            assert.ok(patternLibrary.patterns.event_processor.replicas[environment].max <= patternLibrary.patterns.event_processor.events!.partitions);
        }
        assert.equal(patternLibrary.patterns.web_api.rules.host, "required");
        assert.equal(patternLibrary.patterns.background_worker.rules.host, "forbidden");
        assert.equal(patternLibrary.patterns.background_worker.autoscaling.signal, "queueDepth");
        assert.equal(patternLibrary.patterns.background_worker.replicas.dev.min, 0, "workers scale from zero in dev");
    });

    it("names the pattern and key of a bad value", () => {
        const text = readFileSync(path.join(projectRoot, patternFile), "utf8");
        const broken = YAML.parseDocument(text);
        broken.setIn(["patterns", "web_api", "port"], 80);
        assert.throws(() => parsePatternLibrary(broken.toString()), (error: Error) =>
            error instanceof ConfigError && /patterns\.web_api\.port: must be at least 1024, got 80/.test(error.message));
        const noQueue = YAML.parseDocument(text);
        noQueue.deleteIn(["patterns", "background_worker", "queue"]);
        assert.throws(() => parsePatternLibrary(noQueue.toString()), /patterns\.background_worker\.queue: is required: the pattern brings a queue/);
        const crowded = YAML.parseDocument(text);
        crowded.setIn(["patterns", "event_processor", "events", "partitions"], 2);
        assert.throws(() => parsePatternLibrary(crowded.toString()), /patterns\.event_processor\.replicas\.dev\.max: 3 exceeds events\.partitions \(2\)/);
    });
});

describe("the pattern engine", () => {
    it("applies a pattern's defaults: host under the zone, size, probes, replicas for the environment", () => {
        const [orders] = resolved("dev", [api]);
        assert.equal(orders!.route?.host, `orders.${stackPlatformConfig("dev")["dns"]["zone"]}`);
        assert.deepEqual(orders!.resources, patternLibrary.sizes.small);
        assert.equal(orders!.probes.readiness.path, "/readyz");
        assert.deepEqual(orders!.replicas, patternLibrary.patterns.web_api.replicas.dev);
        assert.equal(orders!.namespace, "orders");
        assert.equal(orders!.ownNamespace, true);
        assert.equal(orders!.spreadAcrossZones, false);
        assert.equal(orders!.buildCache.expiryDays, patternLibrary.buildCacheExpiryDays);
        assert.equal(buildCacheRepository("platform-dev", "orders"), "platform-dev/build-cache/orders");
        const [prodOrders] = resolved("prod", [api]);
        assert.deepEqual(prodOrders!.replicas, patternLibrary.patterns.web_api.replicas.prod);
        assert.equal(prodOrders!.spreadAcrossZones, true);
    });

    it("lets an entry override the pattern: size, replicas, queue settings, a shared namespace", () => {
        const [jobs] = resolved("dev", [{ ...worker, size: "medium", replicas: { min: 1, max: 4 }, namespace: "worker", queue: { maxReceiveCount: 3 } }]);
        assert.deepEqual(jobs!.resources, patternLibrary.sizes.medium);
        assert.deepEqual(jobs!.replicas, { min: 1, max: 4 });
        assert.equal(jobs!.namespace, "worker");
        assert.equal(jobs!.ownNamespace, false);
        assert.equal(jobs!.queue?.maxReceiveCount, 3);
        assert.equal(jobs!.queue?.visibilityTimeoutSeconds, patternLibrary.patterns.background_worker.queue!.visibilityTimeoutSeconds);
    });

    const refusals: [string, "dev" | "staging" | "prod", unknown[], RegExp, ((config: Record<string, any>) => void)?][] = [
        ["a worker with a public route", "dev", [{ ...worker, host: "jobs.example.org" }], /platform:workloads\.0\.host: workload "billing-jobs": a background_worker has no public route/],
        ["a web API without a host when DNS is off", "dev", [api], /platform:workloads\.0\.host: workload "orders": a web_api needs a host when platform:dns is not set/, (config) => { delete config["dns"]; }],
        ["a secret that is not in the store", "dev", [{ ...api, secrets: ["postgres-admin-password"] }], /platform:workloads\.0\.secrets: workload "orders": "postgres-admin-password" is not an application secret/],
        ["two workloads claiming one host", "dev", [{ ...api, host: "shop.example.org" }, { ...api, name: "shop", host: "shop.example.org" }], /platform:workloads\.1\.host: workload "shop": "shop\.example\.org" is already the host of workload "orders"/],
        ["an autoscaling maximum above the namespace quota", "dev", [{ ...worker, replicas: { min: 0, max: 40 } }], /platform:workloads\.0\.replicas: workload "billing-jobs": at 40 replicas .* namespace "billing-jobs" would need .* vCPU of requests \(quota \d+\)/],
        ["two workloads of one shared namespace above its quota together", "dev", [{ ...api, namespace: "api", replicas: { min: 1, max: 8 } }, { ...worker, namespace: "api", replicas: { min: 1, max: 8 } }], /platform:workloads\.1\.replicas: workload "billing-jobs": .* namespace "api"/],
        ["an image not pinned by digest outside dev", "staging", [{ ...api, image: "ghcr.io/acme/orders:1.4.2" }], /platform:workloads\.0\.image: workload "orders": must be pinned by digest in staging/],
        ["a namespace that is not one of the stack's", "dev", [{ ...api, namespace: "payments" }], /platform:workloads\.0\.namespace: workload "orders": "payments" is not in platform:kubernetes\.namespaces/],
        ["a worker without KEDA", "dev", [worker], /platform:workloads\.0\.pattern: workload "billing-jobs": a background_worker is scaled by KEDA.*addons\.keda/, (config) => { config["kubernetes"]["addons"]["keda"] = false; }],
        ["a lock longer than Service Bus allows", "dev", [{ ...worker, queue: { visibilityTimeoutSeconds: 900 } }], /platform:workloads\.0\.queue: workload "billing-jobs": visibilityTimeoutSeconds 900 exceeds Service Bus's longest lock/, (config) => { config["cloud"] = "azure"; }],
        ["the same name twice", "dev", [api, api], /platform:workloads\.1\.name: workload "orders": is listed twice/],
        ["a workload named after a platform namespace", "dev", [{ ...api, name: "monitoring" }], /platform:workloads\.0\.name: workload "monitoring": "monitoring" is a namespace the platform reserves/],
        ["an unknown pattern", "dev", [{ ...api, pattern: "cron_job" }], /platform:workloads\.0\.pattern: must be one of "web_api", "background_worker", "data_api", "event_processor", got "cron_job"/],
        ["a data_api on a stack without a database", "dev", [dataApi], /platform:workloads\.0\.pattern: workload "catalog-api": a data_api keeps its data in the stack's PostgreSQL; set platform:database/, (config) => { delete config["database"]; }],
        ["migrations on a web_api", "dev", [{ ...api, migrations: { command: ["migrate"] } }], /platform:workloads\.0\.migrations: workload "orders": a web_api runs no migrations; remove migrations/],
        ["an event_processor without its topic's schema", "dev", [{ ...processor, events: undefined }], /platform:workloads\.0\.events: workload "order-events": an event_processor needs events/],
        ["an event_processor whose replicas exceed its partitions", "dev", [{ ...processor, events: { ...processor.events, partitions: 2 } }], /platform:workloads\.0\.replicas: workload "order-events": max 3 exceeds its 2 partitions/],
        ["more partitions than Event Hubs Standard allows", "dev", [{ ...processor, events: { ...processor.events, partitions: 40 } }], /platform:workloads\.0\.events: workload "order-events": 40 partitions exceed Event Hubs standard's 32 per topic/, (config) => { config["cloud"] = "azure"; }],
        ["a retention Event Hubs Standard cannot keep", "staging", [{ ...processor, events: { ...processor.events, retentionDays: 30 } }], /platform:workloads\.0\.events: workload "order-events": retentionDays 30 exceeds Event Hubs standard's 7/, (config) => { config["cloud"] = "azure"; }],
        ["a schema that is not JSON", "dev", [{ ...processor, events: { schema: { format: "avro", definition: "record Order" } } }], /platform:workloads\.0\.events\.schema\.definition: must be an Avro schema/],
        ["an event_processor without KEDA", "dev", [processor], /platform:workloads\.0\.pattern: workload "order-events": an event_processor is scaled by KEDA on its consumer lag/, (config) => { config["kubernetes"]["addons"]["keda"] = false; }],
        ["pooling on a Burstable Flexible Server", "dev", [], /platform:database\.pooling: the built-in PgBouncer needs a non-Burstable SKU, but Standard_B\w+ is Burstable/, (config) => { config["cloud"] = "azure"; config["database"]["pooling"] = true; }],
        ["models only for the other cloud", "dev", [{ ...api, models: { azure: [{ name: "gpt-4.1", version: "2025-04-14" }] } }], /platform:workloads\.0\.models: workload "orders": lists no model for aws/],
    ];
    it("gives a data_api its own database and user, the pooler when pooling is on, the cache password and its restore window", () => {
        const [catalog] = resolved("staging", [dataApi], (config) => { config["database"]["pooling"] = true; });
        assert.deepEqual(catalog!.database, { name: "catalog_api", user: "catalog_api", pooled: true, recoveryWindowDays: stackPlatformConfig("staging")["database"]["backupRetentionDays"] });
        assert.ok(catalog!.cache);
        assert.ok(catalog!.secrets.includes("redis-password"), "the cache's password is synced like any secret");
        assert.deepEqual(catalog!.migrations?.command, ["/app/migrate", "up"]);
        assert.equal(catalog!.route?.host, `catalog-api.${stackPlatformConfig("staging")["dns"]["zone"]}`);
        const [unpooled] = resolved("dev", [dataApi]);
        assert.equal(unpooled!.database?.pooled, false);
    });

    it("gives an event_processor its topic, consumer group, schema and the tier of its environment", () => {
        const [events] = resolved("prod", [{ ...processor, events: { ...processor.events, partitions: 24, compatibility: "forward" } }], (config) => { config["cloud"] = "azure"; });
        assert.equal(events!.events?.topic, "order-events");
        assert.equal(events!.events?.consumerGroup, "order-events");
        assert.equal(events!.events?.partitions, 24);
        assert.equal(events!.events?.schema.compatibility, "forward");
        assert.equal(events!.events?.tier, "premium");
        assert.equal(resolved("dev", [processor])[0]!.events?.tier, "standard");
        assert.equal(events!.cache, false);
    });

    for (const [what, stack, entries, expected, change] of refusals) {
        it(`refuses ${what}, in one line naming the workload and key`, () => {
            const message = refusal(stack, entries, change);
            assert.match(message, expected);
            assert.doesNotMatch(message, /\n/);
        });
    }
});
