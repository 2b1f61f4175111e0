/**
 * Schema of `platform:workloads` and the pattern engine: an entry names a pattern from
 * `patterns/infrastructure-patterns.yaml`; `workloadProblems` refuses combinations the
 * pattern or the stack cannot serve (one line per problem naming the workload and key), and
 * `resolveWorkloads` applies the pattern's defaults. Pure: no Pulumi, no cloud.
 */
import { z } from "zod";
import { zoneName } from "./dns.ts";
import { namespaceName, reservedNamespaces } from "./kubernetes.ts";
import {
    maxEventPartitions, maxEventRetentionDays, patternLibrary, patternNames, schemaCompatibilities, sizeNames,
    type EventBusTier, type Pattern, type PatternLibrary, type PatternName, type SchemaCompatibility,
} from "./patterns.ts";
import { applicationSecretNames } from "./secrets.ts";

/** Workload names become parts of queue, role and identity names: 2-30 characters keep every cloud's limits. */
export const workloadName = z.string().regex(/^[a-z][a-z0-9-]{0,28}[a-z0-9]$/, {
    error: (issue) => `"${String(issue.input)}" is not a workload name (2-30 lower-case letters, digits and hyphens, starting with a letter)`,
});

/** `registry/repository[:tag][@sha256:<digest>]`. */
const imageReference = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
export const digestPinned = /@sha256:[a-f0-9]{64}$/;

const replicaRange = z.strictObject({ min: z.int().min(0).max(100), max: z.int().min(1).max(100) })
    .refine((range) => range.min <= range.max, { error: "min must not exceed max" });

/** Bedrock model ids, e.g. `anthropic.claude-sonnet-4-5-20250929-v1:0`. */
const bedrockModelId = z.string().regex(/^[a-z0-9-]+\.[a-z0-9.:-]+$/, { error: (issue) => `"${String(issue.input)}" is not a Bedrock model id` });

export const workloadEntry = z.strictObject({
    /** The workload's name: its Deployment, ServiceAccount, queue and identity are named after it. */
    name: workloadName,
    /** A pattern of `patterns/infrastructure-patterns.yaml`. */
    pattern: z.enum(patternNames),
    /** The container image; pinned by digest (`@sha256:…`) outside dev. */
    image: z.string().regex(imageReference, { error: (issue) => `"${String(issue.input)}" is not an image reference such as registry.example.com/team/api@sha256:<digest>` }),
    /** Container port. @default the pattern's */
    port: z.int().min(1024).max(65535).optional(),
    /** Public host name (web_api). @default `<name>.<platform:dns.zone>` */
    host: zoneName.optional(),
    /** Container size. @default the pattern's */
    size: z.enum(sizeNames).optional(),
    /** Replica range. @default the pattern's, for the stack's environment */
    replicas: replicaRange.optional(),
    /** An existing `platform:kubernetes.namespaces` entry to run in. @default a namespace of its own, named after the workload */
    namespace: namespaceName.optional(),
    /** Plain environment variables. @default {} */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "environment variable names are letters, digits and _" }), z.string()).default({}),
    /** Application secrets of the store, each synced by an ExternalSecret and passed as an environment variable. @default [] */
    secrets: z.array(z.string()).default([]),
    /** Language models the workload calls, per cloud: Bedrock model ids / Azure OpenAI deployments. @default none */
    models: z.strictObject({
        aws: z.array(bedrockModelId).default([]),
        azure: z.array(z.strictObject({
            /** The OpenAI model, e.g. gpt-4.1. */
            name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
            /** The model version, e.g. 2025-04-14. */
            version: z.string().min(1),
            /** Thousands of tokens per minute. @default 10 */
            capacity: z.int().min(1).max(1000).default(10),
            /**
             * Deployment type: `GlobalStandard` (any Azure region serves it; the widest model
             * availability), `DataZoneStandard` (EU or US data zone only) or `Standard` (the
             * account's region, for the models offered there). @default GlobalStandard
             */
            deploymentType: z.enum(["GlobalStandard", "DataZoneStandard", "Standard"]).default("GlobalStandard"),
        })).default([]),
    }).optional(),
    /** Migrations (data_api): run from the workload's image before each rollout. @default none */
    migrations: z.strictObject({
        /** The command and its arguments, e.g. ["/app/migrate", "up"]. */
        command: z.array(z.string().min(1)).min(1),
    }).optional(),
    /** The workload's topic (event_processor). */
    events: z.strictObject({
        /** Partitions of its topic: the most consumers that work at once. @default the pattern's */
        partitions: z.int().min(1).max(maxEventPartitions).optional(),
        /** Days the topic keeps events for replay. @default the pattern's */
        retentionDays: z.int().min(1).max(maxEventRetentionDays).optional(),
        /** The events' schema, registered in the stack's schema registry. */
        schema: z.strictObject({
            /** Avro: the one format both registries (Glue, Event Hubs) accept. */
            format: z.literal("avro"),
            /** The Avro schema (JSON text). */
            definition: z.string().min(2).refine(isJsonObject, { error: "must be an Avro schema: a JSON object such as {\"type\": \"record\", …}" }),
        }),
        /** How a new schema version must relate to the previous one. @default the pattern's */
        compatibility: z.enum(schemaCompatibilities).optional(),
    }).optional(),
    /** Queue settings (background_worker). @default the pattern's */
    queue: z.strictObject({
        visibilityTimeoutSeconds: z.int().min(0).max(43_200).optional(),
        maxReceiveCount: z.int().min(1).max(1000).optional(),
        retentionDays: z.int().min(1).max(14).optional(),
    }).optional(),
});

