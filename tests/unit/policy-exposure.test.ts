import assert from "node:assert/strict";
import type { Environment } from "../../policy/rule.ts";
import { runRules } from "../../policy/run.ts";
import { noPublicEndpoints } from "../../policy/rules/exposure.ts";
import { assertOne, messages, resource } from "../support/policy.ts";

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
