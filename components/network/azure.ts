import * as network from "@pulumi/azure-native/network/index.js";
import * as privatedns from "@pulumi/azure-native/privatedns/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as storage from "@pulumi/azure-native/storage/index.js";
import * as pulumi from "@pulumi/pulumi";
import { subscriptionScope } from "../azure/roles.ts";
import { cloudSettings, type PlatformContext } from "../../config/context.ts";
import { globalNames } from "../global-names.ts";
import { nameRules, physicalName, type NameRule } from "../../lib/naming.ts";
import { regionalSubnets } from "../../lib/addressing.ts";
import type { Network, NetworkArgs } from "./network.ts";
import { flowLogsPurpose, storagePurposeTag } from "../../lib/flow-log-tags.ts";

/** Private DNS zones the data services register their private endpoints in. */
export const privateDnsZoneNames = {
    // VNet-integrated Flexible Servers need a zone ending in .postgres.database.azure.com that is not the private-link zone.
    postgres: "private.postgres.database.azure.com",
    redis: "privatelink.redis.azure.net",
    keyVault: "privatelink.vaultcore.azure.net",
    blob: "privatelink.blob.core.windows.net",
    registry: "privatelink.azurecr.io",
    eventHubs: "privatelink.servicebus.windows.net",
} as const;

export type PrivateDnsZoneName = keyof typeof privateDnsZoneNames;

/**
 * Ports the cluster may open on the private-endpoint subnet: HTTPS, and Azure Managed Redis's
 * 10000 plus 8500-8599, where an OSS-cluster database redirects clients to each node.
 */
export const endpointPorts = ["443", "10000", "8500-8599"];
const postgresPort = "5432";

/**
 * What the AKS API server subnet admits, as the API Server VNet Integration docs list it:
 * nodes on 443 and 4443, and Azure's load-balancer probes on 9988.
 */
export const apiServerPorts = { fromNodes: ["443", "4443"], probes: ["9988"] } as const;

/** Network Watcher's regional instance, which Azure creates in `NetworkWatcherRG` with the region's first VNet. */
export const networkWatcherGroup = "NetworkWatcherRG";
export function networkWatcherName(location: string): string {
    return `NetworkWatcher_${location}`;
}

/** The flow-log API keeps records 1-365 days (0 would mean forever). */
export const flowLogMaxRetentionDays = 365;

/** Storage account names: globally unique, 3-24 lowercase letters and digits. */
const storageAccountRule: NameRule = { maxLength: 24, allowed: /[a-z0-9]/, separator: "", lowercase: true };

/**
 * Resource group, VNet with subnets for nodes, private endpoints, a delegated PostgreSQL
 * subnet and a delegated AKS API server subnet (Azure subnets span every zone of the
 * region), NSGs that admit only the node subnet to the data subnets, a NAT gateway for
 * egress, the private DNS zones the data services need, linked to the VNet, and VNet flow
 * logs to a storage account of the stack.
 */
export class AzureNetwork extends pulumi.ComponentResource implements Network {
    readonly networkId: pulumi.Output<string>;
    readonly cidr: string;
    readonly zones: readonly string[];
    readonly nodeSubnetIds: pulumi.Output<string>[];
    readonly nodeCidrs: readonly string[];
    readonly databaseSubnetIds: pulumi.Output<string>[];
    readonly endpointSubnetIds: pulumi.Output<string>[];
    /** The subnet delegated to the AKS API server (API Server VNet Integration). */
    readonly apiServerSubnetId: pulumi.Output<string>;
    /** The region's Network Watcher, which holds the VNet's flow log (outside the stack's group). */
    readonly networkWatcherId: pulumi.Output<string>;
    readonly natGatewayIds: pulumi.Output<string>[];
    readonly egressAddresses: pulumi.Output<string>[];
    readonly resourceGroupName: pulumi.Output<string>;
    readonly resourceGroupId: pulumi.Output<string>;
    readonly location: string;
    readonly privateDnsZoneIds: Record<PrivateDnsZoneName, pulumi.Output<string>>;
    /** Each zone's link to the VNet: a service registering in a zone must wait for it. */
    readonly privateDnsZoneLinks: Record<PrivateDnsZoneName, privatedns.VirtualNetworkLink>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:AzureNetwork", name, {}, opts);
        const { context } = args;
        const { location } = cloudSettings(context, "azure");
        const layout = regionalSubnets(args.cidr);
        const tags = context.tags;
        const parent = { parent: this };

        const group = new resources.ResourceGroup(`${name}-rg`, {
            resourceGroupName: physicalName(["rg", context.project, context.stack], nameRules.resourceGroup),
            location,
            tags,
        }, parent);
        const inGroup = { resourceGroupName: group.name, location, tags };