function isJsonObject(text: string): boolean {
    try {
        const value: unknown = JSON.parse(text);
        return typeof value === "object" && value !== null && !Array.isArray(value);
    } catch {
        return false;
    }
}

export const workloadEntries = z.array(workloadEntry).default([]);
export type WorkloadEntry = z.output<typeof workloadEntry>;

/** The slice of the stack's configuration the pattern engine reads. */
export interface WorkloadStack {
    readonly cloud: "aws" | "azure";
    readonly environment: "dev" | "staging" | "prod";
    readonly dns?: { readonly zone: string } | undefined;
    /** `platform:database`'s backup window and pooling; none without a database. */
    readonly database?: { readonly backupRetentionDays: number; readonly pooling: boolean } | undefined;
    readonly kubernetes: {
        readonly namespaces: readonly string[];
        readonly quota: { readonly cpu: number; readonly memoryGiB: number; readonly pods: number };
        readonly addons: { readonly gateway: boolean; readonly externalSecrets: boolean; readonly keda: boolean; readonly monitoring: boolean };
    };
    readonly workloads: readonly WorkloadEntry[];
}

/** A workload with its pattern applied: everything the components need, nothing left to default. */
export interface Workload {
    readonly name: string;
    readonly pattern: PatternName;
    readonly namespace: string;
    /** Its namespace is its own (created with it), rather than a shared platform namespace. */
    readonly ownNamespace: boolean;
    readonly image: string;
    readonly port: number;
    readonly env: Record<string, string>;
    readonly secrets: readonly string[];
    /** Requests per container; CPU in cores. */
    readonly resources: { readonly cpu: number; readonly memoryMiB: number };
    readonly replicas: { readonly min: number; readonly max: number };
    readonly probes: Pattern["probes"];
    readonly autoscaling: Pattern["autoscaling"];
    readonly disruption: Pattern["disruption"];
    readonly rollout: Pattern["rollout"];
    /** Spread across zones (not in dev, whose cluster has one zone). */
    readonly spreadAcrossZones: boolean;
    readonly route?: NonNullable<Pattern["route"]> & { readonly host: string };
    readonly queue?: NonNullable<Pattern["queue"]>;
    readonly alerts?: NonNullable<Pattern["alerts"]>;
    readonly models: { readonly aws: readonly string[]; readonly azure: NonNullable<WorkloadEntry["models"]>["azure"] };
    /** data_api: its own database and role, and the server's restore window. */
    readonly database?: WorkloadDatabase;
    /** data_api: the cache's endpoint and password reach it. */
    readonly cache: boolean;
    readonly migrations?: { readonly command: readonly string[]; readonly backoffLimit: number; readonly timeoutSeconds: number };
    /** event_processor: its topic, consumer group, schema and archive. */
    readonly events?: WorkloadEvents;
    /** Days its build cache keeps a layer (`buildCacheRepository` names the repository). */
    readonly buildCache: { readonly expiryDays: number };
}

export interface WorkloadDatabase {
    /** Its database and its login role, both named after it (`orders-api` → `orders_api`). */
    readonly name: string;
    readonly user: string;
    /** Connect through the pooler (`platform:database.pooling`) rather than to the server. */
    readonly pooled: boolean;
    /** Point-in-time restore reaches back this many days. */
    readonly recoveryWindowDays: number;
}

