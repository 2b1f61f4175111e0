import assert from "node:assert/strict";
import type { PlanReport } from "../tools/offline/evaluate.ts";
import type { Environment } from "../policy/rule.ts";
import { runRules } from "../policy/run.ts";
import { exposureRules, noPublicEndpoints } from "../policy/rules/exposure.ts";
import { databaseBackups, highAvailability, resilienceRules } from "../policy/rules/resilience.ts";
import { assertOne, messages, resource } from "./support/policy.ts";
import { cloudNames, planOf, planWith, stacks } from "./support/plans.ts";
import { stackValue } from "./support/stack-config.ts";

const accessBlock = (flags: Record<string, boolean>) =>
    resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "storage-public-access", { bucket: "data", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...flags });
const bucketPolicy = (...statements: object[]) => resource("aws:s3/bucketPolicy:BucketPolicy", "storage-policy", { bucket: "data", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
const denyHttp = { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
const eks = (vpcConfig: object) => resource("aws:eks/cluster:Cluster", "cluster-eks", { vpcConfig });
const kmsKeyId = "https://kv-kms.vault.azure.net/keys/kubernetes-secrets/1";
const aks = (props: object) => resource("azure-native:containerservice:ManagedCluster", "cluster-aks", props);
const vault = (vaultName: string, publicNetworkAccess?: string) => resource("azure-native:keyvault:Vault", vaultName, { vaultName, properties: { publicNetworkAccess } });
const storageAccount = (props: object) => resource("azure-native:storage:StorageAccount", "storage-account", { allowBlobPublicAccess: false, publicNetworkAccess: "Disabled", ...props });

describe("policy: no-public-endpoints", () => {
    const compliant = [
        resource("aws:s3/bucket:Bucket", "storage-bucket", { bucket: "data" }),
        accessBlock({}),
        bucketPolicy(denyHttp, { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/app" }, Action: "s3:GetObject" }),
        resource("aws:rds/instance:Instance", "database-primary", { publiclyAccessible: false }),
        eks({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
        storageAccount({}),
        resource("azure-native:storage:BlobContainer", "storage-container", { publicAccess: "None" }),
        resource("azure-native:dbforpostgresql:Server", "database-server", { network: { publicNetworkAccess: "Disabled" } }),
        resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { publicNetworkAccess: "Disabled" }),
        vault("kv-secrets", "disabled"),
        // With API Server VNet Integration AKS's KMS plugin reaches a private vault.
        vault("kv-kms", "disabled"),
        aks({
            apiServerAccessProfile: { enableVnetIntegration: true, authorizedIPRanges: ["203.0.113.0/24"] },
            securityProfile: { azureKeyVaultKms: { enabled: true, keyId: kmsKeyId, keyVaultNetworkAccess: "Private" } },
        }),
        resource("azure-native:containerregistry:Registry", "registry-acr", { publicNetworkAccess: "Disabled" }),
        // Network Watcher writes flow logs through the firewall as a trusted service.
        resource("azure-native:storage:StorageAccount", "network-flow-logs", { allowBlobPublicAccess: false, publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [] } }),
    ];

    it("passes private storage, databases, caches, vaults and restricted cluster APIs", () => {
        assert.deepEqual(messages(noPublicEndpoints, compliant), []);
        assert.deepEqual(messages(noPublicEndpoints, [aks({ apiServerAccessProfile: { enablePrivateCluster: true } }), eks({ endpointPublicAccess: false })]), []);
    });

    it("reports a relaxed S3 public access block, and a bucket without one", () => {
        assertOne(messages(noPublicEndpoints, [accessBlock({ blockPublicPolicy: false, restrictPublicBuckets: false })]), /"storage-public-access"/, /blockPublicPolicy, restrictPublicBuckets off/, /platform:storage\.publicRead/);
        assertOne(messages(noPublicEndpoints, [resource("aws:s3/bucket:Bucket", "storage-bucket", { bucket: "data" })]), /S3 bucket "storage-bucket" has no public access block/, /"data"/);
    });

    it("reports a bucket policy that allows every principal", () => {
        const publicRead = { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject" };
        assertOne(messages(noPublicEndpoints, [bucketPolicy(denyHttp, publicRead)]), /"storage-policy" allows s3:GetObject to every principal \(statement PublicRead\)/);
        assertOne(messages(noPublicEndpoints, [bucketPolicy({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:ListBucket"] })]), /allows s3:ListBucket to every principal/);
    });

    it("reports public databases, caches, storage accounts, containers and vaults", () => {
        assertOne(messages(noPublicEndpoints, [resource("aws:rds/instance:Instance", "database-primary", { publiclyAccessible: true })]), /RDS instance "database-primary" has publiclyAccessible true/);
        assertOne(messages(noPublicEndpoints, [resource("azure-native:dbforpostgresql:Server", "database-server", { network: { publicNetworkAccess: "Enabled" } })]), /"database-server" has network\.publicNetworkAccess "Enabled"; it must be "Disabled"/);
        assertOne(messages(noPublicEndpoints, [resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", {})]), /Managed Redis "cache-redis" has publicNetworkAccess null/);
        const account = messages(noPublicEndpoints, [storageAccount({ allowBlobPublicAccess: true, publicNetworkAccess: "Enabled" })]);
        assert.equal(account.length, 2);
        assert.match(account[0]!, /"storage-account" has allowBlobPublicAccess true; it must be false/);
        assert.match(account[1]!, /publicNetworkAccess "Enabled"; it must be "Disabled" \(platform:storage\.publicRead\)/);
        assertOne(messages(noPublicEndpoints, [resource("azure-native:storage:BlobContainer", "storage-container", { publicAccess: "Blob" })]), /"storage-container" has publicAccess "Blob"/);
        assertOne(messages(noPublicEndpoints, [vault("kv-secrets", "Enabled")]), /Key Vault "kv-secrets" has properties\.publicNetworkAccess "Enabled"/);
        // No vault is exempt, not even one AKS's KMS plugin reaches over the public endpoint.
        const privateKms = aks({ apiServerAccessProfile: { enablePrivateCluster: true }, securityProfile: { azureKeyVaultKms: { enabled: true, keyId: kmsKeyId, keyVaultNetworkAccess: "Private" } } });
        assertOne(messages(noPublicEndpoints, [vault("kv-kms", "enabled"), privateKms]), /Key Vault "kv-kms"/);
        const publicKms = aks({ apiServerAccessProfile: { enablePrivateCluster: true }, securityProfile: { azureKeyVaultKms: { enabled: true, keyId: kmsKeyId, keyVaultNetworkAccess: "Public" } } });
        assertOne(messages(noPublicEndpoints, [vault("kv-kms", "enabled"), publicKms]), /Key Vault "kv-kms" has properties\.publicNetworkAccess "enabled"; it must be "disabled"/);
    });

    it("accepts a storage account's public endpoint only behind a firewall that denies every address", () => {
        const behind = (networkRuleSet: object) => messages(noPublicEndpoints, [storageAccount({ publicNetworkAccess: "Enabled", networkRuleSet })]);
        assert.deepEqual(behind({ defaultAction: "Deny", bypass: "AzureServices" }), []);
        assertOne(behind({ defaultAction: "Allow" }), /"storage-account" has publicNetworkAccess "Enabled"; it must be "Disabled"/, /denies every address/);
        assertOne(behind({ defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "203.0.113.0/24" }] }), /"storage-account" has publicNetworkAccess "Enabled"/);
    });

    it("reports a public container registry outside dev", () => {
        const registry = resource("azure-native:containerregistry:Registry", "registry-acr", { publicNetworkAccess: "Enabled" });
        assertOne(messages(noPublicEndpoints, [registry]), /Container registry "registry-acr" has publicNetworkAccess "Enabled"; it must be "Disabled"/, /platform:registry\.azure\.sku Premium/);
        assert.deepEqual(messages(noPublicEndpoints, [registry], "dev"), []);
        assert.equal(messages(noPublicEndpoints, [registry], "staging").length, 1);
    });

    it("reports a cluster API open to the internet, except where the environment allows it", () => {
        assertOne(messages(noPublicEndpoints, [eks({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })]), /EKS cluster "cluster-eks" has a public API endpoint open to 0\.0\.0\.0\/0/, /platform:cluster\.apiAccess/);
        assertOne(messages(noPublicEndpoints, [eks({})]), /open to 0\.0\.0\.0\/0, ::\/0/);
        assertOne(messages(noPublicEndpoints, [aks({})]), /AKS cluster "cluster-aks" has a public API server open to every address/);
        assertOne(messages(noPublicEndpoints, [aks({ apiServerAccessProfile: { authorizedIPRanges: ["203.0.113.0/24", "0.0.0.0/0"] } })]), /open to 0\.0\.0\.0\/0;/);
        assert.deepEqual(messages(noPublicEndpoints, [eks({ publicAccessCidrs: ["0.0.0.0/0"] }), aks({})], "dev"), []);
        assert.equal(messages(noPublicEndpoints, [aks({})], "staging").length, 1);
    });

    it("is advisory in dev and mandatory in staging and prod", () => {
        const found = (environment: Environment) => runRules([noPublicEndpoints], [accessBlock({ blockPublicPolicy: false })], environment).map((violation) => violation.enforcement);
        assert.deepEqual([found("dev"), found("staging"), found("prod")], [["advisory"], ["mandatory"], ["mandatory"]]);
    });
});

const rdsPrimary = (props: object) =>
    resource("aws:rds/instance:Instance", "database-primary", { backupRetentionPeriod: 30, deletionProtection: true, skipFinalSnapshot: false, copyTagsToSnapshot: true, multiAz: true, ...props });
const rdsReplica = resource("aws:rds/instance:Instance", "database-replica-1", { replicateSourceDb: "platform-prod-postgres", skipFinalSnapshot: true, copyTagsToSnapshot: true });
const serverId = "/subscriptions/0/resourceGroups/rg-platform-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers";
const flexibleServer = (props: object) =>
    resource("azure-native:dbforpostgresql:Server", "database-server", { serverName: "platform-prod-postgres-8f85", resourceGroupName: "rg-platform-prod", backup: { backupRetentionDays: 30 }, highAvailability: { mode: "ZoneRedundant" }, ...props });
const azureReplica = resource("azure-native:dbforpostgresql:Server", "database-replica-1", { serverName: "platform-prod-postgres-replica-1-8f85", createMode: "Replica" });
const lock = (scope: string, level = "CanNotDelete") => resource("azure-native:authorization:ManagementLockByScope", "database-server-lock", { level, scope });

describe("policy: database-backups", () => {
    it("passes primaries with backups, deletion protection and a delete lock; replicas are exempt", () => {
        assert.deepEqual(messages(databaseBackups, [rdsPrimary({}), rdsReplica, flexibleServer({}), azureReplica, lock(`${serverId}/platform-prod-postgres-8f85`)]), []);
        // A lock on the resource group protects the server too.
        assert.deepEqual(messages(databaseBackups, [flexibleServer({}), lock("/subscriptions/0/resourceGroups/rg-platform-prod")]), []);
    });

    it("reports a restore window shorter than the environment's, no backups and an unset retention", () => {
        assertOne(messages(databaseBackups, [rdsPrimary({ backupRetentionPeriod: 7 })]), /RDS instance "database-primary" keeps backups 7 days; it needs at least 14 \(platform:database\.backupRetentionDays\)/);
        assert.deepEqual(messages(databaseBackups, [rdsPrimary({ backupRetentionPeriod: 7 })], "staging"), []);
        assertOne(messages(databaseBackups, [rdsPrimary({ backupRetentionPeriod: 0 })], "dev"), /"database-primary" has automated backups off \(backupRetentionPeriod 0\)/);
        assertOne(messages(databaseBackups, [rdsPrimary({ backupRetentionPeriod: undefined })]), /does not set backupRetentionPeriod; it needs at least 14 days/);
    });

    it("reports RDS instances without deletion protection, final snapshot or tagged snapshots", () => {
        const found = messages(databaseBackups, [rdsPrimary({ deletionProtection: false, skipFinalSnapshot: true, copyTagsToSnapshot: undefined })]);
        assert.equal(found.length, 3, found.join("\n"));
        assert.match(found[0]!, /"database-primary" has deletionProtection false; it must be true/);
        assert.match(found[1]!, /"database-primary" has skipFinalSnapshot true/);
        assert.match(found[2]!, /"database-primary" has copyTagsToSnapshot false/);
        // Dev may be deleted freely; snapshots still carry tags.
        assert.deepEqual(messages(databaseBackups, [rdsPrimary({ deletionProtection: false, skipFinalSnapshot: true })], "dev"), []);
    });

    it("reports Azure servers with a short restore window or no delete lock on them", () => {
        const server = flexibleServer({ backup: { backupRetentionDays: 7 } });
        assertOne(messages(databaseBackups, [server, lock(`${serverId}/platform-prod-postgres-8f85`)]), /PostgreSQL server "database-server" keeps backups 7 days; it needs at least 14/);
        for (const other of [lock(`${serverId}/platform-prod-postgres-replica-1-8f85`), lock(`${serverId}/platform-prod-postgres-8f85`, "NotSpecified")]) {
            assertOne(messages(databaseBackups, [flexibleServer({}), other]), /"database-server" has no CanNotDelete lock .* on server "platform-prod-postgres-8f85"/);
        }
        assert.deepEqual(messages(databaseBackups, [flexibleServer({})], "dev"), []);
    });
});

const nodeGroup = (subnetIds: string[]) => resource("aws:eks/nodeGroup:NodeGroup", "cluster-nodes-workload", { subnetIds });
const natGateways = (count: number) => Array.from({ length: count }, (_, index) => resource("aws:ec2/natGateway:NatGateway", `network-nat-${index}`, {}));
const vpc = resource("aws:ec2/vpc:Vpc", "network-vpc", {});
const replicationGroup = (props: object) => resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", { automaticFailoverEnabled: true, multiAzEnabled: true, ...props });
const agentPool = (availabilityZones?: string[]) => resource("azure-native:containerservice:AgentPool", "cluster-workload", { availabilityZones });

describe("policy: high-availability", () => {
    const zones = ["1", "2", "3"];
    const awsProd = [rdsPrimary({}), rdsReplica, replicationGroup({}), nodeGroup(["a", "b", "c"]), vpc, ...natGateways(3)];
    const azureProd = [flexibleServer({}), azureReplica, resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { highAvailability: "Enabled" }),
        aks({ agentPoolProfiles: [{ name: "system", availabilityZones: zones }] }), agentPool(zones), resource("azure-native:network:NatGateway", "network-nat", {})];

    it("passes standbys, failover caches, pools across three zones and a NAT gateway per zone", () => {
        assert.deepEqual(messages(highAvailability, awsProd), []);
        assert.deepEqual(messages(highAvailability, azureProd), []);
    });

    it("reports databases without a standby, or a same-zone standby where zone redundancy is required", () => {
        assertOne(messages(highAvailability, [rdsPrimary({ multiAz: false })]), /RDS instance "database-primary" has multiAz false; it needs a Multi-AZ standby \(platform:database\.highAvailability\)/);
        assertOne(messages(highAvailability, [flexibleServer({ highAvailability: { mode: "SameZone" } })]), /"database-server" has highAvailability\.mode "SameZone"; it needs "ZoneRedundant"/);
        assert.deepEqual(messages(highAvailability, [flexibleServer({ highAvailability: { mode: "SameZone" } })], "staging"), []);
        assertOne(messages(highAvailability, [flexibleServer({ highAvailability: undefined })], "staging"), /highAvailability\.mode "Disabled"; it needs a standby/);
        assert.deepEqual(messages(highAvailability, [rdsPrimary({ multiAz: false })], "dev"), []);
    });

    it("reports caches that cannot fail over", () => {
        assertOne(messages(highAvailability, [replicationGroup({ multiAzEnabled: false })]), /"cache-valkey" has automaticFailoverEnabled true and multiAzEnabled false; both must be true \(platform:network\.zones\)/);
        assertOne(messages(highAvailability, [replicationGroup({ automaticFailoverEnabled: false, multiAzEnabled: false })]), /automaticFailoverEnabled false .* \(platform:cache\.replicasPerShard\)/);
        assertOne(messages(highAvailability, [resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { highAvailability: "Disabled" })]), /Managed Redis "cache-redis" has highAvailability "Disabled"/);
    });

    it("reports node pools on fewer zones than the environment needs", () => {
        assertOne(messages(highAvailability, [nodeGroup(["a", "b"])]), /EKS node group "cluster-nodes-workload" spans 2 zones; it needs at least 3 \(platform:network\.zones\)/);
        assert.deepEqual(messages(highAvailability, [nodeGroup(["a", "b"])], "staging"), []);
        assertOne(messages(highAvailability, [agentPool(undefined)], "staging"), /AKS agent pool "cluster-workload" spans 1 zone; it needs at least 2/);
        assertOne(messages(highAvailability, [aks({ agentPoolProfiles: [{ name: "system", availabilityZones: ["1"] }] })]), /AKS agent pool "cluster-aks\/system" spans 1 zone/);
    });

    it("reports an AWS network without a NAT gateway per zone in prod only", () => {
        assertOne(messages(highAvailability, [vpc, ...natGateways(1)]), /VPC "network-vpc" has 1 NAT gateway; it needs one per zone, at least 3 \(platform:network\.natGateways "perZone"/);
        assert.deepEqual(messages(highAvailability, [vpc, ...natGateways(1)], "staging"), []);
    });

    it("is mandatory in prod only", () => {
        const found = (environment: Environment) => runRules([highAvailability], [rdsPrimary({ multiAz: false })], environment).map((violation) => violation.enforcement);
        assert.deepEqual([found("staging"), found("prod")], [["advisory"], ["mandatory"]]);
    });
});

const ownRules = [...exposureRules, ...resilienceRules];
const violationsOf = (plan: PlanReport) =>
    runRules(ownRules, plan.resources.map(({ type, name, inputs }) => ({ type, name, props: inputs })), plan.environment as Environment);

describe("policy: exposure and resilience on the checked-in stacks", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`${stack} on ${cloud} raises no mandatory violation`, async () => {
                const mandatory = violationsOf(await planOf(stack, cloud)).filter((violation) => violation.enforcement === "mandatory");
                assert.deepEqual(mandatory.map((violation) => violation.message), []);
            });
        }
    }
});

describe("policy: exposure and resilience on weakened stacks", () => {
    const mandatoryOf = async (stack: string, cloud: string, overrides: Record<string, unknown>, rule: string) =>
        violationsOf(await planWith({ stack, cloud, configOverrides: overrides })).filter((violation) => violation.enforcement === "mandatory" && violation.rule === rule).map((violation) => violation.message);

    for (const cloud of cloudNames) {
        it(`a public bucket in staging on ${cloud}`, async () => {
            const found = await mandatoryOf("staging", cloud, { "platform:storage": stackValue("staging", "storage", (storage) => (storage["publicRead"] = true)) }, "no-public-endpoints");
            assert.ok(found.length >= 2, found.join("\n"));
            assert.ok(found.every((message) => message.includes("platform:storage.publicRead")), found.join("\n"));
        });

        it(`prod without database HA on ${cloud}`, async () => {
            const found = await mandatoryOf("prod", cloud, { "platform:database": stackValue("prod", "database", (database) => (database["highAvailability"] = "none")) }, "high-availability");
            assertOne(found, /"database-(primary|server)"/, /platform:database\.highAvailability/);
        });

        it(`prod in one zone on ${cloud}`, async () => {
            const found = await mandatoryOf("prod", cloud, { "platform:network": stackValue("prod", "network", (network) => (network["zones"] = 1)) }, "high-availability");
            assert.ok(found.some((message) => /spans 1 zone; it needs at least 3/.test(message)), found.join("\n"));
            if (cloud === "aws") {
                assert.ok(found.some((message) => /has 1 NAT gateway/.test(message)), found.join("\n"));
            }
        });
    }

    it("prod without automated backups on aws", async () => {
        const database = stackValue("prod", "database", (value) => Object.assign(value, { backupRetentionDays: 0, readReplicas: 0 }));
        const found = await mandatoryOf("prod", "aws", { "platform:database": database }, "database-backups");
        assertOne(found, /RDS instance "database-primary" has automated backups off \(backupRetentionPeriod 0\)/);
    });
});
