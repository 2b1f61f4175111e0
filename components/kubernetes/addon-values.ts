/**
 * The cloud-agnostic add-on catalog: Helm values for each pinned chart, from the environment's
 * profile and the stack's observability settings. Every key exists in the pinned chart
 * version. Pure: no resources; the platform component installs the releases.
 */
import {
    addonProfile, autoscalerImageTag, badgerClaimName, badgerMountPath, charts, disruptionBudget, fixedVolumeGiB,
    grafanaDataSources, mergeValues, plainCloudValues, resources, spread, volumeClaimSpec,
    type AddonName, type AddonValuesInput,
} from "./charts.ts";
import { addonServiceAccounts } from "./kubernetes.ts";

export {
    addonEndpoints, addonProfile, autoscalerImageTag, charts, jaegerVolumeClaim, lokiTenant, mergeValues,
} from "./charts.ts";
export type { AddonName, AddonProfile, AddonValuesInput, ChartRef } from "./charts.ts";

type Values = Record<string, unknown>;

function labels(chart: AddonName, extra: Record<string, string> = {}) {
    return { "app.kubernetes.io/instance": charts[chart].releaseName, ...extra };
}

function certManager(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    const component = (name: string, size: "certManager" | "certManagerWebhook") => ({
        replicaCount: profile.replicas,
        podDisruptionBudget: disruptionBudget(profile, profile.replicas),
        resources: resources(size, profile),
        topologySpreadConstraints: spread(profile, labels("certManager", { "app.kubernetes.io/component": name })),
    });
    return mergeValues({
        crds: { enabled: true, keep: true },
        ...component("controller", "certManager"),
        prometheus: { enabled: true, servicemonitor: { enabled: input.enabled.monitoring } },
        // Solves HTTP-01 challenges with HTTPRoutes on the shared gateway.
        config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: input.enabled.gateway },
        webhook: component("webhook", "certManagerWebhook"),
        cainjector: component("cainjector", "certManager"),
    }, input.certManagerValues ?? {});
}

function gateway(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    return {
        // The CRDs come from their own chart, standard channel only (edge-values.ts).
        crds: { enabled: false },
        deployment: {
            replicas: profile.replicas,
            envoyGateway: { resources: resources("envoyGateway", profile) },
            pod: { topologySpreadConstraints: spread(profile, labels("gateway")) },
        },
        podDisruptionBudget: { minAvailable: disruptionBudget(profile, profile.replicas).enabled ? 1 : 0 },
    };
}

function metricsServer(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    return {
        replicas: profile.replicas,
        podDisruptionBudget: disruptionBudget(profile, profile.replicas),
        resources: resources("metricsServer", profile),
        topologySpreadConstraints: spread(profile, labels("metricsServer", { "app.kubernetes.io/name": "metrics-server" })),
        metrics: { enabled: input.enabled.monitoring },
        serviceMonitor: { enabled: input.enabled.monitoring },
    };
}

function clusterAutoscaler(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    return mergeValues(plainCloudValues(input.clusterAutoscalerValues), {
        replicaCount: profile.autoscalerReplicas,
        image: { tag: autoscalerImageTag(input.kubernetesVersion) },
        // The cloud identity trusts exactly this service account.
        rbac: { serviceAccount: { create: true, name: addonServiceAccounts.clusterAutoscaler.name } },
        extraArgs: { "balance-similar-node-groups": true, expander: "least-waste", "skip-nodes-with-local-storage": false },
        resources: resources("clusterAutoscaler", profile),
        serviceMonitor: { enabled: input.enabled.monitoring, namespace: charts.monitoring.namespace },
    });
}