export interface WorkloadEvents {
    /** Its topic / event hub, named after it, and its consumer group. */
    readonly topic: string;
    readonly consumerGroup: string;
    readonly partitions: number;
    readonly retentionDays: number;
    readonly schema: { readonly name: string; readonly format: "avro"; readonly definition: string; readonly compatibility: SchemaCompatibility };
    /** Event Hubs tier of the stack's namespace. */
    readonly tier: EventBusTier;
    readonly archiveIntervalSeconds: number;
    readonly alerts: { readonly consumerLagEvents: number; readonly oldestEventAgeMinutes: number };
}

/** What each cloud's event bus allows per topic: MSK Serverless (Developer Guide, "Serverless quotas"), Event Hubs per tier ("Quotas and limits"). */
export const eventBusLimits = {
    aws: { standard: { partitions: 100, retentionDays: 90 }, premium: { partitions: 100, retentionDays: 90 } },
    azure: { standard: { partitions: 32, retentionDays: 7 }, premium: { partitions: 100, retentionDays: 90 } },
} as const satisfies Record<"aws" | "azure", Record<EventBusTier, { partitions: number; retentionDays: number }>>;

/** PostgreSQL identifiers without quoting: `orders-api` → `orders_api`. */
export function sqlIdentifier(workload: string): string {
    return workload.replaceAll("-", "_");
}

/** The cache's password in the store (`config/secrets.ts`). */
export const cacheSecret = "redis-password";

/** CPU limits are this multiple of the requests; memory limits equal them. */
export const cpuLimitRatio = 2;
/** Service Bus locks a message at most five minutes. */
export const serviceBusMaxLockSeconds = 300;

/** `<project>-<stack>/build-cache/`: every build cache of the stack, and what the CI deploy role may push to. */
export function buildCachePrefix(stackPrefix: string): string {
    return `${stackPrefix}/build-cache/`;
}

/** The build-cache repository of a workload in the stack's registry; `stackPrefix` is `<project>-<stack>` as physical names spell it. */
export function buildCacheRepository(stackPrefix: string, workload: string): string {
    return `${buildCachePrefix(stackPrefix)}${workload}`;
}

type Problem = { readonly path: (string | number)[]; readonly message: string };

