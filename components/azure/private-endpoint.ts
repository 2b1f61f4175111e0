import * as network from "@pulumi/azure-native/network/index.js";
import type * as pulumi from "@pulumi/pulumi";
import type { AzureNetwork, PrivateDnsZoneName } from "../network/azure.ts";

export interface PrivateEndpointArgs {
    readonly network: AzureNetwork;
    /** Resource id of the service to reach privately. */
    readonly targetId: pulumi.Input<string>;
    /** The service's private-link sub-resource, e.g. "vault", "blob", "redisEnterprise", "registry". */
    readonly groupId: string;
    /** The private DNS zone that resolves the service's name to the endpoint. */
    readonly dnsZone: PrivateDnsZoneName;
    readonly tags: Record<string, string>;
}

/**
 * A private endpoint in the network's endpoint subnet plus its DNS registration, so the
 * service's usual host name resolves to a private address inside the VNet.
 */
export function privateEndpoint(name: string, args: PrivateEndpointArgs, owner: pulumi.Resource): network.PrivateEndpoint {
    const endpoint = new network.PrivateEndpoint(name, {
        resourceGroupName: args.network.resourceGroupName,
        location: args.network.location,
        tags: args.tags,
        subnet: { id: args.network.endpointSubnetIds[0] },
        privateLinkServiceConnections: [{ name, privateLinkServiceId: args.targetId, groupIds: [args.groupId] }],
    }, { parent: owner });
    new network.PrivateDnsZoneGroup(name, {
        resourceGroupName: args.network.resourceGroupName,
        privateEndpointName: endpoint.name,
        privateDnsZoneGroupName: "default",
        privateDnsZoneConfigs: [{ name: args.dnsZone, privateDnsZoneId: args.network.privateDnsZoneIds[args.dnsZone] }],
    }, { parent: owner });
    return endpoint;
}
