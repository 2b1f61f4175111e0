/** Resilience: databases keep backups and resist deletion; prod survives the loss of a node, an instance, a zone or its region. */
import { advisoryInDev, advisoryOutsideProd, at, isUnknown, type PolicyResource, type Rule, type StackRule, type StackViolation } from "../rule.ts";
import { flowLogsPurpose, storagePurposeTag } from "../../lib/flow-log-tags.ts";

interface BackupConfig {
    /** Shortest point-in-time restore window, in days. */
    readonly minBackupRetentionDays: number;
    /** Deletion protection (RDS flag and final snapshot, Azure delete lock) on primaries. */
    readonly requireDeletionProtection: boolean;
}

interface AvailabilityConfig {
    /** Databases have a standby and caches fail over automatically. */
    readonly requireHighAvailability: boolean;
    /** The standby sits in another zone (Azure) and each zone has its own NAT gateway (AWS). */
    readonly requireZoneRedundancy: boolean;
    /** Zones each node pool spans; also the NAT gateways needed when zone redundancy is required. */
    readonly minZones: number;
}

const rds = "aws:rds/instance:Instance";
const flexibleServer = "azure-native:dbforpostgresql:Server";
const retentionKey = "(platform:database.backupRetentionDays)";
const haKey = "(platform:database.highAvailability)";
const zonesKey = "(platform:network.zones)";
const cacheKey = "(platform:cache.replicasPerShard)";

/**
 * Read replicas hold no data of their own: backups, deletion protection and HA belong to their
 * primary. An RDS source that is unknown is there all the same, and a server whose create mode
 * is unknown may be a replica: neither is judged as a primary.
 */
function isPrimary(resource: PolicyResource): boolean {
    return resource.type === rds ? !resource.props.replicateSourceDb : resource.props.createMode !== "Replica" && !isUnknown(resource.props.createMode);
}

/** Whether a flag that must be true is known not to be; an unknown one cannot be judged. */
const knownNotTrue = (value: unknown) => value !== true && !isUnknown(value);

function ofType(resources: readonly PolicyResource[], type: string): PolicyResource[] {
    return resources.filter((resource) => resource.type === type);
}

function retentionMessages(what: string, name: string, days: unknown, setting: string, minimum: number): string[] {
    if (isUnknown(days)) {
        return [];
    }
    if (typeof days !== "number") {
        return [`${what} "${name}" does not set ${setting}; it needs at least ${minimum} days of backups ${retentionKey}`];
    }
    if (days === 0) {
        return [`${what} "${name}" has automated backups off (${setting} 0); every environment needs them ${retentionKey}`];
    }
    return days < minimum ? [`${what} "${name}" keeps backups ${days} days; it needs at least ${minimum} ${retentionKey}`] : [];
}

function rdsBackupMessages({ name, props }: PolicyResource, config: BackupConfig): string[] {
    const protection = config.requireDeletionProtection
        ? [
            ...(!knownNotTrue(props.deletionProtection) ? [] : [`RDS instance "${name}" has deletionProtection ${props.deletionProtection ?? false}; it must be true here`]),
            ...(props.skipFinalSnapshot === true ? [`RDS instance "${name}" has skipFinalSnapshot true; it must take a final snapshot here`] : []),
        ]
        : [];
    return [
        ...retentionMessages("RDS instance", name, props.backupRetentionPeriod, "backupRetentionPeriod", config.minBackupRetentionDays),
        ...protection,
        ...(!knownNotTrue(props.copyTagsToSnapshot) ? [] : [`RDS instance "${name}" has copyTagsToSnapshot ${props.copyTagsToSnapshot ?? false}; snapshots must carry the instance's tags`]),
    ];
}

/**
 * A CanNotDelete (or ReadOnly) lock on the server itself or on its resource group. On a new
 * stack the names are unknown: a lock whose level or scope is unknown, or whose scope names
 * some server or group when the server's own name is unknown, may be the one.
 */
