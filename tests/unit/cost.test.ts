/** The monthly cost estimate (lib/cost): what each resource is billed for, at which price, and what is unknown. */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { awsPricing } from "../../lib/cost/aws.ts";
import { azurePricing } from "../../lib/cost/azure.ts";
import { estimateMonthlyCost, hoursPerMonth, loadPriceBook, loadUsageAssumptions, type CostResource, type PriceBook } from "../../lib/cost/estimate.ts";
import { stackMonthlyCost } from "../../lib/cost/index.ts";
import { environmentNames } from "../../config/schema.ts";
import { unknownValue } from "../../policy/rule.ts";

const usage = loadUsageAssumptions().byEnvironment["prod"]!;
const aws = loadPriceBook("aws").regions["eu-west-1"]!;
const azure = loadPriceBook("azure").regions["westeurope"]!;
const usd = (book: PriceBook["regions"][string], key: string) => book[key]!.usd!;
const cents = (value: number) => Math.round(value * 100) / 100;
const resource = (type: string, name: string, props: Record<string, any>, component?: string): CostResource => ({ type, name, props, ...(component ? { component } : {}) });
const awsProvider = resource("pulumi:providers:aws", "aws", { region: "eu-west-1" });
const azureProvider = resource("pulumi:providers:azure-native", "azure-native", { location: "westeurope" });
const awsEstimate = (resources: CostResource[]) => estimateMonthlyCost([awsProvider, ...resources], awsPricing, "eu-west-1", usage);
const azureEstimate = (resources: CostResource[]) => estimateMonthlyCost([azureProvider, ...resources], azurePricing, "westeurope", usage);
const nodeGroup = (instanceType: string, minSize: number, maxSize: number) =>
    resource("aws:eks/nodeGroup:NodeGroup", "cluster-nodes-workload", { instanceTypes: [instanceType], scalingConfig: { minSize, maxSize, desiredSize: minSize } }, "cluster");

/** A price file is a snapshot of list prices; they move, so it is refreshed at least twice a year. */
const maxPriceAgeDays = 180;

