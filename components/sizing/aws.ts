/**
 * AWS SKU catalogs. Current-generation x86 families: c7i (2 GiB/vCPU), m7i (4 GiB/vCPU)
 * and r7i (8 GiB/vCPU), available in every commercial region with three zones.
 */
import { familyCatalog, requireFit, type MachineRequest, type MachineShape } from "./shapes.ts";

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