function isLocked(server: PolicyResource, locks: readonly PolicyResource[]): boolean {
    const targets: [string, unknown][] = [["flexibleServers", server.props.serverName], ["resourceGroups", server.props.resourceGroupName]];
    const mayTarget = (scope: unknown) => isUnknown(scope) || targets.some(([segment, name]) => isUnknown(name)
        ? new RegExp(`/${segment}/[^/]+$`, "i").test(String(scope))
        : String(scope).toLowerCase().endsWith(`/${segment}/${name}`.toLowerCase()));
    return locks.some((lock) => (["CanNotDelete", "ReadOnly"].includes(lock.props.level) || isUnknown(lock.props.level)) && mayTarget(lock.props.scope));
}

function flexibleServerBackupMessages(server: PolicyResource, config: BackupConfig, locks: readonly PolicyResource[]): string[] {
    return [
        ...retentionMessages("PostgreSQL server", server.name, at(server.props, "backup", "backupRetentionDays"), "backup.backupRetentionDays", config.minBackupRetentionDays),
        ...(config.requireDeletionProtection && !isLocked(server, locks)
            ? [`PostgreSQL server "${server.name}" has no CanNotDelete lock (azure-native:authorization:ManagementLockByScope) on server ${JSON.stringify(server.props.serverName ?? null)}; it must be locked here`]
            : []),
    ];
}

export const databaseBackups: StackRule<BackupConfig> = {
    name: "database-backups",
    description: "Primary databases keep automated backups for the environment's restore window and, in protected environments, resist deletion (read replicas are exempt: their data lives in the primary).",
    remediation: "Raise platform:database.backupRetentionDays to the environment's minimum (0 turns backups off and is never allowed); "
        + "deletion protection, final snapshots and Azure delete locks come with staging and prod (the components' protectStateful): restore them if removed.",
    severity: "high",
    enforcement: advisoryInDev,
    config: {
        schema: {
            minBackupRetentionDays: { type: "integer", minimum: 1, maximum: 35 },
            requireDeletionProtection: { type: "boolean" },
        },
        byEnvironment: {
            dev: { minBackupRetentionDays: 1, requireDeletionProtection: false },
            staging: { minBackupRetentionDays: 7, requireDeletionProtection: true },
            prod: { minBackupRetentionDays: 14, requireDeletionProtection: true },
        },
    },
    checkStack: (resources, config) => {
        const locks = ofType(resources, "azure-native:authorization:ManagementLockByScope");
        return resources.filter((resource) => [rds, flexibleServer].includes(resource.type) && isPrimary(resource)).flatMap((resource) =>
            (resource.type === rds ? rdsBackupMessages(resource, config) : flexibleServerBackupMessages(resource, config, locks)).map((message) => ({ resource, message })));
    },
};

/**
 * Zones a pool spans; a pool without zones is placed anywhere in the region, i.e. in no more
 * than one zone for sure. Each unknown entry (a subnet id on a new stack) may be another zone.
 */
function poolZoneMessages(what: string, name: string, zones: unknown, minZones: number): string[] {
    if (isUnknown(zones)) {
        return [];
    }
    const list: unknown[] = Array.isArray(zones) ? zones : [];
    const count = Math.max(1, new Set(list.filter((zone) => !isUnknown(zone))).size + list.filter(isUnknown).length);
    return count < minZones ? [`${what} "${name}" spans ${count} zone${count === 1 ? "" : "s"}; it needs at least ${minZones} ${zonesKey}`] : [];
}

function databaseHaMessages({ type, name, props }: PolicyResource, config: AvailabilityConfig): string[] {
    if (type === rds) {
        // A Multi-AZ standby always sits in another zone.
        return config.requireHighAvailability && knownNotTrue(props.multiAz) ? [`RDS instance "${name}" has multiAz ${props.multiAz ?? false}; it needs a Multi-AZ standby ${haKey}`] : [];
    }
    const mode = at(props, "highAvailability", "mode") ?? "Disabled";
    if (isUnknown(mode)) {
        return [];
    }
    if (config.requireZoneRedundancy && mode !== "ZoneRedundant") {
        return [`PostgreSQL server "${name}" has highAvailability.mode "${mode}"; it needs "ZoneRedundant" ${haKey}`];
    }
    return config.requireHighAvailability && mode === "Disabled" ? [`PostgreSQL server "${name}" has highAvailability.mode "Disabled"; it needs a standby ${haKey}`] : [];
}

