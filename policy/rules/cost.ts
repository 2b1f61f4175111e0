/**
 * Sizing guardrails per environment: ceilings that keep a stack's cost in bounds (no
 * oversized dev) and a floor that keeps prod able to lose a node (no tiny prod). Sizes come
 * from the platform's SKU catalogs, so the rules and the program agree on what a SKU is.
 */
import { dollars, stackMonthlyCost } from "../../lib/cost/index.ts";
import { ec2NodeCatalog, elastiCacheCatalog, rdsCatalog } from "../../lib/sizing/aws.ts";
import { managedRedisCatalog, postgresCatalog, vmNodeCatalog } from "../../lib/sizing/azure.ts";
import type { MachineShape } from "../../lib/sizing/shapes.ts";
import { advisoryOutsideProd, at, enforcedEverywhere, environments, isUnknown, unknownValue, type Environment, type PolicyResource, type Rule, type StackRule, type StackViolation } from "../rule.ts";

interface Catalog {
    readonly shapes: readonly MachineShape[];
    /** Where to add a missing SKU. */
    readonly where: string;
}

const catalogs = {
    ec2: { shapes: ec2NodeCatalog, where: "ec2NodeCatalog in lib/sizing/aws.ts" },
    rds: { shapes: rdsCatalog, where: "rdsCatalog in lib/sizing/aws.ts" },
    elastiCache: { shapes: elastiCacheCatalog, where: "elastiCacheCatalog in lib/sizing/aws.ts" },
    vm: { shapes: vmNodeCatalog, where: "vmNodeCatalog in lib/sizing/azure.ts" },
    postgres: { shapes: postgresCatalog, where: "postgresCatalog in lib/sizing/azure.ts" },
    managedRedis: { shapes: managedRedisCatalog, where: "managedRedisCatalog in lib/sizing/azure.ts" },
} satisfies Record<string, Catalog>;

/**
 * The catalog shape of `sku` (Azure names are case-insensitive), or the violation when the
 * catalog lacks it; undefined when the SKU is unknown (set, but not to be judged yet).
 */
function sizeOf(label: string, setting: string, sku: unknown, catalog: Catalog): MachineShape | string | undefined {
    if (isUnknown(sku)) {
        return undefined;
    }
    if (typeof sku !== "string" || sku === "") {
        return `${label} sets no ${setting}; name a size so it can be checked`;
    }
    const shape = catalog.shapes.find((candidate) => candidate.sku.toLowerCase() === sku.toLowerCase());
    return shape ?? `${label} uses ${setting} "${sku}", which ${catalog.where} does not list; add it there so its size can be checked`;
}

interface NodePool {
    readonly resource: PolicyResource;
    readonly label: string;
    /** AKS System-mode pools host only critical add-ons; workloads run elsewhere. Undefined when the mode is unknown. */
    readonly system: boolean | undefined;
    /** Node counts: numbers, or `unknownValue` until known (never a violation by themselves). */
    readonly min: unknown;
    readonly max: unknown;
    readonly minSetting: string;
    readonly maxSetting: string;
    readonly skus: readonly unknown[];
    readonly skuSetting: string;
    readonly catalog: Catalog;
    /** The stack-file key that sizes this pool. */
    readonly configKey: string;
}

function aksPool(resource: PolicyResource, pool: any, label: string): NodePool {
    // Without the autoscaler a pool stays at `count`; with the autoscaler unknown, so are its bounds.
    const autoscaled = at(pool, "enableAutoScaling") === true;
    const countsUnknown = isUnknown(at(pool, "enableAutoScaling"));
    const system = isUnknown(at(pool, "mode")) ? undefined : pool?.mode === "System";
    return {
        resource,
        label,
        system,
        min: countsUnknown ? unknownValue : autoscaled ? pool.minCount : pool?.count,
        max: countsUnknown ? unknownValue : autoscaled ? pool.maxCount : pool?.count,
        minSetting: autoscaled ? "minCount" : "count",
        maxSetting: autoscaled ? "maxCount" : "count",
        skus: [at(pool, "vmSize")],
        skuSetting: "vmSize",
        catalog: catalogs.vm,
        configKey: system ? "platform:cluster.azure.systemNodes" : "platform:cluster.nodes",
    };
}

