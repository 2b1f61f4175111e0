/**
 * NetworkPolicies of the platform's own namespaces (cert-manager, the gateway's, monitoring,
 * external-secrets, external-dns): default-deny in both directions, then only what each add-on needs.
 * Pure: no resources; the platform component applies them.
 */
import type { AddonName } from "./charts.ts";
import { acmeSolverPort, envoyContainerPorts, gatewayNamespace } from "./edge-values.ts";
import { instanceMetadataCidr, otlpPorts, type NetworkPolicySpec } from "./guardrails.ts";

/** What the add-ons of one platform namespace need beyond DNS, HTTPS out and being scraped. */
export interface PlatformNamespaceNeeds {
    /** Ports the API server calls admission webhooks on, from outside the cluster network. */
    readonly webhookPorts?: readonly number[];
    /** Ports the internet reaches through the cloud load balancer (the gateway's proxies). */
    readonly publicPorts?: readonly number[];
    /** It forwards requests to the workload namespaces (the gateway's proxies). */
    readonly toWorkloads?: boolean;
    /** Other platform namespaces it calls, on these ports (the proxies to cert-manager's HTTP-01 solvers). */
    readonly toNamespaces?: readonly { readonly namespace: string; readonly ports: readonly number[] }[];
    /** Platform namespaces that call it, on these ports. */
    readonly fromNamespaces?: readonly { readonly namespace: string; readonly ports: readonly number[] }[];
    /** It asks authoritative name servers directly (cert-manager's DNS-01 propagation check). */
    readonly dnsEgress?: boolean;
    /** It scrapes every pod and node of the cluster (Prometheus). */
    readonly scrapesCluster?: boolean;
    /** Workloads send it traces on these ports (Jaeger's OTLP receivers). */
    readonly fromWorkloadsOnPorts?: readonly number[];
    /** It answers ACME HTTP-01 self-checks over plain HTTP (cert-manager). */
    readonly plainHttpEgress?: boolean;
    /** It signs in to the cloud as a pod identity (External Secrets). */
    readonly cloudCredentials?: boolean;
    /** It reads consumer lag from the event bus (KEDA's Kafka scaler). */
    readonly eventBus?: boolean;
}

/**
 * What each add-on needs, from its chart's defaults: the webhook ports are cert-manager's
 * and External Secrets' `webhook.securePort`/`webhook.port` (10250), the Prometheus
 * operator's admission webhook (10250). The gateway's namespace runs Envoy Gateway and its proxies,
 * which take 80/443 as 10080/10443 and forward to workloads and to cert-manager's HTTP-01 solvers.
 * kube-system add-ons (metrics-server, the autoscaler) are the cloud's namespace and not policed here.
 */
export const addonNetworkNeeds: Record<AddonName, PlatformNamespaceNeeds> = {
    certManager: { webhookPorts: [10250], plainHttpEgress: true, dnsEgress: true, cloudCredentials: true },
    gateway: { publicPorts: envoyContainerPorts, toWorkloads: true, toNamespaces: [{ namespace: gatewayNamespace, ports: [acmeSolverPort] }] },
    metricsServer: {},
    clusterAutoscaler: {},
    monitoring: { webhookPorts: [10250], scrapesCluster: true },
    loki: {},
    jaeger: { fromWorkloadsOnPorts: otlpPorts },
    externalSecrets: { webhookPorts: [10250], cloudCredentials: true },
    // KEDA's metrics API server (6443) and admission webhooks (9443), both called by the API server.
    keda: { webhookPorts: [6443, 9443], cloudCredentials: true, eventBus: true },
};

/** The needs of every add-on sharing a namespace, together. */
export function namespaceNeeds(addons: readonly AddonName[]): PlatformNamespaceNeeds {
    const needs = addons.map((addon) => addonNetworkNeeds[addon]);
    const ports = (pick: (need: PlatformNamespaceNeeds) => readonly number[] | undefined) =>
        [...new Set(needs.flatMap((need) => pick(need) ?? []))].sort((a, b) => a - b);
    const any = (pick: (need: PlatformNamespaceNeeds) => boolean | undefined) => needs.some((need) => pick(need) === true);
    return {
        webhookPorts: ports((need) => need.webhookPorts),
        publicPorts: ports((need) => need.publicPorts),
        fromWorkloadsOnPorts: ports((need) => need.fromWorkloadsOnPorts),
        toWorkloads: any((need) => need.toWorkloads),
        toNamespaces: needs.flatMap((need) => need.toNamespaces ?? []),
        fromNamespaces: needs.flatMap((need) => need.fromNamespaces ?? []),
        dnsEgress: any((need) => need.dnsEgress),
        scrapesCluster: any((need) => need.scrapesCluster),
        plainHttpEgress: any((need) => need.plainHttpEgress),
        cloudCredentials: any((need) => need.cloudCredentials),
        eventBus: any((need) => need.eventBus),
    };
}

