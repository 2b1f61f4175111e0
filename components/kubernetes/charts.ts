/**
 * Building blocks of the add-on values: the pinned chart catalog, the per-environment profile
 * (replicas, budgets, spread, sizing) and small helpers. `addon-values.ts` assembles each chart's
 * values from them. Pure: no resources, no provider SDK.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentName, KubernetesConfig } from "../../config/schema.ts";
import { addonServiceAccounts, type AddonSwitches } from "./kubernetes.ts";

export type AddonName = keyof AddonSwitches;

export interface ChartRef {
    readonly releaseName: string;
    readonly chart: string;
    /** Exact chart version; never a range. */
    readonly version: string;
    readonly repo: string;
    readonly namespace: string;
}

const monitoringNamespace = "monitoring";

/** Pinned charts. Versions are the newest with published releases as of 2026-11. */
export const charts: Record<AddonName, ChartRef> = {
    certManager: {
        releaseName: "cert-manager", chart: "cert-manager", namespace: "cert-manager",
        version: "v1.21.2", repo: "https://charts.jetstack.io", // jetstack tags its charts with a leading v
    },
    gateway: {
        // Envoy Gateway v1.9 (Kubernetes 1.33-1.36, supported until February 2027); an OCI chart, so no repo.
        releaseName: "envoy-gateway", chart: "oci://docker.io/envoyproxy/gateway-helm", namespace: "envoy-gateway-system",
        version: "v1.9.3", repo: "",
    },
    metricsServer: {
        releaseName: "metrics-server", chart: "metrics-server", namespace: "kube-system",
        version: "3.14.0", repo: "https://kubernetes-sigs.github.io/metrics-server/",
    },
    clusterAutoscaler: {
        releaseName: "cluster-autoscaler", chart: "cluster-autoscaler", namespace: addonServiceAccounts.clusterAutoscaler.namespace,
        version: "9.59.0", repo: "https://kubernetes.github.io/autoscaler",
    },
    monitoring: {
        releaseName: "kube-prometheus-stack", chart: "kube-prometheus-stack", namespace: monitoringNamespace,
        version: "91.5.0", repo: "https://prometheus-community.github.io/helm-charts",
    },
    loki: {
        releaseName: "loki", chart: "loki", namespace: monitoringNamespace,
        version: "18.13.1", repo: "https://grafana-community.github.io/helm-charts", // OSS chart moved here from grafana/helm-charts
    },
    jaeger: {
        releaseName: "jaeger", chart: "jaeger", namespace: monitoringNamespace,
        version: "4.11.1", repo: "https://jaegertracing.github.io/helm-charts", // Jaeger v2; first with extraVolumes for badger
    },
    externalSecrets: {
        releaseName: "external-secrets", chart: "external-secrets", namespace: addonServiceAccounts.externalSecrets.namespace,
        version: "2.10.0", repo: "https://charts.external-secrets.io",
    },
    keda: {
        // KEDA v2.21.1 (2026-11-15), a CNCF graduated project; the chart's version follows KEDA's.
        releaseName: "keda", chart: "keda", namespace: addonServiceAccounts.keda.namespace,
        version: "2.21.1", repo: "https://kedacore.github.io/charts",
    },
};

/** Grafana Alloy, installed with Loki to ship pod logs and events to it: Loki alone receives nothing. */
export const logCollectorChart: ChartRef = {
    releaseName: "alloy", chart: "alloy", namespace: monitoringNamespace,
    version: "1.13.0", repo: "https://grafana.github.io/helm-charts", // Alloy v1.20.0
};

/** Everything an add-on's values depend on. */
export interface AddonValuesInput {
    readonly environment: EnvironmentName;
    /** Minor version such as "1.35"; the cluster autoscaler image follows it. */
    readonly kubernetesVersion: string;
    readonly observability: KubernetesConfig["observability"];
    /** Cross-links: ServiceMonitors only with monitoring, Grafana data sources only for installed backends. */
    readonly enabled: AddonSwitches;
    /** Every persistent volume claim uses this class. */
    readonly storageClassName: string;
    /** cert-manager values for its cloud identity (DNS-01 solver), when the stack has a zone. */
    readonly certManagerValues?: Record<string, unknown> | undefined;
    readonly externalSecrets?: { serviceAccountAnnotations: Record<string, pulumi.Input<string>>; podLabels: Record<string, string> };
    /** KEDA values for its cloud identity (workload identity on Azure). */
    readonly kedaValues?: Record<string, unknown> | undefined;
    /**
     * The cloud's part of the autoscaler values (autoDiscovery, awsRegion...): a plain object whose
     * fields may be Outputs. The cloud-agnostic values are merged around it and win on conflicts.
     */
    readonly clusterAutoscalerValues?: pulumi.Input<Record<string, unknown>>;
    /** Existing Secret in `monitoring` with keys admin-user / admin-password. */
    readonly grafanaAdminSecret: string;
    /** The nodes run kube-proxy (not where Cilium replaces it), so its metrics can be scraped. */
    readonly kubeProxy: boolean;
}

