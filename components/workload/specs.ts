/**
 * A workload's Kubernetes objects as plain specs: the Deployment (restricted Pod Security,
 * probes, requests and limits, zone spread), its autoscaler (HPA on CPU or a KEDA
 * ScaledObject on queue depth), disruption budget, route and traffic policy on the shared
 * gateway, ExternalSecrets and NetworkPolicies. Pure: the `Workload` component applies them.
 */
import type { Input } from "@pulumi/pulumi";
import type { apps, autoscaling, core, policy } from "@pulumi/kubernetes/types/input.js";
import type { Workload } from "../../config/workloads.ts";
import { cpuLimitRatio } from "../../config/workloads.ts";
import { gatewayName, gatewayNamespace } from "../kubernetes/edge-values.ts";
import type { NetworkPolicySpec } from "../kubernetes/guardrails.ts";
import type { QueueTrigger } from "../kubernetes/kubernetes.ts";

export const nameLabel = "app.kubernetes.io/name";
export const patternLabel = "platform.io/pattern";

export function selectorLabels(workload: Workload): Record<string, string> {
    return { [nameLabel]: workload.name };
}

export function workloadLabels(workload: Workload): Record<string, string> {
    return { ...selectorLabels(workload), [patternLabel]: workload.pattern, "app.kubernetes.io/managed-by": "platform" };
}

/** `openai-api-key` → `OPENAI_API_KEY`. */
export function secretEnvName(secret: string): string {
    return secret.toUpperCase().replaceAll("-", "_");
}

/** The Kubernetes Secret an ExternalSecret keeps in sync with the store. */
export function syncedSecretName(workload: Workload, secret: string): string {
    return `${workload.name}-${secret}`;
}

/** How often External Secrets re-reads the store: a rotated value reaches new pods within this. */
export const secretRefreshInterval = "15m";

export function externalSecretSpec(workload: Workload, secret: string, remoteKey: string, storeName: string): Record<string, unknown> {
    return {
        refreshInterval: secretRefreshInterval,
        secretStoreRef: { kind: "SecretStore", name: storeName },
        target: { name: syncedSecretName(workload, secret), creationPolicy: "Owner", deletionPolicy: "Delete" },
        data: [{ secretKey: "value", remoteRef: { key: remoteKey } }],
    };
}

const cpu = (cores: number) => `${Math.round(cores * 1000)}m`;

/** Requests as sized; CPU limits `cpuLimitRatio` times the request, memory limits equal to it. */
export function containerResources(workload: Workload) {
    return {
        requests: { cpu: cpu(workload.resources.cpu), memory: `${workload.resources.memoryMiB}Mi` },
        limits: { cpu: cpu(workload.resources.cpu * cpuLimitRatio), memory: `${workload.resources.memoryMiB}Mi` },
    };
}

/**
 * The restricted Pod Security Standard, at pod and container level. A numeric user (65532,
 * distroless `nonroot`): the kubelet cannot check `runAsNonRoot` against an image's named USER.
 */
export const restrictedPodSecurity = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } };
export const restrictedContainerSecurity = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

export interface PodCloudParts {
    readonly serviceAccountName: string;
    readonly podLabels: Record<string, string>;
    /** Values the cloud hands the workload (queue URL, model endpoint, region). */
    readonly env: Record<string, Input<string>>;
}

export function deploymentSpec(workload: Workload, cloud: PodCloudParts): apps.v1.DeploymentSpec {
    const probe = (which: keyof Workload["probes"]) => {
        const { path, periodSeconds, failureThreshold } = workload.probes[which];
        return { httpGet: { path, port: "http" }, periodSeconds, failureThreshold, timeoutSeconds: 2 };
    };
    const env = [
        ...Object.entries(workload.env).map(([name, value]) => ({ name, value })),
        ...Object.entries(cloud.env).map(([name, value]) => ({ name, value })),
        ...workload.secrets.map((secret) => ({
            name: secretEnvName(secret),
            valueFrom: { secretKeyRef: { name: syncedSecretName(workload, secret), key: "value" } },
        })),
    ];
    const labels = { ...workloadLabels(workload), ...cloud.podLabels };
    return {
        // No replicas: the autoscaler owns the count; a deploy never resets it.
        selector: { matchLabels: selectorLabels(workload) },
        strategy: { type: "RollingUpdate", rollingUpdate: workload.rollout },
        revisionHistoryLimit: 5,
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: cloud.serviceAccountName,
                automountServiceAccountToken: true,
                securityContext: restrictedPodSecurity,
                ...(workload.spreadAcrossZones ? { topologySpreadConstraints: zoneSpread(workload) } : {}),
                containers: [{
                    name: workload.name,
                    image: workload.image,
                    ports: [{ name: "http", containerPort: workload.port, protocol: "TCP" }],
                    env,
                    resources: containerResources(workload),
                    securityContext: restrictedContainerSecurity,
                    startupProbe: probe("startup"),
                    readinessProbe: probe("readiness"),
                    livenessProbe: probe("liveness"),
                    // A writable scratch directory despite the read-only root filesystem.
                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                }],
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
            },
        },
    };
}

