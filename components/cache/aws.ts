import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, type NameRule } from "../../lib/naming.ts";
import { AwsSecretStore } from "../secrets/aws.ts";
import { elastiCacheNodeType } from "../../lib/sizing/aws.ts";
import type { Cache, CacheArgs, PortRange } from "./cache.ts";
import { narrow } from "../narrow.ts";
import type { SecretValue } from "../secrets/secrets.ts";
import { rotatingPassword } from "../secrets/rotating-password.ts";
import { elastiCacheSnapshotDays } from "../../config/operations.ts";

/**
 * Valkey rather than Redis OSS: it is AWS's recommended ElastiCache engine, priced below
 * Redis OSS, and wire-compatible with Redis OSS 7.2, so every Redis client works unchanged.
 */
export const elastiCacheEngine = { engine: "valkey", version: "9.1", parameterFamily: "valkey9" } as const;

export const elastiCachePort = 6379;


/** Replication group ids: 1-40 lowercase letters, digits and single hyphens. */
const replicationGroupRule: NameRule = { maxLength: 40, allowed: /[a-z0-9-]/, separator: "-", lowercase: true };

/**
 * An ElastiCache (Valkey) replication group in the database subnets: a single node, a
 * primary with replicas and automatic Multi-AZ failover, or cluster mode with one node
 * group per shard. TLS is required, data at rest is encrypted with the store's KMS key and
 * clients authenticate with a generated AUTH token kept in the secrets store, rotated each
 * `platform:rotation.passwordDays`.
 */
export class AwsCache extends pulumi.ComponentResource implements Cache {
    readonly host: pulumi.Output<string>;
    readonly port = elastiCachePort;
    /** Cluster-mode redirects stay on the same port. */
    readonly clientPorts: readonly PortRange[] = [{ port: elastiCachePort }];
    readonly tls = true;
    readonly clustered: boolean;
    readonly credentials: readonly SecretValue[];
    readonly sku: string;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cache:AwsCache", name, {}, opts);
        const { context } = args;
        const store = narrow(args.secrets, AwsSecretStore);
        const nodeType = elastiCacheNodeType(args.memoryGiB, args.aws?.nodeType);
        const clustered = args.shards > 1;
        const replicated = args.replicasPerShard > 0;
        const groupId = physicalName([context.project, context.stack], replicationGroupRule);
        const parent = { parent: this };

        const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, {
            description: `Database subnets of ${context.project}/${context.stack}`,
            subnetIds: args.network.databaseSubnetIds,
        }, parent);
        // Only the Kubernetes nodes may connect; no egress rule, the cache never dials out.
        const security = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.network.networkId,
            description: `Valkey (TLS) from the cluster nodes of ${context.project}/${context.stack}`,
            ingress: [{
                description: "Valkey from the node subnets",
                protocol: "tcp",
                fromPort: elastiCachePort,
                toPort: elastiCachePort,
                cidrBlocks: [...args.network.nodeCidrs],
            }],
        }, parent);

        // AUTH tokens allow only a few special characters; alphanumerics avoid quoting issues too.
        const password = rotatingPassword(`${name}-auth`, context, { length: 64, special: false }, parent);
        const slowLog = new aws.cloudwatch.LogGroup(`${name}-slow-log`, {
            name: `/aws/elasticache/${groupId}/slow-log`,
            retentionInDays: context.logRetentionDays,
        }, parent);

        // Cluster mode needs cluster-enabled in the parameter group; an owned group beats a default's name.
        const topology = clustered
            ? {
                clusterMode: "enabled",
                numNodeGroups: args.shards,
                replicasPerNodeGroup: args.replicasPerShard,
                parameterGroupName: new aws.elasticache.ParameterGroup(`${name}-params`, {
                    family: elastiCacheEngine.parameterFamily,
                    description: `Cluster mode for ${context.project}/${context.stack}`,
                    parameters: [{ name: "cluster-enabled", value: "yes" }],
                }, parent).name,
            }
            : { clusterMode: "disabled", numCacheClusters: 1 + args.replicasPerShard };

        const group = new aws.elasticache.ReplicationGroup(`${name}-valkey`, {
            replicationGroupId: groupId,
            description: `Cache of ${context.project}/${context.stack}`,
            engine: elastiCacheEngine.engine,
            engineVersion: elastiCacheEngine.version,
            nodeType,
            port: elastiCachePort,
            ...topology,
            // Failover needs a replica; Multi-AZ also needs subnets in more than one zone.
            automaticFailoverEnabled: replicated,
            multiAzEnabled: replicated && args.network.zones.length > 1,
            subnetGroupName: subnets.name,
            securityGroupIds: [security.id],
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            atRestEncryptionEnabled: true,
            kmsKeyId: store.keyArn,
            authToken: password.result,
            // A new period's token joins the old one, which keeps working until the next rotation,
            // so clients move over as External Secrets refreshes them (ElastiCache, "Rotating the AUTH token").
            authTokenUpdateStrategy: "ROTATE",
            snapshotRetentionLimit: args.persistence ? elastiCacheSnapshotDays : 0,
            finalSnapshotIdentifier: args.persistence ? `${groupId}-final` : undefined,
            logDeliveryConfigurations: [{
                destination: slowLog.name,
                destinationType: "cloudwatch-logs",
                logFormat: "json",
                logType: "slow-log",
            }],
        }, { parent: this, protect: context.protectStateful }); // ElastiCache has no deletion-protection flag

        this.host = clustered ? group.configurationEndpointAddress : group.primaryEndpointAddress;
        this.clustered = clustered;
        this.credentials = [{ name: "redis-password", value: password.result, owner: this }];
        this.sku = nodeType;
        this.registerOutputs({
            host: this.host,
            port: this.port,
            tls: this.tls,
            clustered: this.clustered,
            sku: this.sku,
        });
    }
}
