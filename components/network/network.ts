import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { NetworkConfig } from "../../config/schema.ts";

/** `platform:network` (keys, defaults and limits in `config/schema.ts`) plus what the program wires. */
export interface NetworkArgs extends NetworkConfig {
    readonly context: PlatformContext;
}

/** What every cloud's network offers the layers above it, under the same names. */
export interface Network {
    /** VPC id on AWS, VNet id on Azure. */
    readonly networkId: pulumi.Output<string>;
    readonly cidr: string;
    /** Zones the network spans: AZ names on AWS, "1".."3" on Azure. */
    readonly zones: readonly string[];
    /** Where cluster nodes run. */
    readonly nodeSubnetIds: pulumi.Output<string>[];
    /** Address ranges of the node subnets: the only sources data services admit. */
    readonly nodeCidrs: readonly string[];
    /** Where databases and caches run; never routed to the internet. */
    readonly databaseSubnetIds: pulumi.Output<string>[];
    /** Where private endpoints / interface endpoints are placed. */
    readonly endpointSubnetIds: pulumi.Output<string>[];
    /** NAT gateways providing egress. */
    readonly natGatewayIds: pulumi.Output<string>[];
    /** Public addresses the network's outbound traffic leaves from (the NAT gateways'). */
    readonly egressAddresses: pulumi.Output<string>[];
}
