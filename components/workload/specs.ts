/**
 * A workload's Kubernetes objects as plain specs: the Deployment (restricted Pod Security,
 * probes, requests and limits, zone spread), its autoscaler (HPA on CPU or a KEDA
 * ScaledObject on queue depth), disruption budget, route and traffic policy on the shared
 * gateway, ExternalSecrets and NetworkPolicies. Pure: the `Workload` component applies them.
 */
import { createHash } from "node:crypto";
import type { Input } from "@pulumi/pulumi";
import type { apps, autoscaling, batch, core, policy } from "@pulumi/kubernetes/types/input.js";
import type { Workload, WorkloadDatabase } from "../../config/workloads.ts";
import { cpuLimitRatio } from "../../config/workloads.ts";
import { gatewayName, gatewayNamespace } from "../kubernetes/edge-values.ts";
import type { NetworkPolicySpec } from "../kubernetes/guardrails.ts";
import type { ScalerTrigger } from "../kubernetes/kubernetes.ts";

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

/** The container's environment: the entry's variables, what the cloud hands it, and its synced secrets. */
function containerEnv(workload: Workload, cloud: PodCloudParts) {
    return [
        ...Object.entries(workload.env).map(([name, value]) => ({ name, value })),
        ...Object.entries(cloud.env).map(([name, value]) => ({ name, value })),
        ...workload.secrets.map((secret) => ({
            name: secretEnvName(secret),
            valueFrom: { secretKeyRef: { name: syncedSecretName(workload, secret), key: "value" } },
        })),
    ];
}

/** A writable scratch directory despite the read-only root filesystem. */
const scratch = { mount: { name: "tmp", mountPath: "/tmp" }, volume: { name: "tmp", emptyDir: { sizeLimit: "256Mi" } } };

export function deploymentSpec(workload: Workload, cloud: PodCloudParts): apps.v1.DeploymentSpec {
    const probe = (which: keyof Workload["probes"]) => {
        const { path, periodSeconds, failureThreshold } = workload.probes[which];
        return { httpGet: { path, port: "http" }, periodSeconds, failureThreshold, timeoutSeconds: 2 };
    };
    const env = containerEnv(workload, cloud);
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
                    volumeMounts: [scratch.mount],
                }],
                volumes: [scratch.volume],
            },
        },
    };
}

/**
 * The migration Job's name changes with the image and the command, so each new version runs
 * its migrations once, as a new Job, before the Deployment that waits for it rolls out.
 */
export function migrationJobName(workload: Workload): string {
    const version = createHash("sha256").update(JSON.stringify([workload.image, workload.migrations?.command])).digest("hex").slice(0, 10);
    return `${workload.name}-migrate-${version}`;
}

/** The workload's own image, identity and environment running its migration command; a failure stops the rollout. */
export function migrationJobSpec(workload: Workload, cloud: PodCloudParts): batch.v1.JobSpec | undefined {
    const migrations = workload.migrations;
    if (!migrations) {
        return undefined;
    }
    return {
        backoffLimit: migrations.backoffLimit,
        activeDeadlineSeconds: migrations.timeoutSeconds,
        template: {
            metadata: { labels: { ...workloadLabels(workload), ...cloud.podLabels, "platform.io/job": "migrate" } },
            spec: {
                serviceAccountName: cloud.serviceAccountName,
                restartPolicy: "Never",
                securityContext: restrictedPodSecurity,
                containers: [{
                    name: "migrate",
                    image: workload.image,
                    command: [...migrations.command],
                    env: containerEnv(workload, cloud),
                    resources: containerResources(workload),
                    securityContext: restrictedContainerSecurity,
                    volumeMounts: [scratch.mount],
                }],
                volumes: [scratch.volume],
            },
        },
    };
}

/** A PostgreSQL string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * What the provisioner runs as the server's administrator for a data_api (idempotent, psql):
 * the workload's login role (the cloud's SQL: IAM or Entra, no password), then its own
 * database, which no other role may connect to, with the role allowed to create its tables.
 */
export function databaseProvisioningSql(database: WorkloadDatabase, roleSql: string): string {
    return [
        "\\set ON_ERROR_STOP on",
        roleSql,
        `SELECT 'CREATE DATABASE ${database.name}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(database.name)})\\gexec`,
        `REVOKE ALL ON DATABASE ${database.name} FROM PUBLIC;`,
        `GRANT CONNECT, TEMPORARY ON DATABASE ${database.name} TO ${database.user};`,
        `\\connect ${database.name}`,
        `GRANT USAGE, CREATE ON SCHEMA public TO ${database.user};`,
        "",
    ].join("\n");
}

/**
 * Images of the provisioning jobs, checked 2026-12 against their projects' releases: the
 * Docker official PostgreSQL image through Amazon ECR Public's mirror (no Docker Hub pull
 * limits), curl's own image, Apache Kafka's official image (its CLI tools) and AWS's own
 * AWS CLI v2 image on ECR Public.
 */
export const provisioningImages = {
    postgres: "public.ecr.aws/docker/library/postgres:18.6-alpine",
    curl: "curlimages/curl:8.22.0",
    kafka: "apache/kafka:4.3.1",
    awsCli: "public.ecr.aws/aws-cli/aws-cli:2.37.11",
} as const;

/** Where provisioning jobs run: a platform namespace no developer is bound in. */
export const provisioningNamespace = "platform-provisioning";
export const provisionerServiceAccount = "provisioner";

/**
 * The kubelet expands `$(VAR)` in a container's command and turns `$$` into `$` (Kubernetes
 * docs, "Define a command and arguments for a container"): a script passed there must double
 * every `$` to reach the shell as written.
 */