/** How big and how redundant the add-ons run in one environment. */
export interface AddonProfile {
    /** Column of the sizing table. */
    readonly tier: "small" | "standard";
    /** Controllers and webhooks; leader election keeps one of them active. */
    readonly replicas: number;
    /** The gateway's Envoy proxies; a CPU autoscaler scales between the two when max > min. */
    readonly gateway: { readonly min: number; readonly max: number };
    readonly autoscalerReplicas: number;
    readonly prometheusReplicas: number;
    readonly alertmanagerReplicas: number;
    /** PodDisruptionBudgets on every add-on running more than one replica. */
    readonly disruptionBudgets: boolean;
    /** Spread replicas over zones (preferred) and nodes (required). */
    readonly spread: boolean;
}

const profiles: Record<EnvironmentName, AddonProfile> = {
    dev: {
        tier: "small", replicas: 1, gateway: { min: 1, max: 1 }, autoscalerReplicas: 1,
        prometheusReplicas: 1, alertmanagerReplicas: 1, disruptionBudgets: false, spread: false,
    },
    staging: {
        tier: "standard", replicas: 2, gateway: { min: 2, max: 2 }, autoscalerReplicas: 1,
        prometheusReplicas: 1, alertmanagerReplicas: 2, disruptionBudgets: true, spread: true,
    },
    prod: {
        tier: "standard", replicas: 2, gateway: { min: 3, max: 9 }, autoscalerReplicas: 2,
        prometheusReplicas: 2, alertmanagerReplicas: 3, disruptionBudgets: true, spread: true,
    },
};

export function addonProfile(environment: EnvironmentName): AddonProfile {
    const profile = profiles[environment];
    if (!profile) {
        throw new Error(`no add-on profile for environment "${environment}"; expected one of ${Object.keys(profiles).join(", ")}`);
    }
    return profile;
}

/** CPU request, memory request, memory limit. No CPU limits: they only throttle. */
type Size = readonly [string, string, string];

const sizing = {
    certManager: { small: ["10m", "64Mi", "128Mi"], standard: ["50m", "128Mi", "256Mi"] },
    certManagerWebhook: { small: ["10m", "32Mi", "64Mi"], standard: ["20m", "64Mi", "128Mi"] },
    envoyGateway: { small: ["50m", "128Mi", "256Mi"], standard: ["100m", "256Mi", "1Gi"] },
    envoyProxy: { small: ["100m", "128Mi", "256Mi"], standard: ["500m", "512Mi", "1Gi"] },
    loadBalancerController: { small: ["50m", "128Mi", "256Mi"], standard: ["100m", "256Mi", "512Mi"] },
    externalDns: { small: ["10m", "64Mi", "128Mi"], standard: ["50m", "128Mi", "256Mi"] },
    metricsServer: { small: ["50m", "64Mi", "128Mi"], standard: ["100m", "200Mi", "400Mi"] },
    clusterAutoscaler: { small: ["50m", "128Mi", "256Mi"], standard: ["100m", "300Mi", "600Mi"] },
    prometheus: { small: ["200m", "1Gi", "2Gi"], standard: ["1", "4Gi", "8Gi"] },
    prometheusOperator: { small: ["50m", "64Mi", "128Mi"], standard: ["100m", "128Mi", "256Mi"] },
    alertmanager: { small: ["20m", "64Mi", "128Mi"], standard: ["50m", "128Mi", "256Mi"] },
    grafana: { small: ["50m", "128Mi", "256Mi"], standard: ["200m", "512Mi", "1Gi"] },
    loki: { small: ["200m", "512Mi", "1Gi"], standard: ["1", "2Gi", "4Gi"] },
    jaeger: { small: ["100m", "256Mi", "512Mi"], standard: ["500m", "1Gi", "2Gi"] },
    externalSecrets: { small: ["10m", "64Mi", "128Mi"], standard: ["50m", "128Mi", "256Mi"] },
    alloy: { small: ["50m", "128Mi", "256Mi"], standard: ["200m", "512Mi", "1Gi"] },
    keda: { small: ["50m", "128Mi", "256Mi"], standard: ["100m", "256Mi", "512Mi"] },
} as const satisfies Record<string, Record<AddonProfile["tier"], Size>>;

