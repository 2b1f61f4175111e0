import assert from "node:assert/strict";
import type { Environment, PolicyResource, Rule } from "../policy/rule.ts";
import { encryptionAtRest, encryptionRules, keyVaultPurgeProtection, tlsInTransit } from "../policy/rules/encryption.ts";
import { requiredTags, tagRules } from "../policy/rules/tags.ts";
import { runRules } from "../policy/run.ts";
import { cloudNames, planOf, stacks } from "./support/plans.ts";

function resource(type: string, name: string, props: Record<string, any>): PolicyResource {
    return { type, name, props };
}

function messages(rule: Rule, resources: readonly PolicyResource[], environment: Environment = "prod"): string[] {
    return runRules([rule], resources, environment).map((violation) => violation.message);
}

/** Exactly one message, matching every pattern. */
function assertOne(rule: Rule, resources: readonly PolicyResource[], ...patterns: RegExp[]): void {
    const found = messages(rule, resources);
    assert.equal(found.length, 1, found.join("\n"));
    for (const pattern of patterns) {
        assert.match(found[0]!, pattern);
    }
}

/** `resources` with the one named `name` of `type` changed by `change`. */
function changed(resources: readonly PolicyResource[], type: string, name: string, change: (props: Record<string, any>) => void): PolicyResource[] {
    return resources.map((entry) => {
        if (entry.type !== type || entry.name !== name) {
            return entry;
        }
        const props = structuredClone(entry.props);
        change(props);
        return { ...entry, props };
    });
}

const tags = { owner: "platform-team", "cost-center": "engineering", environment: "prod", project: "platform", stack: "prod", "managed-by": "pulumi" };
const kmsArn = "arn:aws:kms:eu-west-1:123456789012:key/1234";

