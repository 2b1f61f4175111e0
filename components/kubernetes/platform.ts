import * as apiextensions from "@pulumi/kubernetes/apiextensions/index.js";
import * as corev1 from "@pulumi/kubernetes/core/v1/index.js";
import * as helmv3 from "@pulumi/kubernetes/helm/v3/index.js";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1/index.js";
import { Provider } from "@pulumi/kubernetes/provider.js";
import * as rbacv1 from "@pulumi/kubernetes/rbac/v1/index.js";
import * as storagev1 from "@pulumi/kubernetes/storage/v1/index.js";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KubernetesConfig } from "../../config/schema.ts";
import type { PortRange } from "../cache/cache.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { clusterPodCidr } from "../../lib/addressing.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { SecretStore } from "../secrets/secrets.ts";
import { addonValues, charts, jaegerVolumeClaim, type AddonName, type AddonValuesInput, type ChartRef } from "./addon-values.ts";
import { developerRole, limitRangeSpec, networkPolicies, quotaSpec, workloadPodSecurityLabels } from "./guardrails.ts";
import type { KubernetesBindings } from "./kubernetes.ts";
import { logCollectorChart, logCollectorValues } from "./log-collector.ts";
import { namespaceNeeds, platformNetworkPolicies } from "./platform-network.ts";

export interface KubernetesPlatformArgs extends KubernetesConfig {
    readonly context: PlatformContext;
    readonly cluster: Cluster;
    readonly secrets: SecretStore;
    /** The selected cloud's identities and values for this layer. */
    readonly bindings: KubernetesBindings;
    /** Address space of the cloud network, for the data-services egress allowance. */
    readonly networkCidr: string;
    /** Database and cache ports workloads may reach. */
    readonly dataServicePorts: readonly PortRange[];
    /** The cluster's Kubernetes minor version; version-bound add-ons follow it. */
    readonly kubernetesVersion: string;
}

/** Let's Encrypt endpoints: dev uses the staging CA, whose rate limits are generous. */
export const acmeServers = {
    production: "https://acme-v02.api.letsencrypt.org/directory",
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
};

export const clusterIssuerName = "letsencrypt";
/** The SecretStore each workload namespace gets: only its own ExternalSecrets can use it. */
export const secretStoreName = "platform-secrets";
export const storageClassName = "platform-ssd";
export const grafanaAdminSecretName = "grafana-admin";

/**
 * The platform layer on any cluster, through a provider built from the cluster's kubeconfig:
 * the switched-on Helm add-ons with pinned charts, a cert-manager cluster issuer, a cluster
 * secret store on the stack's secrets store, and guarded workload namespaces. Only
 * `bindings` differs between clouds.
 */
export class KubernetesPlatform extends pulumi.ComponentResource {
    /** Release name → `chart@version` for every installed add-on. */
    readonly addons: Record<string, string>;
    readonly workloadNamespaces: readonly string[];
    readonly clusterIssuer: string | undefined;
    /** Name of the SecretStore in each workload namespace, when External Secrets is on. */
    readonly secretStore: string | undefined;

    constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:KubernetesPlatform", name, {}, opts);
        const { context, bindings, addons: enabled } = args;
        const provider = new Provider(`${name}-provider`, { kubeconfig: args.cluster.kubeconfig, enableServerSideApply: true }, {
            parent: this,
            dependsOn: args.cluster.workloadReady,
        });
        const inCluster = { parent: this, provider };

        const storageClass = new storagev1.StorageClass(`${name}-storage`, {
            metadata: { name: storageClassName },
            provisioner: bindings.storageClass.provisioner,
            parameters: bindings.storageClass.parameters,
            // Outside dev a deleted claim keeps its disk until someone deletes it on purpose.
            reclaimPolicy: context.protectStateful ? "Retain" : "Delete",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        }, inCluster);

        const installed = (Object.keys(charts) as AddonName[]).filter((addon) => enabled[addon] && !bindings.builtInAddons.includes(addon));