/** Volumes whose size the stack file does not set. */
export const fixedVolumeGiB: Record<AddonProfile["tier"], { grafana: number; alertmanager: number }> = {
    small: { grafana: 2, alertmanager: 1 },
    standard: { grafana: 10, alertmanager: 5 },
};

export function resources(component: keyof typeof sizing, profile: AddonProfile) {
    const [cpu, memory, memoryLimit] = sizing[component][profile.tier];
    return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}

/** Zones are only preferred: the autoscaler cannot target a zone in a multi-zone node group. */
export function spread(profile: AddonProfile, matchLabels: Record<string, string>) {
    if (!profile.spread) {
        return [];
    }
    return [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels } },
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels } },
    ];
}

export function disruptionBudget(profile: AddonProfile, replicas: number) {
    return { enabled: profile.disruptionBudgets && replicas > 1, minAvailable: 1 };
}

export function volumeClaimSpec(storageClassName: string, sizeGiB: number) {
    return { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${sizeGiB}Gi` } } };
}

function serviceUrl(chart: ChartRef, port: number): string {
    return `http://${chart.releaseName}.${chart.namespace}.svc:${port}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (value === null || typeof value !== "object") {
        return false;
    }
    const prototype = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
}

/**
 * Deep-merges Helm values: `overlay` wins, arrays are replaced, and anything that is not a plain
 * object (an Output, a Promise) is a leaf that Pulumi resolves in the Release inputs.
 */
export function mergeValues(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
        const current = merged[key];
        merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
    }
    return merged;
}

/** The cloud part of the autoscaler values, which must be a plain object to merge without `apply`. */
export function plainCloudValues(values: AddonValuesInput["clusterAutoscalerValues"]): Record<string, unknown> {
    if (values === undefined) {
        return {};
    }
    if (!isPlainObject(values)) {
        throw new Error("clusterAutoscalerValues must be a plain object (its fields may be Outputs), not an Output or Promise of one");
    }
    return values;
}

/** In-cluster endpoints other components point at (Grafana, workloads' OTLP exporters). */
/**
 * The one Loki tenant: with authentication on, Loki refuses a push or query without this
 * `X-Scope-OrgID`, so only the platform's collector and Grafana, which send it, get through.
 */
export const lokiTenant = "platform";

export const addonEndpoints = {
    loki: serviceUrl(charts.loki, 3100),
    jaegerQuery: serviceUrl(charts.jaeger, 16686),
    jaegerOtlpGrpc: serviceUrl(charts.jaeger, 4317),
    jaegerOtlpHttp: serviceUrl(charts.jaeger, 4318),
};

export const badgerClaimName = `${charts.jaeger.releaseName}-badger`;
export const badgerMountPath = "/badger";

/** The claim Jaeger's badger store lives on: the chart mounts volumes but cannot create one. */
export function jaegerVolumeClaim(input: AddonValuesInput) {
    return {
        metadata: { name: badgerClaimName, namespace: charts.jaeger.namespace },
        spec: volumeClaimSpec(input.storageClassName, input.observability.tracesStorageGiB),
    };
}

/** "1.35" → "v1.35.0": the autoscaler only supports the Kubernetes minor it was built for. */
export function autoscalerImageTag(kubernetesVersion: string): string {
    const match = /^(\d+)\.(\d+)$/.exec(kubernetesVersion);
    if (!match) {
        throw new Error(`kubernetesVersion "${kubernetesVersion}" must be a minor version such as "1.35"`);
    }
    return `v${match[1]}.${match[2]}.0`;
}

/** Grafana data sources for the installed log and trace backends, linking log lines to traces. */
export function grafanaDataSources(input: AddonValuesInput): Record<string, unknown>[] {
    const jaeger = { name: "Jaeger", uid: "jaeger", type: "jaeger", access: "proxy", url: addonEndpoints.jaegerQuery };
    // `$$` escapes Grafana's environment expansion in provisioning files.
    const traceLinks = input.enabled.jaeger
        ? { derivedFields: [{ name: "TraceID", matcherRegex: "trace_?[iI][dD]=(\\w+)", datasourceUid: "jaeger", url: "$${__value.raw}" }] }
        : {};
    const loki = {
        name: "Loki", uid: "loki", type: "loki", access: "proxy", url: addonEndpoints.loki,
        jsonData: { ...traceLinks, httpHeaderName1: "X-Scope-OrgID" },
        secureJsonData: { httpHeaderValue1: lokiTenant },
    };
    return [...(input.enabled.loki ? [loki] : []), ...(input.enabled.jaeger ? [jaeger] : [])];
}
