import assert from "node:assert/strict";
import { environments, type Environment } from "../../policy/rule.ts";
import { runRules } from "../../policy/run.ts";
import { aksAgentPool, aksCluster, assertOne, eksNodeGroup, messages, resource, ruleNamed } from "../support/policy.ts";

const costCeilings = ruleNamed("cost-ceilings");
const capacityFloor = ruleNamed("capacity-floor");

describe("policy: cost-ceilings", () => {
    const rds = (name: string, instanceClass: string) => resource("aws:rds/instance:Instance", name, { instanceClass });
    const postgres = (name: string, sku: string) => resource("azure-native:dbforpostgresql:Server", name, { sku: { name: sku, tier: "GeneralPurpose" } });
    const valkey = (props: Record<string, any>) => resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", props);
    const redis = (sku: string, highAvailability?: string) => resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { sku: { name: sku }, highAvailability });

    it("passes prod-sized AWS and Azure stacks in prod", () => {
        assert.deepEqual(messages(costCeilings, [
            eksNodeGroup("nodes", ["m7i.2xlarge"], 5, 15), rds("db", "db.m7g.xlarge"),
            valkey({ nodeType: "cache.m7g.large", numNodeGroups: 3, replicasPerNodeGroup: 1 }),
        ]), []);
        assert.deepEqual(messages(costCeilings, [
            aksCluster({}), aksAgentPool("workload", "Standard_D8s_v5", 5, 15), postgres("db", "Standard_D4ds_v5"), redis("Balanced_B20", "Enabled"),
        ]), []);
    });

    it("reports nodes above the environment's vCPU ceiling", () => {
        assertOne(messages(costCeilings, [eksNodeGroup("nodes", ["m7i.8xlarge"], 3, 5)], "dev"),
            /EKS node group "nodes" uses m7i\.8xlarge \(32 vCPU\); the ceiling is 4 vCPU per node \(platform:cluster\.nodes\.vcpu\)/);
        assertOne(messages(costCeilings, [aksCluster({ agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D8s_v5", count: 1 }] })], "dev"),
            /AKS pool "system" of "cluster-aks" uses Standard_D8s_v5 \(8 vCPU\).*platform:cluster\.azure\.systemNodes\.vcpu/);
    });

    it("counts every pool, the AKS system pool included, against the node ceiling", () => {
        assert.deepEqual(messages(costCeilings, [aksCluster({ agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D2s_v5", enableAutoScaling: true, minCount: 1, maxCount: 2 }] }), aksAgentPool("workload", "Standard_D2s_v5", 3, 8)], "dev"), []);
        const found = runRules([costCeilings], [aksCluster({ agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D2s_v5", enableAutoScaling: true, minCount: 1, maxCount: 2 }] }), aksAgentPool("workload", "Standard_D2s_v5", 3, 9)], "dev");
        assertOne(found.map((violation) => violation.message), /node pools scale to 11 nodes in total \(AKS pool "system" of "cluster-aks" 2, AKS pool "workload" 9\); the ceiling is 10/);
        assert.equal(found[0]!.type, "azure-native:containerservice:AgentPool", "reported on the largest pool");
    });

    it("reads a fixed-size AKS pool's count", () => {
        assertOne(messages(costCeilings, [aksAgentPool("workload", "Standard_D2s_v5", 0, 0, { enableAutoScaling: false, count: 12 })], "dev"), /scale to 12 nodes/);
    });

    it("reports SKUs the sizing catalogs lack, and pools without a size or a maximum", () => {
        assertOne(messages(costCeilings, [eksNodeGroup("nodes", ["t3.nano"], 1, 2)], "dev"),
            /EKS node group "nodes" uses instanceTypes "t3\.nano", which ec2NodeCatalog in lib\/sizing\/aws\.ts does not list; add it there/);
        assertOne(messages(costCeilings, [eksNodeGroup("nodes", undefined, 1, 2)], "dev"), /EKS node group "nodes" sets no instanceTypes/);
        assertOne(messages(costCeilings, [resource("aws:eks/nodeGroup:NodeGroup", "nodes", { instanceTypes: ["m7i.large"] })], "dev"), /sets no scalingConfig\.maxSize/);
        assertOne(messages(costCeilings, [postgres("db", "Standard_M128s")], "dev"), /postgresCatalog in lib\/sizing\/azure\.ts does not list/);
    });

    it("matches Azure SKU names case-insensitively", () => {
        assert.deepEqual(messages(costCeilings, [aksAgentPool("workload", "standard_d2s_v5", 1, 2)], "dev"), []);
    });

    it("reports databases above the vCPU ceiling", () => {
        assertOne(messages(costCeilings, [rds("database-primary", "db.m7g.2xlarge")], "dev"),
            /RDS instance "database-primary" uses db\.m7g\.2xlarge \(8 vCPU\); the ceiling is 4 vCPU per instance \(platform:database\.vcpu\)/);
        assertOne(messages(costCeilings, [postgres("database-server", "Standard_D16ds_v5")], "staging"), /PostgreSQL server "database-server" uses Standard_D16ds_v5 \(16 vCPU\); the ceiling is 8/);
    });

    it("sizes ElastiCache by every node: shards × (primary + replicas), or the cluster count", () => {
        assert.deepEqual(messages(costCeilings, [valkey({ nodeType: "cache.t4g.medium", numCacheClusters: 2 })], "dev"), []);
        assertOne(messages(costCeilings, [valkey({ nodeType: "cache.m7g.large", numNodeGroups: 3, replicasPerNodeGroup: 1 })], "dev"),
            /ElastiCache replication group "cache-valkey" provisions 38\.28 GiB \(6 × cache\.m7g\.large of 6\.38 GiB\); the ceiling is 8 GiB/);
        assertOne(messages(costCeilings, [valkey({ nodeType: "cache.m7g.large", numCacheClusters: 2 })], "dev"), /provisions 12\.76 GiB/);
    });

    it("doubles Azure Managed Redis memory with high availability (its default)", () => {
        assert.deepEqual(messages(costCeilings, [redis("Balanced_B5", "Disabled")], "dev"), []);
        assertOne(messages(costCeilings, [redis("Balanced_B5")], "dev"), /Azure Managed Redis "cache-redis" provisions 12 GiB \(2 × Balanced_B5 of 6 GiB, high availability Enabled\)/);
        assertOne(messages(costCeilings, [redis("Balanced_B7")], "dev"), /managedRedisCatalog in lib\/sizing\/azure\.ts does not list/);
    });

    it("is mandatory in every environment", () => {
        const enforcement = (environment: Environment) => runRules([costCeilings], [eksNodeGroup("nodes", ["m7i.16xlarge"], 1, 2)], environment)[0]!.enforcement;
        assert.deepEqual(environments.map(enforcement), ["mandatory", "mandatory", "mandatory"]);
    });
});

describe("policy: capacity-floor", () => {
    it("passes a prod with enough nodes of 4 vCPU, summed over its workload pools", () => {
        assert.deepEqual(messages(capacityFloor, [eksNodeGroup("nodes", ["m7i.xlarge"], 3, 6)]), []);
        assert.deepEqual(messages(capacityFloor, [eksNodeGroup("a", ["m7i.xlarge"], 2, 6), eksNodeGroup("b", ["c7i.xlarge"], 1, 3)]), []);
    });

    it("reports a tiny prod: one node of 2 vCPU", () => {
        const found = messages(capacityFloor, [eksNodeGroup("nodes", ["c7i.large"], 1, 2)]);
        assert.equal(found.length, 2, found.join("\n"));
        assert.match(found[0]!, /EKS node group "nodes" uses c7i\.large \(2 vCPU\); at least 4 vCPU per node is required \(platform:cluster\.nodes\.vcpu\)/);
        assert.match(found[1]!, /workload node pools keep 1 node\(s\) at minimum \(EKS node group "nodes" 1\); at least 3 are required \(platform:cluster\.nodes\.min\)/);
    });

    it("does not count the AKS system pool as workload capacity", () => {
        assertOne(messages(capacityFloor, [aksCluster({}), aksAgentPool("workload", "Standard_D4s_v5", 1, 3)]), /AKS pool "workload" 1\); at least 3 are required/);
    });

    it("reports a cluster with no workload pool", () => {
        assertOne(messages(capacityFloor, [aksCluster({})]), /cluster "cluster-aks" has no workload node pool/);
    });

    it("reports a pool without a minimum", () => {
        const found = messages(capacityFloor, [resource("aws:eks/nodeGroup:NodeGroup", "nodes", { instanceTypes: ["m7i.xlarge"] })]);
        assert.match(found[0]!, /EKS node group "nodes" sets no scalingConfig\.minSize/);
    });

    it("is mandatory in prod only, with a smaller floor elsewhere", () => {
        const tiny = [eksNodeGroup("nodes", ["c7i.large"], 1, 2)];
        assert.deepEqual(runRules([capacityFloor], tiny, "dev"), []);
        assert.deepEqual(runRules([capacityFloor], tiny, "staging").map((violation) => violation.enforcement), ["advisory"]);
        assert.ok(runRules([capacityFloor], tiny, "prod").every((violation) => violation.enforcement === "mandatory"));
    });
});
