import assert from "node:assert/strict";
import type { Environment } from "../../policy/rule.ts";
import { runRules } from "../../policy/run.ts";
import { crossRegionCopies, databaseBackups, highAvailability } from "../../policy/rules/resilience.ts";
import { unknownValue } from "../../policy/rule.ts";
import { assertOne, messages, resource } from "../support/policy.ts";

const rdsPrimary = (props: object) =>
    resource("aws:rds/instance:Instance", "database-primary", { backupRetentionPeriod: 30, deletionProtection: true, skipFinalSnapshot: false, copyTagsToSnapshot: true, multiAz: true, ...props });
const rdsReplica = resource("aws:rds/instance:Instance", "database-replica-1", { replicateSourceDb: "platform-prod-postgres", skipFinalSnapshot: true, copyTagsToSnapshot: true });
const serverId = "/subscriptions/0/resourceGroups/rg-platform-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers";
const flexibleServer = (props: object) =>
    resource("azure-native:dbforpostgresql:Server", "database-server", { serverName: "platform-prod-postgres-8f85", resourceGroupName: "rg-platform-prod", backup: { backupRetentionDays: 30 }, highAvailability: { mode: "ZoneRedundant" }, ...props });
const azureReplica = resource("azure-native:dbforpostgresql:Server", "database-replica-1", { serverName: "platform-prod-postgres-replica-1-8f85", createMode: "Replica" });
const lock = (scope: string, level = "CanNotDelete") => resource("azure-native:authorization:ManagementLockByScope", "database-server-lock", { level, scope });
const aks = (props: object) => resource("azure-native:containerservice:ManagedCluster", "cluster-aks", props);

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

describe("policy: cross-region-copies", () => {
    const primary = rdsPrimary({ identifier: "platform-prod-postgres" });
    const copies = (source: unknown) => resource("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "database-backups", { sourceDbInstanceArn: source, region: "eu-central-1" });
    const bucket = (name: unknown, logical = "storage-bucket") => resource("aws:s3/bucket:Bucket", logical, { bucket: name });
    const replication = (source: unknown, replica: unknown) => resource("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "storage-replication", {
        bucket: source, rules: [{ status: "Enabled", destination: { bucket: replica } }],
    });
    const account = (sku: unknown, tags: object = {}) => resource("azure-native:storage:StorageAccount", "storage-account", { accountName: "stplatformprod1a2b", sku: { name: sku }, tags });

    it("passes prod's backups replicated elsewhere, a replicated bucket and its replica, geo-redundant backup and storage", () => {
        assert.deepEqual(messages(crossRegionCopies, [
            primary, rdsReplica, copies("arn:aws:rds:eu-west-1:123456789012:db:platform-prod-postgres"),
            bucket("platform-prod-data-1a2b3c"), bucket("platform-prod-data-replica-1a2b3c", "storage-replica"),
            replication("platform-prod-data-1a2b3c", "arn:aws:s3:::platform-prod-data-replica-1a2b3c"),
            flexibleServer({ backup: { backupRetentionDays: 30, geoRedundantBackup: "Enabled" } }), azureReplica, account("Standard_GZRS"),
        ]), []);
    });

    it("reports each copy that is missing, naming the keys that make it", () => {
        assertOne(messages(crossRegionCopies, [primary, copies("arn:aws:rds:eu-west-1:123456789012:db:platform-prod-other")]),
            /RDS instance "database-primary" has no automated backups replicated to another region \(platform:database\.crossRegionBackups/);
        assertOne(messages(crossRegionCopies, [bucket("platform-prod-data-1a2b3c")]), /S3 bucket "storage-bucket" is not replicated to another region/);
        assertOne(messages(crossRegionCopies, [flexibleServer({ backup: { backupRetentionDays: 30, geoRedundantBackup: "Disabled" } })]),
            /PostgreSQL server "database-server" has backup\.geoRedundantBackup "Disabled", not "Enabled"/);
        assertOne(messages(crossRegionCopies, [account("Standard_ZRS")]), /Storage account "storage-account" is "Standard_ZRS"; it needs a geo-redundant SKU/);
    });

    it("exempts flow-log accounts, and judges only what a first preview knows", () => {
        assert.deepEqual(messages(crossRegionCopies, [account("Standard_LRS", { purpose: "flow-logs" })]), []);
        assert.deepEqual(messages(crossRegionCopies, [primary, copies(unknownValue), bucket(unknownValue), replication(unknownValue, unknownValue), account(unknownValue)]), []);
    });

    it("is mandatory in prod and asks nothing of dev and staging", () => {
        assert.equal(crossRegionCopies.enforcement.prod, "mandatory");
        for (const environment of ["dev", "staging"] as const) {
            assert.deepEqual(messages(crossRegionCopies, [primary, bucket("platform-dev-data-1a2b3c"), account("Standard_LRS")], environment), []);
        }
    });
});