        const vnet = new network.VirtualNetwork(`${name}-vnet`, {
            ...inGroup,
            addressSpace: { addressPrefixes: [args.cidr] },
        }, parent);

        // Azure's NAT gateway is zonal; a regional subnet can attach only one. The zone-redundant
        // public IP keeps the address, not the gateway, alive through a zone outage.
        const natAddress = new network.PublicIPAddress(`${name}-nat`, {
            ...inGroup,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            zones: args.zones > 1 ? ["1", "2", "3"].slice(0, args.zones) : undefined,
        }, parent);
        const natGateway = new network.NatGateway(`${name}-nat`, {
            ...inGroup,
            sku: { name: "Standard" },
            publicIpAddresses: [{ id: natAddress.id }],
            idleTimeoutInMinutes: 4,
        }, parent);

        const nodeSecurity = new network.NetworkSecurityGroup(`${name}-nodes`, {
            ...inGroup,
            securityRules: [
                // Ingress controllers' public load balancers forward web traffic to the nodes.
                allow("allow-web-from-internet", 100, "Internet", ["80", "443"]),
            ],
        }, parent);
        const databaseSecurity = new network.NetworkSecurityGroup(`${name}-database`, {
            ...inGroup,
            securityRules: [
                allow("allow-postgres-from-nodes", 100, layout.nodes, [postgresPort]),
                // HA standbys and read replicas replicate inside the delegated subnet.
                allow("allow-postgres-within-subnet", 110, layout.database, [postgresPort]),
                denyFromVirtualNetwork(4000),
            ],
        }, parent);
        const endpointSecurity = new network.NetworkSecurityGroup(`${name}-endpoints`, {
            ...inGroup,
            securityRules: [
                allow("allow-services-from-nodes", 100, layout.nodes, endpointPorts),
                denyFromVirtualNetwork(4000),
            ],
        }, parent);
        // Only the two flows AKS documents. No deny rule: AKS runs the API server's instances, its
        // internal load balancer and the KMS vault's private link in this subnet, and documents no
        // traffic among them that a deny could be shaped around.
        const apiServerSecurity = new network.NetworkSecurityGroup(`${name}-apiserver`, {
            ...inGroup,
            securityRules: [
                allow("allow-apiserver-from-nodes", 100, layout.nodes, [...apiServerPorts.fromNodes]),
                allow("allow-probes-from-load-balancer", 110, "AzureLoadBalancer", [...apiServerPorts.probes]),
            ],
        }, parent);

        // Subnets of one VNet are created one after another: ARM rejects concurrent writes.
        const subnet = (role: string, addressPrefix: string, security: network.NetworkSecurityGroup, extra: Partial<network.SubnetArgs>, after?: network.Subnet) =>
            new network.Subnet(`${name}-${role}`, {
                resourceGroupName: group.name,
                virtualNetworkName: vnet.name,
                subnetName: role,
                addressPrefix,
                networkSecurityGroup: { id: security.id },
                defaultOutboundAccess: false,
                ...extra,
            }, { parent: this, dependsOn: after ? [after] : [] });
        const nodes = subnet("nodes", layout.nodes, nodeSecurity, { natGateway: { id: natGateway.id } });
        const database = subnet("database", layout.database, databaseSecurity, {
            delegations: [{ name: "postgres", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }],
        }, nodes);
        // Enforce the NSG on private endpoints too.
        const endpoints = subnet("endpoints", layout.endpoints, endpointSecurity, { privateEndpointNetworkPolicies: "Enabled" }, database);
        // API Server VNet Integration projects the API server into this subnet: AKS needs it delegated
        // to managed clusters, at least a /28 and holding nothing else.
        const apiServer = subnet("apiserver", layout.apiServer, apiServerSecurity, {
            delegations: [{ name: "aks", serviceName: "Microsoft.ContainerService/managedClusters" }],
        }, endpoints);

        const zones = Object.entries(privateDnsZoneNames).map(([key, zoneName]) => {
            const zone = new privatedns.PrivateZone(`${name}-dns-${key}`, {
                resourceGroupName: group.name,
                privateZoneName: zoneName,
                location: "global",
                tags,
            }, parent);
            const link = new privatedns.VirtualNetworkLink(`${name}-dns-${key}`, {
                resourceGroupName: group.name,
                privateZoneName: zone.name,
                virtualNetworkLinkName: "platform",
                virtualNetwork: { id: vnet.id },
                registrationEnabled: false,
                location: "global",
                tags,
            }, parent);
            return { key, zone, link };
        });

