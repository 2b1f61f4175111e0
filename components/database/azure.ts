import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql/index.js";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import { nameRules, type NameRule } from "../../lib/naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { postgresSku } from "../../lib/sizing/azure.ts";
import type { SecretValue } from "../secrets/secrets.ts";
import type { PortRange } from "../cache/cache.ts";
import { databaseCredentials } from "./credentials.ts";
import { adminUsername, databaseName, postgresPort, type Database, type DatabaseArgs } from "./database.ts";
import { deleteLock } from "../azure/lock.ts";
import { narrow } from "../narrow.ts";

/** Flexible Server names are global DNS labels of 63 characters; 5 are kept for the random suffix. */
const serverName: NameRule = { ...nameRules.display, maxLength: 63 };

/** The high-availability modes Flexible Server offers for each abstract choice. */
export const flexibleServerHaModes = { none: "Disabled", standby: "SameZone", zoneRedundant: "ZoneRedundant" } as const;

/** Premium SSD sizes Flexible Server accepts (GiB); anything else is rejected. */
export const flexibleServerStorageSizes = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767];

/** The smallest accepted disk holding `storageGiB`. */
export function flexibleServerStorageGiB(storageGiB: number): number {
    const size = flexibleServerStorageSizes.find((candidate) => candidate >= storageGiB);
    if (size === undefined) {
        throw new Error(`no Flexible Server disk holds ${storageGiB} GiB`);
    }
    return size;
}

/** The built-in PgBouncer's port, on the server's own host name (Flexible Server docs, "PgBouncer"). */
export const pgBouncerPort = 6432;

/** Server parameters that enforce TLS 1.2 or later on every connection. */
export const flexibleServerTlsParameters: Record<string, string> = {
    require_secure_transport: "on",
    ssl_min_protocol_version: "TLSv1.2",
};

/**
 * Azure Database for PostgreSQL Flexible Server injected into the delegated database
 * subnet (no public access), with TLS 1.2+ required, auto-growing storage and the chosen
 * high availability, plus read replicas in the other zones. Microsoft Entra authentication is
 * on beside the admin password, so workloads sign in with their managed identities (roles made
 * by `pgaadauth_create_principal_with_oid`). With pooling the built-in PgBouncer listens on
 * 6432 (General Purpose and Memory Optimized only; the schema refuses Burstable). Outside dev
 * every server carries a delete lock and Pulumi `protect`.
 */
