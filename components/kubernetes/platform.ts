import * as corev1 from "@pulumi/kubernetes/core/v1/index.js";
import type * as helmv3 from "@pulumi/kubernetes/helm/v3/index.js";
import * as helmv4 from "@pulumi/kubernetes/helm/v4/index.js";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1/index.js";
import { Provider } from "@pulumi/kubernetes/provider.js";
import * as storagev1 from "@pulumi/kubernetes/storage/v1/index.js";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KubernetesConfig } from "../../config/schema.ts";
import type { PortRange } from "../cache/cache.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { clusterPodCidr } from "../../lib/addressing.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { SecretValue } from "../secrets/secrets.ts";
import { addonValues, charts, jaegerVolumeClaim, type AddonName, type AddonValuesInput } from "./addon-values.ts";
import { developerRole } from "./guardrails.ts";
import { chartLabel, releaser } from "./helm.ts";
import type { KubernetesBindings } from "./kubernetes.ts";
import { logCollectorChart, logCollectorValues } from "./log-collector.ts";
import { PlatformEdge } from "./edge.ts";
import { gatewayCrdsChart, gatewayCrdsValues, listenerFor } from "./edge-values.ts";
import { namespaceNeeds, platformNetworkPolicies, type PlatformNetworkContext } from "./platform-network.ts";
import { secretStoreName, WorkloadNamespace } from "./workload-namespace.ts";
import type { Workload } from "../../config/workloads.ts";
import type { WorkloadHost } from "../workload/workload.ts";

/** `platform:kubernetes` (keys, defaults and limits in `config/kubernetes.ts`) plus what the program wires. */
export interface KubernetesPlatformArgs extends KubernetesConfig {
    readonly context: PlatformContext;
    readonly cluster: Cluster;
    /** The selected cloud's identities and values for this layer. */
    readonly bindings: KubernetesBindings;
    /** Address space of the cloud network, for the data-services egress allowance. */
    readonly networkCidr: string;
    /** Database and cache ports workloads may reach. */
    readonly dataServicePorts: readonly PortRange[];
    /** The cluster's Kubernetes minor version; version-bound add-ons follow it. */
    readonly kubernetesVersion: string;
    /** The stack's DNS zone (`platform:dns.zone`), when it has one. */
    readonly zone?: string | undefined;
    /** The stack's workloads: the gateway serves their hosts, and reaches their namespaces. */
    readonly workloads: readonly Workload[];
}

/** What the platform namespaces' NetworkPolicies need to know about the rest of the cluster. */
function platformNetwork(args: KubernetesPlatformArgs, installed: readonly AddonName[]): PlatformNetworkContext {
    return {
        workloadNamespaces: [...args.namespaces, ...args.workloads.filter((workload) => workload.ownNamespace).map((workload) => workload.namespace)],
        monitoringNamespace: installed.includes("monitoring") ? charts.monitoring.namespace : undefined,
        clusterCidrs: [args.networkCidr, clusterPodCidr],
        credentialEndpoints: args.bindings.credentialEndpoints,
        eventBus: args.workloads.some((workload) => workload.events) ? { cidr: args.networkCidr, port: args.bindings.eventBusPort } : undefined,
    };
}

export const storageClassName = "platform-ssd";
export const grafanaAdminSecretName = "grafana-admin";

type InCluster = { readonly parent: pulumi.Resource; readonly provider: Provider };

/**
 * The platform layer on any cluster, through a provider built from the cluster's kubeconfig:
 * the switched-on Helm add-ons with pinned charts, a cert-manager cluster issuer, and guarded
 * workload namespaces, each with its own secret store. Only `bindings` differs between clouds.
 */
export class KubernetesPlatform extends pulumi.ComponentResource {
    /** Release name → `chart@version` for every installed add-on. */
    readonly addons: Record<string, string> = {};
    readonly workloadNamespaces: readonly string[];
    readonly clusterIssuer: string | undefined;
    /** The load balancer in front of the gateway: IP (Azure) or hostname (AWS, once the NLB exists). */
    readonly gatewayAddress: pulumi.Output<string | undefined> | undefined;
    /** Name of the SecretStore in each workload namespace, when External Secrets is on. */
    readonly secretStore: string | undefined;
    /** Grafana's admin password (with monitoring), for the program to store. */
    readonly credentials: SecretValue[] = [];
    /** What every workload gets from this layer. */
    readonly workloadHost: WorkloadHost;

    constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:KubernetesPlatform", name, {}, opts);
        const { context, bindings } = args;
        const provider = new Provider(`${name}-provider`, { kubeconfig: args.cluster.kubeconfig, enableServerSideApply: true }, {
            parent: this,
            // The add-ons' cloud identities first: EKS hands Pod Identity credentials only to pods started after their association.
            dependsOn: [...args.cluster.workloadReady, bindings],
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

        const installed = (Object.keys(charts) as AddonName[]).filter((addon) => args.addons[addon] && !bindings.builtInAddons.includes(addon));
        const addonNamespaces = this.addonNamespaces(name, installed, args, inCluster);
        const releases = this.installAddons(name, installed, args, { inCluster, storageClass, addonNamespaces });

        const envoyGateway = releases.get("gateway");
        const certManager = releases.get("certManager");
        // The schema turns both on or neither.
        const edge = envoyGateway && certManager
            ? new PlatformEdge(`${name}-edge`, {
                provider,
                context,
                bindings,
                zone: args.zone,
                acmeEmail: args.acmeEmail,
                monitoring: releases.get("monitoring"),
                envoyGateway,
                certManager,
                network: platformNetwork(args, installed),
                hosts: args.workloads.flatMap((workload) => (workload.route ? [workload.route.host] : [])),
            }, { parent: this })
            : undefined;
        Object.assign(this.addons, edge?.charts);

        const externalSecrets = releases.get("externalSecrets");
        const storeProvider = externalSecrets && bindings.externalSecrets?.storeProvider;
        // Workloads with topics, their provisioning jobs and KEDA reach the event bus inside the network.
        const eventBusPorts = args.workloads.some((workload) => workload.events) ? [{ port: bindings.eventBusPort }] : [];
        const traffic = {
            networkCidr: args.networkCidr,
            dataServicePorts: [...args.dataServicePorts, ...eventBusPorts],
            gatewayNamespace: edge ? charts.gateway.namespace : undefined,
            monitoringNamespace: releases.has("monitoring") ? charts.monitoring.namespace : undefined,
            tracingNamespace: releases.has("jaeger") ? charts.jaeger.namespace : undefined,
            credentialEndpoints: bindings.credentialEndpoints,
        };
        const developers = { role: developerRole(context.environment, args.developers.access), groups: bindings.developerGroups };
        const namespaceDefaults = {
            quota: args.quota,
            traffic,
            developers,
            secretStore: storeProvider ? { provider: storeProvider, operator: externalSecrets } : undefined,
        };
        const sharedNamespaces = new Map(args.namespaces.map((namespace) => [namespace, new WorkloadNamespace(`${name}-${namespace}`, {
            ...namespaceDefaults,
            provider,
            namespace,
            formerParent: { resource: this, name },
        }, { parent: this })]));
        const secretsBinding = bindings.externalSecrets;
        this.workloadHost = {
            provider,
            cloud: (workloadName, workloadArgs, parent) => bindings.workloadCloud(workloadName, workloadArgs, parent),
            provisionerCloud: (provisionerName, provisionerArgs, parent) => bindings.provisionerCloud(provisionerName, provisionerArgs, parent),
            monitoring: releases.get("monitoring"),
            // A workload's own namespace: only its own route lets the gateway in (specs.ts).
            namespaceDefaults: { ...namespaceDefaults, traffic: { ...traffic, gatewayNamespace: undefined } },
            sharedNamespaces,
            secrets: storeProvider && secretsBinding ? { storeName: secretStoreName, remoteKey: (secret) => secretsBinding.remoteKey(secret) } : undefined,
            gateway: edge && envoyGateway
                ? { proxyNamespace: charts.gateway.namespace, listener: (host) => listenerFor(host, args.zone), ready: [edge, envoyGateway] }
                : undefined,
            keda: releases.get("keda"),
        };

        this.workloadNamespaces = args.namespaces;
        this.clusterIssuer = edge?.clusterIssuer;
        this.gatewayAddress = edge?.address;
        this.secretStore = storeProvider ? secretStoreName : undefined;
        this.registerOutputs({
            addons: this.addons,
            workloadNamespaces: this.workloadNamespaces,
            clusterIssuer: this.clusterIssuer,
            secretStore: this.secretStore,
            gatewayAddress: this.gatewayAddress,
        });
    }

    /** The add-ons' namespaces (kube-system stays the cloud's), each default-deny with what its add-ons need. */
    private addonNamespaces(name: string, installed: readonly AddonName[], args: KubernetesPlatformArgs, inCluster: InCluster): Map<string, corev1.Namespace> {
        const namespaces = new Map<string, corev1.Namespace>();
        for (const addon of installed) {
            const namespace = charts[addon].namespace;
            if (namespace !== "kube-system" && !namespaces.has(namespace)) {
                namespaces.set(namespace, new corev1.Namespace(`${name}-${namespace}`, { metadata: { name: namespace } }, inCluster));
            }
        }
        const network = platformNetwork(args, installed);
        for (const [namespace, created] of namespaces) {
            const needs = namespaceNeeds(installed.filter((addon) => charts[addon].namespace === namespace));
            for (const policy of platformNetworkPolicies(needs, network)) {
                new networkingv1.NetworkPolicy(`${name}-${namespace}-${policy.name}`, {
                    metadata: { name: policy.name, namespace },
                    spec: policy.spec,
                }, { ...inCluster, dependsOn: [created] });
            }
        }
        return namespaces;
    }

    /** One atomic Helm release per add-on, kube-prometheus-stack first; Grafana's password and Jaeger's claim before their charts. */
    private installAddons(
        name: string,
        installed: readonly AddonName[],
        args: KubernetesPlatformArgs,
        around: { readonly inCluster: InCluster; readonly storageClass: pulumi.Resource; readonly addonNamespaces: Map<string, corev1.Namespace> },
    ): Map<AddonName, helmv3.Release> {
        const { context, bindings } = args;
        const { inCluster, storageClass, addonNamespaces } = around;
        const releaseDependencies: Partial<Record<AddonName, pulumi.Resource[]>> = {};
        if (installed.includes("monitoring")) {
            const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
            this.credentials.push({ name: "grafana-admin-password", value: password.result, owner: this });
            releaseDependencies.monitoring = [new corev1.Secret(`${name}-grafana-admin`, {
                metadata: { name: grafanaAdminSecretName, namespace: charts.monitoring.namespace },
                stringData: { "admin-user": "admin", "admin-password": password.result },
            }, { ...inCluster, dependsOn: [addonNamespaces.get(charts.monitoring.namespace)!] })];
        }

        const valuesInput: AddonValuesInput = {
            environment: context.environment,
            kubernetesVersion: args.kubernetesVersion,
            observability: args.observability,
            enabled: args.addons,
            storageClassName,
            certManagerValues: bindings.dns?.certManagerValues,
            externalSecrets: bindings.externalSecrets,
            kedaValues: bindings.kedaValues,
            clusterAutoscalerValues: bindings.clusterAutoscalerValues,
            grafanaAdminSecret: grafanaAdminSecretName,
            kubeProxy: bindings.kubeProxy,
        };
        if (installed.includes("gateway")) {
            // Standard-channel Gateway API CRDs before anything that watches them (Envoy Gateway, cert-manager's gateway solver).
            const crds = new helmv4.Chart(`${name}-${gatewayCrdsChart.releaseName}`, {
                chart: gatewayCrdsChart.chart,
                version: gatewayCrdsChart.version,
                namespace: gatewayCrdsChart.namespace,
                values: gatewayCrdsValues,
            }, { ...inCluster, dependsOn: [addonNamespaces.get(charts.gateway.namespace)!] });
            this.addons[gatewayCrdsChart.releaseName] = chartLabel(gatewayCrdsChart);
            for (const addon of ["gateway", "certManager"] as const) {
                releaseDependencies[addon] = [...(releaseDependencies[addon] ?? []), crds];
            }
        }
        if (installed.includes("jaeger")) {
            const claim = jaegerVolumeClaim(valuesInput);
            releaseDependencies.jaeger = [new corev1.PersistentVolumeClaim(`${name}-jaeger-badger`, claim, {
                ...inCluster,
                dependsOn: [storageClass, addonNamespaces.get(claim.metadata.namespace)!],
                // The chart mounts this claim but cannot create it; keep traces across re-installs outside dev.
                protect: context.protectStateful,
            })];
        }
        const release = releaser(name, inCluster, this.addons);
        // kube-prometheus-stack goes first: the others create ServiceMonitors, whose CRD it installs.
        const ordered = [...installed].sort((left, right) => Number(right === "monitoring") - Number(left === "monitoring"));
        const releases = new Map<AddonName, helmv3.Release>();
        for (const addon of ordered) {
            const chart = charts[addon];
            const namespace = addonNamespaces.get(chart.namespace);
            const monitoring = addon === "monitoring" ? undefined : releases.get("monitoring");
            releases.set(addon, release(chart, addonValues(addon, valuesInput), [
                storageClass,
                ...(namespace ? [namespace] : []),
                ...(monitoring ? [monitoring] : []),
                ...(releaseDependencies[addon] ?? []),
            ]));
        }
        const loki = releases.get("loki");
        if (loki) {
            release(logCollectorChart, logCollectorValues(valuesInput), [loki]);
        }
        return releases;
    }
}
