/**
 * Schema of `platform:dns`: the stack's public DNS zone, optionally delegated from a parent
 * zone the same account or subscription holds. Pure, like the rest of the schema.
 */
import { z } from "zod";

/** Lower-case DNS names of at least two labels: both Route 53 and Azure DNS accept these. */
export const zoneName = z
    .string()
    .max(253, { error: "must be at most 253 characters" })
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/, {
        error: (issue) => `"${String(issue.input)}" is not a lower-case DNS zone name such as dev.example.com`,
    });

/** Resource group names: 1-90 letters, digits, `_ - . ( )`, not ending in a dot. */
const resourceGroupName = z.string().regex(/^[-\w.()]{0,89}[-\w()]$/, {
    error: (issue) => `"${String(issue.input)}" is not an Azure resource group name`,
});

export const dns = z
    .strictObject({
        /** The zone the stack owns, e.g. dev.example.com; workloads get hosts under it. */
        zone: zoneName,
        /**
         * A zone in the same AWS account / Azure subscription to delegate from: the program
         * adds the NS records there. Without it, delegate by hand (README). @default none
         */
        parentZone: zoneName.optional(),
        /** Azure-only settings. */
        azure: z
            .strictObject({
                /** The resource group holding `parentZone`; required with it on Azure. */
                parentResourceGroup: resourceGroupName,
            })
            .optional(),
    })
    .superRefine((value, context) => {
        if (value.parentZone !== undefined && typeof value.zone === "string" && !value.zone.endsWith(`.${value.parentZone}`)) {
            context.addIssue({ code: "custom", path: ["parentZone"], message: `"${value.parentZone}" is not a parent of "${value.zone}"` });
        }
    });

/** Certificates cover the zone and one level of subdomains: `<zone>` and `*.<zone>`. */
export function zoneHostnames(zone: string): [apex: string, wildcard: string] {
    return [zone, `*.${zone}`];
}