export interface PlatformNetworkContext {
    readonly workloadNamespaces: readonly string[];
    /** Where Prometheus runs, when monitoring is installed. */
    readonly monitoringNamespace?: string | undefined;
    /** Address ranges of nodes and pods: what Prometheus scrapes. */
    readonly clusterCidrs: readonly string[];
    /** Link-local endpoints that hand pods their cloud credentials (EKS Pod Identity agent), if any. */
    readonly credentialEndpoints: readonly { readonly cidr: string; readonly port: number }[];
    /** The event bus's address range and Kafka port, when a workload has a topic. */
    readonly eventBus?: { readonly cidr: string; readonly port: number } | undefined;
}

const allPods = {};
const tcp = (port: number) => ({ protocol: "TCP", port });
const byName = (namespace: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });
const anywhere = { ipBlock: { cidr: "0.0.0.0/0", except: [instanceMetadataCidr] } };

/** Default-deny, then one named policy per allowance, for one platform namespace. */
export function platformNetworkPolicies(needs: PlatformNamespaceNeeds, context: PlatformNetworkContext): NetworkPolicySpec[] {
    const policy = (name: string, types: ("Ingress" | "Egress")[], rules: { ingress?: unknown[]; egress?: unknown[] }): NetworkPolicySpec => ({
        name,
        spec: { podSelector: allPods, policyTypes: types, ...rules } as NetworkPolicySpec["spec"],
    });
    const policies: NetworkPolicySpec[] = [
        policy("default-deny", ["Ingress", "Egress"], {}),
        policy("allow-dns", ["Egress"], {
            egress: [{ to: [{ ...byName("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] }],
        }),
        policy("allow-same-namespace", ["Ingress", "Egress"], { ingress: [{ from: [{ podSelector: allPods }] }], egress: [{ to: [{ podSelector: allPods }] }] }),
        // The Kubernetes API, the cloud's APIs and chart sources; never the node's metadata service.
        policy("allow-https-egress", ["Egress"], { egress: [{ to: [anywhere], ports: [tcp(443)] }] }),
    ];
    if (needs.cloudCredentials && context.credentialEndpoints.length > 0) {
        policies.push(policy("allow-cloud-credentials", ["Egress"], {
            egress: context.credentialEndpoints.map(({ cidr, port }) => ({ to: [{ ipBlock: { cidr } }], ports: [tcp(port)] })),
        }));
    }
    if (context.monitoringNamespace) {
        policies.push(policy("allow-from-monitoring", ["Ingress"], { ingress: [{ from: [byName(context.monitoringNamespace)] }] }));
    }
    if (needs.webhookPorts?.length) {
        // The API server calls webhooks from its own addresses, which no selector can name.
        policies.push(policy("allow-webhooks", ["Ingress"], { ingress: [{ ports: needs.webhookPorts.map(tcp) }] }));
    }
    if (needs.publicPorts?.length) {
        policies.push(policy("allow-public-traffic", ["Ingress"], { ingress: [{ ports: needs.publicPorts.map(tcp) }] }));
    }
    if (needs.toWorkloads) {
        policies.push(policy("allow-to-workloads", ["Egress"], { egress: [{ to: context.workloadNamespaces.map(byName) }] }));
    }
    if (needs.fromWorkloadsOnPorts?.length) {
        policies.push(policy("allow-from-workloads", ["Ingress"], {
            ingress: [{ from: context.workloadNamespaces.map(byName), ports: needs.fromWorkloadsOnPorts.map(tcp) }],
        }));
    }
    if (needs.scrapesCluster) {
        policies.push(policy("allow-scrapes", ["Egress"], {
            egress: [{ to: [{ namespaceSelector: {} }, ...context.clusterCidrs.map((cidr) => ({ ipBlock: { cidr } }))] }],
        }));
    }
    for (const { namespace, ports } of needs.toNamespaces ?? []) {
        policies.push(policy(`allow-to-${namespace}`, ["Egress"], { egress: [{ to: [byName(namespace)], ports: ports.map(tcp) }] }));
    }
    for (const { namespace, ports } of needs.fromNamespaces ?? []) {
        policies.push(policy(`allow-from-${namespace}`, ["Ingress"], { ingress: [{ from: [byName(namespace)], ports: ports.map(tcp) }] }));
    }
    if (needs.dnsEgress) {
        policies.push(policy("allow-dns-egress", ["Egress"], { egress: [{ to: [anywhere], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] }] }));
    }
    if (needs.eventBus && context.eventBus) {
        policies.push(policy("allow-event-bus", ["Egress"], { egress: [{ to: [{ ipBlock: { cidr: context.eventBus.cidr } }], ports: [tcp(context.eventBus.port)] }] }));
    }
    if (needs.plainHttpEgress) {
        policies.push(policy("allow-http-egress", ["Egress"], { egress: [{ to: [anywhere], ports: [tcp(80)] }] }));
    }
    return policies;
}