const availabilityChecks: Record<string, (resource: PolicyResource, config: AvailabilityConfig) => string[]> = {
    [rds]: (resource, config) => (isPrimary(resource) ? databaseHaMessages(resource, config) : []),
    [flexibleServer]: (resource, config) => (isPrimary(resource) ? databaseHaMessages(resource, config) : []),
    // Failover needs a replica (replicasPerShard); Multi-AZ also needs a second zone.
    "aws:elasticache/replicationGroup:ReplicationGroup": ({ name, props }, config) =>
        config.requireHighAvailability && (knownNotTrue(props.automaticFailoverEnabled) || knownNotTrue(props.multiAzEnabled))
            ? [`ElastiCache group "${name}" has automaticFailoverEnabled ${props.automaticFailoverEnabled ?? false} and multiAzEnabled ${props.multiAzEnabled ?? false}; both must be true ${props.automaticFailoverEnabled === true ? zonesKey : cacheKey}`]
            : [],
    // Azure Managed Redis enables high availability unless told otherwise.
    "azure-native:redisenterprise:RedisEnterprise": ({ name, props }, config) =>
        config.requireHighAvailability && props.highAvailability === "Disabled" ? [`Managed Redis "${name}" has highAvailability "Disabled"; it must be "Enabled" ${cacheKey}`] : [],
    // One subnet per zone: the network creates a private subnet in each of its zones.
    "aws:eks/nodeGroup:NodeGroup": ({ name, props }, config) => poolZoneMessages("EKS node group", name, props.subnetIds, config.minZones),
    "azure-native:containerservice:AgentPool": ({ name, props }, config) => poolZoneMessages("AKS agent pool", name, props.availabilityZones, config.minZones),
    "azure-native:containerservice:ManagedCluster": ({ name, props }, config) =>
        (Array.isArray(props.agentPoolProfiles) ? props.agentPoolProfiles : []).flatMap((pool: any) =>
            poolZoneMessages("AKS agent pool", `${name}/${pool?.name}`, at(pool, "availabilityZones"), config.minZones)),
};

/** Per-zone NAT keeps each zone's egress alive when another zone fails. Azure's single zonal NAT gateway is a known limitation. */
function natViolations(resources: readonly PolicyResource[], config: AvailabilityConfig): StackViolation[] {
    const vpc = ofType(resources, "aws:ec2/vpc:Vpc")[0];
    const gateways = ofType(resources, "aws:ec2/natGateway:NatGateway").length;
    if (!vpc || !config.requireZoneRedundancy || gateways >= config.minZones) {
        return [];
    }
    return [{ resource: vpc, message: `VPC "${vpc.name}" has ${gateways} NAT gateway${gateways === 1 ? "" : "s"}; it needs one per zone, at least ${config.minZones} (platform:network.natGateways "perZone", platform:network.zones)` }];
}

export const highAvailability: StackRule<AvailabilityConfig> = {
    name: "high-availability",
    description: "Databases have a standby, caches fail over automatically, node pools span the environment's zones and, in prod, AWS has a NAT gateway per zone.",
    remediation: "Set platform:database.highAvailability (\"zoneRedundant\" in prod), platform:cache.replicasPerShard ≥ 1, platform:network.zones to the environment's minimum "
        + "and, on AWS in prod, platform:network.natGateways \"perZone\".",
    severity: "high",
    enforcement: advisoryOutsideProd,
    config: {
        schema: {
            requireHighAvailability: { type: "boolean" },
            requireZoneRedundancy: { type: "boolean" },
            minZones: { type: "integer", minimum: 1, maximum: 3 },
        },
        byEnvironment: {
            dev: { requireHighAvailability: false, requireZoneRedundancy: false, minZones: 1 },
            // Staging's stack has standbys and two zones, but a same-zone standby (Azure) and one NAT gateway.
            staging: { requireHighAvailability: true, requireZoneRedundancy: false, minZones: 2 },
            prod: { requireHighAvailability: true, requireZoneRedundancy: true, minZones: 3 },
        },
    },
    checkStack: (resources, config) => [
        ...resources.flatMap((resource) => (availabilityChecks[resource.type]?.(resource, config) ?? []).map((message) => ({ resource, message }))),
        ...natViolations(resources, config),
    ],
};

