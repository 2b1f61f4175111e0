/**
 * Azure SKU catalogs. General-purpose v5 families with premium storage: Dlsv5
 * (2 GiB/vCPU), Dsv5 (4 GiB/vCPU) and Esv5 (8 GiB/vCPU), zonal in every region that has
 * availability zones.
 */
import { familyCatalog, requireFit, requireMemory, type MachineRequest, type MachineShape } from "./shapes.ts";

const vcpuLadder = [2, 4, 8, 16, 32, 48, 64];

export const vmNodeCatalog: readonly MachineShape[] = familyCatalog(
    [
        { gibPerVcpu: 4, sku: (vcpu) => `Standard_D${vcpu}s_v5` },
        { gibPerVcpu: 2, sku: (vcpu) => `Standard_D${vcpu}ls_v5` },
        { gibPerVcpu: 8, sku: (vcpu) => `Standard_E${vcpu}s_v5` },
    ],
    vcpuLadder,
);

/** The VM size for AKS nodes: the override when given, else the smallest fit. */
export function vmSize(request: MachineRequest, override?: string): string {
    return override ?? requireFit(vmNodeCatalog, request, "Azure VM (Dlsv5/Dsv5/Esv5)").sku;
}

/** A Flexible Server SKU and the tier Azure requires alongside it. */
export interface PostgresSku {
    readonly name: string;
    readonly tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized";
}

const postgresTiers: Record<string, PostgresSku["tier"]> = { D: "GeneralPurpose", E: "MemoryOptimized", B: "Burstable" };

/**
 * Flexible Server SKUs: Ddsv5 (GeneralPurpose) and Edsv5 (MemoryOptimized), with
 * Burstable B-series for the smallest requests (listed last: Burstable has no HA).
 */
export const postgresCatalog: readonly MachineShape[] = [
    ...familyCatalog(
        [
            { gibPerVcpu: 4, sku: (vcpu) => `Standard_D${vcpu}ds_v5` },
            { gibPerVcpu: 8, sku: (vcpu) => `Standard_E${vcpu}ds_v5` },
        ],
        vcpuLadder,
    ),
    { sku: "Standard_B1ms", vcpu: 1, memoryGiB: 2 },
    { sku: "Standard_B2s", vcpu: 2, memoryGiB: 4 },
    { sku: "Standard_B2ms", vcpu: 2, memoryGiB: 8 },
    { sku: "Standard_B4ms", vcpu: 4, memoryGiB: 16 },
];

export function postgresSku(request: MachineRequest, override?: string): PostgresSku {
    const name = override ?? requireFit(postgresCatalog, request, "PostgreSQL Flexible Server").sku;
    const tier = postgresTiers[/^Standard_([A-Z])/.exec(name)?.[1] ?? ""];
    if (!tier) {
        throw new Error(`${name} is not a Burstable (B), GeneralPurpose (D) or MemoryOptimized (E) SKU`);
    }
    return { name, tier };
}

/** Azure Managed Redis SKUs with their memory (GiB). */
export const managedRedisCatalog: readonly MachineShape[] = [
    ["Balanced_B0", 0.5], ["Balanced_B1", 1], ["Balanced_B3", 3], ["Balanced_B5", 6], ["Balanced_B10", 12],
    ["Balanced_B20", 24], ["Balanced_B50", 60], ["Balanced_B100", 120], ["Balanced_B150", 180],
    ["Balanced_B250", 240], ["Balanced_B350", 360], ["Balanced_B500", 480], ["Balanced_B700", 720],
].map(([sku, memoryGiB]) => ({ sku: sku as string, vcpu: 0, memoryGiB: memoryGiB as number }));

/** The smallest Balanced SKU holding `memoryGiB` in total (Azure Managed Redis shards internally). */
export function managedRedisSku(memoryGiB: number, override?: string): string {
    return override ?? requireMemory(managedRedisCatalog, memoryGiB, "Azure Managed Redis").sku;
}
