/**
 * Schema of the data-service keys: `platform:database`, `cache`, `storage`, `registry` and
 * `budget`. Pure, like the rest of the schema; see `schema.ts` for how errors are reported.
 */
import { z } from "zod";

/** Oldest PostgreSQL major version accepted. */
export const postgresMajorFloor = 15;

const database = z
    .strictObject({
        /** PostgreSQL major version as a quoted string, at least "15". */
        version: z
            .string({ error: (issue) => (typeof issue.input === "number" ? `must be a quoted string such as "17"` : undefined) })
            .regex(/^\d{2}$/, { error: (issue) => `"${String(issue.input)}" must be a major version such as "17"` })
            .refine((version) => Number(version) >= postgresMajorFloor, {
                error: (issue) => `${String(issue.input)} is below the supported floor ${postgresMajorFloor}`,
            }),
        /** vCPUs of the primary, 1 to 64. */
        vcpu: z.int().min(1).max(64),
        /** Memory of the primary in GiB, 2 to 512. */
        memoryGiB: z.number().min(2).max(512),
        /** Allocated storage in GiB, 20 to 16384. */
        storageGiB: z.int().min(20).max(16384),
        /** `none`; `standby` (a synchronous standby); `zoneRedundant` (the standby in another zone). */
        highAvailability: z.enum(["none", "standby", "zoneRedundant"]),
        /** Asynchronous read replicas, 0 to 5. */
        readReplicas: z.int().min(0).max(5),
        /**
         * Days of automated backups (point-in-time restore window), 0 to 35; 0 (AWS only) turns
         * them off. The schema allows it for throwaway stacks; the policy pack decides per environment.
         */
        backupRetentionDays: z.int().min(0).max(35),
        /**
         * Connections go through the cloud's pooler (RDS Proxy / the Flexible Server's built-in
         * PgBouncer, which Burstable SKUs lack); data_api workloads use it. @default false
         */
        pooling: z.boolean().default(false),
        /**
         * Automated backups also kept in a second region: RDS automated backup replication to
         * `aws.recoveryRegion` / geo-redundant backup to the region's pair, which Azure fixes when
         * the server is created (turning it on later replaces the server). @default false
         */
        crossRegionBackups: z.boolean().default(false),
        aws: z.strictObject({
            /** Escape hatch: an RDS instance class instead of the sizing map's choice. */
            instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: (issue) => `"${String(issue.input)}" is not an RDS instance class` }).optional(),
        }).optional(),
        azure: z.strictObject({
            /** Escape hatch: a Flexible Server SKU (e.g. Standard_D4ds_v5) instead of the sizing map's choice. */
            skuName: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, { error: (issue) => `"${String(issue.input)}" is not an Azure SKU name` }).optional(),
        }).optional(),
    });

/** Largest total cache memory both clouds offer (Azure Managed Redis Balanced_B700). */
export const maxCacheGiB = 720;

const cache = z
    .strictObject({
        /** Memory per shard in GiB, 0.5 to 400. */
        memoryGiB: z.number().min(0.5).max(400),
        /** Shards; more than 1 means cluster mode. 1 to 30. */
        shards: z.int().min(1).max(30),
        /** Replicas of each shard's primary, 0 to 5; any replica enables automatic failover. */
        replicasPerShard: z.int().min(0).max(5),
        /** Keep snapshots / persistence files so a restart does not lose data. */
        persistence: z.boolean(),
        aws: z.strictObject({
            /** Escape hatch: an ElastiCache node type instead of the sizing map's choice. */
            nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: (issue) => `"${String(issue.input)}" is not an ElastiCache node type` }).optional(),
        }).optional(),
        azure: z.strictObject({
            /** Escape hatch: an Azure Managed Redis SKU (e.g. Balanced_B5) instead of the sizing map's choice. */
            skuName: z.string().regex(/^[A-Za-z]+_[A-Z][0-9]+$/, { error: (issue) => `"${String(issue.input)}" is not an Azure Managed Redis SKU` }).optional(),
        }).optional(),
    })
    .superRefine((value, context) => {
        if (value.shards * value.memoryGiB > maxCacheGiB) {
            context.addIssue({
                code: "custom",
                path: ["memoryGiB"],
                message: `${value.shards} shards × ${value.memoryGiB} GiB exceeds ${maxCacheGiB} GiB, the largest cache every cloud offers`,
            });
        }
        if (value.shards > 1 && value.replicasPerShard === 0) {
            context.addIssue({ code: "custom", path: ["replicasPerShard"], message: "a clustered cache needs at least 1 replica per shard" });
        }
    });