describe("monthly cost estimate", () => {
    for (const cloud of ["aws", "azure"]) {
        it(`${cloud}: the price book is dated within ${maxPriceAgeDays} days, and every price has a unit and a source`, () => {
            const book = loadPriceBook(cloud);
            assert.match(book.taken, /^\d{4}-\d{2}-\d{2}$/);
            assert.ok(Date.now() - Date.parse(book.taken) <= maxPriceAgeDays * 86_400_000, `lib/cost/prices/${cloud}.json was taken ${book.taken}; refresh its prices`);
            for (const [region, prices] of Object.entries(book.regions)) {
                for (const [key, price] of Object.entries(prices)) {
                    assert.ok(price.usd === null || (typeof price.usd === "number" && price.usd >= 0), `${region} ${key}: usd`);
                    assert.ok(["hour", "month", "GB", "GB-month", "million requests", "day"].includes(price.unit), `${region} ${key}: unit ${price.unit}`);
                    assert.ok(price.source.length > 10, `${region} ${key}: source`);
                }
            }
        });
    }

    it("has assumed volumes for every environment, growing from dev to prod", () => {
        const assumptions = loadUsageAssumptions();
        assert.deepEqual(Object.keys(assumptions.byEnvironment).sort(), [...environmentNames].sort());
        for (const key of Object.keys(assumptions.byEnvironment["dev"]!) as (keyof typeof usage)[]) {
            assert.ok(assumptions.byEnvironment["dev"]![key] <= assumptions.byEnvironment["prod"]![key], key);
        }
    });

    it("prices a node pool at its minimum and its maximum, disks included", () => {
        const template = resource("aws:ec2/launchTemplate:LaunchTemplate", "cluster-nodes-template", { blockDeviceMappings: [{ ebs: { volumeSize: 100, volumeType: "gp3" } }] }, "cluster");
        const estimate = awsEstimate([nodeGroup("m7i.large", 3, 5), template]);
        const perNode = usd(aws, "ec2:m7i.large") * hoursPerMonth + 100 * usd(aws, "ebs:gp3");
        assert.equal(estimate.min, cents(3 * perNode));
        assert.equal(estimate.max, cents(5 * perNode));
        assert.deepEqual(estimate.byComponent["cluster"], { min: estimate.min, max: estimate.max, unknown: [] });
    });

    it("shows a price the book lacks as unknown, left out of the totals, never as zero", () => {
        const estimate = awsEstimate([nodeGroup("m7i.48xlarge", 3, 5), resource("aws:eks/cluster:Cluster", "cluster-eks", { upgradePolicy: { supportType: "STANDARD" } }, "cluster")]);
        const line = estimate.lines.find((candidate) => candidate.price === "ec2:m7i.48xlarge")!;
        assert.equal(line.monthlyUsd, null);
        assert.deepEqual(estimate.unknown, ['cluster-nodes-workload: 3-5 × m7i.48xlarge (no price for "ec2:m7i.48xlarge" in eu-west-1)']);
        assert.deepEqual(estimate.byComponent["cluster"]!.unknown, estimate.unknown);
        // The control plane and the disks are still counted.
        assert.equal(estimate.min, cents(usd(aws, "eks:STANDARD") * hoursPerMonth + 3 * 20 * usd(aws, "ebs:gp3")));
        // A price the book holds as null (not found anywhere) is unknown too.
        const redis = azureEstimate([resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { sku: { name: "Balanced_B20" }, highAvailability: "Enabled" })]);
        assert.deepEqual(redis.unknown, ['cache-redis: Balanced_B20, two nodes for high availability (no price for "managed-redis:Balanced_B20" in westeurope)']);
    });

    it("shows a size the engine does not know yet (a first preview) as unknown, never as a guess", () => {
        const unknownScale = resource("aws:eks/nodeGroup:NodeGroup", "cluster-nodes-workload", { instanceTypes: ["m7i.large"], scalingConfig: unknownValue });
        const unknownSupport = resource("aws:eks/cluster:Cluster", "cluster-eks", { upgradePolicy: unknownValue });
        const estimate = awsEstimate([unknownScale, unknownSupport]);
        assert.equal(estimate.max, 0);
        assert.deepEqual(estimate.unknown, ["cluster-nodes-workload: aws:eks/nodeGroup:NodeGroup (its size is not known yet)", "cluster-eks: aws:eks/cluster:Cluster (its size is not known yet)"]);
    });

    it("prices a copy in another region at that region's prices, unknown when the book has none", () => {
        const estimate = awsEstimate([resource("aws:s3/bucket:Bucket", "storage-replica", { region: "eu-central-1" })]);
        assert.deepEqual(estimate.unknown, [`storage-replica: ${usage.objectStorageGiB} GiB of objects (assumed) (no price for "s3:standard" in eu-central-1)`]);
    });

    it("RDS: Multi-AZ at its own instance and storage prices, a replica at its source's storage, the proxy per vCPU", () => {
        const primary = resource("aws:rds/instance:Instance", "database-primary", { identifier: "platform-prod-postgres", instanceClass: "db.m7g.xlarge", multiAz: true, allocatedStorage: 200 });
        const replica = resource("aws:rds/instance:Instance", "database-replica-1", { instanceClass: "db.m7g.xlarge", replicateSourceDb: "platform-prod-postgres" });
        const proxy = resource("aws:rds/proxy:Proxy", "database-proxy", {});
        const estimate = awsEstimate([primary, replica, proxy]);
        const monthly = (name: string) => estimate.lines.filter((line) => line.resource === name).map((line) => line.monthlyUsd!.max);
        assert.deepEqual(monthly("database-primary"), [cents(usd(aws, "rds-postgres-multi-az:db.m7g.xlarge") * hoursPerMonth), cents(200 * usd(aws, "rds:gp3-multi-az"))]);
        assert.deepEqual(monthly("database-replica-1"), [cents(usd(aws, "rds-postgres:db.m7g.xlarge") * hoursPerMonth), cents(200 * usd(aws, "rds:gp3"))]);
        // db.m7g.xlarge has 4 vCPUs.
        assert.deepEqual(monthly("database-proxy"), [cents(4 * usd(aws, "rds-proxy:vcpu") * hoursPerMonth)]);
    });

    it("ElastiCache: every node of every shard, at the engine's price", () => {
        const cache = resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", { nodeType: "cache.m7g.large", engine: "valkey", numNodeGroups: 3, replicasPerNodeGroup: 1 });
        assert.equal(awsEstimate([cache]).max, cents(6 * usd(aws, "elasticache:valkey:cache.m7g.large") * hoursPerMonth));
    });

    it("shares an assumed volume across the resources that carry it", () => {
        const logGroup = (name: string) => resource("aws:cloudwatch/logGroup:LogGroup", name, { retentionInDays: 30 });
        const estimate = awsEstimate([logGroup("a"), logGroup("b")]);
        const ingestion = estimate.lines.filter((line) => line.price === "logs:ingestion").reduce((sum, line) => sum + line.monthlyUsd!.max, 0);
        assert.equal(cents(ingestion), cents(usage.logIngestionGiB * usd(aws, "logs:ingestion")));
    });

    it("Azure: a high-availability standby bills the server's compute and storage again; Managed Redis bills a second node for it", () => {
        const server = (mode: string) => resource("azure-native:dbforpostgresql:Server", "database-server", { sku: { name: "Standard_D4ds_v5" }, storage: { storageSizeGB: 256 }, highAvailability: { mode } });
        const single = azureEstimate([server("Disabled")]).max;
        const standby = azureEstimate([server("ZoneRedundant")]).max;
        assert.equal(standby, cents(2 * single));
        assert.equal(single, cents(usd(azure, "postgres:Standard_D4ds_v5") * hoursPerMonth + 256 * usd(azure, "postgres:storage")));
        const redis = (highAvailability: string) => azureEstimate([resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { sku: { name: "Balanced_B3" }, highAvailability })]).max;
        assert.deepEqual([redis("Enabled"), redis("Disabled")], [cents(2 * usd(azure, "managed-redis:Balanced_B3") * hoursPerMonth), cents(usd(azure, "managed-redis:Balanced_B3") * hoursPerMonth)]);
    });

    it("Azure: AKS pools inline and standalone at their autoscaler's bounds, each node with its Premium OS disk, and the tier's control plane", () => {
        const cluster = resource("azure-native:containerservice:ManagedCluster", "cluster-aks", {
            sku: { name: "Base", tier: "Standard" },
            agentPoolProfiles: [{ name: "system", vmSize: "Standard_D4s_v5", enableAutoScaling: true, minCount: 2, maxCount: 4, osDiskSizeGB: 128 }],
        });
        const pool = resource("azure-native:containerservice:AgentPool", "cluster-workload", { vmSize: "Standard_D8s_v5", enableAutoScaling: true, minCount: 4, maxCount: 8, osDiskSizeGB: 128 });
        const estimate = azureEstimate([cluster, pool]);
        const node = (sku: string) => usd(azure, `vm:${sku}`) * hoursPerMonth + usd(azure, "disk:Premium_LRS:128");
        const controlPlane = usd(azure, "aks:Standard") * hoursPerMonth;
        assert.equal(estimate.min, cents(controlPlane + 2 * node("Standard_D4s_v5") + 4 * node("Standard_D8s_v5")));
        assert.equal(estimate.max, cents(controlPlane + 4 * node("Standard_D4s_v5") + 8 * node("Standard_D8s_v5")));
    });

    it("Azure: the workspace and the flow logs share the assumed logs; the flow-log account keeps them for the flow log's retention", () => {
        const workspace = resource("azure-native:operationalinsights:Workspace", "cluster-logs", { retentionInDays: 31 });
        const flowLog = resource("azure-native:network:FlowLog", "network-flow-logs", { retentionPolicy: { days: 90, enabled: true } });
        const account = resource("azure-native:storage:StorageAccount", "network-flow-logs", { sku: { name: "Standard_LRS" }, tags: { purpose: "flow-logs" } });
        const quantities = Object.fromEntries(azureEstimate([workspace, flowLog, account]).lines.map((line) => [line.price, line.quantity.max]));
        const share = usage.logIngestionGiB / 2;
        assert.deepEqual(quantities, { "log-analytics:ingestion": share, "log-analytics:retention": 0, "flow-logs:collected": share, "blob-hot:Standard_LRS": share * 3 });
    });

    it("says which prices are approximate, and why", () => {
        const estimate = azureEstimate([resource("azure-native:containerservice:AgentPool", "cluster-workload", { vmSize: "Standard_D2s_v5", count: 3, osDiskSizeGB: 128 })]);
        assert.equal(estimate.approximate.length, 2);
        assert.match(estimate.approximate.join("\n"), /a test fixture's figure[\s\S]*eastus's figure/);
    });

    it("finds the stack's cloud, region and budget from its resources; nothing to price without a cloud's provider", () => {
        const budget = resource("azure-native:consumption:Budget", "budget-monthly", { amount: 2000 });
        const found = stackMonthlyCost([azureProvider, budget], "staging");
        assert.equal(found?.estimate.region, "westeurope");
        assert.deepEqual(found?.budget, { resource: budget, usd: 2000 });
        assert.equal(stackMonthlyCost([budget], "staging"), undefined);
        assert.equal(stackMonthlyCost([awsProvider, resource("aws:budgets/budget:Budget", "budget-monthly", { limitAmount: "500" })], "dev")?.budget?.usd, 500);
    });
});
