import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { Network } from "../network/network.ts";

/** The workload node pool, in abstract sizes. */
export interface NodePoolSize {
    readonly vcpu: number;
    readonly memoryGiB: number;
    readonly min: number;
    readonly max: number;
    /** Nodes at creation; the autoscaler owns the count afterwards. */
    readonly count: number;
}

export interface ClusterArgs {
    readonly context: PlatformContext;
    readonly network: Network;
    /** Kubernetes minor version, e.g. "1.35". */
    readonly kubernetesVersion: string;
    /** `free`, `standard`, or `sla` (99.95 % uptime SLA). */
    readonly controlPlaneTier: "free" | "standard" | "sla";
    /** API endpoint exposure. */
    readonly apiAccess: "public" | "restricted" | "private";
    /** Client ranges for a `restricted` endpoint. */
    readonly authorizedCidrs: readonly string[];
    readonly nodes: NodePoolSize;
    readonly aws: {
        /** Escape hatch over the sizing map. */
        readonly instanceType?: string | undefined;
        /** IAM roles granted cluster-admin through access entries. */
        readonly adminRoleArns: readonly string[];
    };
    readonly azure: {
        /** Escape hatch over the sizing map. */
        readonly vmSize?: string | undefined;
        /** Entra ID groups granted cluster-admin through Azure RBAC. */
        readonly adminGroupObjectIds: readonly string[];
        /** The AKS system pool, reserved for critical add-ons. */
        readonly systemNodes: { readonly vcpu: number; readonly memoryGiB: number; readonly count: number };
    };
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
