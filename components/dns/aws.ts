import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { delegationTtlSeconds, type DnsArgs, type DnsZone } from "./dns.ts";

/**
 * A Route 53 public hosted zone, protected outside dev, with its NS records in the parent
 * zone when the stack names one in the same account.
 */
export class AwsDnsZone extends pulumi.ComponentResource implements DnsZone {
    readonly zoneName: string;
    readonly zoneId: pulumi.Output<string>;
    readonly nameServers: pulumi.Output<string[]>;
    /** `arn:…:route53:::hostedzone/<id>`: the only zone the record-changing identities may touch. */
    readonly zoneArn: pulumi.Output<string>;

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:dns:AwsDnsZone", name, {}, opts);
        const { context } = args;
        const zone = new aws.route53.Zone(`${name}-zone`, {
            name: args.zone,
            comment: `Public zone of ${context.project}/${context.stack}`,
            // Records external-dns or cert-manager left behind keep a zone from being deleted by accident.
            forceDestroy: false,
        }, { parent: this, protect: context.protectStateful });

        if (args.parentZone !== undefined) {
            const parent = aws.route53.getZoneOutput({ name: args.parentZone, privateZone: false }, { parent: this });
            new aws.route53.Record(`${name}-delegation`, {
                zoneId: parent.zoneId,
                name: args.zone,
                type: "NS",
                ttl: delegationTtlSeconds,
                records: zone.nameServers,
            }, { parent: this });
        }

        this.zoneName = args.zone;
        this.zoneId = zone.zoneId;
        this.nameServers = zone.nameServers;
        this.zoneArn = zone.arn;
        this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers, zoneArn: this.zoneArn });
    }
}
