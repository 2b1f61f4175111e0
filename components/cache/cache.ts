import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { Network } from "../network/network.ts";
import type { SecretStore } from "../secrets/secrets.ts";

export interface CacheArgs {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly secrets: SecretStore;
    /** Memory per shard in GiB. */
    readonly memoryGiB: number;
    /** More than one means cluster mode. */
    readonly shards: number;
    readonly replicasPerShard: number;
    readonly persistence: boolean;
    readonly aws?: { readonly nodeType?: string | undefined } | undefined;
    readonly azure?: { readonly skuName?: string | undefined } | undefined;
}

/** TCP ports `port` to `endPort` (inclusive); one port without `endPort`. */
export interface PortRange {
    readonly port: number;
    readonly endPort?: number | undefined;
}

/** A Redis-compatible cache as the layers above see it, the same on every cloud. */
export interface Cache {
    /** Private DNS name clients connect to (the configuration endpoint in cluster mode). */
    readonly host: pulumi.Output<string>;
    readonly port: number;
    /** Every port a client must reach: `port`, plus the nodes' ports where the cluster protocol redirects to them. */
    readonly clientPorts: readonly PortRange[];
    /** Always true: plaintext connections are refused. */
    readonly tls: true;
    /** Clients must use the cluster protocol. */
    readonly clustered: boolean;
    /** Reference to the AUTH password / access key in the secrets store. */
    readonly authSecretRef: pulumi.Output<string>;
    /** The concrete node type / SKU. */
    readonly sku: string;
}