        const addonNamespaces = new Map<string, corev1.Namespace>();
        for (const addon of installed) {
            const namespace = charts[addon].namespace;
            if (namespace !== "kube-system" && !addonNamespaces.has(namespace)) {
                addonNamespaces.set(namespace, new corev1.Namespace(`${name}-${namespace}`, { metadata: { name: namespace } }, inCluster));
            }
        }
        const platformNetwork = {
            workloadNamespaces: args.namespaces,
            monitoringNamespace: installed.includes("monitoring") ? charts.monitoring.namespace : undefined,
            clusterCidrs: [args.networkCidr, clusterPodCidr],
            credentialEndpoints: bindings.credentialEndpoints,
        };
        for (const [namespace, created] of addonNamespaces) {
            const needs = namespaceNeeds(installed.filter((addon) => charts[addon].namespace === namespace));
            for (const policy of platformNetworkPolicies(needs, platformNetwork)) {
                new networkingv1.NetworkPolicy(`${name}-${namespace}-${policy.name}`, {
                    metadata: { name: policy.name, namespace },
                    spec: policy.spec,
                }, { ...inCluster, dependsOn: [created] });
            }
        }

        const monitoringDependencies: pulumi.Resource[] = [];
        if (installed.includes("monitoring")) {
            const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
            args.secrets.putSecret(this, "grafana-admin-password", password.result);
            monitoringDependencies.push(new corev1.Secret(`${name}-grafana-admin`, {
                metadata: { name: grafanaAdminSecretName, namespace: charts.monitoring.namespace },
                stringData: { "admin-user": "admin", "admin-password": password.result },
            }, { ...inCluster, dependsOn: [addonNamespaces.get(charts.monitoring.namespace)!] }));
        }

        const valuesInput: AddonValuesInput = {
            environment: context.environment,
            kubernetesVersion: args.kubernetesVersion,
            observability: args.observability,
            enabled,
            storageClassName,
            ingressServiceAnnotations: bindings.ingressServiceAnnotations,
            externalSecrets: bindings.externalSecrets,
            clusterAutoscalerValues: bindings.clusterAutoscalerValues,
            grafanaAdminSecret: grafanaAdminSecretName,
            kubeProxy: bindings.kubeProxy,
        };
        const releaseDependencies: Partial<Record<AddonName, pulumi.Resource[]>> = { monitoring: monitoringDependencies };
        if (installed.includes("jaeger")) {
            const claim = jaegerVolumeClaim(valuesInput);
            releaseDependencies.jaeger = [new corev1.PersistentVolumeClaim(`${name}-jaeger-badger`, claim, {
                ...inCluster,
                dependsOn: [storageClass, addonNamespaces.get(claim.metadata.namespace)!],
                // The chart mounts this claim but cannot create it; keep traces across re-installs outside dev.
                protect: context.protectStateful,
            })];
        }
        // kube-prometheus-stack goes first: the others create ServiceMonitors, whose CRD it installs.
        const ordered = [...installed].sort((left, right) => Number(right === "monitoring") - Number(left === "monitoring"));
        const installedCharts: Record<string, string> = {};
        const helmRelease = (chart: ChartRef, values: Record<string, unknown>, dependsOn: pulumi.Resource[]) => {
            installedCharts[chart.releaseName] = `${chart.chart}@${chart.version}`;
            return new helmv3.Release(`${name}-${chart.releaseName}`, {
                name: chart.releaseName,
                chart: chart.chart,
                version: chart.version,
                repositoryOpts: { repo: chart.repo },
                namespace: chart.namespace,
                values,
                // A failed install or upgrade rolls back instead of leaving a half-applied release.
                atomic: true,
                cleanupOnFail: true,
                maxHistory: 10,
                timeout: 900,
            }, { ...inCluster, dependsOn });
        };
        const releases = new Map<AddonName, helmv3.Release>();
        for (const addon of ordered) {
            const chart = charts[addon];
            const namespace = addonNamespaces.get(chart.namespace);
            const monitoring = addon === "monitoring" ? undefined : releases.get("monitoring");
            releases.set(addon, helmRelease(chart, addonValues(addon, valuesInput), [
                storageClass,
                ...(namespace ? [namespace] : []),
                ...(monitoring ? [monitoring] : []),
                ...(releaseDependencies[addon] ?? []),
            ]));
        }

