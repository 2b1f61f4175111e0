import assert from "node:assert/strict";
import { environments, type Environment, type PolicyResource } from "../policy/rule.ts";
import { costRules } from "../policy/rules/cost.ts";
import { readFileSync } from "node:fs";
import { kubernetesRules, kubernetesSupportFloor } from "../policy/rules/kubernetes.ts";
import { runRules, type PolicyViolation } from "../policy/run.ts";
import type { PlanReport } from "../tools/offline/evaluate.ts";
import { assertOne, resource } from "./support/policy.ts";
import { cloudNames, planOf, planWith, stacks, type CloudName } from "./support/plans.ts";
import { stackValue } from "./support/stack-config.ts";

const ownRules = [...kubernetesRules, ...costRules];

function violations(rule: string, resources: PolicyResource[], environment: Environment = "prod"): PolicyViolation[] {
    const found = ownRules.find((candidate) => candidate.name === rule);
    assert.ok(found, `no rule named ${rule}`);
    return runRules([found], resources, environment);
}

const messages = (rule: string, resources: PolicyResource[], environment: Environment = "prod") =>
    violations(rule, resources, environment).map((violation) => violation.message);



const eks = (props: Record<string, any>) => resource("aws:eks/cluster:Cluster", "cluster-eks", {
    version: "1.35",
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" } },
    ...props,
});
const aks = (props: Record<string, any>) => resource("azure-native:containerservice:ManagedCluster", "cluster-aks", {
    kubernetesVersion: "1.35",
    securityProfile: { azureKeyVaultKms: { enabled: true, keyId: "https://kv.vault.azure.net/keys/k/1" } },
    agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v5", enableAutoScaling: true, minCount: 3, maxCount: 6 }],
    ...props,
});
const nodeGroup = (name: string, instanceTypes: string[] | undefined, minSize: number, maxSize: number, props: Record<string, any> = {}) =>
    resource("aws:eks/nodeGroup:NodeGroup", name, { instanceTypes, scalingConfig: { minSize, maxSize, desiredSize: minSize }, ...props });
const agentPool = (name: string, vmSize: string, minCount: number, maxCount: number, props: Record<string, any> = {}) =>
    resource("azure-native:containerservice:AgentPool", name, { mode: "User", vmSize, enableAutoScaling: true, minCount, maxCount, ...props });

describe("policy: kubernetes-version-floor", () => {
    it("sets the floor at 1.35 in every environment: 1.34 left standard support in December 2026", () => {
        const rule = kubernetesRules.find((candidate) => candidate.name === "kubernetes-version-floor")!;
        for (const environment of environments) {
            assert.deepEqual(rule.config?.byEnvironment[environment], { minVersion: "1.35" });
        }
        assertOne(messages("kubernetes-version-floor", [eks({ version: "1.34" })]), /runs Kubernetes 1\.34; at least 1\.35/);
    });

    it("passes clusters and pools on 1.35 or newer, pools that inherit the cluster's version included", () => {
        assert.deepEqual(messages("kubernetes-version-floor", [
            eks({}),
            nodeGroup("nodes", ["m7i.large"], 3, 5, { version: "1.35" }),
            nodeGroup("inherits", ["m7i.large"], 3, 5),
            aks({ agentPoolProfiles: [{ name: "system", orchestratorVersion: "1.35.2" }] }),
            agentPool("workload", "Standard_D4s_v5", 3, 5, { orchestratorVersion: "1.100" }),
        ]), []);
    });

    it("compares minor versions as numbers: 1.4 is older than 1.34", () => {
        assertOne(messages("kubernetes-version-floor", [eks({ version: "1.4" })]), /EKS cluster "cluster-eks" runs Kubernetes 1\.4; at least 1\.35/, /platform:cluster\.kubernetesVersion/);
    });

    it("reports old clusters and pools on both clouds", () => {
        assertOne(messages("kubernetes-version-floor", [aks({ kubernetesVersion: "1.33" })]), /AKS cluster "cluster-aks" runs Kubernetes 1\.33/);
        assertOne(messages("kubernetes-version-floor", [nodeGroup("nodes", ["m7i.large"], 3, 5, { version: "1.32" })]), /EKS node group "nodes" runs Kubernetes 1\.32/);
        assertOne(messages("kubernetes-version-floor", [aks({ agentPoolProfiles: [{ name: "system", orchestratorVersion: "1.31" }] })]), /AKS pool "system" of "cluster-aks" runs Kubernetes 1\.31/);
        assertOne(messages("kubernetes-version-floor", [agentPool("workload", "Standard_D4s_v5", 3, 5, { orchestratorVersion: "1.33.4" })]), /AKS pool "workload" runs Kubernetes 1\.33\.4/);
    });

    it("requires the cluster to pin a version, and a readable one", () => {
        assertOne(messages("kubernetes-version-floor", [eks({ version: undefined })]), /EKS cluster "cluster-eks" sets no version; pin 1\.35 or newer/);
        assertOne(messages("kubernetes-version-floor", [aks({ kubernetesVersion: "latest" })]), /kubernetesVersion "latest", which is not a version/);
    });
});

