import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { DnsConfig } from "../../config/schema.ts";
import type { Network } from "../network/network.ts";

/** `platform:dns` (keys and rules in `config/dns.ts`) plus what the program wires. */
export interface DnsArgs extends DnsConfig {
    readonly context: PlatformContext;
    /** On Azure the zone lives in the network's resource group. */
    readonly network: Network;
}

/** The stack's public DNS zone as the layers above see it, the same on every cloud. */
export interface DnsZone {
    readonly zoneName: string;
    /** Route 53 hosted zone id / Azure DNS zone resource id. */
    readonly zoneId: pulumi.Output<string>;
    /** What the parent zone's NS records must list to delegate to this one. */
    readonly nameServers: pulumi.Output<string[]>;
}

/** Two days, the TTL registries and Route 53 use for delegations: name servers rarely change. */
export const delegationTtlSeconds = 172800;

/** `dev.example.com` under `example.com` → `dev`: the record name inside the parent zone. */
export function relativeName(zone: string, parentZone: string): string {
    return zone.slice(0, -(parentZone.length + 1));
}
