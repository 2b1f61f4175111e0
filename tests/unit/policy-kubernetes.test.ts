import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { environments, type Environment } from "../../policy/rule.ts";
import { kubernetesSupportFloor } from "../../policy/rules/kubernetes.ts";
import { runRules } from "../../policy/run.ts";
import { aksAgentPool, aksCluster, assertOne, eksCluster, eksNodeGroup, messages, resource, ruleNamed } from "../support/policy.ts";
import { projectRoot } from "../support/project.ts";

const versionFloor = ruleNamed("kubernetes-version-floor");
const secretsEncryption = ruleNamed("kubernetes-secrets-encryption");
const helmChartPinned = ruleNamed("helm-chart-pinned");
const namespaceGuardrails = ruleNamed("workload-namespace-guardrails");

describe("policy: kubernetes-version-floor", () => {
    it("sets the floor at 1.35 in every environment: 1.34 left standard support in December 2026", () => {
        for (const environment of environments) {
            assert.deepEqual(versionFloor.config?.byEnvironment[environment], { minVersion: "1.35" });
        }
        assertOne(messages(versionFloor, [eksCluster({ version: "1.34" })]), /runs Kubernetes 1\.34; at least 1\.35/);
    });

    it("passes clusters and pools on 1.35 or newer, pools that inherit the cluster's version included", () => {
        assert.deepEqual(messages(versionFloor, [
            eksCluster({}),
            eksNodeGroup("nodes", ["m7i.large"], 3, 5, { version: "1.35" }),
            eksNodeGroup("inherits", ["m7i.large"], 3, 5),
            aksCluster({ agentPoolProfiles: [{ name: "system", orchestratorVersion: "1.35.2" }] }),
            aksAgentPool("workload", "Standard_D4s_v5", 3, 5, { orchestratorVersion: "1.100" }),
        ]), []);
    });

    it("compares minor versions as numbers: 1.4 is older than 1.34", () => {
        assertOne(messages(versionFloor, [eksCluster({ version: "1.4" })]), /EKS cluster "cluster-eks" runs Kubernetes 1\.4; at least 1\.35/, /platform:cluster\.kubernetesVersion/);
    });

    it("reports old clusters and pools on both clouds", () => {
        assertOne(messages(versionFloor, [aksCluster({ kubernetesVersion: "1.33" })]), /AKS cluster "cluster-aks" runs Kubernetes 1\.33/);
        assertOne(messages(versionFloor, [eksNodeGroup("nodes", ["m7i.large"], 3, 5, { version: "1.32" })]), /EKS node group "nodes" runs Kubernetes 1\.32/);
        assertOne(messages(versionFloor, [aksCluster({ agentPoolProfiles: [{ name: "system", orchestratorVersion: "1.31" }] })]), /AKS pool "system" of "cluster-aks" runs Kubernetes 1\.31/);
        assertOne(messages(versionFloor, [aksAgentPool("workload", "Standard_D4s_v5", 3, 5, { orchestratorVersion: "1.33.4" })]), /AKS pool "workload" runs Kubernetes 1\.33\.4/);
    });

    it("requires the cluster to pin a version, and a readable one", () => {
        assertOne(messages(versionFloor, [eksCluster({ version: undefined })]), /EKS cluster "cluster-eks" sets no version; pin 1\.35 or newer/);
        assertOne(messages(versionFloor, [aksCluster({ kubernetesVersion: "latest" })]), /kubernetesVersion "latest", which is not a version/);
    });
});

describe("policy: kubernetes-secrets-encryption", () => {
    it("passes EKS envelope encryption and AKS Key Vault KMS", () => {
        assert.deepEqual(messages(secretsEncryption, [eksCluster({}), aksCluster({})]), []);
    });

    it("reports an EKS cluster without secrets encryption or without a key", () => {
        assertOne(messages(secretsEncryption, [eksCluster({ encryptionConfig: undefined })]), /EKS cluster "cluster-eks" does not encrypt Secrets/, /keyArn unset/);
        assertOne(messages(secretsEncryption, [eksCluster({ encryptionConfig: { resources: [], provider: { keyArn: "arn:aws:kms:x" } } })]), /resources \[\]/);
        assertOne(messages(secretsEncryption, [eksCluster({ encryptionConfig: { resources: ["secrets"], provider: {} } })]), /keyArn unset/);
    });

    it("reports an AKS cluster with KMS off or without a key", () => {
        assertOne(messages(secretsEncryption, [aksCluster({ securityProfile: { azureKeyVaultKms: { enabled: false, keyId: "https://kv/keys/k" } } })]), /AKS cluster "cluster-aks" does not encrypt Secrets/, /enabled false/);
        assertOne(messages(secretsEncryption, [aksCluster({ securityProfile: { azureKeyVaultKms: { enabled: true } } })]), /keyId unset/);
        assertOne(messages(secretsEncryption, [aksCluster({ securityProfile: undefined })]), /enabled unset/);
    });
});

