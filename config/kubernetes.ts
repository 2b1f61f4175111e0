/**
 * Schema of `platform:kubernetes`: the add-ons installed on the cluster, the workload
 * namespaces and their guardrails, and developer access. Pure, like the rest of the schema.
 */
import { z } from "zod";

/** Each add-on can be switched off in the stack file; all of them are required keys so the file says what it runs. */
const addons = z.strictObject({
    /** cert-manager and a Let's Encrypt cluster issuer (DNS-01 in `platform:dns`, HTTP-01 through the gateway). */
    certManager: z.boolean(),
    /**
     * Envoy Gateway and the stack's shared Gateway (Gateway API) behind the cloud's load
     * balancer; on AWS also the AWS Load Balancer Controller that provisions it. Needs cert-manager.
     */
    gateway: z.boolean(),
    /** metrics-server, for `kubectl top` and horizontal pod autoscaling. */
    metricsServer: z.boolean(),
    /** The cluster autoscaler; AWS only, AKS runs its own (the key is ignored on Azure). */
    clusterAutoscaler: z.boolean(),
    /** kube-prometheus-stack: Prometheus, Alertmanager and Grafana. */
    monitoring: z.boolean(),
    /** Loki for logs. */
    loki: z.boolean(),
    /** Jaeger for traces (OTLP on 4317/4318). */
    jaeger: z.boolean(),
    /** External Secrets Operator and a cluster secret store bound to the stack's secrets store. */
    externalSecrets: z.boolean(),
    /** KEDA, which scales queue-driven workloads (background_worker) on their queue's depth. */
    keda: z.boolean(),
});

const observability = z.strictObject({
    /** Days Prometheus keeps metrics, 1 to 90. */
    metricsRetentionDays: z.int().min(1).max(90),
    /** Prometheus volume in GiB, 10 to 2000. */
    metricsStorageGiB: z.int().min(10).max(2000),
    /** Days Loki keeps logs, 1 to 90. */
    logsRetentionDays: z.int().min(1).max(90),
    /** Loki volume in GiB, 10 to 2000. */
    logsStorageGiB: z.int().min(10).max(2000),
    /** Days Jaeger keeps traces, 1 to 30. */
    tracesRetentionDays: z.int().min(1).max(30),
    /** Jaeger volume in GiB, 10 to 2000. */
    tracesStorageGiB: z.int().min(10).max(2000),
});

/** Names the platform's own add-ons use; workload namespaces must not take them. */
export const reservedNamespaces = [
    "default", "kube-system", "kube-public", "kube-node-lease",
    "cert-manager", "envoy-gateway-system", "gateway", "external-dns", "monitoring", "external-secrets", "keda",
] as const;

export const namespaceName = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: (issue) => `"${String(issue.input)}" is not a Kubernetes namespace name` })
    .refine((name) => !(reservedNamespaces as readonly string[]).includes(name) && !name.startsWith("kube-"), {
        error: (issue) => `"${String(issue.input)}" is reserved for the platform`,
    });

/** Per workload namespace; the limits (hard caps) are twice the requests. */
const quota = z.strictObject({
    /** vCPUs the namespace's pods may request in total, 1 to 256. */
    cpu: z.number().min(1).max(256),
    /** Memory (GiB) the namespace's pods may request in total, 1 to 1024. */
    memoryGiB: z.number().min(1).max(1024),
    /** Pods at most, 1 to 1000. */
    pods: z.int().min(1).max(1000),
});

const developers = z.strictObject({
    /** `edit` (create and change workloads) or `view` (read, without Secrets). Prod is always `view`. */
    access: z.enum(["edit", "view"]),
    aws: z.strictObject({
        /** IAM roles developers assume; each gets an EKS access entry mapped to the developers' group. @default [] */
        roleArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: (issue) => `"${String(issue.input)}" is not an IAM role ARN` })).default([]),
    }).default({ roleArns: [] }),
    azure: z.strictObject({
        /** Entra ID groups of developers. @default [] */
        groupObjectIds: z.array(z.uuid({ error: (issue) => `"${String(issue.input)}" is not an Entra ID object id` })).default([]),
    }).default({ groupObjectIds: [] }),
});

export const kubernetes = z
    .strictObject({
        addons,
        /** Contact address Let's Encrypt sends expiry notices to. */
        acmeEmail: z.email({ error: (issue) => `"${String(issue.input)}" is not an e-mail address` }),
        observability,
        /** Workload namespaces, each with the quota, limit range, network policies and RBAC below. At least one. */
        namespaces: z.array(namespaceName).min(1),
        quota,
        developers,
    })
    .superRefine((value, context) => {
        if (value.addons?.certManager === false && value.addons.gateway === true) {
            context.addIssue({
                code: "custom",
                path: ["addons", "gateway"],
                message: "the gateway serves HTTPS with cert-manager's certificates; enable kubernetes.addons.certManager or turn the gateway off",
            });
        }
        if (value.addons?.certManager === true && value.addons.gateway === false) {
            context.addIssue({
                code: "custom",
                path: ["addons", "certManager"],
                message: "the cluster issuer answers HTTP-01 challenges through the gateway; enable kubernetes.addons.gateway or turn cert-manager off",
            });
        }
        const names = value.namespaces;
        if (Array.isArray(names)) {
            const repeated = names.find((name, index) => names.indexOf(name) !== index);
            if (repeated) {
                context.addIssue({ code: "custom", path: ["namespaces"], message: `"${repeated}" is listed twice` });
            }
        }
    });
