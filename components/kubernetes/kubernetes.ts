import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesConfig } from "../../config/schema.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { SecretStore, StoredSecret } from "../secrets/secrets.ts";

export type AddonSwitches = KubernetesConfig["addons"];

/** A Kubernetes service account a cloud identity is federated with. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

/** Where the add-ons that need cloud permissions run; the identities trust exactly these. */
export const addonServiceAccounts = {
    externalSecrets: { namespace: "external-secrets", name: "external-secrets" },
    clusterAutoscaler: { namespace: "kube-system", name: "cluster-autoscaler" },
} as const satisfies Record<string, ServiceAccountRef>;

/** `platform:kubernetes.addons` and `.developers` plus what the program wires. */
export interface KubernetesBindingsArgs extends Pick<KubernetesConfig, "addons" | "developers"> {
    readonly context: PlatformContext;
    readonly cluster: Cluster;
    readonly secrets: SecretStore;
    /** Everything the store holds; External Secrets is granted its application secrets, one by one. */
    readonly storedSecrets: readonly StoredSecret[];
}

/** The identity External Secrets Operator reads the stack's secrets store with. */
export interface ExternalSecretsBinding {
    /** Annotations on the operator's service account (e.g. the workload identity client id). */
    readonly serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    /** Labels on the operator's pods (e.g. opting in to workload identity). */
    readonly podLabels: Record<string, string>;
    /** `spec.provider` of each workload namespace's SecretStore; it authenticates as the operator. */
    readonly storeProvider: pulumi.Input<Record<string, unknown>>;
}

/**
 * What only the cloud knows about running the platform layer on its cluster: the cloud
 * identities (created by the bindings component) and the cloud-specific values the
 * cloud-agnostic layer plugs in.
 */
export interface KubernetesBindings {
    /** Add-ons the cloud runs itself, so the platform never installs a second copy (AKS: metrics-server, autoscaler). */
    readonly builtInAddons: readonly (keyof AddonSwitches)[];
    /** The class add-on volumes use: a CSI provisioner and its parameters (zonal redundancy, encryption). */
    readonly storageClass: { readonly provisioner: string; readonly parameters: Record<string, string> };
    /** Annotations on ingress-nginx's LoadBalancer Service. */
    readonly ingressServiceAnnotations: Record<string, string>;
    /** Set when External Secrets is switched on. */
    readonly externalSecrets?: ExternalSecretsBinding | undefined;
    /** Cloud values for the cluster autoscaler chart; undefined where the cloud runs its own or it is off. */
    readonly clusterAutoscalerValues?: pulumi.Input<Record<string, unknown>> | undefined;
    /** Link-local endpoints that hand pods their cloud credentials, for NetworkPolicies (EKS Pod Identity agent). */
    readonly credentialEndpoints: readonly { readonly cidr: string; readonly port: number }[];
    /** The nodes run kube-proxy (EKS); AKS's Cilium data plane replaces it. */
    readonly kubeProxy: boolean;
    /** Kubernetes group names the cloud maps developers to, for RoleBindings. */
    readonly developerGroups: pulumi.Input<string>[];
}
