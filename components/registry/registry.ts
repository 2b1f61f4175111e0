import type * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../cluster/cluster.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { RegistryConfig } from "../../config/schema.ts";
import type { Network } from "../network/network.ts";

/** `platform:registry` (keys, defaults and limits in `config/`) plus what the program wires. */
export interface RegistryArgs extends RegistryConfig {
    readonly context: PlatformContext;
    readonly network: Network;
    /** Its nodes get pull access. */
    readonly cluster: Cluster;
    /** One build-cache repository per workload (`buildCacheRepository`), emptied of layers older than `expiryDays`. */
    readonly buildCaches: readonly { readonly workload: string; readonly expiryDays: number }[];
}

/** A container registry as the layers above see it, the same on every cloud. */
export interface Registry {
    /** Host name to log in and push to. */
    readonly registryUrl: pulumi.Output<string>;
    /** `<registry>/<repository>` for every configured repository. */
    readonly repositoryUrls: pulumi.Output<string>[];
}
