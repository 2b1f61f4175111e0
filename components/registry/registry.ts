import type * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../cluster/cluster.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { Network } from "../network/network.ts";

export interface RegistryArgs {
    readonly context: PlatformContext;
    readonly network: Network;
    /** Its nodes get pull access. */
    readonly cluster: Cluster;
    readonly repositories: readonly string[];
    /** Tagged images kept per repository. */
    readonly keepImages: number;
    readonly azure: { readonly sku: "Basic" | "Standard" | "Premium" };
}

/** A container registry as the layers above see it, the same on every cloud. */
export interface Registry {
    /** Host name to log in and push to. */
    readonly registryUrl: pulumi.Output<string>;
    /** `<registry>/<repository>` for every configured repository. */
    readonly repositoryUrls: pulumi.Output<string>[];
}
