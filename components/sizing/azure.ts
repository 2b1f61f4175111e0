/**
 * Azure SKU catalogs. General-purpose v5 families with premium storage: Dlsv5
 * (2 GiB/vCPU), Dsv5 (4 GiB/vCPU) and Esv5 (8 GiB/vCPU), zonal in every region that has
 * availability zones.
 */
import { familyCatalog, requireFit, type MachineRequest, type MachineShape } from "./shapes.ts";

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