const provider = resource("pulumi:providers:aws", "aws", { region: "eu-west-1", defaultTags: JSON.stringify({ tags }) });
const launchTemplate = resource("aws:ec2/launchTemplate:LaunchTemplate", "cluster-nodes-template", {
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 100 } }],
    tagSpecifications: [{ resourceType: "instance", tags }, { resourceType: "volume", tags }],
});
const awsStack: PolicyResource[] = [
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

const vaultProperties = { enablePurgeProtection: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, tenantId: "t" };
const azureStack: PolicyResource[] = [
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

describe("policy: tags and encryption rules", () => {
    it("pass compliant AWS and Azure stacks", () => {
        for (const rule of [...tagRules, ...encryptionRules]) {
            for (const environment of ["dev", "staging", "prod"] as const) {
                assert.deepEqual(runRules([rule], [...awsStack, ...azureStack], environment), [], `${rule.name} in ${environment}`);
            }
        }
    });

    it("are enforced in every environment", () => {
        for (const rule of [...tagRules, ...encryptionRules]) {
            assert.deepEqual(rule.enforcement, { dev: "mandatory", staging: "mandatory", prod: "mandatory" }, rule.name);
        }
    });

    describe("required-tags", () => {
        it("reports a provider whose default tags lack or blank a required tag", () => {
            const { owner: _owner, ...withoutOwner } = tags;
            assertOne(requiredTags, changed(awsStack, provider.type, "aws", (props) => {
                props["defaultTags"] = JSON.stringify({ tags: { ...withoutOwner, "cost-center": " " } });
            }), /^AWS provider "aws" defaultTags: owner missing, cost-center empty; every resource needs owner, cost-center, environment/, /platform:tags/);
            assertOne(requiredTags, changed(awsStack, provider.type, "aws", (props) => delete props["defaultTags"]), /AWS provider "aws" defaultTags: no tags/);
        });

        it("reports AWS resources without a provider to tag them", () => {
            assertOne(requiredTags, awsStack.filter((entry) => entry !== provider), /without an AWS provider carrying defaultTags/);
        });

        it("reports a resource that blanks a default tag", () => {
            assertOne(requiredTags, changed(awsStack, "aws:ec2/vpc:Vpc", "network-vpc", (props) => {
                props["tags"]["owner"] = "";
            }), /^aws:ec2\/vpc:Vpc "network-vpc" blanks the default tag\(s\) owner/);
        });

        it("reports node launch templates that do not tag their instances and volumes", () => {
            assertOne(requiredTags, changed(awsStack, launchTemplate.type, launchTemplate.name, (props) => {
                props["tagSpecifications"] = [{ resourceType: "instance", tags }];
            }), /launch template "cluster-nodes-template" tagSpecifications for volume: no tags/);
        });

        it("reports Azure resources, private endpoints and node pools without the tags", () => {
            assertOne(requiredTags, changed(azureStack, "azure-native:network:PrivateEndpoint", "storage-blob", (props) => delete props["tags"]),
                /^PrivateEndpoint "storage-blob" tags: no tags; every resource needs/);
            assertOne(requiredTags, changed(azureStack, "azure-native:containerservice:AgentPool", "cluster-workload", (props) => {
                props["tags"] = { ...tags, stack: "" };
            }), /^AgentPool "cluster-workload" tags: stack empty;/);
            assertOne(requiredTags, changed(azureStack, "azure-native:containerservice:ManagedCluster", "cluster-aks", (props) => {
                props["agentPoolProfiles"] = [{ name: "system" }];
            }), /^AKS cluster "cluster-aks" node pool "system" tags: no tags/);
        });
    });

    describe("encryption-at-rest", () => {
        const cases: [string, PolicyResource[], RegExp][] = [
            ["an unencrypted RDS instance", changed(awsStack, "aws:rds/instance:Instance", "database-primary", (props) => {
                props["storageEncrypted"] = false;
            }), /^RDS instance "database-primary" has storageEncrypted false; it must be true/],
            ["an RDS instance on the AWS-managed key", changed(awsStack, "aws:rds/instance:Instance", "database-primary", (props) => delete props["kmsKeyId"]),
                /^RDS instance "database-primary" has kmsKeyId unset; it must be the platform's customer-managed KMS key/],
            ["an ElastiCache group unencrypted at rest", changed(awsStack, "aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", (props) => {
                delete props["atRestEncryptionEnabled"];
            }), /^ElastiCache replication group "cache-valkey" has atRestEncryptionEnabled unset; it must be true/],
            ["a bucket without an encryption configuration", awsStack.filter((entry) => entry.name !== "storage-encryption"),
                /^S3 bucket "storage-bucket" has no server-side encryption configuration; it needs sseAlgorithm aws:kms/],
            ["a bucket encrypted with AES256", changed(awsStack, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "storage-encryption",
                (props) => {
                    props["rules"] = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
                }), /^S3 bucket "storage-bucket" encrypts with "AES256"; it needs sseAlgorithm aws:kms/],
            ["a bucket on the aws/s3 key", changed(awsStack, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "storage-encryption",
                (props) => delete props["rules"][0].applyServerSideEncryptionByDefault.kmsMasterKeyId), /^S3 bucket "storage-bucket" encryption has kmsMasterKeyId unset/],
            ["a secret on the AWS-managed key", changed(awsStack, "aws:secretsmanager/secret:Secret", "secrets-redis-password", (props) => {
                props["kmsKeyId"] = "alias/aws/secretsmanager";
            }), /^Secrets Manager secret "secrets-redis-password" has kmsKeyId "alias\/aws\/secretsmanager"; it must be the platform's customer-managed/],
            ["an unencrypted node volume", changed(awsStack, launchTemplate.type, launchTemplate.name, (props) => {
                props["blockDeviceMappings"][0].ebs.encrypted = "false";
            }), /^launch template "cluster-nodes-template" volume "\/dev\/xvda" has encrypted "false"; it must be true/],
            ["a launch template mapping no volume", changed(awsStack, launchTemplate.type, launchTemplate.name, (props) => delete props["blockDeviceMappings"]),
                /^launch template "cluster-nodes-template" maps no EBS volume/],
            ["a node group without launch template", changed(awsStack, "aws:eks/nodeGroup:NodeGroup", "cluster-nodes-workload", (props) => delete props["launchTemplate"]),
                /^EKS node group "cluster-nodes-workload" has no launch template/],
            ["a KMS key without rotation", changed(awsStack, "aws:kms/key:Key", "secrets-key", (props) => {
                props["enableKeyRotation"] = false;
            }), /^KMS key "secrets-key" has enableKeyRotation false; it must be true/],
            ["an unencrypted EBS StorageClass", changed(awsStack, "kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes-storage", (props) => {
                delete props["parameters"]["encrypted"];
            }), /^EBS StorageClass "kubernetes-storage" parameters has encrypted unset; it must be "true"/],
            ["a storage account without infrastructure encryption", changed(azureStack, "azure-native:storage:StorageAccount", "storage-account", (props) => {
                delete props["encryption"];
            }), /^storage account "storage-account" encryption has requireInfrastructureEncryption unset; it must be true/],
            ["a storage account disabling blob encryption", changed(azureStack, "azure-native:storage:StorageAccount", "storage-account", (props) => {
                props["encryption"]["services"]["blob"]["enabled"] = false;
            }), /^storage account "storage-account" disables blob encryption/],
            ["a Key Vault key without rotation", changed(azureStack, "azure-native:keyvault:Key", "cluster-kms", (props) => delete props["properties"]["rotationPolicy"]),
                /^Key Vault key "cluster-kms" has no rotationPolicy with a rotate action/],
        ];
        for (const [what, resources, pattern] of cases) {
            it(`reports ${what}`, () => assertOne(encryptionAtRest, resources, pattern));
        }
    });

    describe("tls-in-transit", () => {
        const cases: [string, PolicyResource[], RegExp][] = [
            ["an RDS parameter group without rds.force_ssl", changed(awsStack, "aws:rds/parameterGroup:ParameterGroup", "database-params", (props) => {
                props["parameters"] = [{ name: "rds.force_ssl", value: "0" }];
            }), /^RDS instance "database-primary" parameter group "database-params" has rds.force_ssl "0"; it must be "1"/],
            ["an RDS parameter group allowing TLS 1.1", changed(awsStack, "aws:rds/parameterGroup:ParameterGroup", "database-params", (props) => {
                props["parameters"][1].value = "TLSv1.1";
            }), /has ssl_min_protocol_version "TLSv1.1"; it must be TLSv1.2 or later/],
            ["an RDS instance on a parameter group outside the stack", changed(awsStack, "aws:rds/instance:Instance", "database-primary", (props) => {
                props["parameterGroupName"] = "default.postgres17";
            }), /^RDS instance "database-primary" uses parameter group "default.postgres17", none of this stack's/],
            ["an ElastiCache group without transit encryption", changed(awsStack, "aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", (props) => {
                delete props["transitEncryptionEnabled"];
                delete props["transitEncryptionMode"];
            }), /^ElastiCache replication group "cache-valkey" has transitEncryptionEnabled unset; it must be true/],
            ["an ElastiCache group that still takes plain text", changed(awsStack, "aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey", (props) => {
                props["transitEncryptionMode"] = "preferred";
            }), /has transitEncryptionMode "preferred"; it must be "required"/],
            ["a bucket without a bucket policy", awsStack.filter((entry) => entry.type !== "aws:s3/bucketPolicy:BucketPolicy"),
                /^S3 bucket "storage-bucket" has no bucket policy denying aws:SecureTransport false/],
            ["a bucket policy that only allows", changed(awsStack, "aws:s3/bucketPolicy:BucketPolicy", "storage-policy", (props) => {
                props["policy"] = { Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Condition: { Bool: { "aws:SecureTransport": "true" } } }] };
            }), /^S3 bucket "storage-bucket" has no bucket policy denying/],
            ["a storage account taking HTTP", changed(azureStack, "azure-native:storage:StorageAccount", "storage-account", (props) => {
                props["enableHttpsTrafficOnly"] = false;
            }), /^storage account "storage-account" has enableHttpsTrafficOnly false; it must be true/],
            ["a storage account taking TLS 1.0", changed(azureStack, "azure-native:storage:StorageAccount", "storage-account", (props) => {
                props["minimumTlsVersion"] = "TLS1_0";
            }), /^storage account "storage-account" has minimumTlsVersion "TLS1_0"; it must be TLS1_2 or later/],
            ["a PostgreSQL server without require_secure_transport", azureStack.filter((entry) => entry.name !== "database-require-secure-transport"),
                /^PostgreSQL server "database-server" has require_secure_transport unset; it must be "on"/],
            ["a PostgreSQL server with require_secure_transport off", changed(azureStack, "azure-native:dbforpostgresql:Configuration", "database-require-secure-transport",
                (props) => {
                    props["value"] = "OFF";
                }), /^PostgreSQL server "database-server" has require_secure_transport "OFF"/],
            ["a PostgreSQL server allowing TLS 1.1", changed(azureStack, "azure-native:dbforpostgresql:Configuration", "database-ssl-min-protocol-version", (props) => {
                props["value"] = "TLSv1.1";
            }), /^PostgreSQL server "database-server" has ssl_min_protocol_version "TLSv1.1"; it must be TLSv1.2 or later/],
            ["a Redis cluster taking TLS 1.0", changed(azureStack, "azure-native:redisenterprise:RedisEnterprise", "cache-redis", (props) => {
                props["minimumTlsVersion"] = "1.0";
            }), /^Redis cluster "cache-redis" has minimumTlsVersion "1.0"; it must be 1.2 or later/],
            ["a Redis database in plain text", changed(azureStack, "azure-native:redisenterprise:Database", "cache-database", (props) => {
                props["clientProtocol"] = "Plaintext";
            }), /^Redis database "cache-database" has clientProtocol "Plaintext"; it must be "Encrypted"/],
        ];
        for (const [what, resources, pattern] of cases) {
            it(`reports ${what}`, () => assertOne(tlsInTransit, resources, pattern));
        }
    });

    describe("key-vault-purge-protection", () => {
        const vault = (properties: Record<string, unknown>) => [resource("azure-native:keyvault:Vault", "cluster-kms", { tags, properties })];

        it("needs soft delete and purge protection", () => {
            const found = messages(keyVaultPurgeProtection, vault({ ...vaultProperties, enablePurgeProtection: false, enableSoftDelete: undefined }));
            assert.deepEqual(found, [
                `Key Vault "cluster-kms" has enableSoftDelete unset; it must be true`,
                `Key Vault "cluster-kms" has enablePurgeProtection false; it must be true`,
            ]);
        });

        it("needs each environment's retention floor", () => {
            const month = vault({ ...vaultProperties, softDeleteRetentionInDays: 30 });
            assert.deepEqual(messages(keyVaultPurgeProtection, month, "staging"), []);
            assert.deepEqual(messages(keyVaultPurgeProtection, month, "prod"),
                [`Key Vault "cluster-kms" has softDeleteRetentionInDays 30; it must be at least 90 days in this environment`]);
            assert.match(messages(keyVaultPurgeProtection, vault({ ...vaultProperties, softDeleteRetentionInDays: undefined }), "dev")[0]!,
                /softDeleteRetentionInDays unset; it must be at least 7 days/);
        });
    });

    describe("on the checked-in stacks", () => {
        const ours = [...tagRules, ...encryptionRules];
        for (const stack of stacks) {
            for (const cloud of cloudNames) {
                it(`raises no mandatory violation for ${stack} on ${cloud}`, async () => {
                    const plan = await planOf(stack, cloud);
                    const resources = plan.resources.map(({ type, name, inputs }) => ({ type, name, props: inputs }));
                    const mandatory = runRules(ours, resources, plan.environment as Environment).filter((violation) => violation.enforcement === "mandatory");
                    assert.deepEqual(mandatory.map((violation) => `${violation.rule} ${violation.name}: ${violation.message}`), []);
                });
            }
        }

        it("catches weakened copies of the real plans", async () => {
            const aws = changed((await planOf("prod", "aws")).resources
                .filter(({ type }) => type !== "aws:s3/bucketPolicy:BucketPolicy")
                .map(({ type, name, inputs }) => ({ type, name, props: inputs })), "aws:ec2/vpc:Vpc", "network-vpc", (props) => {
                props["tags"] = { ...props["tags"], owner: "" };
            });
            assert.deepEqual(runRules(ours, aws, "prod").map((violation) => `${violation.rule} ${violation.name}`),
                ["required-tags network-vpc", "tls-in-transit storage-bucket"]);
            const azure = changed((await planOf("prod", "azure")).resources.map(({ type, name, inputs }) => ({ type, name, props: inputs })),
                "azure-native:keyvault:Vault", "secrets-vault", (props) => {
                    props["properties"].softDeleteRetentionInDays = 7;
                });
            assert.deepEqual(runRules(ours, azure, "prod").map((violation) => `${violation.rule} ${violation.name}`), ["key-vault-purge-protection secrets-vault"]);
        });
    });
});