/** Every way the stack's entries break their patterns' rules or the stack's limits. */
export function workloadProblems(stack: WorkloadStack, library: PatternLibrary = patternLibrary): Problem[] {
    const problems: Problem[] = [];
    const hostOwners = new Map<string, string>();
    const seen = new Set<string>();
    stack.workloads.forEach((entry, index) => {
        const problem = (key: string, message: string) => problems.push({ path: [index, key], message: `workload "${entry.name}": ${message}` });
        const pattern = library.patterns[entry.pattern];
        if (seen.has(entry.name)) {
            problem("name", "is listed twice");
        }
        seen.add(entry.name);
        if (stack.environment !== "dev" && !digestPinned.test(entry.image)) {
            problem("image", `must be pinned by digest in ${stack.environment} (…@sha256:<64 hex digits>), got "${entry.image}"`);
        }
        const forbidden = { host: "has no public route", queue: "has no queue", events: "has no topic", migrations: "runs no migrations" } as const;
        for (const key of ["host", "queue", "events", "migrations"] as const) {
            const rule = pattern.rules[key];
            if (rule === "forbidden" && entry[key] !== undefined) {
                problem(key, `${aPattern(entry.pattern)} ${forbidden[key]}; remove ${key}`);
            }
            if (rule === "required" && key !== "host" && entry[key] === undefined) {
                problem(key, `${aPattern(entry.pattern)} needs ${key}`);
            }
        }
        if (pattern.brings.includes("database")) {
            if (!stack.database) {
                problem("pattern", `${aPattern(entry.pattern)} keeps its data in the stack's PostgreSQL; set platform:database`);
            }
            if (!stack.kubernetes.addons.externalSecrets) {
                problem("pattern", `${aPattern(entry.pattern)} reads the cache password through External Secrets; enable platform:kubernetes.addons.externalSecrets`);
            }
        }
        problems.push(...eventProblems(stack, entry, pattern).map(({ key, message }) => ({ path: [index, key], message: `workload "${entry.name}": ${message}` })));
        if (pattern.rules.host === "required") {
            if (!stack.kubernetes.addons.gateway) {
                problem("pattern", `${aPattern(entry.pattern)} is served by the gateway; enable platform:kubernetes.addons.gateway`);
            }
            const host = entry.host ?? (stack.dns ? `${entry.name}.${stack.dns.zone}` : undefined);
            if (host === undefined) {
                problem("host", `${aPattern(entry.pattern)} needs a host when platform:dns is not set`);
            } else if (hostOwners.has(host)) {
                problem("host", `"${host}" is already the host of workload "${hostOwners.get(host)}"`);
            } else {
                hostOwners.set(host, entry.name);
            }
        }
        if (pattern.autoscaling.signal !== "cpu" && !stack.kubernetes.addons.keda) {
            problem("pattern", `${aPattern(entry.pattern)} is scaled by KEDA on its ${pattern.autoscaling.signal === "queueDepth" ? "queue" : "consumer lag"}; enable platform:kubernetes.addons.keda`);
        }
        if (entry.secrets.length > 0 && !stack.kubernetes.addons.externalSecrets) {
            problem("secrets", "secrets reach workloads through External Secrets; enable platform:kubernetes.addons.externalSecrets");
        }
        for (const secret of entry.secrets) {
            if (!applicationSecretNames.includes(secret)) {
                problem("secrets", `"${secret}" is not an application secret in the store (one of ${applicationSecretNames.join(", ")})`);
            }
        }
        if (entry.namespace !== undefined && !stack.kubernetes.namespaces.includes(entry.namespace)) {
            problem("namespace", `"${entry.namespace}" is not in platform:kubernetes.namespaces (${stack.kubernetes.namespaces.join(", ")})`);
        }
        if (entry.namespace === undefined && (reservedNamespaces as readonly string[]).includes(entry.name)) {
            problem("name", `"${entry.name}" is a namespace the platform reserves; rename the workload or set namespace`);
        }
        if (entry.namespace === undefined && stack.kubernetes.namespaces.includes(entry.name)) {
            problem("namespace", `"${entry.name}" is a shared namespace already; set namespace: ${entry.name} to run in it, or rename the workload`);
        }
        const visibility = entry.queue?.visibilityTimeoutSeconds ?? pattern.queue?.visibilityTimeoutSeconds;
        if (stack.cloud === "azure" && visibility !== undefined && visibility > serviceBusMaxLockSeconds) {
            problem("queue", `visibilityTimeoutSeconds ${visibility} exceeds Service Bus's longest lock (${serviceBusMaxLockSeconds} s)`);
        }
        const models = entry.models?.[stack.cloud] ?? [];
        if (entry.models && models.length === 0) {
            problem("models", `lists no model for ${stack.cloud}, the stack's cloud`);
        }
    });
    problems.push(...quotaProblems(stack, library));
    return problems;
}

/** "a web_api", "an event_processor". */
function aPattern(pattern: PatternName): string {
    return `${/^[aeiou]/.test(pattern) ? "an" : "a"} ${pattern}`;
}

/** An event_processor's topic must fit its tier, and its consumers its partitions. */
function eventProblems(stack: WorkloadStack, entry: WorkloadEntry, pattern: Pattern): { key: string; message: string }[] {
    if (!pattern.events) {
        return [];
    }
    const tier = pattern.events.tier[stack.environment];
    const limits = eventBusLimits[stack.cloud][tier];
    const partitions = entry.events?.partitions ?? pattern.events.partitions;
    const retentionDays = entry.events?.retentionDays ?? pattern.events.retentionDays;
    const replicas = entry.replicas ?? pattern.replicas[stack.environment];
    const bus = stack.cloud === "aws" ? "MSK Serverless" : `Event Hubs ${tier}`;
    return [
        ...(partitions > limits.partitions ? [{ key: "events", message: `${partitions} partitions exceed ${bus}'s ${limits.partitions} per topic` }] : []),
        ...(retentionDays > limits.retentionDays ? [{ key: "events", message: `retentionDays ${retentionDays} exceeds ${bus}'s ${limits.retentionDays}; older events are replayed from the archive` }] : []),
        ...(replicas.max > partitions
            ? [{ key: "replicas", message: `max ${replicas.max} exceeds its ${partitions} partitions: a partition has one consumer at a time, so the extra replicas would idle; lower replicas.max or raise events.partitions` }]
            : []),
    ];
}

