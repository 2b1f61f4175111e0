import * as dns from "@pulumi/azure-native/dns/index.js";
import * as pulumi from "@pulumi/pulumi";
import { deleteLock } from "../azure/lock.ts";
import { narrow } from "../narrow.ts";
import { AzureNetwork } from "../network/azure.ts";
import { delegationTtlSeconds, relativeName, type DnsArgs, type DnsZone } from "./dns.ts";

/**
 * An Azure DNS public zone in the stack's resource group, locked and protected outside dev,
 * with its NS record set in the parent zone when the stack names one in the subscription.
 */
export class AzureDnsZone extends pulumi.ComponentResource implements DnsZone {
    readonly zoneName: string;
    readonly zoneId: pulumi.Output<string>;
    readonly nameServers: pulumi.Output<string[]>;
    readonly resourceGroupName: pulumi.Output<string>;

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:dns:AzureDnsZone", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        const zone = new dns.Zone(`${name}-zone`, {
            resourceGroupName: network.resourceGroupName,
            zoneName: args.zone,
            location: "global",
            zoneType: "Public",
            tags: context.tags,
        }, { parent: this, protect: context.protectStateful });
        if (context.protectStateful) {
            deleteLock(`${name}-lock`, zone.id, "the DNS zone", this);
        }

        if (args.parentZone !== undefined && args.azure !== undefined) {
            new dns.RecordSet(`${name}-delegation`, {
                resourceGroupName: args.azure.parentResourceGroup,
                zoneName: args.parentZone,
                relativeRecordSetName: relativeName(args.zone, args.parentZone),
                recordType: "NS",
                ttl: delegationTtlSeconds,
                nsRecords: zone.nameServers.apply((servers) => servers.map((nsdname) => ({ nsdname }))),
            }, { parent: this });
        }

        this.zoneName = args.zone;
        this.zoneId = zone.id;
        this.nameServers = zone.nameServers;
        this.resourceGroupName = network.resourceGroupName;
        this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers });
    }
}
