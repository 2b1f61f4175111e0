import * as apiextensions from "@pulumi/kubernetes/apiextensions/index.js";
import * as corev1 from "@pulumi/kubernetes/core/v1/index.js";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1/index.js";
import type { Provider } from "@pulumi/kubernetes/provider.js";
import * as rbacv1 from "@pulumi/kubernetes/rbac/v1/index.js";
import * as pulumi from "@pulumi/pulumi";
import { gatewayAccessLabel } from "./edge-values.ts";
import {
    limitRangeSpec, quotaSpec, workloadNetworkPolicies, workloadPodSecurityLabels,
    type NamespaceQuota, type WorkloadTraffic,
} from "./guardrails.ts";

/** The SecretStore each workload namespace gets: only its own ExternalSecrets can use it. */
export const secretStoreName = "platform-secrets";

export interface WorkloadNamespaceArgs {
    readonly provider: Provider;
    /** The namespace's name. */
    readonly namespace: string;
    /** Requests the namespace's pods may make in total; limits are twice as much. */
    readonly quota: NamespaceQuota;
    /** What the default-deny NetworkPolicies let in and out. */
    readonly traffic: WorkloadTraffic;
    /** The built-in ClusterRole developers get here, and the Kubernetes groups they are in. */
    readonly developers: { readonly role: "edit" | "view"; readonly groups: readonly pulumi.Input<string>[] };
    /** `spec.provider` of the namespace's SecretStore and the operator release it needs; none without External Secrets. */
    readonly secretStore?: { readonly provider: pulumi.Input<Record<string, unknown>>; readonly operator: pulumi.Resource } | undefined;
    /**
     * The platform layer that created these objects before this component existed: they keep
     * their logical names and are adopted (aliased), never replaced with the workloads in them.
     */
    readonly formerParent?: { readonly resource: pulumi.Resource; readonly name: string } | undefined;
}

/**
 * A namespace for workloads with the platform's guardrails: the `restricted` Pod Security
 * Standard, a ResourceQuota and LimitRange, default-deny NetworkPolicies with named
 * allowances, a SecretStore of its own, and the developers' RoleBinding.
 */
export class WorkloadNamespace extends pulumi.ComponentResource {
    readonly namespace: string;

    constructor(name: string, args: WorkloadNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:WorkloadNamespace", name, {}, opts);
        const workload = args.namespace;
        const former = args.formerParent;
        const inCluster = { parent: this, provider: args.provider, aliases: former ? [{ parent: former.resource }] : [] };

        const namespace = new corev1.Namespace(former ? `${former.name}-ns-${workload}` : `${name}-namespace`, {
            // The label lets its HTTPRoutes attach to the shared gateway's HTTPS listeners.
            metadata: { name: workload, labels: { ...workloadPodSecurityLabels, [gatewayAccessLabel]: "true" } },
        }, inCluster);
        const inNamespace = { ...inCluster, dependsOn: [namespace] };
        const metadata = (objectName: string) => ({ name: objectName, namespace: workload });
        new corev1.ResourceQuota(`${name}-quota`, { metadata: metadata("workload-quota"), spec: { hard: quotaSpec(args.quota) } }, inNamespace);
        new corev1.LimitRange(`${name}-limits`, { metadata: metadata("workload-limits"), spec: limitRangeSpec(args.quota) }, inNamespace);
        for (const policy of workloadNetworkPolicies(args.traffic)) {
            new networkingv1.NetworkPolicy(`${name}-${policy.name}`, { metadata: metadata(policy.name), spec: policy.spec }, inNamespace);
        }
        if (args.secretStore) {
            // Namespaced, unlike a ClusterSecretStore: no other namespace's ExternalSecrets can name it.
            new apiextensions.CustomResource(`${name}-secret-store`, {
                apiVersion: "external-secrets.io/v1",
                kind: "SecretStore",
                metadata: metadata(secretStoreName),
                spec: { provider: args.secretStore.provider },
            }, { ...inCluster, dependsOn: [namespace, args.secretStore.operator] });
        }
        if (args.developers.groups.length > 0) {
            new rbacv1.RoleBinding(`${name}-developers`, {
                metadata: metadata("developers"),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: args.developers.role },
                subjects: args.developers.groups.map((group) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group })),
            }, inNamespace);
        }

        this.namespace = workload;
        this.registerOutputs({ namespace: this.namespace });
    }
}
