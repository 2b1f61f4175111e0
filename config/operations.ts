/**
 * The figures docs/operations states per stack and cloud, from the stack's configuration: what
 * it can recover and how fast, and how often its secrets change
 * (tests/unit/operations-docs.test.ts holds the runbooks to them). Each cloud figure comes from
 * the cloud's documentation, cited where it is defined. Pure.
 */
import type { PlatformConfig } from "./schema.ts";
import { expiryWarningDays } from "./secrets.ts";

/** Days of daily ElastiCache snapshots kept when the stack asks for persistence. */
export const elastiCacheSnapshotDays = 7;

/** How often Azure Managed Redis writes its RDB snapshot when the stack asks for persistence. */
export const managedRedisSnapshotFrequency = "1h";

/**
 * Recovery figures by cloud:
 * - point in time: RDS uploads transaction logs every 5 minutes (RDS User Guide, "Restoring a
 *   DB instance to a specified time"); Flexible Server's WAL delay "can be up to 5 minutes"
 *   (Azure Database for PostgreSQL, "Backup and restore").
 * - a zone lost with a synchronous standby: RDS Multi-AZ fails over in "typically 60–120
 *   seconds" (RDS User Guide, "Failover process for Amazon RDS"); zone-redundant HA "60-120s,
 *   with zero data loss" (Azure, "Business continuity"). Without one, a restore from backup.
 * - the region lost: RDS replicates backups asynchronously, "RPO … ranging 5–30 minutes" (AWS
 *   Prescriptive Guidance, "RDS PITR snapshot replication"); geo-restore "up to one hour of
 *   RPO" (Azure, "Backup and restore"). Both restore in "a few minutes up to a few hours".
 * - objects: S3 replication without Replication Time Control "majority … within 15 minutes",
 *   no commitment (S3 User Guide, "Troubleshooting replication"); geo-redundant storage
 *   "typically … less than 15 minutes … no SLA" (Azure Storage, "Data redundancy").
 */
const cloudFigures = {
    aws: { pointInTimeRpo: "5 min", regionRpo: "5–30 min", objectCopyLag: "most within 15 min, no SLA" },
    azure: { pointInTimeRpo: "5 min", regionRpo: "1 h", objectCopyLag: "typically under 15 min, no SLA" },
} as const;

/** The failover time both clouds document for a synchronous standby in another zone. */
const standbyFailover = "60–120 s";
/** A restore from backup, which both clouds put at minutes to hours. */
const restoreTime = "minutes to hours";

export interface RecoveryFigures {
    readonly stack: string;
    readonly cloud: PlatformConfig["cloud"];
    /** Point-in-time restore window and how recent its latest point is. */
    readonly pointInTime: string;
    /** A zone lost: data lost and time to recover. */
    readonly zone: string;
    /** The region lost: data lost and time to recover. */
    readonly region: string;
    /** Object storage: versions kept, deleted data recoverable, copy elsewhere. */
    readonly objects: string;
    /** Cache contents after losing every node. */
    readonly cache: string;
}

type RecoveryConfig = Pick<PlatformConfig, "cloud" | "database" | "storage" | "cache" | "rotation">;

/** The runbooks' figures for `stack` on `cloud`, from its configuration. */
export function recoveryFigures(stack: string, config: RecoveryConfig): RecoveryFigures {
    const figures = cloudFigures[config.cloud];
    const database = config.database;
    const zoneStandby = database !== undefined && (config.cloud === "aws" ? database.highAvailability !== "none" : database.highAvailability === "zoneRedundant");
    return {
        stack,
        cloud: config.cloud,
        pointInTime: database ? `${database.backupRetentionDays} days, RPO ${figures.pointInTimeRpo}` : "no database",
        zone: !database ? "no database" : zoneStandby ? `RPO 0, RTO ${standbyFailover}` : `restore from backup: RPO ${figures.pointInTimeRpo}, RTO ${restoreTime}`,
        region: database?.crossRegionBackups ? `RPO ${figures.regionRpo}, RTO ${restoreTime}` : "no copy outside the region",
        objects: [
            config.storage.versioning ? "every version" : "latest version only",
            // S3 keeps a deleted object only as a noncurrent version; Azure's blob soft delete needs no versioning.
            config.cloud === "aws" && !config.storage.versioning ? "deletes final" : `deletes recoverable ${config.storage.softDeleteDays} days`,
            config.storage.crossRegionReplication ? `second region: ${figures.objectCopyLag}` : "one region",
        ].join("; "),
        cache: !config.cache.persistence
            ? "none kept: refilled by the application"
            : config.cloud === "aws" ? `daily snapshots, ${elastiCacheSnapshotDays} days` : `snapshot every ${managedRedisSnapshotFrequency}`,
    };
}

/** A Markdown table row of `figures`, as the runbooks print it. */
export function recoveryRow(figures: RecoveryFigures): string {
    return `| ${figures.stack} | ${figures.cloud} | ${figures.pointInTime} | ${figures.zone} | ${figures.region} | ${figures.objects} | ${figures.cache} |`;
}

/**
 * How the stack's secrets change, as the rotation runbook's table prints it: the schedule, who
 * rotates the database admin password (RDS itself, unless the instance is a source of read
 * replicas, which RDS refuses to combine with a managed secret), and API keys' lifetime.
 */
export function rotationRow(stack: string, config: RecoveryConfig): string {
    const { passwordDays, apiKeyMaxAgeDays } = config.rotation;
    const admin = !config.database
        ? "no database"
        : config.cloud === "aws" && config.database.readReplicas === 0
            ? `RDS, every ${passwordDays} days`
            : `the first up after ${passwordDays} days`;
    return `| ${stack} | ${config.cloud} | ${admin} | the first up after ${passwordDays} days | ${apiKeyMaxAgeDays} days, warned ${expiryWarningDays} days ahead |`;
}
