import type * as pulumi from "@pulumi/pulumi";
import type { Cluster, ClusterArgs } from "../cluster/cluster.ts";
import type { PlatformContext } from "../context.ts";
import type { Network, NetworkArgs } from "../network/network.ts";

/** One cloud's implementation of every abstraction; `index.ts` wires whichever is selected. */
export interface Cloud {
    /** Region (AWS) or location (Azure) the stack deploys to. */
    region(context: PlatformContext): string;
    /** The explicit provider all of the stack's resources use, configured from the validated config. */
    provider(context: PlatformContext): pulumi.ProviderResource;
    network(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions): Network;
    cluster(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions): Cluster;
}