describe("policy: helm-chart-pinned", () => {
    const release = (name: string, props: Record<string, any>) =>
        resource("kubernetes:helm.sh/v3:Release", name, { chart: name, version: "4.15.1", repositoryOpts: { repo: "https://charts.example.com" }, ...props });

    it("passes exact versions, with or without v and with a pre-release, from https or OCI", () => {
        assert.deepEqual(messages(helmChartPinned, [
            release("plain", {}),
            release("prefixed", { version: "v1.21.2" }),
            release("candidate", { version: "2.0.0-rc.1" }),
            resource("kubernetes:helm.sh/v4:Chart", "oci", { chart: "oci://registry.example.com/charts/app", version: "1.2.3" }),
        ]), []);
    });

    for (const version of ["^4.15.0", "~4.15", "4.15", "4.x", ">=1.0.0", "", undefined]) {
        it(`reports version ${JSON.stringify(version)}`, () => {
            assertOne(messages(helmChartPinned, [release("loose", { version })]), /Helm chart "loose" \(loose\) has version/, /pin an exact version/);
        });
    }

    it("reports plain-HTTP and missing repositories", () => {
        assertOne(messages(helmChartPinned, [release("insecure", { repositoryOpts: { repo: "http://charts.example.com" } })]), /repository "http:\/\/charts\.example\.com"; use an https:\/\//);
        assertOne(messages(helmChartPinned, [release("local", { chart: "./charts/app", repositoryOpts: undefined })]), /comes from repository unset; use an https:\/\/ repository or an oci:\/\/ chart/);
    });
});

describe("policy: workload-namespace-guardrails", () => {
    const namespace = (name: string, enforce?: string) =>
        resource("kubernetes:core/v1:Namespace", `ns-${name}`, { metadata: { name, ...(enforce ? { labels: { "pod-security.kubernetes.io/enforce": enforce } } : {}) } });
    const quota = (ns: string) => resource("kubernetes:core/v1:ResourceQuota", `${ns}-quota`, { metadata: { name: "quota", namespace: ns }, spec: { hard: { pods: "10" } } });
    const limits = (ns: string) => resource("kubernetes:core/v1:LimitRange", `${ns}-limits`, { metadata: { name: "limits", namespace: ns }, spec: { limits: [] } });
    const policy = (ns: string, spec: Record<string, any>) =>
        resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${ns}-policy`, { metadata: { name: "policy", namespace: ns }, spec });
    const denyAll = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
    const guarded = (ns: string) => [namespace(ns, "restricted"), quota(ns), limits(ns), policy(ns, denyAll)];

    it("passes guarded workload namespaces and ignores the platform's own namespaces", () => {
        assert.deepEqual(messages(namespaceGuardrails, [...guarded("api"), ...guarded("worker"), namespace("monitoring")]), []);
    });

    it("leaves a namespace whose state is not known yet (a new stack's first preview) for up", () => {
        assert.deepEqual(messages(namespaceGuardrails, [resource("kubernetes:core/v1:Namespace", "ns-api", {})]), []);
    });

    it("reports a namespace that does not enforce restricted, labelled or not", () => {
        assertOne(messages(namespaceGuardrails, [namespace("api", "baseline"), quota("api"), limits("api"), policy("api", denyAll)]),
            /Namespace "ns-api" \(api\) enforces the "baseline" Pod Security Standard; workload namespaces must enforce "restricted"/);
        assertOne(messages(namespaceGuardrails, [namespace("api"), quota("api"), limits("api"), policy("api", denyAll)]),
            /Namespace "ns-api" \(api\) enforces no Pod Security Standard; workload namespaces must enforce "restricted"/);
    });

    it("reports each missing guardrail, and does not count another namespace's", () => {
        assertOne(messages(namespaceGuardrails, [namespace("api", "restricted"), limits("api"), policy("api", denyAll), quota("worker")]), /Namespace "ns-api" \(api\) has no ResourceQuota; every workload namespace needs one/);
        assertOne(messages(namespaceGuardrails, [namespace("api", "restricted"), quota("api"), policy("api", denyAll)]), /\(api\) has no LimitRange/);
        assert.equal(messages(namespaceGuardrails, [namespace("api", "restricted")]).length, 3);
    });

    for (const [what, spec] of [
        ["selects some pods only", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] }],
        ["covers ingress only", { podSelector: {}, policyTypes: ["Ingress"] }],
        ["covers egress only", { podSelector: {}, policyTypes: ["Egress"] }],
        ["allows traffic", { ...denyAll, ingress: [{ from: [{ podSelector: {} }] }] }],
        ["has no pod selector", { policyTypes: ["Ingress", "Egress"] }],
    ] as const) {
        it(`does not take a policy that ${what} for default-deny`, () => {
            assertOne(messages(namespaceGuardrails, [namespace("api", "restricted"), quota("api"), limits("api"), policy("api", spec)]),
                /\(api\) has no default-deny NetworkPolicy \(all pods, Ingress and Egress, no rules\)/);
        });
    }

    it("is advisory in dev and mandatory in staging and prod", () => {
        const enforcement = (environment: Environment) => runRules([namespaceGuardrails], [namespace("api", "privileged")], environment)[0]!.enforcement;
        assert.deepEqual(environments.map(enforcement), ["advisory", "mandatory", "mandatory"]);
    });
});

describe("the Kubernetes version floor stays current", () => {
    it(`still allows only minors in standard support: ${kubernetesSupportFloor.minVersion} leaves it on ${kubernetesSupportFloor.leavesStandardSupport}`, () => {
        assert.ok(
            Date.now() < Date.parse(`${kubernetesSupportFloor.leavesStandardSupport}T00:00:00Z`),
            `Kubernetes ${kubernetesSupportFloor.minVersion} leaves standard support on EKS or AKS on ${kubernetesSupportFloor.leavesStandardSupport}: raise kubernetesSupportFloor (policy/rules/kubernetes.ts), the stacks' platform:cluster.kubernetesVersion and npm run policy-config`,
        );
    });

    it("is what every environment's pack configuration enforces, and the stacks run at or above it", async () => {
        for (const environment of ["dev", "staging", "prod"]) {
            const config = JSON.parse(readFileSync(path.join(projectRoot, "policy", "config", `${environment}.json`), "utf8"));
            assert.equal(config["kubernetes-version-floor"].minVersion, kubernetesSupportFloor.minVersion);
        }
        assert.deepEqual(messages(versionFloor, [eksCluster({ version: "1.34" })]).length, 1);
    });
});
