import assert from "node:assert/strict";
import { rotationPeriod } from "../../config/secrets.ts";
import type { PlanReport } from "../../tools/offline/evaluate.ts";
import { cloudNames, expected, inputsOf, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

/** Section 2 of the brief, as each cloud sizes it. */
const caches = {
    dev: { awsNode: "cache.t4g.medium", azureSku: "Balanced_B3", shards: 1, replicas: 0, persistence: false },
    staging: { awsNode: "cache.t4g.medium", azureSku: "Balanced_B3", shards: 1, replicas: 1, persistence: false },
    prod: { awsNode: "cache.m7g.large", azureSku: "Balanced_B20", shards: 3, replicas: 1, persistence: true },
} as const;

const replicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup";
const redisCluster = "azure-native:redisenterprise:RedisEnterprise";
const redisDatabase = "azure-native:redisenterprise:Database";

/** The secret the cache stored in the stack's secrets store, created under the cache component. */
function storedPassword(plan: PlanReport, type: string) {
    const secret = resourceOf(plan, type, "secrets-redis-password");
    assert.equal(secret.parent, "cache");
    return secret;
}

describe("cache on AWS (ElastiCache for Valkey)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const want = caches[stack];
            const clustered = want.shards > 1;

            it(`runs Valkey 9.1 on ${want.awsNode} as ${clustered ? `${want.shards} node groups` : want.replicas ? "a primary and replica" : "a single node"}`, async () => {
                const plan = await planOf(stack, "aws");
                const group = inputsOf(plan, replicationGroup);
                assert.deepEqual([group["engine"], group["engineVersion"], group["nodeType"], group["port"]], ["valkey", "9.1", want.awsNode, 6379]);
                if (clustered) {
                    assert.equal(group["clusterMode"], "enabled");
                    assert.deepEqual([group["numNodeGroups"], group["replicasPerNodeGroup"], group["numCacheClusters"]], [want.shards, want.replicas, undefined]);
                    const parameters = inputsOf(plan, "aws:elasticache/parameterGroup:ParameterGroup");
                    assert.equal(parameters["family"], "valkey9");
                    assert.deepEqual(parameters["parameters"], [{ name: "cluster-enabled", value: "yes" }]);
                    assert.match(group["parameterGroupName"], /^cache-params-/);
                } else {
                    assert.equal(group["clusterMode"], "disabled");
                    assert.deepEqual([group["numCacheClusters"], group["numNodeGroups"], group["parameterGroupName"]], [1 + want.replicas, undefined, undefined]);
                    assert.equal(resourcesOf(plan, "aws:elasticache/parameterGroup:ParameterGroup").length, 0);
                }
                assert.equal(plan.outputs["cacheSku"], want.awsNode);
                assert.equal(plan.outputs["cacheClustered"], clustered);
                assert.equal(plan.outputs["cachePort"], 6379);
                assert.match(String(plan.outputs["cacheHost"]), clustered ? /^clustercfg\.platform-/ : /^master\.platform-/);
            });

            it(want.replicas ? "fails over automatically across zones" : "has no replica to fail over to", async () => {
                const group = inputsOf(await planOf(stack, "aws"), replicationGroup);
                assert.equal(group["automaticFailoverEnabled"], want.replicas > 0);
                assert.equal(group["multiAzEnabled"], want.replicas > 0);
            });

            it(want.persistence ? "keeps 7 days of snapshots and a final one" : "keeps no snapshots", async () => {
                const group = inputsOf(await planOf(stack, "aws"), replicationGroup);
                assert.equal(group["snapshotRetentionLimit"], want.persistence ? 7 : 0);
                assert.equal(group["finalSnapshotIdentifier"], want.persistence ? `platform-${stack}-final` : undefined);
            });

            it("encrypts at rest with the store's KMS key and requires TLS", async () => {
                const plan = await planOf(stack, "aws");
                const group = inputsOf(plan, replicationGroup);
                assert.equal(group["atRestEncryptionEnabled"], true);
                assert.equal(group["kmsKeyId"], String(plan.outputs["secretsStoreId"]));
                assert.match(group["kmsKeyId"], /^arn:aws:kms:/);
                assert.equal(group["transitEncryptionEnabled"], true);
                assert.equal(group["transitEncryptionMode"], "required");
            });

            it("sits in the database subnets and admits only the node subnets on 6379", async () => {
                const plan = await planOf(stack, "aws");
                const group = inputsOf(plan, replicationGroup);
                const subnetGroup = inputsOf(plan, "aws:elasticache/subnetGroup:SubnetGroup");
                assert.deepEqual(subnetGroup["subnetIds"], plan.outputs["databaseSubnetIds"]);
                const security = resourceOf(plan, "aws:ec2/securityGroup:SecurityGroup", "cache-sg");
                assert.equal(group["securityGroupIds"].length, 1);
                assert.match(group["securityGroupIds"][0], /^cache-sg-/);
                assert.equal(security.inputs["vpcId"], plan.outputs["networkId"]);
                const nodeCidrs = resourcesOf(plan, "aws:ec2/subnet:Subnet")
                    // Node subnets are the first `zones` private ones; a one-zone stack has a second for the EKS control plane.
                    .filter((subnet) => /^network-private-\d+$/.test(subnet.name) && Number(subnet.name.split("-").pop()) < expected[stack].zones)
                    .map((subnet) => subnet.inputs["cidrBlock"]);
                assert.equal(nodeCidrs.length, expected[stack].zones);
                assert.deepEqual(security.inputs["ingress"].map((rule: any) => [rule.protocol, rule.fromPort, rule.toPort, rule.cidrBlocks]), [["tcp", 6379, 6379, nodeCidrs]]);
                assert.equal(security.inputs["egress"], undefined, "no egress: the provider strips AWS's allow-all rule");
            });

            it("authenticates with a generated 64-character token kept in Secrets Manager, rolled each rotation period", async () => {
                const plan = await planOf(stack, "aws");
                assert.equal(inputsOf(plan, replicationGroup)["authToken"], "[secret]");
                assert.deepEqual(inputsOf(plan, "random:index/randomPassword:RandomPassword", "cache-auth"), {
                    length: 64, special: false, keepers: { rotationPeriod: rotationPeriod(new Date(), 30) },
                });
                // The new token joins the old one, which clients keep using until External Secrets refreshes them.
                assert.equal(inputsOf(plan, replicationGroup)["authTokenUpdateStrategy"], "ROTATE");
                const secret = storedPassword(plan, "aws:secretsmanager/secret:Secret");
                assert.equal(secret.inputs["name"], `platform/${stack}/redis-password`);
                assert.equal(inputsOf(plan, "aws:secretsmanager/secretVersion:SecretVersion", "secrets-redis-password")["secretString"], "[secret]");
                assert.match((plan.outputs["secretRefs"] as Record<string, string>)["redis-password"]!, new RegExp(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/${stack}/redis-password-[A-Za-z0-9]{6}$`));
            });

            it(expected[stack].protect ? "is protected in Pulumi (ElastiCache has no deletion-protection flag)" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "aws");
                assert.equal(resourceOf(plan, replicationGroup).protect, expected[stack].protect);
            });
        });
    }

    it("fails over without Multi-AZ when a single-zone stack asks for a replica", async () => {
        const plan = await planWith({ stack: "dev", cloud: "aws", configOverrides: { "platform:cache": stackValue("dev", "cache", (c) => (c["replicasPerShard"] = 1)) } });
        const group = inputsOf(plan, replicationGroup);
        assert.deepEqual([group["numCacheClusters"], group["automaticFailoverEnabled"], group["multiAzEnabled"]], [2, true, false]);
    });

    it("sizes by memory per shard and honours the node type override", async () => {
        const sized = await planWith({ stack: "dev", cloud: "aws", configOverrides: { "platform:cache": stackValue("dev", "cache", (c) => (c["memoryGiB"] = 10)) } });
        assert.equal(inputsOf(sized, replicationGroup)["nodeType"], "cache.m7g.xlarge");
        const overridden = await planWith({ stack: "dev", cloud: "aws", configOverrides: { "platform:cache": stackValue("dev", "cache", (c) => (c["aws"] = { nodeType: "cache.r7g.large" })) } });
        assert.equal(inputsOf(overridden, replicationGroup)["nodeType"], "cache.r7g.large");
        assert.equal(overridden.outputs["cacheSku"], "cache.r7g.large");
    });
});

describe("cache on Azure (Azure Managed Redis)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const want = caches[stack];
            const clustered = want.shards > 1;

            it(`runs ${want.azureSku} with high availability ${want.replicas ? "on" : "off"}`, async () => {
                const plan = await planOf(stack, "azure");
                const cluster = inputsOf(plan, redisCluster);
                assert.deepEqual(cluster["sku"], { name: want.azureSku });
                assert.equal(cluster["highAvailability"], want.replicas ? "Enabled" : "Disabled");
                assert.equal(cluster["location"], "westeurope");
                assert.equal(cluster["tags"].environment, stack);
                assert.equal(plan.outputs["cacheSku"], want.azureSku);
                assert.equal(plan.outputs["cachePort"], 10000);
                assert.equal(plan.outputs["cacheHost"], `${cluster["clusterName"]}.westeurope.redis.azure.net`);
                assert.match(cluster["clusterName"], new RegExp(`^redis-platform-${stack}-[a-z0-9]{4}$`));
            });

            it(`serves one ${clustered ? "OSS-clustered" : "single-endpoint"} database ${want.persistence ? "with hourly RDB snapshots" : "without persistence"}`, async () => {
                const plan = await planOf(stack, "azure");
                const database = inputsOf(plan, redisDatabase);
                assert.equal(database["clusterName"], inputsOf(plan, redisCluster)["clusterName"]);
                assert.equal(database["databaseName"], "default");
                assert.equal(database["clusteringPolicy"], clustered ? "OSSCluster" : "EnterpriseCluster");
                assert.equal(plan.outputs["cacheClustered"], clustered);
                assert.deepEqual(database["persistence"], want.persistence ? { rdbEnabled: true, rdbFrequency: "1h" } : { rdbEnabled: false, aofEnabled: false });
                assert.equal(database["evictionPolicy"], "VolatileLRU");
            });

            it("accepts only TLS 1.2+ on port 10000", async () => {
                const plan = await planOf(stack, "azure");
                assert.equal(inputsOf(plan, redisCluster)["minimumTlsVersion"], "1.2");
                const database = inputsOf(plan, redisDatabase);
                assert.equal(database["clientProtocol"], "Encrypted");
                assert.equal(database["port"], 10000);
            });

            it("is reachable only through a private endpoint registered in the Redis private DNS zone", async () => {
                const plan = await planOf(stack, "azure");
                assert.equal(inputsOf(plan, redisCluster)["publicNetworkAccess"], "Disabled");
                const endpoint = inputsOf(plan, "azure-native:network:PrivateEndpoint", "cache-redis");
                const connection = endpoint["privateLinkServiceConnections"][0];
                assert.deepEqual(connection.groupIds, ["redisEnterprise"]);
                assert.match(connection.privateLinkServiceId, new RegExp(`/Microsoft\\.Cache/redisEnterprise/${inputsOf(plan, redisCluster)["clusterName"]}$`));
                assert.equal(endpoint["subnet"].id, (plan.outputs["endpointSubnetIds"] as string[])[0]);
                const dns = inputsOf(plan, "azure-native:network:PrivateDnsZoneGroup", "cache-redis");
                assert.match(dns["privateDnsZoneConfigs"][0].privateDnsZoneId, /privateDnsZones\/privatelink\.redis\.azure\.net$/);
            });

            it("stores the database's access key in Key Vault as redis-password", async () => {
                const plan = await planOf(stack, "azure");
                assert.equal(inputsOf(plan, redisDatabase)["accessKeysAuthentication"], "Enabled");
                const secret = storedPassword(plan, "azure-native:keyvault:Secret");
                assert.equal(secret.inputs["secretName"], "redis-password");
                assert.ok(JSON.stringify(secret.inputs["properties"]).includes("[secret]"), "the key is stored as a secret");
            });

            it(expected[stack].protect ? "is guarded by a delete lock and Pulumi protect" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "azure");
                assert.equal(resourceOf(plan, redisCluster).protect, expected[stack].protect);
                assert.equal(resourceOf(plan, redisDatabase).protect, expected[stack].protect);
                const locks = resourcesOf(plan, "azure-native:authorization:ManagementLockByScope").filter((lock) => lock.name === "cache-redis-lock");
                assert.equal(locks.length, expected[stack].protect ? 1 : 0);
                if (expected[stack].protect) {
                    assert.equal(locks[0]!.inputs["level"], "CanNotDelete");
                    assert.match(locks[0]!.inputs["scope"], /\/Microsoft\.Cache\/redisEnterprise\//);
                }
            });
        });
    }

    it("sizes by the memory of all shards and honours the SKU override", async () => {
        const sized = await planWith({ stack: "prod", cloud: "azure", configOverrides: { "platform:cache": stackValue("prod", "cache", (c) => (c["shards"] = 5)) } });
        assert.deepEqual(inputsOf(sized, redisCluster)["sku"], { name: "Balanced_B50" });
        const overridden = await planWith({ stack: "dev", cloud: "azure", configOverrides: { "platform:cache": stackValue("dev", "cache", (c) => (c["azure"] = { skuName: "MemoryOptimized_M10" })) } });
        assert.deepEqual(inputsOf(overridden, redisCluster)["sku"], { name: "MemoryOptimized_M10" });
        assert.equal(overridden.outputs["cacheSku"], "MemoryOptimized_M10");
    });
});

describe("cache outputs", () => {
    for (const cloud of cloudNames) {
        it(`never exports the generated password or access key on ${cloud}, even with secrets revealed`, async () => {
            const plan = await planWith({ stack: "prod", cloud, revealSecrets: true });
            const outputs = JSON.stringify(plan.outputs);
            // The mocks' generated password and AMR access key; neither may reach an output.
            assert.doesNotMatch(outputs, /Mock-[0-9a-f]{10}|mock-(primary|secondary)-key/);
            assert.deepEqual(
                Object.keys(plan.outputs).filter((key) => key.startsWith("cache")).sort(),
                ["cacheClustered", "cacheHost", "cachePort", "cacheSku"],
            );
        });
    }
});
