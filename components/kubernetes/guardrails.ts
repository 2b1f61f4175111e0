/**
 * The guardrails every workload namespace gets, as plain Kubernetes specs: a quota, a limit
 * range, default-deny network policies with explicit allowances, and the developers' role.
 * Pure (no SDK), so the tables are tested directly.
 */
import type { networking } from "@pulumi/kubernetes/types/input.js";
import type { EnvironmentName, KubernetesConfig } from "../../config/schema.ts";
import type { PortRange } from "../cache/cache.ts";

export type NamespaceQuota = KubernetesConfig["quota"];

/** Hard caps (limits) are this multiple of the requests a namespace may make. */
export const limitToRequestRatio = 2;

/** ResourceQuota `spec.hard`; no LoadBalancer Services, so traffic enters through the shared gateway. */
export function quotaSpec(quota: NamespaceQuota): Record<string, string> {
    return {
        "requests.cpu": String(quota.cpu),
        "requests.memory": `${quota.memoryGiB}Gi`,
        "limits.cpu": String(quota.cpu * limitToRequestRatio),
        "limits.memory": `${quota.memoryGiB * limitToRequestRatio}Gi`,
        pods: String(quota.pods),
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    };
}

/** LimitRange: defaults for containers that set nothing (a quota rejects pods without requests otherwise). */
export function limitRangeSpec(quota: NamespaceQuota) {
    return {
        limits: [{
            type: "Container",
            defaultRequest: { cpu: "100m", memory: "128Mi" },
            default: { cpu: "500m", memory: "512Mi" },
            // One container may not take more than half of its namespace's quota.
            max: { cpu: String(quota.cpu / 2), memory: `${(quota.memoryGiB * 1024) / 2}Mi` },
        }],
    };
}

/** Pod Security Standards: workload namespaces run only `restricted` pods. */
export const workloadPodSecurityLabels = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
};

/** What a workload namespace's NetworkPolicy allowances need to know about the rest of the platform. */
export interface WorkloadTraffic {
    /** Address space of the cloud network; the data services and private endpoints live in it. */
    readonly networkCidr: string;
    /** Ports (and port ranges) of the database and cache. */
    readonly dataServicePorts: readonly PortRange[];
    /** Namespace of the gateway's proxies, when the gateway is installed. */
    readonly gatewayNamespace?: string | undefined;
    /** Namespace Prometheus scrapes from, when monitoring is installed. */
    readonly monitoringNamespace?: string | undefined;
    /** Namespace of the trace collector, when Jaeger is installed. */
    readonly tracingNamespace?: string | undefined;
    /** Link-local endpoints that hand pods their cloud credentials (EKS Pod Identity agent): workloads have identities. */
    readonly credentialEndpoints: readonly { readonly cidr: string; readonly port: number }[];
}

/** Ports of Jaeger's OTLP receivers (gRPC, HTTP). */
export const otlpPorts = [4317, 4318];

/** The instance metadata address: pods must never reach the node's cloud credentials. */
export const instanceMetadataCidr = "169.254.169.254/32";

export interface NetworkPolicySpec {
    readonly name: string;
    readonly spec: networking.v1.NetworkPolicySpec;
}

const inNamespace = (namespace: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });
const tcp = (port: number) => ({ protocol: "TCP", port });
const tcpRange = ({ port, endPort }: PortRange) => (endPort === undefined ? tcp(port) : { protocol: "TCP", port, endPort });

/** Default-deny in both directions, then one policy per allowance so each is visible by name. */
export function workloadNetworkPolicies(traffic: WorkloadTraffic): NetworkPolicySpec[] {
    const allPods = {};
    const policies: NetworkPolicySpec[] = [
        { name: "default-deny", spec: { podSelector: allPods, policyTypes: ["Ingress", "Egress"] } },
        {
            name: "allow-dns",
            spec: {
                podSelector: allPods,
                policyTypes: ["Egress"],
                egress: [{
                    to: [{ ...inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [{ protocol: "UDP", port: 53 }, tcp(53)],
                }],
            },
        },
        {
            name: "allow-same-namespace",
            spec: {
                podSelector: allPods,
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: [{ podSelector: allPods }] }],
                egress: [{ to: [{ podSelector: allPods }] }],
            },
        },
        {
            name: "allow-data-services",
            spec: {
                podSelector: allPods,
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: traffic.networkCidr } }], ports: traffic.dataServicePorts.map(tcpRange) }],
            },
        },
        {
            name: "allow-https-egress",
            spec: {
                podSelector: allPods,
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [instanceMetadataCidr] } }], ports: [tcp(443)] }],
            },
        },
    ];
    if (traffic.credentialEndpoints.length > 0) {
        policies.push({
            name: "allow-cloud-credentials",
            spec: {
                podSelector: allPods,
                policyTypes: ["Egress"],
                egress: traffic.credentialEndpoints.map(({ cidr, port }) => ({ to: [{ ipBlock: { cidr } }], ports: [tcp(port)] })),
            },
        });
    }
    if (traffic.gatewayNamespace) {
        policies.push({
            name: "allow-from-gateway",
            spec: { podSelector: allPods, policyTypes: ["Ingress"], ingress: [{ from: [inNamespace(traffic.gatewayNamespace)] }] },
        });
    }
    if (traffic.monitoringNamespace) {
        policies.push({
            name: "allow-from-monitoring",
            spec: { podSelector: allPods, policyTypes: ["Ingress"], ingress: [{ from: [inNamespace(traffic.monitoringNamespace)] }] },
        });
    }
    if (traffic.tracingNamespace) {
        policies.push({
            name: "allow-tracing-egress",
            spec: {
                podSelector: allPods,
                policyTypes: ["Egress"],
                egress: [{ to: [inNamespace(traffic.tracingNamespace)], ports: otlpPorts.map(tcp) }],
            },
        });
    }
    return policies;
}

/** The built-in ClusterRole developers get in workload namespaces: `view` never includes Secrets. */
export function developerRole(environment: EnvironmentName, access: "edit" | "view"): "edit" | "view" {
    // The schema already rejects `edit` in prod; this keeps the invariant if that check ever moves.
    return environment === "prod" ? "view" : access;
}
