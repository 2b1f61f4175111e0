/**
 * Schema of `patterns/infrastructure-patterns.yaml`: each workload pattern's purpose, its
 * defaults and its compatibility rules. Validated with the same library and messages as
 * the stack configuration; errors name the pattern and key. Pure apart from reading the file.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { ConfigError, describeIssue } from "./errors.ts";

export const patternNames = ["web_api", "background_worker", "data_api", "event_processor"] as const;
export type PatternName = (typeof patternNames)[number];
export const sizeNames = ["small", "medium", "large"] as const;
export type SizeName = (typeof sizeNames)[number];

/** Where the library lives, relative to the project root. */
export const patternFile = "patterns/infrastructure-patterns.yaml";

const seconds = (max: number) => z.int().min(0).max(max);
const probe = z.strictObject({
    /** HTTP path on the workload's port. */
    path: z.string().regex(/^\/[\w./-]*$/, { error: (issue) => `"${String(issue.input)}" is not a URL path` }),
    periodSeconds: z.int().min(1).max(300),
    failureThreshold: z.int().min(1).max(120),
});
const replicaRange = z.strictObject({ min: z.int().min(0).max(100), max: z.int().min(1).max(100) })
    .refine((range) => range.min <= range.max, { error: "min must not exceed max" });
const scalingStep = z.strictObject({ stabilizationSeconds: seconds(3600), percent: z.int().min(1).max(1000), periodSeconds: z.int().min(1).max(1800) });
const keyRule = z.enum(["required", "optional", "forbidden"]);

/** Compatibility modes both schema registries offer (Glue's NONE/BACKWARD/FORWARD, Event Hubs' None/Backward/Forward). */
export const schemaCompatibilities = ["none", "backward", "forward"] as const;
export type SchemaCompatibility = (typeof schemaCompatibilities)[number];
export const eventBusTier = z.enum(["standard", "premium"]);
export type EventBusTier = z.output<typeof eventBusTier>;
/** The most any tier allows (Event Hubs Premium); `config/workloads.ts` checks each tier's own limits. */
export const maxEventPartitions = 100;
export const maxEventRetentionDays = 90;