        const loki = releases.get("loki");
        if (loki) {
            helmRelease(logCollectorChart, logCollectorValues(valuesInput), [loki]);
        }

        const certManager = releases.get("certManager");
        if (certManager) {
            new apiextensions.CustomResource(`${name}-cluster-issuer`, {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: clusterIssuerName },
                spec: {
                    acme: {
                        server: context.environment === "dev" ? acmeServers.staging : acmeServers.production,
                        email: args.acmeEmail,
                        privateKeySecretRef: { name: `${clusterIssuerName}-account-key` },
                        solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
                    },
                },
            }, { ...inCluster, dependsOn: [certManager] });
        }

        const externalSecrets = releases.get("externalSecrets");
        const storeProvider = externalSecrets && bindings.externalSecrets?.storeProvider;

        const policyContext = {
            networkCidr: args.networkCidr,
            dataServicePorts: args.dataServicePorts,
            ingressNamespace: releases.has("ingressNginx") ? charts.ingressNginx.namespace : undefined,
            monitoringNamespace: releases.has("monitoring") ? charts.monitoring.namespace : undefined,
            tracingNamespace: releases.has("jaeger") ? charts.jaeger.namespace : undefined,
        };
        const role = developerRole(context.environment, args.developers.access);
        for (const workload of args.namespaces) {
            const namespace = new corev1.Namespace(`${name}-ns-${workload}`, {
                metadata: { name: workload, labels: workloadPodSecurityLabels },
            }, inCluster);
            const inNamespace = { ...inCluster, dependsOn: [namespace] };
            const metadata = (objectName: string) => ({ name: objectName, namespace: workload });
            new corev1.ResourceQuota(`${name}-${workload}-quota`, { metadata: metadata("workload-quota"), spec: { hard: quotaSpec(args.quota) } }, inNamespace);
            new corev1.LimitRange(`${name}-${workload}-limits`, { metadata: metadata("workload-limits"), spec: limitRangeSpec(args.quota) }, inNamespace);
            for (const policy of networkPolicies(policyContext)) {
                new networkingv1.NetworkPolicy(`${name}-${workload}-${policy.name}`, { metadata: metadata(policy.name), spec: policy.spec }, inNamespace);
            }
            if (storeProvider) {
                // Namespaced, unlike a ClusterSecretStore: no other namespace's ExternalSecrets can name it.
                new apiextensions.CustomResource(`${name}-${workload}-secret-store`, {
                    apiVersion: "external-secrets.io/v1",
                    kind: "SecretStore",
                    metadata: metadata(secretStoreName),
                    spec: { provider: storeProvider },
                }, { ...inCluster, dependsOn: [namespace, externalSecrets] });
            }
            if (bindings.developerGroups.length > 0) {
                new rbacv1.RoleBinding(`${name}-${workload}-developers`, {
                    metadata: metadata("developers"),
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
                    subjects: bindings.developerGroups.map((group) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group })),
                }, inNamespace);
            }
        }

        this.addons = installedCharts;
        this.workloadNamespaces = args.namespaces;
        this.clusterIssuer = certManager ? clusterIssuerName : undefined;
        this.secretStore = storeProvider ? secretStoreName : undefined;
        this.registerOutputs({
            addons: this.addons,
            workloadNamespaces: this.workloadNamespaces,
            clusterIssuer: this.clusterIssuer,
            secretStore: this.secretStore,
        });
    }
}
