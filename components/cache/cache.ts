import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { CacheConfig } from "../../config/schema.ts";
import type { Network } from "../network/network.ts";
import type { SecretStore, SecretValue } from "../secrets/secrets.ts";

/** `platform:cache` (keys, defaults and limits in `config/`) plus what the program wires. */
export interface CacheArgs extends CacheConfig {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly secrets: SecretStore;
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
    /** The AUTH password / access key as `redis-password`, for the program to store. */
    readonly credentials: readonly SecretValue[];
    /** The concrete node type / SKU. */
    readonly sku: string;
}
