/**
 * AWS SKU catalogs. Current-generation x86 families: c7i (2 GiB/vCPU), m7i (4 GiB/vCPU)
 * and r7i (8 GiB/vCPU), available in every commercial region with three zones.
 */
import { familyCatalog, requireFit, requireMemory, type MachineRequest, type MachineShape } from "./shapes.ts";

const ec2Sizes: Record<number, string> = {
    2: "large",
    4: "xlarge",
    8: "2xlarge",
    16: "4xlarge",
    32: "8xlarge",
    48: "12xlarge",
    64: "16xlarge",
    96: "24xlarge",
    192: "48xlarge",
};

export const ec2NodeCatalog: readonly MachineShape[] = familyCatalog(
    [
        { gibPerVcpu: 4, sku: (vcpu) => `m7i.${ec2Sizes[vcpu]}` },
        { gibPerVcpu: 2, sku: (vcpu) => `c7i.${ec2Sizes[vcpu]}` },
        { gibPerVcpu: 8, sku: (vcpu) => `r7i.${ec2Sizes[vcpu]}` },
    ],
    Object.keys(ec2Sizes).map(Number),
);

/** The EC2 instance type for Kubernetes nodes: the override when given, else the smallest fit. */
export function ec2InstanceType(request: MachineRequest, override?: string): string {
    return override ?? requireFit(ec2NodeCatalog, request, "EC2 (c7i/m7i/r7i)").sku;
}

/**
 * RDS for PostgreSQL classes: Graviton m7g / r7g, with burstable t4g for the smallest
 * requests (listed last, so equal shapes resolve to the non-burstable class).
 */
export const rdsCatalog: readonly MachineShape[] = [
    ...familyCatalog(
        [
            { gibPerVcpu: 4, sku: (vcpu) => `db.m7g.${ec2Sizes[vcpu]}` },
            { gibPerVcpu: 8, sku: (vcpu) => `db.r7g.${ec2Sizes[vcpu]}` },
        ],
        [2, 4, 8, 16, 32, 48, 64],
    ),
    { sku: "db.t4g.micro", vcpu: 2, memoryGiB: 1 },
    { sku: "db.t4g.small", vcpu: 2, memoryGiB: 2 },
    { sku: "db.t4g.medium", vcpu: 2, memoryGiB: 4 },
    { sku: "db.t4g.large", vcpu: 2, memoryGiB: 8 },
];

export function rdsInstanceClass(request: MachineRequest, override?: string): string {
    return override ?? requireFit(rdsCatalog, request, "RDS (m7g/r7g/t4g)").sku;
}

/** ElastiCache node types with their usable memory (GiB) as AWS publishes it. */
export const elastiCacheCatalog: readonly MachineShape[] = [
    { sku: "cache.t4g.micro", vcpu: 2, memoryGiB: 0.5 },
    { sku: "cache.t4g.small", vcpu: 2, memoryGiB: 1.37 },
    { sku: "cache.t4g.medium", vcpu: 2, memoryGiB: 3.09 },
    { sku: "cache.m7g.large", vcpu: 2, memoryGiB: 6.38 },
    { sku: "cache.m7g.xlarge", vcpu: 4, memoryGiB: 12.93 },
    { sku: "cache.m7g.2xlarge", vcpu: 8, memoryGiB: 26.04 },
    { sku: "cache.m7g.4xlarge", vcpu: 16, memoryGiB: 52.26 },
    { sku: "cache.r7g.2xlarge", vcpu: 8, memoryGiB: 52.82 },
    { sku: "cache.r7g.4xlarge", vcpu: 16, memoryGiB: 105.81 },
    { sku: "cache.r7g.8xlarge", vcpu: 32, memoryGiB: 209.55 },
    { sku: "cache.r7g.16xlarge", vcpu: 64, memoryGiB: 419.09 },
];

/** The smallest node type with at least `memoryGiB` per node. */
export function elastiCacheNodeType(memoryGiB: number, override?: string): string {
    return override ?? requireMemory(elastiCacheCatalog, memoryGiB, "ElastiCache").sku;
}
