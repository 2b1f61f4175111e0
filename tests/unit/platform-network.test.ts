import assert from "node:assert/strict";
import { addonNetworkNeeds, namespaceNeeds, platformNetworkPolicies, type PlatformNetworkContext } from "../../components/kubernetes/platform-network.ts";

const context: PlatformNetworkContext = {
    workloadNamespaces: ["api", "worker"],
    monitoringNamespace: "monitoring",
    clusterCidrs: ["10.30.0.0/16", "192.168.0.0/16"],
    credentialEndpoints: [{ cidr: "169.254.170.23/32", port: 80 }],
};
const names = (policies: { name: string }[]) => policies.map((policy) => policy.name);
const spec = (policies: ReturnType<typeof platformNetworkPolicies>, name: string) => policies.find((policy) => policy.name === name)!.spec as any;

describe("platform namespaces' NetworkPolicies", () => {
    it("deny everything first, then allow DNS, the namespace itself, HTTPS out (never the metadata service) and Prometheus in", () => {
        const policies = platformNetworkPolicies({}, context);
        assert.deepEqual(names(policies), ["default-deny", "allow-dns", "allow-same-namespace", "allow-https-egress", "allow-from-monitoring"]);
        assert.deepEqual(spec(policies, "default-deny"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        assert.deepEqual(spec(policies, "allow-https-egress").egress, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] }]);
    });

    it("opens the gateway's proxies to the internet on Envoy's 10080/10443, and lets them reach only workload namespaces and the HTTP-01 solvers", () => {
        const policies = platformNetworkPolicies(namespaceNeeds(["gateway"]), context);
        assert.deepEqual(spec(policies, "allow-public-traffic").ingress, [{ ports: [{ protocol: "TCP", port: 10080 }, { protocol: "TCP", port: 10443 }] }]);
        assert.ok(!names(policies).includes("allow-webhooks"));
        assert.deepEqual(spec(policies, "allow-to-gateway").egress, [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } } }], ports: [{ protocol: "TCP", port: 8089 }] }]);
        assert.deepEqual(spec(policies, "allow-to-workloads").egress[0].to.map((peer: any) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]), ["api", "worker"]);
        assert.ok(!names(policies).includes("allow-cloud-credentials"));
    });

    it("lets Prometheus scrape the cluster, Jaeger take OTLP from workloads only, and Loki's namespace keep to itself", () => {
        const policies = platformNetworkPolicies(namespaceNeeds(["monitoring", "loki", "jaeger"]), context);
        assert.deepEqual(spec(policies, "allow-scrapes").egress, [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: "10.30.0.0/16" } }, { ipBlock: { cidr: "192.168.0.0/16" } }] }]);
        assert.deepEqual(spec(policies, "allow-from-workloads").ingress[0].ports, [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }]);
        assert.ok(!names(policies).includes("allow-public-traffic"));
    });

    it("gives only External Secrets, cert-manager (its DNS-01 identity) and KEDA (queue depths) the node's credential endpoint, and cert-manager plain HTTP and DNS for ACME self-checks", () => {
        const credentials = [{ to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] }];
        assert.deepEqual(spec(platformNetworkPolicies(namespaceNeeds(["externalSecrets"]), context), "allow-cloud-credentials").egress, credentials);
        const certManager = platformNetworkPolicies(namespaceNeeds(["certManager"]), context);
        assert.deepEqual(spec(certManager, "allow-cloud-credentials").egress, credentials);
        assert.deepEqual(spec(certManager, "allow-http-egress").egress, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 80 }] }]);
        assert.deepEqual(spec(certManager, "allow-dns-egress").egress[0].ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
        assert.deepEqual(addonNetworkNeeds.certManager.webhookPorts, [10250]);
        const withCredentials = (Object.keys(addonNetworkNeeds) as (keyof typeof addonNetworkNeeds)[])
            .filter((addon) => names(platformNetworkPolicies(namespaceNeeds([addon]), context)).includes("allow-cloud-credentials"));
        assert.deepEqual(withCredentials, ["certManager", "externalSecrets", "keda"]);
        // Where no agent hands out credentials (AKS), nobody gets the allowance.
        assert.ok(!names(platformNetworkPolicies(namespaceNeeds(["certManager", "externalSecrets"]), { ...context, credentialEndpoints: [] })).includes("allow-cloud-credentials"));
    });
});