interface RegionConfig {
    /** Database backups and every stored object also kept in a second region. */
    readonly requireCrossRegionCopies: boolean;
}

const backupCopies = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
const bucket = "aws:s3/bucket:Bucket";
const replication = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const storageAccount = "azure-native:storage:StorageAccount";
/** Storage SKUs that keep a copy in the region's pair. */
const geoRedundantSkus = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];
const regionKeys = "(platform:database.crossRegionBackups, platform:storage.crossRegionReplication, platform:aws.recoveryRegion)";

/** Unknown on a first preview (ARNs, generated names): taken to match, as the rules judge only what is known. */
const refersTo = (value: unknown, expected: unknown) => isUnknown(value) || isUnknown(expected) || value === expected || (typeof value === "string" && typeof expected === "string" && value.endsWith(expected));

function regionCopyMessages(resource: PolicyResource, resources: readonly PolicyResource[]): string[] {
    switch (resource.type) {
        case rds:
            return isPrimary(resource) && !ofType(resources, backupCopies).some((copy) =>
                isUnknown(resource.props.identifier) || refersTo(copy.props.sourceDbInstanceArn, `:db:${resource.props.identifier}`))
                ? [`RDS instance "${resource.name}" has no automated backups replicated to another region ${regionKeys}`]
                : [];
        case flexibleServer: {
            const geo = at(resource.props, "backup", "geoRedundantBackup");
            return isPrimary(resource) && !isUnknown(geo) && geo !== "Enabled"
                ? [`PostgreSQL server "${resource.name}" has backup.geoRedundantBackup ${JSON.stringify(geo ?? null)}, not "Enabled" ${regionKeys}`]
                : [];
        }
        case bucket: {
            // A bucket is covered as the source of a replication rule or as the replica one writes to.
            const name = resource.props.bucket;
            const covered = ofType(resources, replication).some((config) =>
                refersTo(config.props.bucket, name) || isUnknown(config.props.rules)
                || (Array.isArray(config.props.rules) && config.props.rules.some((rule: any) => refersTo(rule?.destination?.bucket, `:::${name}`))));
            return covered ? [] : [`S3 bucket "${resource.name}" is not replicated to another region ${regionKeys}`];
        }
        case storageAccount: {
            const sku = at(resource.props, "sku", "name");
            // Flow logs are records of traffic, kept for logRetentionDays, not data to recover.
            const purpose = at(resource.props, "tags", storagePurposeTag);
            const flowLogSink = purpose === flowLogsPurpose || isUnknown(purpose) || isUnknown(resource.props.tags);
            return flowLogSink || isUnknown(sku) || geoRedundantSkus.includes(sku) ? [] : [`Storage account "${resource.name}" is ${JSON.stringify(sku ?? null)}; it needs a geo-redundant SKU (${geoRedundantSkus.join(", ")}) ${regionKeys}`];
        }
        default:
            return [];
    }
}

export const crossRegionCopies: StackRule<RegionConfig> = {
    name: "cross-region-copies",
    description: "Where the environment must survive the loss of its region, database backups and every stored object are also kept in a second region.",
    remediation: "Set platform:database.crossRegionBackups and platform:storage.crossRegionReplication to true (AWS also needs platform:aws.recoveryRegion); "
        + "on Azure, geo-redundant backup is chosen when the server is made.",
    severity: "high",
    enforcement: advisoryOutsideProd,
    config: {
        schema: { requireCrossRegionCopies: { type: "boolean" } },
        byEnvironment: {
            dev: { requireCrossRegionCopies: false },
            staging: { requireCrossRegionCopies: false },
            prod: { requireCrossRegionCopies: true },
        },
    },
    checkStack: (resources, config) => config.requireCrossRegionCopies
        ? resources.flatMap((resource) => regionCopyMessages(resource, resources).map((message) => ({ resource, message })))
        : [],
};

export const resilienceRules: Rule[] = [databaseBackups, highAvailability, crossRegionCopies];