/** At its maximum scale plus one surge pod per workload, a namespace's workloads must fit its quota. */
function quotaProblems(stack: WorkloadStack, library: PatternLibrary): Problem[] {
    const { quota } = stack.kubernetes;
    const used = new Map<string, { cpu: number; memoryGiB: number; pods: number }>();
    const problems: Problem[] = [];
    stack.workloads.forEach((entry, index) => {
        const pattern = library.patterns[entry.pattern];
        const size = library.sizes[entry.size ?? pattern.size];
        const replicas = entry.replicas ?? pattern.replicas[stack.environment];
        const pods = replicas.max + pattern.rollout.maxSurge;
        const namespace = entry.namespace ?? entry.name;
        const total = used.get(namespace) ?? { cpu: 0, memoryGiB: 0, pods: 0 };
        total.cpu += pods * size.cpu;
        total.memoryGiB += (pods * size.memoryMiB) / 1024;
        total.pods += pods;
        used.set(namespace, total);
        const over = total.cpu > quota.cpu ? `${total.cpu} vCPU of requests (quota ${quota.cpu})`
            : total.memoryGiB > quota.memoryGiB ? `${total.memoryGiB} GiB of requests (quota ${quota.memoryGiB})`
            : total.pods > quota.pods ? `${total.pods} pods (quota ${quota.pods})` : undefined;
        if (over) {
            problems.push({
                path: [index, "replicas"],
                message: `workload "${entry.name}": at ${replicas.max} replicas (plus a rollout surge) namespace "${namespace}" would need ${over}; lower replicas.max or raise platform:kubernetes.quota`,
            });
        }
    });
    return problems;
}

/** The entries with their patterns' defaults applied; call after `workloadProblems` found none. */
export function resolveWorkloads(stack: WorkloadStack, library: PatternLibrary = patternLibrary): Workload[] {
    return stack.workloads.map((entry) => {
        const pattern = library.patterns[entry.pattern];
        const size = library.sizes[entry.size ?? pattern.size];
        const route = pattern.route && { ...pattern.route, host: entry.host ?? `${entry.name}.${stack.dns!.zone}` };
        const queue = pattern.queue && { ...pattern.queue, ...entry.queue };
        const database = pattern.database && stack.database && {
            name: sqlIdentifier(entry.name),
            user: sqlIdentifier(entry.name),
            pooled: stack.database.pooling,
            recoveryWindowDays: stack.database.backupRetentionDays,
        };
        const migrations = pattern.migrations && entry.migrations && { ...pattern.migrations, command: entry.migrations.command };
        const events = pattern.events && entry.events && {
            topic: entry.name,
            consumerGroup: entry.name,
            partitions: entry.events.partitions ?? pattern.events.partitions,
            retentionDays: entry.events.retentionDays ?? pattern.events.retentionDays,
            schema: { name: entry.name, ...entry.events.schema, compatibility: entry.events.compatibility ?? pattern.events.compatibility },
            tier: pattern.events.tier[stack.environment],
            archiveIntervalSeconds: pattern.events.archiveIntervalSeconds,
            alerts: pattern.events.alerts,
        };
        return {
            name: entry.name,
            pattern: entry.pattern,
            namespace: entry.namespace ?? entry.name,
            ownNamespace: entry.namespace === undefined,
            image: entry.image,
            port: entry.port ?? pattern.port,
            env: entry.env,
            // A workload with the cache reads its password like any other secret.
            secrets: pattern.brings.includes("cache") ? [...new Set([...entry.secrets, cacheSecret])] : entry.secrets,
            resources: size,
            replicas: entry.replicas ?? pattern.replicas[stack.environment],
            probes: pattern.probes,
            autoscaling: pattern.autoscaling,
            disruption: pattern.disruption,
            rollout: pattern.rollout,
            spreadAcrossZones: stack.environment !== "dev",
            ...(route ? { route } : {}),
            ...(queue ? { queue } : {}),
            ...(pattern.alerts ? { alerts: pattern.alerts } : {}),
            models: { aws: entry.models?.aws ?? [], azure: entry.models?.azure ?? [] },
            ...(database ? { database } : {}),
            cache: pattern.brings.includes("cache"),
            ...(migrations ? { migrations } : {}),
            ...(events ? { events } : {}),
            buildCache: { expiryDays: library.buildCacheExpiryDays },
        };
    });
}