const storage = z.strictObject({
    /** Anyone on the internet may read objects (e.g. public web assets). The policy pack rejects it outside dev. @default false */
    publicRead: z.boolean().default(false),
    /** Keep every version of every object. */
    versioning: z.boolean(),
    /** Objects under this prefix expire after `temporaryExpiryDays`. @default "tmp/" */
    temporaryPrefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]*\/$/, { error: "must be a lowercase prefix ending in /, such as tmp/" }).default("tmp/"),
    /** Days before temporary objects expire, 1 to 365. */
    temporaryExpiryDays: z.int().min(1).max(365),
    /** Days deleted or overwritten data stays recoverable, 1 to 365. */
    softDeleteDays: z.int().min(1).max(365),
    /** Write-once retention for this many days (S3 Object Lock governance / Azure version-level immutability). @default 0 (off) */
    objectLockDays: z.int().min(0).max(3650).default(0),
    /** Replicate across zones (S3 always does; Azure chooses ZRS over LRS). */
    zoneRedundant: z.boolean(),
    /**
     * Every object also kept in a second region: S3 replication to a bucket the program makes in
     * `aws.recoveryRegion` / geo-redundant storage (GZRS, or GRS without zone redundancy) in the
     * region's pair. @default false
     */
    crossRegionReplication: z.boolean().default(false),
}).superRefine((value, context) => {
    if (value.objectLockDays > 0 && !value.versioning) {
        context.addIssue({ code: "custom", path: ["objectLockDays"], message: "needs versioning: write-once retention applies to object versions" });
    }
    if (value.crossRegionReplication && !value.versioning) {
        context.addIssue({ code: "custom", path: ["crossRegionReplication"], message: "needs versioning: replication copies object versions" });
    }
    if (value.crossRegionReplication && value.objectLockDays > 0) {
        context.addIssue({ code: "custom", path: ["crossRegionReplication"], message: "cannot be combined with objectLockDays yet: the replica would need its own lock and retention rights" });
    }
});

const repositoryName = z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, {
    error: (issue) => `"${String(issue.input)}" is not a repository name such as team/app`,
});

const registry = z.strictObject({
    /** Image repositories to create (ECR repositories; ACR creates them on push). */
    repositories: z.array(repositoryName).min(1),
    /** Tagged images kept per repository; older ones expire. Untagged images expire after a day. 1 to 1000. */
    keepImages: z.int().min(1).max(1000),
    azure: z.strictObject({
        /**
         * ACR tier; Premium adds private endpoints, zone redundancy and the untagged-manifest
         * retention policy, and is required outside dev (schema.ts). @default "Standard"
         */
        sku: z.enum(["Basic", "Standard", "Premium"]).default("Standard"),
    }).default({ sku: "Standard" }),
});

/** The earliest start Azure's Budgets API accepts. */
export const budgetStartFloor = "2017-06";
/** How far ahead a budget may start. */
export const maxBudgetMonthsAhead = 12;

/** `YYYY-MM` of the month `monthsAhead` after `date`'s (UTC). */
export function monthOf(date: Date, monthsAhead = 0): string {
    const month = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + monthsAhead, 1));
    return month.toISOString().slice(0, 7);
}

const budget = z.strictObject({
    /** Monthly budget in USD; alerts fire at 50, 80 and 100 %. */
    monthlyUsd: z.number().positive().max(10_000_000),
    /** Who gets the alerts, at least one address. */
    alertEmails: z.array(z.email({ error: (issue) => `"${String(issue.input)}" is not an e-mail address` })).min(1),
    /**
     * First month the budget covers, as YYYY-MM: no earlier than 2017-06 and at most twelve
     * months ahead (the Budgets APIs' limits). A new budget must start in the current month or
     * later; the start is kept as first created, so an existing budget never moves.
     * @default the current month, when the budget is created
     */
    startMonth: z
        .string()
        .regex(/^20\d\d-(0[1-9]|1[0-2])$/, { error: (issue) => `"${String(issue.input)}" must be a month such as 2027-01` })
        .refine((month) => month >= budgetStartFloor && month <= monthOf(new Date(), maxBudgetMonthsAhead), {
            error: (issue) => `${String(issue.input)} must be between ${budgetStartFloor} and ${monthOf(new Date(), maxBudgetMonthsAhead)} (at most ${maxBudgetMonthsAhead} months ahead)`,
        })
        .default(() => monthOf(new Date())),
    /**
     * Whether a plan or preview whose monthly cost estimate at maximum scale exceeds
     * `monthlyUsd` fails (true: the `budget-estimate` policy is mandatory for this stack) or
     * only warns (false). @default the environment's level: warns in dev and staging, fails in prod
     */
    enforceEstimate: z.boolean().optional(),
});

export const dataServicesShape = {
    /** PostgreSQL; a stack without it has no database (and no data_api workloads). @default none */
    database: database.optional(),
    cache,
    storage,
    registry,
    budget,
};

/** Thresholds (percent of the monthly budget) that notify. */
export const budgetThresholds = [50, 80, 100] as const;

/**
 * API keys supplied as Pulumi config secrets (`pulumi config set --secret platform:openaiApiKey …`).
 * Read only through `Config.getSecret`, never through the schema, so no error message can echo them.
 */
export const apiKeyConfig = {
    openaiApiKey: "openai-api-key",
    anthropicApiKey: "anthropic-api-key",
} as const;

/** The secret each API key is stored as. */
export type ApiKeyName = (typeof apiKeyConfig)[keyof typeof apiKeyConfig];