describe("policy: kubernetes-secrets-encryption", () => {
    it("passes EKS envelope encryption and AKS Key Vault KMS", () => {
        assert.deepEqual(messages("kubernetes-secrets-encryption", [eks({}), aks({})]), []);
    });

    it("reports an EKS cluster without secrets encryption or without a key", () => {
        assertOne(messages("kubernetes-secrets-encryption", [eks({ encryptionConfig: undefined })]), /EKS cluster "cluster-eks" does not encrypt Secrets/, /keyArn unset/);
        assertOne(messages("kubernetes-secrets-encryption", [eks({ encryptionConfig: { resources: [], provider: { keyArn: "arn:aws:kms:x" } } })]), /resources \[\]/);
        assertOne(messages("kubernetes-secrets-encryption", [eks({ encryptionConfig: { resources: ["secrets"], provider: {} } })]), /keyArn unset/);
    });

    it("reports an AKS cluster with KMS off or without a key", () => {
        assertOne(messages("kubernetes-secrets-encryption", [aks({ securityProfile: { azureKeyVaultKms: { enabled: false, keyId: "https://kv/keys/k" } } })]), /AKS cluster "cluster-aks" does not encrypt Secrets/, /enabled false/);
        assertOne(messages("kubernetes-secrets-encryption", [aks({ securityProfile: { azureKeyVaultKms: { enabled: true } } })]), /keyId unset/);
        assertOne(messages("kubernetes-secrets-encryption", [aks({ securityProfile: undefined })]), /enabled unset/);
    });
});

describe("policy: helm-chart-pinned", () => {
    const release = (name: string, props: Record<string, any>) =>
        resource("kubernetes:helm.sh/v3:Release", name, { chart: name, version: "4.15.1", repositoryOpts: { repo: "https://charts.example.com" }, ...props });

    it("passes exact versions, with or without v and with a pre-release, from https or OCI", () => {
        assert.deepEqual(messages("helm-chart-pinned", [
            release("plain", {}),
            release("prefixed", { version: "v1.21.2" }),
            release("candidate", { version: "2.0.0-rc.1" }),
            resource("kubernetes:helm.sh/v4:Chart", "oci", { chart: "oci://registry.example.com/charts/app", version: "1.2.3" }),
        ]), []);
    });

    for (const version of ["^4.15.0", "~4.15", "4.15", "4.x", ">=1.0.0", "", undefined]) {
        it(`reports version ${JSON.stringify(version)}`, () => {
            assertOne(messages("helm-chart-pinned", [release("loose", { version })]), /Helm chart "loose" \(loose\) has version/, /pin an exact version/);
        });
    }

    it("reports plain-HTTP and missing repositories", () => {
        assertOne(messages("helm-chart-pinned", [release("insecure", { repositoryOpts: { repo: "http://charts.example.com" } })]), /repository "http:\/\/charts\.example\.com"; use an https:\/\//);
        assertOne(messages("helm-chart-pinned", [release("local", { chart: "./charts/app", repositoryOpts: undefined })]), /comes from repository unset; use an https:\/\/ repository or an oci:\/\/ chart/);
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
        assert.deepEqual(messages("workload-namespace-guardrails", [...guarded("api"), ...guarded("worker"), namespace("monitoring")]), []);
    });

    it("leaves a namespace whose state is not known yet (a new stack's first preview) for up", () => {
        assert.deepEqual(messages("workload-namespace-guardrails", [resource("kubernetes:core/v1:Namespace", "ns-api", {})]), []);
    });

    it("reports a namespace that does not enforce restricted, labelled or not", () => {
        assertOne(messages("workload-namespace-guardrails", [namespace("api", "baseline"), quota("api"), limits("api"), policy("api", denyAll)]),
            /Namespace "ns-api" \(api\) enforces the "baseline" Pod Security Standard; workload namespaces must enforce "restricted"/);
        assertOne(messages("workload-namespace-guardrails", [namespace("api"), quota("api"), limits("api"), policy("api", denyAll)]),
            /Namespace "ns-api" \(api\) enforces no Pod Security Standard; workload namespaces must enforce "restricted"/);
    });

    it("reports each missing guardrail, and does not count another namespace's", () => {
        assertOne(messages("workload-namespace-guardrails", [namespace("api", "restricted"), limits("api"), policy("api", denyAll), quota("worker")]), /Namespace "ns-api" \(api\) has no ResourceQuota; every workload namespace needs one/);
        assertOne(messages("workload-namespace-guardrails", [namespace("api", "restricted"), quota("api"), policy("api", denyAll)]), /\(api\) has no LimitRange/);
        assert.equal(messages("workload-namespace-guardrails", [namespace("api", "restricted")]).length, 3);
    });

    for (const [what, spec] of [
        ["selects some pods only", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] }],
        ["covers ingress only", { podSelector: {}, policyTypes: ["Ingress"] }],
        ["covers egress only", { podSelector: {}, policyTypes: ["Egress"] }],
        ["allows traffic", { ...denyAll, ingress: [{ from: [{ podSelector: {} }] }] }],
        ["has no pod selector", { policyTypes: ["Ingress", "Egress"] }],
    ] as const) {
        it(`does not take a policy that ${what} for default-deny`, () => {
            assertOne(messages("workload-namespace-guardrails", [namespace("api", "restricted"), quota("api"), limits("api"), policy("api", spec)]),
                /\(api\) has no default-deny NetworkPolicy \(all pods, Ingress and Egress, no rules\)/);
        });
    }

    it("is advisory in dev and mandatory in staging and prod", () => {
        const enforcement = (environment: Environment) => violations("workload-namespace-guardrails", [namespace("api", "privileged")], environment)[0]!.enforcement;
        assert.deepEqual(environments.map(enforcement), ["advisory", "mandatory", "mandatory"]);
    });
});