/** Zones preferred (a zone may be full), nodes required: one node's loss takes at most one replica more than the rest. */
function zoneSpread(workload: Workload) {
    const labelSelector = { matchLabels: selectorLabels(workload) };
    return [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector },
    ];
}

/** A budget only where there is more than one replica to keep: with one, it would block every drain. */
export function disruptionBudgetSpec(workload: Workload): policy.v1.PodDisruptionBudgetSpec | undefined {
    return workload.replicas.min > 1
        ? { maxUnavailable: workload.disruption.maxUnavailable, selector: { matchLabels: selectorLabels(workload) } }
        : undefined;
}

/** web_api: CPU, fast up and slow down. */
export function horizontalAutoscalerSpec(workload: Workload): autoscaling.v2.HorizontalPodAutoscalerSpec | undefined {
    const scaling = workload.autoscaling;
    if (scaling.signal !== "cpu") {
        return undefined;
    }
    const step = (settings: typeof scaling.scaleUp) => ({
        stabilizationWindowSeconds: settings.stabilizationSeconds,
        policies: [{ type: "Percent", value: settings.percent, periodSeconds: settings.periodSeconds }],
    });
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: workload.name },
        minReplicas: Math.max(workload.replicas.min, 1),
        maxReplicas: workload.replicas.max,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: scaling.targetCpuPercent } } }],
        behavior: { scaleUp: step(scaling.scaleUp), scaleDown: step(scaling.scaleDown) },
    };
}

/** background_worker: KEDA on queue depth; from zero where the pattern allows it (dev). */
export function scaledObjectSpec(workload: Workload, trigger: QueueTrigger, authenticationName: string): Record<string, unknown> | undefined {
    if (workload.autoscaling.signal !== "queueDepth") {
        return undefined;
    }
    return {
        scaleTargetRef: { name: workload.name },
        minReplicaCount: workload.replicas.min,
        maxReplicaCount: workload.replicas.max,
        pollingInterval: 15,
        // Idle workers stay a while before KEDA scales them away.
        cooldownPeriod: 300,
        triggers: [{ type: trigger.type, metadata: trigger.metadata, authenticationRef: { name: authenticationName } }],
    };
}

export function serviceSpec(workload: Workload): core.v1.ServiceSpec {
    return { type: "ClusterIP", selector: selectorLabels(workload), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] };
}

/** The route on the shared gateway's HTTPS listener for its host, with the pattern's timeout and security headers. */
export function httpRouteSpec(workload: Workload, listener: string): Record<string, unknown> | undefined {
    const route = workload.route;
    if (!route) {
        return undefined;
    }
    return {
        // HTTPS only: the HTTP listener belongs to the redirect.
        parentRefs: [{ name: gatewayName, namespace: gatewayNamespace, sectionName: listener }],
        hostnames: [route.host],
        rules: [{
            matches: [{ path: { type: "PathPrefix", value: "/" } }],
            filters: [{
                type: "ResponseHeaderModifier",
                responseHeaderModifier: { set: Object.entries(route.responseHeaders).map(([name, value]) => ({ name, value })) },
            }],
            backendRefs: [{ name: workload.name, port: 80 }],
            timeouts: { request: `${route.timeoutSeconds}s` },
        }],
    };
}

/** Envoy Gateway's local rate limit on the route, enforced at each proxy. */
export function rateLimitPolicySpec(workload: Workload): Record<string, unknown> | undefined {
    const route = workload.route;
    if (!route) {
        return undefined;
    }
    return {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: workload.name }],
        rateLimit: { local: { rules: [{ limit: { requests: route.rateLimit.requests, unit: route.rateLimit.unit } }] } },
    };
}

/**
 * Exactly this workload's inbound traffic from outside its namespace: the gateway's proxies
 * (in `proxyNamespace`) to its port, for a routed workload.
 */
export function workloadNetworkPolicy(workload: Workload, proxyNamespace: string): NetworkPolicySpec | undefined {
    if (!workload.route) {
        return undefined;
    }
    return {
        name: `${workload.name}-from-gateway`,
        spec: {
            podSelector: { matchLabels: selectorLabels(workload) },
            policyTypes: ["Ingress"],
            ingress: [{
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": proxyNamespace } } }],
                ports: [{ protocol: "TCP", port: workload.port }],
            }],
        },
    };
}
