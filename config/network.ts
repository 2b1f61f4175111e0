/**
 * Schema of `platform:network`: the address space, zones and NAT egress. Pure, like the
 * rest of the schema; see `schema.ts` for how errors are reported.
 */
import { z } from "zod";
import { cidrProblem, clusterPodCidr, clusterServiceCidr, maxZones, networkPrefixRange, overlaps, parseCidr } from "../lib/addressing.ts";

export const cidr = z.string().superRefine((value, context) => {
    const problem = cidrProblem(value);
    if (problem) {
        context.addIssue({ code: "custom", message: problem });
    }
});

const networkCidr = cidr.superRefine((value, context) => {
    if (cidrProblem(value)) {
        return;
    }
    const { prefix } = parseCidr(value);
    if (prefix < networkPrefixRange.min || prefix > networkPrefixRange.max) {
        context.addIssue({
            code: "custom",
            message: `"${value}" must be a /${networkPrefixRange.min} to /${networkPrefixRange.max} block`,
        });
    }
    for (const [range, use] of [
        [clusterServiceCidr, "Kubernetes service"],
        [clusterPodCidr, "pod overlay"],
    ] as const) {
        if (overlaps(value, range)) {
            context.addIssue({ code: "custom", message: `"${value}" overlaps the ${use} range ${range}` });
        }
    }
});

export const network = z.strictObject({
    /** VPC / VNet address space, /16 to /20; must not overlap 172.20.0.0/16 or 192.168.0.0/16. */
    cidr: networkCidr,
    /** Availability zones for subnets and nodes, 1 to 3. */
    zones: z.int().min(1).max(maxZones),
    /** NAT egress: `single` shared gateway, or `perZone` so one zone's outage keeps the others online. */
    natGateways: z.enum(["single", "perZone"]),
});