export function kubeletLiteral(script: string): string {
    return script.replaceAll("$", "$$$$");
}

export interface ProvisioningJob {
    readonly image: string;
    /** The shell script, run by `sh -c`; already passed through `kubeletLiteral`. */
    readonly script: Input<string>;
    readonly env: Record<string, Input<string>>;
    /** A file fetched over HTTPS into /tmp before the script runs. */
    readonly fetch?: { readonly url: string; readonly file: string } | undefined;
    /** PGPASSWORD from this Secret's `password` key, where the admin signs in with a password. */
    readonly passwordSecret?: string | undefined;
    /** A Secrets Manager secret read into /tmp (its SecretString) before the script runs, with the job's own role. */
    readonly awsSecret?: { readonly arn: Input<string>; readonly region: Input<string>; readonly file: string } | undefined;
    readonly podLabels: Record<string, string>;
}

/** A provisioning Job: restricted like every pod, a few retries, ten minutes at most, kept for inspection. */
export function provisioningJobSpec(job: ProvisioningJob): batch.v1.JobSpec {
    const initContainers = [
        ...(job.fetch ? [{
            name: "fetch",
            image: provisioningImages.curl,
            command: ["curl", "--fail", "--silent", "--show-error", "--location", "--proto", "=https", "--output", `/tmp/${job.fetch.file}`, job.fetch.url],
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            securityContext: restrictedContainerSecurity,
            volumeMounts: [scratch.mount],
        }] : []),
        // EKS Pod Identity gives credentials but no region; the CLI keeps its cache in HOME.
        ...(job.awsSecret ? [{
            name: "read-secret",
            image: provisioningImages.awsCli,
            command: ["/bin/sh", "-c", kubeletLiteral(`umask 077; aws secretsmanager get-secret-value --secret-id "$SECRET_ARN" --query SecretString --output text > /tmp/${job.awsSecret.file}`)],
            env: [{ name: "HOME", value: "/tmp" }, { name: "AWS_REGION", value: job.awsSecret.region }, { name: "SECRET_ARN", value: job.awsSecret.arn }],
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
            securityContext: restrictedContainerSecurity,
            volumeMounts: [scratch.mount],
        }] : []),
    ];
    return {
        backoffLimit: 3,
        activeDeadlineSeconds: 600,
        template: {
            metadata: { labels: { "app.kubernetes.io/managed-by": "platform", "platform.io/job": "provision", ...job.podLabels } },
            spec: {
                serviceAccountName: provisionerServiceAccount,
                restartPolicy: "Never",
                securityContext: restrictedPodSecurity,
                ...(initContainers.length > 0 ? { initContainers } : {}),
                containers: [{
                    name: "provision",
                    image: job.image,
                    command: ["/bin/sh", "-c", job.script],
                    env: [
                        // Programs that keep a home directory (psql's history, the JVM's) keep it in the scratch volume.
                        { name: "HOME", value: "/tmp" },
                        ...Object.entries(job.env).map(([name, value]) => ({ name, value })),
                        ...(job.passwordSecret ? [{ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: job.passwordSecret, key: "password" } } }] : []),
                    ],
                    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                    securityContext: restrictedContainerSecurity,
                    volumeMounts: [scratch.mount],
                }],
                volumes: [scratch.volume],
            },
        },
    };
}

/**
 * What a data_api reads to reach its data: the writer (through the pooler when pooling is on),
 * the readers (the replicas; the writer when there are none), its database and user, TLS
 * required; the cache's endpoint, TLS and protocol. Its password is the synced `redis-password`.
 */
export function dataServiceEnv(
    database: WorkloadDatabase | undefined,
    server: { readonly writer: { readonly host: Input<string>; readonly port: number }; readonly readers: Input<string>; readonly port: number } | undefined,
    cache: { readonly host: Input<string>; readonly port: number; readonly clustered: boolean } | undefined,
): Record<string, Input<string>> {
    return {
        ...(database && server ? {
            DATABASE_HOST: server.writer.host,
            DATABASE_PORT: String(server.writer.port),
            // Comma-separated; the server itself when it has no replicas.
            DATABASE_READER_HOSTS: server.readers,
            DATABASE_READER_PORT: String(server.port),
            DATABASE_NAME: database.name,
            DATABASE_USER: database.user,
            PGSSLMODE: "require",
        } : {}),
        ...(cache ? { CACHE_HOST: cache.host, CACHE_PORT: String(cache.port), CACHE_TLS: "true", CACHE_CLUSTERED: String(cache.clustered) } : {}),
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

/** background_worker and event_processor: KEDA on queue depth or consumer lag; from zero where the pattern allows it (dev). */
export function scaledObjectSpec(workload: Workload, trigger: ScalerTrigger, authenticationName: string): Record<string, unknown> | undefined {
    if (workload.autoscaling.signal === "cpu") {
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

/**
 * An alert when KEDA measures the workload's consumer lag above the pattern's threshold for ten
 * minutes (`keda_scaler_metrics_value`, the value its Kafka trigger scales on).
 */
export function consumerLagRuleSpec(workload: Workload): Record<string, unknown> | undefined {
    const events = workload.events;
    if (!events) {
        return undefined;
    }
    return {
        groups: [{
            name: `${workload.name}.events`,
            rules: [{
                alert: "ConsumerLagHigh",
                expr: `max(keda_scaler_metrics_value{exported_namespace="${workload.namespace}", scaledObject="${workload.name}"}) > ${events.alerts.consumerLagEvents}`,
                for: "10m",
                labels: { severity: "warning", workload: workload.name },
                annotations: { summary: `${workload.name} is more than ${events.alerts.consumerLagEvents} events behind on ${events.topic}` },
            }],
        }],
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