/** Every node pool of the stack: EKS managed node groups, AKS pools inline in the cluster and standalone. */
function nodePools(resources: readonly PolicyResource[]): NodePool[] {
    return resources.flatMap((resource): NodePool[] => {
        const props = resource.props;
        switch (resource.type) {
            case "aws:eks/nodeGroup:NodeGroup":
                return [{
                    resource,
                    label: `EKS node group "${resource.name}"`,
                    system: false,
                    min: at(props, "scalingConfig", "minSize"),
                    max: at(props, "scalingConfig", "maxSize"),
                    minSetting: "scalingConfig.minSize",
                    maxSetting: "scalingConfig.maxSize",
                    // Without instanceTypes EKS picks t3.medium; an empty list reports it unsized.
                    skus: Array.isArray(props.instanceTypes) && props.instanceTypes.length > 0 ? props.instanceTypes : [isUnknown(props.instanceTypes) ? unknownValue : undefined],
                    skuSetting: "instanceTypes",
                    catalog: catalogs.ec2,
                    configKey: "platform:cluster.nodes",
                }];
            case "azure-native:containerservice:ManagedCluster":
                // Pools that are unknown as a whole cannot be counted or sized.
                return (Array.isArray(props.agentPoolProfiles) ? props.agentPoolProfiles : []).map((pool: any) => aksPool(resource, pool, `AKS pool "${pool?.name}" of "${resource.name}"`));
            case "azure-native:containerservice:AgentPool":
                return [aksPool(resource, props, `AKS pool "${resource.name}"`)];
            default:
                return [];
        }
    });
}

/** Each pool's known node shapes, and a violation per SKU the catalog lacks; unknown SKUs give neither. */
function poolShapes(pool: NodePool): { shapes: MachineShape[]; problems: string[] } {
    const sizes = pool.skus.map((sku) => sizeOf(pool.label, pool.skuSetting, sku, pool.catalog)).filter((size) => size !== undefined);
    return {
        shapes: sizes.filter((size): size is MachineShape => typeof size !== "string"),
        problems: sizes.filter((size): size is string => typeof size === "string"),
    };
}

const round = (value: number) => Math.round(value * 100) / 100;

/** Memory a cache provisions, replicas included, or the violation when it cannot be sized. */
function cacheMemory(resource: PolicyResource): { label: string; memoryGiB: number; detail: string } | string | undefined {
    const props = resource.props;
    if (resource.type === "aws:elasticache/replicationGroup:ReplicationGroup") {
        const label = `ElastiCache replication group "${resource.name}"`;
        const shape = sizeOf(label, "nodeType", props.nodeType, catalogs.elastiCache);
        if (typeof shape !== "object") {
            return shape;
        }
        // Node counts known only later leave the cache unsized.
        if ([props.numNodeGroups, props.replicasPerNodeGroup, props.numCacheClusters].some(isUnknown)) {
            return undefined;
        }
        // Cluster mode: shards × (primary + replicas); otherwise numCacheClusters nodes in one group.
        const nodes = typeof props.numNodeGroups === "number" ? props.numNodeGroups * (1 + (props.replicasPerNodeGroup ?? 0)) : (props.numCacheClusters ?? 1);
        return { label, memoryGiB: nodes * shape.memoryGiB, detail: `${nodes} × ${shape.sku} of ${shape.memoryGiB} GiB` };
    }
    if (resource.type === "azure-native:redisenterprise:RedisEnterprise") {
        const label = `Azure Managed Redis "${resource.name}"`;
        const shape = sizeOf(label, "sku.name", at(props, "sku", "name"), catalogs.managedRedis);
        if (typeof shape !== "object") {
            return shape;
        }
        // High availability (the default) keeps a replica of every shard: twice the memory, twice the price.
        // Unknown, it counts once: the least the cache may provision.
        const copies = props.highAvailability === "Disabled" || isUnknown(props.highAvailability) ? 1 : 2;
        return { label, memoryGiB: copies * shape.memoryGiB, detail: `${copies} × ${shape.sku} of ${shape.memoryGiB} GiB, high availability ${props.highAvailability ?? "Enabled"}` };
    }
    return undefined;
}

const databases = [
    { type: "aws:rds/instance:Instance", kind: "RDS instance", setting: "instanceClass", sku: (props: any) => props.instanceClass, catalog: catalogs.rds },
    { type: "azure-native:dbforpostgresql:Server", kind: "PostgreSQL server", setting: "sku.name", sku: (props: any) => at(props, "sku", "name"), catalog: catalogs.postgres },
];

interface Ceilings {
    readonly maxNodes: number;
    readonly maxNodeVcpu: number;
    readonly maxDatabaseVcpu: number;
    readonly maxCacheGiB: number;
}

