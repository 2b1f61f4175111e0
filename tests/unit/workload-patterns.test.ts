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
    it("defines web_api and background_worker with purpose, defaults and rules", () => {
        assert.deepEqual(Object.keys(patternLibrary.patterns).sort(), ["background_worker", "web_api"]);
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
        ["an unknown pattern", "dev", [{ ...api, pattern: "cron_job" }], /platform:workloads\.0\.pattern: must be one of "web_api", "background_worker", got "cron_job"/],
        ["models only for the other cloud", "dev", [{ ...api, models: { azure: [{ name: "gpt-4.1", version: "2025-04-14" }] } }], /platform:workloads\.0\.models: workload "orders": lists no model for aws/],
    ];
    for (const [what, stack, entries, expected, change] of refusals) {
        it(`refuses ${what}, in one line naming the workload and key`, () => {
            const message = refusal(stack, entries, change);
            assert.match(message, expected);
            assert.doesNotMatch(message, /\n/);
        });
    }
});