export class AzureDatabase extends pulumi.ComponentResource implements Database {
    readonly host: pulumi.Output<string>;
    readonly port = postgresPort;
    readonly databaseName = databaseName;
    readonly adminUsername = adminUsername;
    readonly credentials: readonly SecretValue[];
    readonly replicaHosts: pulumi.Output<string>[];
    readonly sku: string;
    readonly pooler: { readonly host: pulumi.Output<string>; readonly port: number } | undefined;
    readonly clientPorts: readonly PortRange[];
    readonly backupRetentionDays: number;
    /** The primary's server name and resource group, for the Entra administrator the provisioning jobs sign in as. */
    readonly serverName: pulumi.Output<string>;
    readonly resourceGroupName: pulumi.Output<string>;
    /** The primary's last changes: ARM refuses concurrent ones, so an administrator added later waits for them. */
    readonly settled: readonly pulumi.Resource[];

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const sku = postgresSku({ vcpu: args.vcpu, memoryGiB: args.memoryGiB }, args.azure?.skuName);
        const diskGiB = flexibleServerStorageGiB(args.storageGiB);
        super("platform:database:AzureDatabase", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        const protect = context.protectStateful;
        const inGroup = { resourceGroupName: network.resourceGroupName, location: network.location, tags: context.tags };
        const [primaryZone, ...otherZones] = network.zones;

        // Server names are global; a random suffix keeps same-named stacks of other tenants apart.
        const uniqueName = globalNames(`${name}-suffix`, this);
        const nameOf = (role: string) => uniqueName([context.project, context.stack, role], serverName);
        const placement = {
            sku: { name: sku.name, tier: sku.tier },
            storage: { storageSizeGB: diskGiB, autoGrow: "Enabled" },
            network: {
                delegatedSubnetResourceId: network.databaseSubnetIds[0],
                privateDnsZoneArmResourceId: network.privateDnsZoneIds.postgres,
                publicNetworkAccess: "Disabled",
            },
        };
        // Autogrow raises the live size; a deployment must never try to shrink it back. The server
        // registers its name in the private zone and fails if the zone is not linked to the VNet yet.
        const serverOptions = { parent: this, protect, ignoreChanges: ["storage.storageSizeGB"], dependsOn: [network.privateDnsZoneLinks.postgres] };

        const credentials = databaseCredentials(name, this, context, false);
        this.credentials = credentials.secrets;

        const primary = new dbforpostgresql.Server(`${name}-server`, {
            ...inGroup,
            ...placement,
            serverName: nameOf("postgres"),
            version: args.version,
            availabilityZone: primaryZone,
            highAvailability: {
                mode: flexibleServerHaModes[args.highAvailability],
                standbyAvailabilityZone: args.highAvailability === "zoneRedundant" ? otherZones[0] : undefined,
            },
            administratorLogin: adminUsername,
            // The SDK does not mark this input secret itself.
            administratorLoginPassword: credentials.adminPassword,
            // The password stays for the break-glass admin; workloads use Entra tokens.
            authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Enabled", tenantId: authorization.getClientConfigOutput({ parent: this }).tenantId },
            // Geo-redundant backup is fixed when the server is made (Azure Database for PostgreSQL, "Backup and restore").
            backup: { backupRetentionDays: args.backupRetentionDays, geoRedundantBackup: args.crossRegionBackups ? "Enabled" : "Disabled" },
        }, serverOptions);

        // ARM rejects concurrent changes to one server, so its children go one after another.
        let previous: pulumi.Resource = primary;
        const parameters = { ...flexibleServerTlsParameters, ...(args.pooling ? { "pgbouncer.enabled": "true" } : {}) };
        for (const [parameter, value] of Object.entries(parameters)) {
            previous = new dbforpostgresql.Configuration(`${name}-${parameter.replaceAll(/[_.]/g, "-")}`, {
                resourceGroupName: network.resourceGroupName,
                serverName: primary.name,
                configurationName: parameter,
                value,
                source: "user-override",
            }, { parent: this, dependsOn: [previous] });
        }
        const database = new dbforpostgresql.Database(`${name}-database`, {
            resourceGroupName: network.resourceGroupName,
            serverName: primary.name,
            databaseName,
            charset: "UTF8",
            collation: "en_US.utf8",
        }, { parent: this, protect, dependsOn: [previous] });

        // Replicas go to the zones other than the primary's, starting from the far end so
        // that a zone-redundant standby (in the next zone) and a replica do not share one.
        const replicas = Array.from({ length: args.readReplicas }, (_, index) =>
            new dbforpostgresql.Server(`${name}-replica-${index + 1}`, {
                ...inGroup,
                ...placement,
                serverName: nameOf(`postgres-replica-${index + 1}`),
                createMode: "Replica",
                sourceServerResourceId: primary.id,
                availabilityZone: otherZones.length > 0 ? otherZones[otherZones.length - 1 - (index % otherZones.length)] : primaryZone,
            }, { ...serverOptions, dependsOn: [network.privateDnsZoneLinks.postgres, database] }));

        if (protect) {
            [primary, ...replicas].forEach((server, index) =>
                deleteLock(`${name}-${index === 0 ? "server" : `replica-${index}`}-lock`, server.id, "the database server", this));
        }

        this.host = primary.fullyQualifiedDomainName;
        this.replicaHosts = replicas.map((replica) => replica.fullyQualifiedDomainName);
        this.sku = sku.name;
        this.pooler = args.pooling ? { host: primary.fullyQualifiedDomainName, port: pgBouncerPort } : undefined;
        this.clientPorts = [{ port: postgresPort }, ...(args.pooling ? [{ port: pgBouncerPort }] : [])];
        this.backupRetentionDays = args.backupRetentionDays;
        this.serverName = primary.name;
        this.resourceGroupName = pulumi.output(network.resourceGroupName);
        this.settled = [database, ...replicas];
        this.registerOutputs({
            host: this.host,
            port: this.port,
            databaseName: this.databaseName,
            adminUsername: this.adminUsername,
            replicaHosts: this.replicaHosts,
            sku: this.sku,
            pooler: this.pooler,
        });
    }
}