const costCeilings: StackRule<Ceilings> = {
    name: "cost-ceilings",
    description: "Node pools, databases and caches stay within the environment's size and node-count ceilings, so a stack cannot silently cost like a bigger one.",
    remediation: "Size down platform:cluster.nodes (vcpu, max), platform:cluster.azure.systemNodes, platform:database.vcpu or platform:cache (memoryGiB, shards, replicasPerShard); raise the ceiling in this rule's config only with a budget to match.",
    severity: "medium",
    // Mandatory in dev too: an oversized dev is exactly what this rule is for.
    enforcement: enforcedEverywhere,
    config: {
        schema: {
            maxNodes: { type: "integer", minimum: 1, description: "Nodes all pools together may scale to (system pools included)." },
            maxNodeVcpu: { type: "integer", minimum: 1, description: "vCPUs of the largest node size any pool may use." },
            maxDatabaseVcpu: { type: "integer", minimum: 1, description: "vCPUs of one database instance (primary or replica)." },
            maxCacheGiB: { type: "number", exclusiveMinimum: 0, description: "Memory one cache may provision in GiB, all shards and replicas included." },
        },
        byEnvironment: {
            dev: { maxNodes: 10, maxNodeVcpu: 4, maxDatabaseVcpu: 4, maxCacheGiB: 8 },
            staging: { maxNodes: 16, maxNodeVcpu: 8, maxDatabaseVcpu: 8, maxCacheGiB: 16 },
            prod: { maxNodes: 30, maxNodeVcpu: 32, maxDatabaseVcpu: 32, maxCacheGiB: 96 },
        },
    },
    checkStack: (resources, config) => {
        const violations: StackViolation[] = [];
        const pools = nodePools(resources);
        for (const pool of pools) {
            const { shapes, problems } = poolShapes(pool);
            violations.push(...problems.map((message) => ({ resource: pool.resource, message })));
            for (const shape of shapes.filter((candidate) => candidate.vcpu > config.maxNodeVcpu)) {
                violations.push({
                    resource: pool.resource,
                    message: `${pool.label} uses ${shape.sku} (${shape.vcpu} vCPU); the ceiling is ${config.maxNodeVcpu} vCPU per node (${pool.configKey}.vcpu)`,
                });
            }
            if (typeof pool.max !== "number" && !isUnknown(pool.max)) {
                violations.push({ resource: pool.resource, message: `${pool.label} sets no ${pool.maxSetting}; the node-count ceiling needs one` });
            }
        }
        // Pools whose maximum is unknown add at least nothing: a known total over the ceiling is over it.
        const bounded = pools.filter((pool): pool is NodePool & { max: number } => typeof pool.max === "number");
        const total = bounded.reduce((sum, pool) => sum + pool.max, 0);
        if (total > config.maxNodes) {
            const largest = bounded.reduce((best, pool) => (pool.max > best.max ? pool : best));
            violations.push({
                resource: largest.resource,
                message: `node pools scale to ${total} nodes in total (${bounded.map((pool) => `${pool.label} ${pool.max}`).join(", ")}); the ceiling is ${config.maxNodes} (platform:cluster.nodes.max)`,
            });
        }
        for (const database of databases) {
            for (const resource of resources.filter((candidate) => candidate.type === database.type)) {
                const label = `${database.kind} "${resource.name}"`;
                const shape = sizeOf(label, database.setting, database.sku(resource.props), database.catalog);
                if (typeof shape === "string") {
                    violations.push({ resource, message: shape });
                } else if (shape && shape.vcpu > config.maxDatabaseVcpu) {
                    violations.push({ resource, message: `${label} uses ${shape.sku} (${shape.vcpu} vCPU); the ceiling is ${config.maxDatabaseVcpu} vCPU per instance (platform:database.vcpu)` });
                }
            }
        }
        for (const resource of resources) {
            const cache = cacheMemory(resource);
            if (typeof cache === "string") {
                violations.push({ resource, message: cache });
            } else if (cache && cache.memoryGiB > config.maxCacheGiB) {
                violations.push({
                    resource,
                    message: `${cache.label} provisions ${round(cache.memoryGiB)} GiB (${cache.detail}); the ceiling is ${config.maxCacheGiB} GiB (platform:cache.memoryGiB, shards, replicasPerShard)`,
                });
            }
        }
        return violations;
    },
};

interface Floor {
    readonly minNodes: number;
    readonly minNodeVcpu: number;
}

const clusterTypes = ["aws:eks/cluster:Cluster", "azure-native:containerservice:ManagedCluster"];

