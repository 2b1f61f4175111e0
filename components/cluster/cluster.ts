import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { ClusterConfig } from "../../config/schema.ts";
import type { Network } from "../network/network.ts";

/** The workload node pool, in abstract sizes. */
export type NodePoolSize = ClusterConfig["nodes"];

/** `platform:cluster` (keys, defaults and limits in `config/schema.ts`) plus what the program wires. */
export interface ClusterArgs extends ClusterConfig {
    readonly context: PlatformContext;
    readonly network: Network;
}

/** What every cloud's cluster offers the layers above it, under the same names. */
export interface Cluster {
    readonly clusterName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly kubernetesVersion: pulumi.Output<string>;
    /** Issuer of service-account tokens, for workload identity federation. */
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /** Kubeconfig using the cloud CLI for short-lived tokens; a secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** The concrete SKU of the workload nodes. */
    readonly nodeSku: string;
    /**
     * What must exist before anything is deployed into the cluster (the worker pool, cluster
     * DNS): the Kubernetes provider waits for these, not for a Helm timeout.
     */
    readonly workloadReady: pulumi.Resource[];
}