const pattern = z.strictObject({
    /** One paragraph: what the pattern is for (`workload -- patterns` prints it). */
    purpose: z.string().min(20),
    /** What the pattern brings, for the reader: route, queue, alerts… */
    brings: z.array(z.enum([
        "route", "autoscaler", "identity", "buildCache", "queue", "deadLetterQueue", "alerts",
        "database", "cache", "migrations", "eventBus", "schemaRegistry", "archive",
    ])).min(1),
    /** Container port (HTTP; probes use it). */
    port: z.int().min(1024).max(65535),
    size: z.enum(sizeNames),
    probes: z.strictObject({ startup: probe, readiness: probe, liveness: probe }),
    replicas: z.strictObject({ dev: replicaRange, staging: replicaRange, prod: replicaRange }),
    autoscaling: z.discriminatedUnion("signal", [
        z.strictObject({ signal: z.literal("cpu"), targetCpuPercent: z.int().min(10).max(95), scaleUp: scalingStep, scaleDown: scalingStep }),
        z.strictObject({ signal: z.literal("queueDepth"), messagesPerReplica: z.int().min(1).max(10_000) }),
        z.strictObject({ signal: z.literal("consumerLag"), eventsPerReplica: z.int().min(1).max(1_000_000) }),
    ]),
    disruption: z.strictObject({ maxUnavailable: z.int().min(1) }),
    rollout: z.strictObject({ maxSurge: z.int().min(0), maxUnavailable: z.int().min(0) })
        .refine((rollout) => rollout.maxSurge + rollout.maxUnavailable > 0, { error: "maxSurge and maxUnavailable cannot both be 0" }),
    route: z.strictObject({
        rateLimit: z.strictObject({ requests: z.int().min(1), unit: z.enum(["Second", "Minute", "Hour"]) }),
        timeoutSeconds: z.int().min(1).max(3600),
        responseHeaders: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().min(1)),
    }).optional(),
    queue: z.strictObject({
        visibilityTimeoutSeconds: z.int().min(0).max(43_200),
        maxReceiveCount: z.int().min(1).max(1000),
        retentionDays: z.int().min(1).max(14),
        deadLetterRetentionDays: z.int().min(1).max(14),
    }).optional(),
    alerts: z.strictObject({ deadLetterMessages: z.int().min(1), oldestMessageAgeMinutes: z.int().min(1).max(20_160) }).optional(),
    database: z.strictObject({
        /** What a lost database is restored from; the window is `platform:database.backupRetentionDays`. */
        recovery: z.literal("pointInTimeRestore"),
    }).optional(),
    migrations: z.strictObject({
        /** Retries of a failed migration Job before the rollout stops. */
        backoffLimit: z.int().min(0).max(10),
        /** The Job's deadline. */
        timeoutSeconds: z.int().min(60).max(7200),
    }).optional(),
    events: z.strictObject({
        partitions: z.int().min(1).max(maxEventPartitions),
        retentionDays: z.int().min(1).max(maxEventRetentionDays),
        compatibility: z.enum(schemaCompatibilities),
        /** Event Hubs tier per environment. */
        tier: z.strictObject({ dev: eventBusTier, staging: eventBusTier, prod: eventBusTier }),
        archiveIntervalSeconds: z.int().min(60).max(900),
        alerts: z.strictObject({ consumerLagEvents: z.int().min(1), oldestEventAgeMinutes: z.int().min(1).max(20_160) }),
    }).optional(),
    /** Entry keys this pattern needs, accepts or refuses. */
    rules: z.strictObject({ host: keyRule, queue: keyRule, events: keyRule, migrations: keyRule }),
}).superRefine((value, context) => {
    const needs = (key: "route" | "queue" | "alerts" | "database" | "migrations" | "events", when: boolean, why: string) => {
        if (when && value[key] === undefined) {
            context.addIssue({ code: "custom", path: [key], message: `is required: ${why}` });
        }
    };
    needs("route", value.rules?.host === "required", "the pattern's workloads have a host");
    needs("queue", value.brings?.includes("queue"), "the pattern brings a queue");
    needs("alerts", value.brings?.includes("alerts") && value.brings.includes("queue"), "the pattern brings a queue with alerts");
    needs("database", value.brings?.includes("database"), "the pattern brings a database");
    needs("migrations", value.brings?.includes("migrations"), "the pattern brings migrations");
    needs("events", value.brings?.includes("eventBus"), "the pattern brings an event bus");
    if (value.autoscaling?.signal === "queueDepth" && !value.brings?.includes("queue")) {
        context.addIssue({ code: "custom", path: ["autoscaling", "signal"], message: "scaling on queue depth needs a queue in brings" });
    }
    if (value.autoscaling?.signal === "consumerLag" && !value.brings?.includes("eventBus")) {
        context.addIssue({ code: "custom", path: ["autoscaling", "signal"], message: "scaling on consumer lag needs an eventBus in brings" });
    }
    const partitions = value.events?.partitions;
    for (const environment of ["dev", "staging", "prod"] as const) {
        const max = value.replicas?.[environment]?.max;
        if (partitions !== undefined && max !== undefined && max > partitions) {
            context.addIssue({ code: "custom", path: ["replicas", environment, "max"], message: `${max} exceeds events.partitions (${partitions}): a partition has one consumer at a time` });
        }
    }
});

export const patternLibrarySchema = z.strictObject({
    sizes: z.strictObject(Object.fromEntries(sizeNames.map((size) => [size, z.strictObject({ cpu: z.number().positive().max(16), memoryMiB: z.int().min(64).max(65_536) })])) as Record<SizeName, z.ZodObject<{ cpu: z.ZodNumber; memoryMiB: z.ZodInt }>>),
    buildCacheExpiryDays: z.int().min(1).max(90),
    patterns: z.strictObject(Object.fromEntries(patternNames.map((name) => [name, pattern])) as Record<PatternName, typeof pattern>),
});

export type PatternLibrary = z.output<typeof patternLibrarySchema>;
export type Pattern = PatternLibrary["patterns"][PatternName];

/** Parses the library's text; a bad key throws a `ConfigError` such as `patterns.web_api.port: must be at least 1024, got 80`. */
export function parsePatternLibrary(text: string): PatternLibrary {
    const result = patternLibrarySchema.safeParse(YAML.parse(text), { reportInput: true });
    if (result.success) {
        return result.data;
    }
    throw new ConfigError(`invalid ${patternFile}: ${result.error.issues.map((issue) => describeIssue(issue, (key) => key.join("."))).join("; ")}`);
}

/** The project's pattern library, read once. */
export const patternLibrary: PatternLibrary = parsePatternLibrary(readFileSync(path.join(import.meta.dirname, "..", patternFile), "utf8"));