describe("policy: cost-ceilings", () => {
    const rds = (name: string, instanceClass: string) => resource("aws:rds/instance:Instance", name, { instanceClass });
    const postgres = (name: string, sku: string) => resource("azure-native:dbforpostgresql:Server", name, { sku: { name: sku, tier: "GeneralPurpose" } });
    const valkey = (props: Record<string, any>) => resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", props);
    const redis = (sku: string, highAvailability?: string) => resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { sku: { name: sku }, highAvailability });

    it("passes prod-sized AWS and Azure stacks in prod", () => {
        assert.deepEqual(messages("cost-ceilings", [
            nodeGroup("nodes", ["m7i.2xlarge"], 5, 15), rds("db", "db.m7g.xlarge"),
            valkey({ nodeType: "cache.m7g.large", numNodeGroups: 3, replicasPerNodeGroup: 1 }),
        ]), []);
        assert.deepEqual(messages("cost-ceilings", [
            aks({}), agentPool("workload", "Standard_D8s_v5", 5, 15), postgres("db", "Standard_D4ds_v5"), redis("Balanced_B20", "Enabled"),
        ]), []);
    });

    it("reports nodes above the environment's vCPU ceiling", () => {
        assertOne(messages("cost-ceilings", [nodeGroup("nodes", ["m7i.8xlarge"], 3, 5)], "dev"),
            /EKS node group "nodes" uses m7i\.8xlarge \(32 vCPU\); the ceiling is 4 vCPU per node \(platform:cluster\.nodes\.vcpu\)/);
        assertOne(messages("cost-ceilings", [aks({ agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D8s_v5", count: 1 }] })], "dev"),
            /AKS pool "system" of "cluster-aks" uses Standard_D8s_v5 \(8 vCPU\).*platform:cluster\.azure\.systemNodes\.vcpu/);
    });

    it("counts every pool, the AKS system pool included, against the node ceiling", () => {
        assert.deepEqual(messages("cost-ceilings", [aks({ agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D2s_v5", enableAutoScaling: true, minCount: 1, maxCount: 2 }] }), agentPool("workload", "Standard_D2s_v5", 3, 8)], "dev"), []);
        const found = violations("cost-ceilings", [aks({ agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D2s_v5", enableAutoScaling: true, minCount: 1, maxCount: 2 }] }), agentPool("workload", "Standard_D2s_v5", 3, 9)], "dev");
        assertOne(found.map((violation) => violation.message), /node pools scale to 11 nodes in total \(AKS pool "system" of "cluster-aks" 2, AKS pool "workload" 9\); the ceiling is 10/);
        assert.equal(found[0]!.type, "azure-native:containerservice:AgentPool", "reported on the largest pool");
    });

    it("reads a fixed-size AKS pool's count", () => {
        assertOne(messages("cost-ceilings", [agentPool("workload", "Standard_D2s_v5", 0, 0, { enableAutoScaling: false, count: 12 })], "dev"), /scale to 12 nodes/);
    });

    it("reports SKUs the sizing catalogs lack, and pools without a size or a maximum", () => {
        assertOne(messages("cost-ceilings", [nodeGroup("nodes", ["t3.nano"], 1, 2)], "dev"),
            /EKS node group "nodes" uses instanceTypes "t3\.nano", which ec2NodeCatalog in components\/sizing\/aws\.ts does not list; add it there/);
        assertOne(messages("cost-ceilings", [nodeGroup("nodes", undefined, 1, 2)], "dev"), /EKS node group "nodes" sets no instanceTypes/);
        assertOne(messages("cost-ceilings", [resource("aws:eks/nodeGroup:NodeGroup", "nodes", { instanceTypes: ["m7i.large"] })], "dev"), /sets no scalingConfig\.maxSize/);
        assertOne(messages("cost-ceilings", [postgres("db", "Standard_M128s")], "dev"), /postgresCatalog in components\/sizing\/azure\.ts does not list/);
    });

    it("matches Azure SKU names case-insensitively", () => {
        assert.deepEqual(messages("cost-ceilings", [agentPool("workload", "standard_d2s_v5", 1, 2)], "dev"), []);
    });

    it("reports databases above the vCPU ceiling", () => {
        assertOne(messages("cost-ceilings", [rds("database-primary", "db.m7g.2xlarge")], "dev"),
            /RDS instance "database-primary" uses db\.m7g\.2xlarge \(8 vCPU\); the ceiling is 4 vCPU per instance \(platform:database\.vcpu\)/);
        assertOne(messages("cost-ceilings", [postgres("database-server", "Standard_D16ds_v5")], "staging"), /PostgreSQL server "database-server" uses Standard_D16ds_v5 \(16 vCPU\); the ceiling is 8/);
    });

    it("sizes ElastiCache by every node: shards × (primary + replicas), or the cluster count", () => {
        assert.deepEqual(messages("cost-ceilings", [valkey({ nodeType: "cache.t4g.medium", numCacheClusters: 2 })], "dev"), []);
        assertOne(messages("cost-ceilings", [valkey({ nodeType: "cache.m7g.large", numNodeGroups: 3, replicasPerNodeGroup: 1 })], "dev"),
            /ElastiCache replication group "cache-valkey" provisions 38\.28 GiB \(6 × cache\.m7g\.large of 6\.38 GiB\); the ceiling is 8 GiB/);
        assertOne(messages("cost-ceilings", [valkey({ nodeType: "cache.m7g.large", numCacheClusters: 2 })], "dev"), /provisions 12\.76 GiB/);
    });

    it("doubles Azure Managed Redis memory with high availability (its default)", () => {
        assert.deepEqual(messages("cost-ceilings", [redis("Balanced_B5", "Disabled")], "dev"), []);
        assertOne(messages("cost-ceilings", [redis("Balanced_B5")], "dev"), /Azure Managed Redis "cache-redis" provisions 12 GiB \(2 × Balanced_B5 of 6 GiB, high availability Enabled\)/);
        assertOne(messages("cost-ceilings", [redis("Balanced_B7")], "dev"), /managedRedisCatalog in components\/sizing\/azure\.ts does not list/);
    });

    it("is mandatory in every environment", () => {
        const enforcement = (environment: Environment) => violations("cost-ceilings", [nodeGroup("nodes", ["m7i.16xlarge"], 1, 2)], environment)[0]!.enforcement;
        assert.deepEqual(environments.map(enforcement), ["mandatory", "mandatory", "mandatory"]);
    });
});

describe("policy: capacity-floor", () => {
    it("passes a prod with enough nodes of 4 vCPU, summed over its workload pools", () => {
        assert.deepEqual(messages("capacity-floor", [nodeGroup("nodes", ["m7i.xlarge"], 3, 6)]), []);
        assert.deepEqual(messages("capacity-floor", [nodeGroup("a", ["m7i.xlarge"], 2, 6), nodeGroup("b", ["c7i.xlarge"], 1, 3)]), []);
    });

    it("reports a tiny prod: one node of 2 vCPU", () => {
        const found = messages("capacity-floor", [nodeGroup("nodes", ["c7i.large"], 1, 2)]);
        assert.equal(found.length, 2, found.join("\n"));
        assert.match(found[0]!, /EKS node group "nodes" uses c7i\.large \(2 vCPU\); at least 4 vCPU per node is required \(platform:cluster\.nodes\.vcpu\)/);
        assert.match(found[1]!, /workload node pools keep 1 node\(s\) at minimum \(EKS node group "nodes" 1\); at least 3 are required \(platform:cluster\.nodes\.min\)/);
    });

    it("does not count the AKS system pool as workload capacity", () => {
        assertOne(messages("capacity-floor", [aks({}), agentPool("workload", "Standard_D4s_v5", 1, 3)]), /AKS pool "workload" 1\); at least 3 are required/);
    });

    it("reports a cluster with no workload pool", () => {
        assertOne(messages("capacity-floor", [aks({})]), /cluster "cluster-aks" has no workload node pool/);
    });

    it("reports a pool without a minimum", () => {
        const found = messages("capacity-floor", [resource("aws:eks/nodeGroup:NodeGroup", "nodes", { instanceTypes: ["m7i.xlarge"] })]);
        assert.match(found[0]!, /EKS node group "nodes" sets no scalingConfig\.minSize/);
    });

    it("is mandatory in prod only, with a smaller floor elsewhere", () => {
        const tiny = [nodeGroup("nodes", ["c7i.large"], 1, 2)];
        assert.deepEqual(violations("capacity-floor", tiny, "dev"), []);
        assert.deepEqual(violations("capacity-floor", tiny, "staging").map((violation) => violation.enforcement), ["advisory"]);
        assert.ok(violations("capacity-floor", tiny, "prod").every((violation) => violation.enforcement === "mandatory"));
    });
});

function ownViolations(report: PlanReport): PolicyViolation[] {
    const resources = report.resources.map(({ type, name, inputs }) => ({ type, name, props: inputs }));
    return runRules(ownRules, resources, report.environment as Environment);
}

const describeAll = (found: readonly PolicyViolation[]) => found.map((violation) => `${violation.rule} ${violation.name}: ${violation.message}`).join("\n");

describe("policy: kubernetes and cost rules on the checked-in stacks", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`${stack} on ${cloud} raises no mandatory violation`, async () => {
                const report = await planOf(stack, cloud);
                const types = new Set(report.resources.map((planned) => planned.type));
                // The rules must have something to look at, or passing means nothing.
                for (const type of ["kubernetes:helm.sh/v3:Release", "kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy"]) {
                    assert.ok(types.has(type), type);
                }
                assert.ok(types.has(cloud === "aws" ? "aws:eks/nodeGroup:NodeGroup" : "azure-native:containerservice:AgentPool"));
                const mandatory = ownViolations(report).filter((violation) => violation.enforcement === "mandatory");
                assert.deepEqual(mandatory, [], describeAll(mandatory));
            });
        }
    }

    /** The checked-in stack with other node-pool settings. */
    function withNodes(stack: string, cloud: CloudName, nodes: Record<string, number>): Promise<PlanReport> {
        return planWith({ stack, cloud, configOverrides: { "platform:cluster": stackValue(stack, "cluster", (cluster) => (cluster["nodes"] = nodes)) } });
    }

    for (const cloud of cloudNames) {
        it(`flags a tiny prod on ${cloud}: one 2 vCPU node, at most two`, async () => {
            const found = ownViolations(await withNodes("prod", cloud, { vcpu: 2, memoryGiB: 4, min: 1, max: 2, count: 1 }));
            assert.deepEqual(found.map((violation) => [violation.rule, violation.enforcement]), [["capacity-floor", "mandatory"], ["capacity-floor", "mandatory"]], describeAll(found));
            assert.match(found[0]!.message, /\(2 vCPU\); at least 4 vCPU per node/);
            assert.match(found[1]!.message, /keep 1 node\(s\) at minimum/);
        });

        it(`flags an oversized dev on ${cloud}: 32 vCPU nodes, up to 40`, async () => {
            const found = ownViolations(await withNodes("dev", cloud, { vcpu: 32, memoryGiB: 128, min: 3, max: 40 }));
            assert.deepEqual(found.map((violation) => [violation.rule, violation.enforcement]), [["cost-ceilings", "mandatory"], ["cost-ceilings", "mandatory"]], describeAll(found));
            assert.match(found[0]!.message, /\(32 vCPU\); the ceiling is 4 vCPU per node/);
            assert.match(found[1]!.message, /node pools scale to 4\d nodes in total .*the ceiling is 10/);
        });
    }
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
            const config = JSON.parse(readFileSync(new URL(`../policy/config/${environment}.json`, import.meta.url), "utf8"));
            assert.equal(config["kubernetes-version-floor"].minVersion, kubernetesSupportFloor.minVersion);
        }
        assert.deepEqual(messages("kubernetes-version-floor", [eks({ version: "1.34" })]).length, 1);
    });
});