        this.networkId = vnet.id;
        this.cidr = args.cidr;
        this.zones = ["1", "2", "3"].slice(0, args.zones);
        this.nodeSubnetIds = [nodes.id];
        this.nodeCidrs = [layout.nodes];
        this.databaseSubnetIds = [database.id];
        this.endpointSubnetIds = [endpoints.id];
        this.apiServerSubnetId = apiServer.id;
        this.networkWatcherId = flowLogs(name, { context, location, group, vnet }, this);
        this.natGatewayIds = [natGateway.id];
        this.egressAddresses = [natAddress.ipAddress.apply((address) => address ?? "")];
        this.resourceGroupName = group.name;
        this.resourceGroupId = group.id;
        this.location = location;
        this.privateDnsZoneIds = Object.fromEntries(zones.map(({ key, zone }) => [key, zone.id])) as Record<PrivateDnsZoneName, pulumi.Output<string>>;
        this.privateDnsZoneLinks = Object.fromEntries(zones.map(({ key, link }) => [key, link])) as Record<PrivateDnsZoneName, privatedns.VirtualNetworkLink>;
        this.registerOutputs({
            networkId: this.networkId,
            nodeSubnetIds: this.nodeSubnetIds,
            databaseSubnetIds: this.databaseSubnetIds,
            endpointSubnetIds: this.endpointSubnetIds,
            apiServerSubnetId: this.apiServerSubnetId,
            networkWatcherId: this.networkWatcherId,
            natGatewayIds: this.natGatewayIds,
            egressAddresses: this.egressAddresses,
            resourceGroupName: this.resourceGroupName,
            privateDnsZoneIds: this.privateDnsZoneIds,
        });
    }
}

/**
 * VNet flow logs (Network Watcher) for every flow in the VNet, kept `logRetentionDays` (at
 * most what the API keeps) in a storage account of the stack in the VNet's region. The flow
 * log itself lives with the region's Network Watcher in `NetworkWatcherRG`, which Azure creates
 * with the region's first VNet; the CI identities get a role there (ci-identity). Returns the
 * watcher's id.
 *
 * Network Watcher writes as a trusted Microsoft service with the account's keys: the account
 * keeps shared keys, and its public endpoint stays on behind a firewall that denies every
 * address (`publicNetworkAccess: Disabled` would shut trusted services out as well).
 */
function flowLogs(
    name: string,
    args: { readonly context: PlatformContext; readonly location: string; readonly group: resources.ResourceGroup; readonly vnet: network.VirtualNetwork },
    owner: pulumi.Resource,
): pulumi.Output<string> {
    const { context, location, group, vnet } = args;
    const uniqueName = globalNames(`${name}-flow-logs-suffix`, owner);
    const account = new storage.StorageAccount(`${name}-flow-logs`, {
        resourceGroupName: group.name,
        location,
        accountName: uniqueName(["stfl", context.project, context.stack], storageAccountRule),
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        accessTier: "Hot",
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: true,
        allowCrossTenantReplication: false,
        publicNetworkAccess: "Enabled",
        networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
        encryption: {
            keySource: "Microsoft.Storage",
            requireInfrastructureEncryption: true,
            services: { blob: { enabled: true, keyType: "Account" } },
        },
        // Records of traffic, not data to recover: the policy pack's cross-region rule knows it by this tag.
        tags: { ...context.tags, [storagePurposeTag]: flowLogsPurpose },
    }, { parent: owner, protect: context.protectStateful });
    new network.FlowLog(`${name}-flow-logs`, {
        resourceGroupName: networkWatcherGroup,
        networkWatcherName: networkWatcherName(location),
        flowLogName: physicalName([context.project, context.stack, "vnet"], nameRules.display),
        location,
        targetResourceId: vnet.id,
        storageId: account.id,
        enabled: true,
        format: { type: "JSON", version: 2 },
        retentionPolicy: { enabled: true, days: Math.min(context.logRetentionDays, flowLogMaxRetentionDays) },
        tags: context.tags,
    }, { parent: owner });
    return group.id.apply((id) => `${subscriptionScope(id)}/resourceGroups/${networkWatcherGroup}/providers/Microsoft.Network/networkWatchers/${networkWatcherName(location)}`);
}

function allow(name: string, priority: number, source: string, ports: string[]) {
    return {
        name,
        priority,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: source,
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRanges: ports,
    };
}

/** Overrides Azure's built-in allow-all-from-VNet rule for the data subnets. */
function denyFromVirtualNetwork(priority: number) {
    return {
        name: "deny-other-virtual-network",
        priority,
        direction: "Inbound",
        access: "Deny",
        protocol: "*",
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
    };
}
