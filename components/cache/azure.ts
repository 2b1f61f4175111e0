import * as redisenterprise from "@pulumi/azure-native/redisenterprise/index.js";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import type { NameRule } from "../../lib/naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import { managedRedisSku } from "../../lib/sizing/azure.ts";
import type { Cache, CacheArgs, PortRange } from "./cache.ts";
import { deleteLock } from "../azure/lock.ts";
import { narrow } from "../narrow.ts";
import type { SecretValue } from "../secrets/secrets.ts";
import { managedRedisSnapshotFrequency } from "../../config/operations.ts";

/** The port Azure Managed Redis serves its (single) database on. */
export const managedRedisPort = 10000;

/** Where an OSS-cluster database redirects clients to individual nodes ("85XX"; the docs say not to hard-code one). */
export const managedRedisNodePorts: PortRange = { port: 8500, endPort: 8599 };

/** Cluster names: 1-60 letters, digits and single hyphens; the host name makes them unique per region. */
const clusterNameRule: NameRule = { maxLength: 60, allowed: /[a-z0-9-]/, separator: "-", lowercase: true };

/**
 * Azure Managed Redis (`redisenterprise`) sized for the total memory of every shard, with
 * high availability when the stack asks for replicas, TLS 1.2+ only, no public network
 * access and a private endpoint in the network's endpoint subnet. Data at rest is always
 * encrypted with platform-managed keys. In staging and prod a delete lock guards it.
 */
export class AzureCache extends pulumi.ComponentResource implements Cache {
    readonly host: pulumi.Output<string>;
    readonly port = managedRedisPort;
    readonly clientPorts: readonly PortRange[];
    readonly tls = true;
    readonly clustered: boolean;
    readonly credentials: readonly SecretValue[];
    readonly sku: string;
    /** Where Entra access policy assignments go: the cluster and its one database. */
    readonly entraScope: { readonly resourceGroupName: pulumi.Output<string>; readonly clusterName: pulumi.Output<string>; readonly databaseName: pulumi.Output<string> };

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cache:AzureCache", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        // Azure Managed Redis shards internally; the SKU holds the memory of all shards together.
        const sku = managedRedisSku(args.memoryGiB * args.shards, args.azure?.skuName);
        const clustered = args.shards > 1;
        const stateful = { parent: this, protect: context.protectStateful };

        // Host names are global per region; a random suffix keeps same-named stacks of other tenants apart.
        const uniqueName = globalNames(`${name}-suffix`, this);
        // No zones: the service spreads a highly available cache over the region's zones by itself.
        // High availability adds one replica per shard, which covers any replicasPerShard > 0.
        const cluster = new redisenterprise.RedisEnterprise(`${name}-redis`, {
            resourceGroupName: network.resourceGroupName,
            location: network.location,
            tags: context.tags,
            clusterName: uniqueName(["redis", context.project, context.stack], clusterNameRule),
            sku: { name: sku },
            highAvailability: args.replicasPerShard > 0 ? "Enabled" : "Disabled",
            minimumTlsVersion: "1.2",
            publicNetworkAccess: "Disabled",
        }, stateful);

        const database = new redisenterprise.Database(`${name}-database`, {
            resourceGroupName: network.resourceGroupName,
            clusterName: cluster.name,
            databaseName: "default", // the only database name the service accepts
            port: managedRedisPort,
            clientProtocol: "Encrypted",
            // OSS cluster protocol spreads shards over every node; a single shard keeps the one-endpoint proxy.
            clusteringPolicy: clustered ? "OSSCluster" : "EnterpriseCluster",
            // Same as ElastiCache's default maxmemory-policy: only keys with a TTL are evicted, so the
            // cache behaves alike on both clouds and keys stored without expiry are never dropped silently.
            evictionPolicy: "VolatileLRU",
            persistence: args.persistence ? { rdbEnabled: true, rdbFrequency: managedRedisSnapshotFrequency } : { rdbEnabled: false, aofEnabled: false },
            accessKeysAuthentication: "Enabled",
        }, stateful);

        privateEndpoint(`${name}-redis`, { network, targetId: cluster.id, groupId: "redisEnterprise", dnsZone: "redis", tags: context.tags }, this);

        if (context.protectStateful) {
            // Locks are inherited, so this one also guards the database.
            deleteLock(`${name}-redis-lock`, cluster.id, "the cache", this);
        }

        // Azure Managed Redis issues its own access keys (no caller-chosen password), so the
        // platform stores the primary key under the name other clouds use for the AUTH token.
        const keys = redisenterprise.listDatabaseKeysOutput({
            resourceGroupName: network.resourceGroupName,
            clusterName: cluster.name,
            databaseName: database.name,
        }, { parent: this });

        this.entraScope = { resourceGroupName: network.resourceGroupName, clusterName: cluster.name, databaseName: database.name };
        this.host = cluster.hostName;
        this.clustered = clustered;
        this.clientPorts = clustered ? [{ port: managedRedisPort }, managedRedisNodePorts] : [{ port: managedRedisPort }];
        this.credentials = [{ name: "redis-password", value: keys.primaryKey, owner: this }];
        this.sku = sku;
        this.registerOutputs({
            host: this.host,
            port: this.port,
            tls: this.tls,
            clustered: this.clustered,
            sku: this.sku,
        });
    }
}
