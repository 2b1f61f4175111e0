import assert from "node:assert/strict";
import {
    developerRole,
    instanceMetadataCidr,
    limitRangeSpec,
    otlpPorts,
    quotaSpec,
    workloadNetworkPolicies,
    type WorkloadTraffic,
} from "../../components/kubernetes/guardrails.ts";
import { configRejection } from "../support/stack-config.ts";

const baseTraffic: WorkloadTraffic = { networkCidr: "10.30.0.0/16", dataServicePorts: [{ port: 5432 }, { port: 6379 }], credentialEndpoints: [] };

function policyNamed(traffic: WorkloadTraffic, name: string): Record<string, any> | undefined {
    return workloadNetworkPolicies(traffic).find((policy) => policy.name === name)?.spec;
}

describe("namespace guardrails", () => {
    it("quota: requests as configured, limits at twice the requests, no LoadBalancer or NodePort Services", () => {
        assert.deepEqual(quotaSpec({ cpu: 8, memoryGiB: 16, pods: 60 }), {
            "requests.cpu": "8",
            "requests.memory": "16Gi",
            "limits.cpu": "16",
            "limits.memory": "32Gi",
            pods: "60",
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        });
    });

    it("limit range: defaults for bare containers, and no container above half the namespace quota", () => {
        const [limits] = limitRangeSpec({ cpu: 4, memoryGiB: 8, pods: 40 }).limits;
        assert.equal(limits!.type, "Container");
        assert.deepEqual(limits!.defaultRequest, { cpu: "100m", memory: "128Mi" });
        assert.deepEqual(limits!.max, { cpu: "2", memory: "4096Mi" });
    });

    it("denies all ingress and egress by default", () => {
        assert.deepEqual(policyNamed(baseTraffic, "default-deny"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("allows DNS only to the cluster DNS pods, over UDP and TCP 53", () => {
        const dns = policyNamed(baseTraffic, "allow-dns")!;
        assert.deepEqual(dns["egress"][0].to[0].podSelector, { matchLabels: { "k8s-app": "kube-dns" } });
        assert.deepEqual(dns["egress"][0].to[0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } });
        assert.deepEqual(dns["egress"][0].ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
    });

    it("allows the data services only inside the network and only on their ports", () => {
        const data = policyNamed(baseTraffic, "allow-data-services")!;
        assert.deepEqual(data["egress"], [{
            to: [{ ipBlock: { cidr: "10.30.0.0/16" } }],
            ports: [{ protocol: "TCP", port: 5432 }, { protocol: "TCP", port: 6379 }],
        }]);
    });

    it("allows HTTPS out but never to the instance metadata endpoint", () => {
        const https = policyNamed(baseTraffic, "allow-https-egress")!;
        assert.deepEqual(https["egress"][0].to, [{ ipBlock: { cidr: "0.0.0.0/0", except: [instanceMetadataCidr] } }]);
        assert.deepEqual(https["egress"][0].ports, [{ protocol: "TCP", port: 443 }]);
    });

    it("adds the add-on allowances only for the add-ons that are installed", () => {
        const bare = workloadNetworkPolicies(baseTraffic).map((policy) => policy.name);
        assert.deepEqual(bare, ["default-deny", "allow-dns", "allow-same-namespace", "allow-data-services", "allow-https-egress"]);

        const full = { ...baseTraffic, gatewayNamespace: "gateway", monitoringNamespace: "monitoring", tracingNamespace: "monitoring" };
        assert.deepEqual(workloadNetworkPolicies(full).map((policy) => policy.name), [...bare, "allow-from-gateway", "allow-from-monitoring", "allow-tracing-egress"]);
        assert.deepEqual(policyNamed(full, "allow-from-gateway")!["ingress"], [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } } }] }]);
        assert.deepEqual(policyNamed(full, "allow-from-monitoring")!["ingress"][0].from[0].namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "monitoring" });
        assert.deepEqual(policyNamed(full, "allow-tracing-egress")!["egress"][0].ports.map((port: { port: number }) => port.port), otlpPorts);
    });

    it("developers edit where the stack allows it and only view in prod", () => {
        assert.equal(developerRole("dev", "edit"), "edit");
        assert.equal(developerRole("staging", "view"), "view");
        assert.equal(developerRole("prod", "edit"), "view");
    });
});

/** Validates `stack`'s config with `change` applied to its `kubernetes` key; returns the error message. */
function rejection(stack: string, change: (kubernetes: Record<string, any>) => void): string {
    return configRejection(stack, (config) => change(config["kubernetes"]));
}

describe("kubernetes configuration", () => {
    it("requires every add-on switch, so the stack file says what it runs", () => {
        assert.equal(
            rejection("dev", (kubernetes) => delete kubernetes["addons"]["loki"]),
            "invalid configuration: platform:kubernetes.addons.loki: is required",
        );
    });

    it("rejects cert-manager without the gateway that answers its challenges, and the gateway without cert-manager's certificates", () => {
        assert.match(
            rejection("dev", (kubernetes) => (kubernetes["addons"]["gateway"] = false)),
            /^invalid configuration: platform:kubernetes\.addons\.certManager: the cluster issuer answers HTTP-01 challenges through the gateway/,
        );
        assert.match(
            rejection("dev", (kubernetes) => (kubernetes["addons"]["certManager"] = false)),
            /^invalid configuration: platform:kubernetes\.addons\.gateway: the gateway serves HTTPS with cert-manager's certificates/,
        );
    });

    it("rejects developer edit access in prod", () => {
        assert.equal(
            rejection("prod", (kubernetes) => (kubernetes["developers"]["access"] = "edit")),
            `invalid configuration: platform:kubernetes.developers.access: developers only read in prod; use "view"`,
        );
    });

    it("rejects namespaces the platform owns, invalid names and repeats", () => {
        assert.match(rejection("dev", (kubernetes) => (kubernetes["namespaces"] = ["monitoring"])), /platform:kubernetes\.namespaces\.0: "monitoring" is reserved/);
        assert.match(rejection("dev", (kubernetes) => (kubernetes["namespaces"] = ["kube-apps"])), /platform:kubernetes\.namespaces\.0: "kube-apps" is reserved/);
        assert.match(rejection("dev", (kubernetes) => (kubernetes["namespaces"] = ["Api"])), /platform:kubernetes\.namespaces\.0: "Api" is not a Kubernetes namespace name/);
        assert.match(rejection("dev", (kubernetes) => (kubernetes["namespaces"] = ["api", "api"])), /platform:kubernetes\.namespaces: "api" is listed twice/);
    });

    it("rejects malformed developer identities by key", () => {
        assert.match(rejection("dev", (kubernetes) => (kubernetes["developers"]["aws"]["roleArns"] = ["arn:aws:iam::123:user/x"])), /platform:kubernetes\.developers\.aws\.roleArns\.0: ".*" is not an IAM role ARN/);
        assert.match(rejection("dev", (kubernetes) => (kubernetes["developers"]["azure"]["groupObjectIds"] = ["developers"])), /platform:kubernetes\.developers\.azure\.groupObjectIds\.0: "developers" is not an Entra ID object id/);
    });

    it("bounds observability retention and quota sizes", () => {
        assert.match(rejection("prod", (kubernetes) => (kubernetes["observability"]["metricsRetentionDays"] = 365)), /platform:kubernetes\.observability\.metricsRetentionDays: must be at most 90/);
        assert.match(rejection("prod", (kubernetes) => (kubernetes["quota"]["pods"] = 0)), /platform:kubernetes\.quota\.pods: must be at least 1/);
    });
});