function monitoring(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    const { observability, storageClassName } = input;
    const volumes = fixedVolumeGiB[profile.tier];
    // EKS and AKS run the control plane out of reach: scraping it would only fire "down" alerts forever.
    const hidden = { enabled: false };
    return {
        kubeControllerManager: hidden,
        kubeScheduler: hidden,
        kubeEtcd: hidden,
        kubeProxy: { enabled: input.kubeProxy },
        prometheus: {
            podDisruptionBudget: disruptionBudget(profile, profile.prometheusReplicas),
            prometheusSpec: {
                replicas: profile.prometheusReplicas,
                retention: `${observability.metricsRetentionDays}d`,
                // Also capped at 85 % of the volume, so a busy cluster drops old data instead of filling it.
                retentionSize: `${Math.floor(observability.metricsStorageGiB * 0.85)}GB`,
                storageSpec: { volumeClaimTemplate: { spec: volumeClaimSpec(storageClassName, observability.metricsStorageGiB) } },
                resources: resources("prometheus", profile),
                topologySpreadConstraints: spread(profile, { "app.kubernetes.io/name": "prometheus" }),
                // Select the ServiceMonitors, PodMonitors and rules of every other chart, not only this release's.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
            },
        },
        alertmanager: {
            podDisruptionBudget: disruptionBudget(profile, profile.alertmanagerReplicas),
            alertmanagerSpec: {
                replicas: profile.alertmanagerReplicas,
                storage: { volumeClaimTemplate: { spec: volumeClaimSpec(storageClassName, volumes.alertmanager) } },
                resources: resources("alertmanager", profile),
                topologySpreadConstraints: spread(profile, { "app.kubernetes.io/name": "alertmanager" }),
            },
        },
        // One replica: its SQLite database lives on the volume.
        grafana: {
            admin: { existingSecret: input.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
            persistence: { enabled: true, type: "sts", storageClassName, accessModes: ["ReadWriteOnce"], size: `${volumes.grafana}Gi` },
            resources: resources("grafana", profile),
            additionalDataSources: grafanaDataSources(input),
        },
        prometheusOperator: { resources: resources("prometheusOperator", profile) },
    };
}

/** One monolithic Loki on a filesystem volume: it cannot run more than one replica without object storage. */
function loki(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    const { observability } = input;
    const monitored = { enabled: input.enabled.monitoring };
    return {
        deploymentMode: "Monolithic",
        loki: {
            // Multi-tenant mode: requests without the platform's tenant header are refused.
            auth_enabled: true,
            commonConfig: { replication_factor: 1 },
            storage: { type: "filesystem" },
            schemaConfig: {
                configs: [{ from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }],
            },
            limits_config: { retention_period: `${observability.logsRetentionDays * 24}h` },
            compactor: { retention_enabled: true, delete_request_store: "filesystem" },
        },
        singleBinary: {
            replicas: 1,
            resources: resources("loki", profile),
            persistence: { enabled: true, size: `${observability.logsStorageGiB}Gi`, storageClass: input.storageClassName },
        },
        backend: { replicas: 0 },
        read: { replicas: 0 },
        write: { replicas: 0 },
        // Grafana reads the single binary directly; nothing else to route.
        gateway: { enabled: false },
        chunksCache: { enabled: false },
        // A small query-results cache pays off only under production dashboards.
        resultsCache: { enabled: input.environment === "prod" },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        monitoring: {
            serviceMonitor: monitored,
            rules: monitored,
            alerts: monitored,
            dashboards: { ...monitored, labels: { grafana_dashboard: "1" } },
        },
    };
}

/** Jaeger v2 all-in-one; `userconfig` replaces the chart's in-memory configuration. */
function jaeger(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    const anywhere = (port: number) => ({ endpoint: `0.0.0.0:${port}` });
    return {
        jaeger: {
            enabled: true,
            // Badger takes an exclusive lock on its directory.
            replicas: 1,
            resources: resources("jaeger", profile),
            podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
            extraVolumes: [{ name: "badger", persistentVolumeClaim: { claimName: badgerClaimName } }],
            extraVolumeMounts: [{ name: "badger", mountPath: badgerMountPath }],
        },
        userconfig: {
            service: {
                extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
                pipelines: { traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] } },
            },
            extensions: {
                healthcheckv2: { use_v2: true, http: anywhere(13133) },
                jaeger_query: { storage: { traces: "primary_store" } },
                jaeger_storage: {
                    backends: {
                        primary_store: {
                            badger: {
                                directories: { keys: `${badgerMountPath}/keys`, values: `${badgerMountPath}/values` },
                                ephemeral: false,
                                ttl: { spans: `${input.observability.tracesRetentionDays * 24}h` },
                            },
                        },
                    },
                },
            },
            receivers: { otlp: { protocols: { grpc: anywhere(4317), http: anywhere(4318) } } },
            processors: { batch: {} },
            exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
        },
    };
}

function externalSecrets(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    const component = (name: string) => ({
        replicaCount: profile.replicas,
        podDisruptionBudget: disruptionBudget(profile, profile.replicas),
        resources: resources("externalSecrets", profile),
        topologySpreadConstraints: spread(profile, labels("externalSecrets", { "app.kubernetes.io/name": name })),
    });
    return {
        installCRDs: true,
        ...component("external-secrets"),
        leaderElect: profile.replicas > 1,
        serviceAccount: {
            create: true,
            // The cloud identity trusts exactly this service account.
            name: addonServiceAccounts.externalSecrets.name,
            annotations: input.externalSecrets?.serviceAccountAnnotations ?? {},
        },
        podLabels: input.externalSecrets?.podLabels ?? {},
        serviceMonitor: { enabled: input.enabled.monitoring },
        webhook: component("external-secrets-webhook"),
        certController: component("external-secrets-cert-controller"),
    };
}

/** KEDA: operator, metrics API server and admission webhooks, under the service account its cloud identity trusts. */
function keda(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    const spreadOf = (name: string) => spread(profile, { "app.kubernetes.io/name": name });
    const budget = disruptionBudget(profile, profile.replicas).enabled ? { minAvailable: 1 } : {};
    return mergeValues({
        operator: { replicaCount: profile.replicas },
        metricsServer: { replicaCount: profile.replicas },
        webhooks: { replicaCount: profile.replicas },
        podDisruptionBudget: { operator: budget, metricServer: budget, webhooks: budget },
        topologySpreadConstraints: { operator: spreadOf("keda-operator"), metricsServer: spreadOf("keda-operator-metrics-apiserver"), webhooks: spreadOf("keda-admission-webhooks") },
        resources: { operator: resources("keda", profile), metricServer: resources("keda", profile), webhooks: resources("keda", profile) },
        serviceAccount: { operator: { create: true, name: addonServiceAccounts.keda.name } },
        prometheus: {
            operator: { enabled: input.enabled.monitoring, serviceMonitor: { enabled: input.enabled.monitoring } },
            metricServer: { enabled: input.enabled.monitoring, serviceMonitor: { enabled: input.enabled.monitoring } },
        },
    }, input.kedaValues ?? {});
}

const builders: Record<AddonName, (input: AddonValuesInput) => Values> = {
    certManager, gateway, metricsServer, clusterAutoscaler, monitoring, loki, jaeger, externalSecrets, keda,
};

/** Helm values for one add-on: pure, no resources. */
export function addonValues(name: AddonName, input: AddonValuesInput): Values {
    const build = builders[name];
    if (!build) {
        throw new Error(`unknown add-on "${name}"; expected one of ${Object.keys(builders).join(", ")}`);
    }
    return build(input);
}
