import assert from "node:assert/strict";
import type { PolicyResource } from "../../policy/rule.ts";
import { encryptionAtRest, encryptionRules, keyVaultPurgeProtection, tlsInTransit } from "../../policy/rules/encryption.ts";
import { awsStack, azureStack, itPassesTheCompliantStacks, launchTemplate, tags, vaultProperties } from "../support/compliant-stacks.ts";
import { assertOne, changed, messages, resource } from "../support/policy.ts";

describe("policy: encryption rules", () => {
    itPassesTheCompliantStacks(encryptionRules);

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
            it(`reports ${what}`, () => assertOne(messages(encryptionAtRest, resources), pattern));
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
            it(`reports ${what}`, () => assertOne(messages(tlsInTransit, resources), pattern));
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
});
