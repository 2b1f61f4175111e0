/**
 * Abstract machine sizes (vCPU / GiB) mapped to concrete SKUs. Pure: no provider SDK.
 */

/** What a workload asks for. */
export interface MachineRequest {
    readonly vcpu: number;
    readonly memoryGiB: number;
}

/** One SKU of a cloud's catalog. */
export interface MachineShape extends MachineRequest {
    readonly sku: string;
}

/**
 * The smallest shape that meets both the vCPU and the memory request: fewest vCPUs first,
 * then least memory, then catalog order (so a catalog lists its preferred family first).
 * Undefined when nothing in the catalog is large enough.
 */
export function smallestFit(
    catalog: readonly MachineShape[],
    request: MachineRequest,
): MachineShape | undefined {
    return catalog
        .filter((shape) => shape.vcpu >= request.vcpu && shape.memoryGiB >= request.memoryGiB)
        .reduce<MachineShape | undefined>(
            (best, shape) =>
                !best ||
                shape.vcpu < best.vcpu ||
                (shape.vcpu === best.vcpu && shape.memoryGiB < best.memoryGiB)
                    ? shape
                    : best,
            undefined,
        );
}

/** Builds a catalog from families that share a vCPU ladder and a GiB-per-vCPU ratio. */
export function familyCatalog(
    families: readonly { readonly gibPerVcpu: number; readonly sku: (vcpu: number) => string }[],
    vcpuLadder: readonly number[],
): MachineShape[] {
    return families.flatMap((family) =>
        vcpuLadder.map((vcpu) => ({ sku: family.sku(vcpu), vcpu, memoryGiB: vcpu * family.gibPerVcpu })),
    );
}

/** Thrown when a request exceeds the largest SKU of a catalog. */
export class NoMachineFitsError extends Error {}

export function requireFit(
    catalog: readonly MachineShape[],
    request: MachineRequest,
    catalogName: string,
): MachineShape {
    const fit = smallestFit(catalog, request);
    if (!fit) {
        throw new NoMachineFitsError(
            `no ${catalogName} size has ${request.vcpu} vCPU and ${request.memoryGiB} GiB`,
        );
    }
    return fit;
}

/** The shape with the least memory that still holds `memoryGiB` (caches size by memory alone). */
export function requireMemory(catalog: readonly MachineShape[], memoryGiB: number, catalogName: string): MachineShape {
    const fit = catalog
        .filter((shape) => shape.memoryGiB >= memoryGiB)
        .reduce<MachineShape | undefined>((best, shape) => (!best || shape.memoryGiB < best.memoryGiB ? shape : best), undefined);
    if (!fit) {
        throw new NoMachineFitsError(`no ${catalogName} size has ${memoryGiB} GiB`);
    }
    return fit;
}

/**
 * Requests inside these bounds fit a SKU on every cloud's catalog, so a valid config
 * can never fail sizing halfway through a deployment.
 */
export const machineLimits = { vcpu: { min: 2, max: 64 }, memoryGiB: { min: 4, max: 512 } } as const;
