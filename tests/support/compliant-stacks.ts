/** A compliant AWS stack and a compliant Azure stack, as the tags and encryption rules see them; tests weaken copies. */
import assert from "node:assert/strict";
import type { PolicyResource, Rule } from "../../policy/rule.ts";
import { runRules } from "../../policy/run.ts";
import { resource } from "./policy.ts";

export const tags = { owner: "platform-team", "cost-center": "engineering", environment: "prod", project: "platform", stack: "prod", "managed-by": "pulumi" };
const kmsArn = "arn:aws:kms:eu-west-1:123456789012:key/1234";

export const provider = resource("pulumi:providers:aws", "aws", { region: "eu-west-1", defaultTags: JSON.stringify({ tags }) });
export const launchTemplate = resource("aws:ec2/launchTemplate:LaunchTemplate", "cluster-nodes-template", {
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 100 } }],
    tagSpecifications: [{ resourceType: "instance", tags }, { resourceType: "volume", tags }],
});
export const awsStack: PolicyResource[] = [
    provider,
    launchTemplate,
    resource("aws:ec2/vpc:Vpc", "network-vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "platform-prod-vpc" } }),
    resource("aws:eks/nodeGroup:NodeGroup", "cluster-nodes-workload", { launchTemplate: { id: "lt-1", version: "1" } }),
    resource("aws:rds/parameterGroup:ParameterGroup", "database-params", {
        family: "postgres17",
        parameters: [{ name: "rds.force_ssl", value: "1" }, { name: "ssl_min_protocol_version", value: "TLSv1.2" }],
    }),
    // Pulumi autonames the parameter group `<logical name>-<7 hex>`.
    resource("aws:rds/instance:Instance", "database-primary", { storageEncrypted: true, kmsKeyId: kmsArn, parameterGroupName: "database-params-c3bb922" }),
    resource("aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", {
        atRestEncryptionEnabled: true, kmsKeyId: kmsArn, transitEncryptionEnabled: true, transitEncryptionMode: "required",
    }),
    resource("aws:s3/bucket:Bucket", "storage-bucket", { bucket: "platform-prod-data" }),
    resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "storage-encryption", {
        bucket: "platform-prod-data",
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsArn }, bucketKeyEnabled: true }],
    }),
    resource("aws:s3/bucketPolicy:BucketPolicy", "storage-policy", {
        bucket: "platform-prod-data",
        policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
        }),
    }),
    resource("aws:secretsmanager/secret:Secret", "secrets-redis-password", { kmsKeyId: kmsArn, name: "platform/prod/redis-password" }),
    resource("aws:kms/key:Key", "secrets-key", { enableKeyRotation: true }),
    resource("kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes-storage", { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" } }),
];

export const vaultProperties = { enablePurgeProtection: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, tenantId: "t" };
export const azureStack: PolicyResource[] = [
    resource("azure-native:resources:ResourceGroup", "network-rg", { tags }),
    resource("azure-native:network:PrivateEndpoint", "storage-blob", { tags }),
    resource("azure-native:authorization:RoleAssignment", "cluster-network", { principalId: "p" }),
    resource("azure-native:containerservice:ManagedCluster", "cluster-aks", { tags, agentPoolProfiles: [{ name: "system", mode: "System", tags }] }),
    resource("azure-native:containerservice:AgentPool", "cluster-workload", { tags, osDiskType: "Managed" }),
    resource("azure-native:keyvault:Vault", "secrets-vault", { tags, properties: vaultProperties }),
    resource("azure-native:keyvault:Key", "cluster-kms", {
        properties: { kty: "RSA", rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } }] } },
    }),
    resource("azure-native:storage:StorageAccount", "storage-account", {
        tags,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true, services: { blob: { enabled: true } } },
    }),
    resource("azure-native:dbforpostgresql:Server", "database-server", { tags, serverName: "platform-prod-postgres" }),
    resource("azure-native:dbforpostgresql:Server", "database-replica-1", { tags, serverName: "platform-prod-postgres-replica-1", createMode: "Replica" }),
    resource("azure-native:dbforpostgresql:Configuration", "database-require-secure-transport", {
        serverName: "platform-prod-postgres", configurationName: "require_secure_transport", value: "on",
    }),
    resource("azure-native:dbforpostgresql:Configuration", "database-ssl-min-protocol-version", {
        serverName: "platform-prod-postgres", configurationName: "ssl_min_protocol_version", value: "TLSv1.2",
    }),
    resource("azure-native:redisenterprise:RedisEnterprise", "cache-redis", { tags, minimumTlsVersion: "1.2" }),
    resource("azure-native:redisenterprise:Database", "cache-database", { clientProtocol: "Encrypted" }),
    resource("kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes-storage", { provisioner: "disk.csi.azure.com", parameters: { skuName: "Premium_ZRS" } }),
];

/** What holds for every rule of such a group: both stacks pass everywhere, and every environment enforces the rules. */
export function itPassesTheCompliantStacks(rules: readonly Rule[]): void {
    it("pass compliant AWS and Azure stacks", () => {
        for (const rule of rules) {
            for (const environment of ["dev", "staging", "prod"] as const) {
                assert.deepEqual(runRules([rule], [...awsStack, ...azureStack], environment), [], `${rule.name} in ${environment}`);
            }
        }
    });

    it("are enforced in every environment", () => {
        for (const rule of rules) {
            assert.deepEqual(rule.enforcement, { dev: "mandatory", staging: "mandatory", prod: "mandatory" }, rule.name);
        }
    });
}