const capacityFloor: StackRule<Floor> = {
    name: "capacity-floor",
    description: "Workload node pools keep enough nodes, of a useful size, that losing one node or zone leaves the environment serving.",
    remediation: "Raise platform:cluster.nodes.min and platform:cluster.nodes.vcpu (with memoryGiB) to the environment's floor.",
    severity: "high",
    enforcement: advisoryOutsideProd,
    config: {
        schema: {
            minNodes: { type: "integer", minimum: 0, description: "Nodes the workload pools (not AKS system pools) keep at least, together." },
            minNodeVcpu: { type: "integer", minimum: 1, description: "vCPUs of the smallest node size a workload pool may use." },
        },
        byEnvironment: {
            dev: { minNodes: 1, minNodeVcpu: 2 },
            staging: { minNodes: 2, minNodeVcpu: 2 },
            prod: { minNodes: 3, minNodeVcpu: 4 },
        },
    },
    checkStack: (resources, config) => {
        const pools = nodePools(resources);
        // A pool whose mode is unknown may be a workload pool or a system pool: it is not judged, and totals that it may change are not either.
        const workload = pools.filter((pool) => pool.system === false);
        const undecided = pools.some((pool) => pool.system === undefined);
        if (workload.length === 0) {
            if (undecided) {
                return [];
            }
            return resources.filter((resource) => clusterTypes.includes(resource.type)).map((cluster) => ({
                resource: cluster,
                message: `cluster "${cluster.name}" has no workload node pool; add one of at least ${config.minNodes} nodes of ${config.minNodeVcpu} vCPU (platform:cluster.nodes)`,
            }));
        }
        const violations: StackViolation[] = [];
        for (const pool of workload) {
            // SKUs missing from the catalog are cost-ceilings' (mandatory everywhere) to report.
            for (const shape of poolShapes(pool).shapes.filter((candidate) => candidate.vcpu < config.minNodeVcpu)) {
                violations.push({
                    resource: pool.resource,
                    message: `${pool.label} uses ${shape.sku} (${shape.vcpu} vCPU); at least ${config.minNodeVcpu} vCPU per node is required (platform:cluster.nodes.vcpu)`,
                });
            }
            if (typeof pool.min !== "number" && !isUnknown(pool.min)) {
                violations.push({ resource: pool.resource, message: `${pool.label} sets no ${pool.minSetting}; the capacity floor needs one` });
            }
        }
        const total = workload.reduce((sum, pool) => sum + (typeof pool.min === "number" ? pool.min : 0), 0);
        if (total < config.minNodes && !undecided && !workload.some((pool) => isUnknown(pool.min))) {
            violations.push({
                resource: workload[0]!.resource,
                message: `workload node pools keep ${total} node(s) at minimum (${workload.map((pool) => `${pool.label} ${pool.min ?? "unset"}`).join(", ")}); at least ${config.minNodes} are required (platform:cluster.nodes.min)`,
            });
        }
        return violations;
    },
};

/** The rule a stack makes mandatory with `platform:budget.enforceEstimate`. */
export const budgetEstimateRule = "budget-estimate";

const budgetEstimate: StackRule<{ readonly assumedUsage: Environment }> = {
    name: budgetEstimateRule,
    description: "The stack's monthly cost estimate at maximum scale (on-demand list prices and assumed volumes, lib/cost) stays within its budget.",
    remediation: "Lower platform:cluster.nodes.max or the sizes in the stack file, or raise platform:budget.monthlyUsd; `npm run plan -- <stack> --cost` shows every line and its price. platform:budget.enforceEstimate makes this rule mandatory for a stack.",
    severity: "medium",
    // A stack's platform:budget.enforceEstimate overrides these (policy/config.ts stackEnforcement).
    enforcement: advisoryOutsideProd,
    config: {
        schema: { assumedUsage: { type: "string", enum: [...environments], description: "Whose assumed volumes (lib/cost/assumed-usage.json) the estimate uses." } },
        byEnvironment: { dev: { assumedUsage: "dev" }, staging: { assumedUsage: "staging" }, prod: { assumedUsage: "prod" } },
    },
    checkStack: (resources, config) => {
        const cost = stackMonthlyCost(resources, config.assumedUsage);
        if (!cost?.budget || cost.estimate.max <= cost.budget.usd) {
            return [];
        }
        const { estimate, budget } = cost;
        const largest = Object.entries(estimate.byComponent).sort(([, a], [, b]) => b.max - a.max).slice(0, 3);
        const unknown = estimate.unknown.length > 0 ? `; ${estimate.unknown.length} price(s) unknown and left out` : "";
        return [{
            resource: budget.resource,
            message: `at maximum scale the stack is estimated at ${dollars(estimate.max)} a month (${dollars(estimate.min)} at minimum), over its budget of ${dollars(budget.usd)} (platform:budget.monthlyUsd); most of it: ${largest.map(([component, share]) => `${component} ${dollars(share.max)}`).join(", ")}${unknown}`,
        }];
    },
};

export const costRules: Rule[] = [costCeilings, capacityFloor, budgetEstimate];
