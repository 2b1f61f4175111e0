/**
 * A new stack's first preview: the engine sends unknowns (a KMS key's ARN, a generated name) and
 * the rules judge what is known. An unknown setting counts as present and is never a violation by
 * itself; an unknown reference may name any resource of its type; a known wrong value is still
 * reported. Each case runs both ways: through the rule as the offline plan runs it, with
 * `unknownValue` in the props, and through the pack's engine policy (policy/pack.ts) with the
 * engine's sentinels behind `@pulumi/policy`'s `unknownCheckingProxy`, as `pulumi preview` does.
 */
import assert from "node:assert/strict";
import { unknownCheckingProxy } from "@pulumi/policy";
import { knownProps, toPolicy } from "../../policy/pack.ts";
import { engineMessages, proxyModule, unknownString } from "../support/engine-policy.ts";
import { engineUnknownSentinels, isStackRule, unknownValue, type PolicyResource, type ResourceRule, type Rule } from "../../policy/rule.ts";
import { rules } from "../../policy/rules/index.ts";
import { runRules } from "../../policy/run.ts";

const proxySentinels = Object.entries(proxyModule).filter(([key]) => /^unknown\w+Value$/.test(key)).map(([, value]) => value as string);

const u = unknownValue;

function resource(type: string, name: string, props: Record<string, any>): PolicyResource {
    return { type, name, props };
}

/** The offline plan's way: the rule itself, with prod's thresholds. */
function offlineMessages(rule: Rule, resources: readonly PolicyResource[]): string[] {
    return runRules([rule], resources, "prod").map((violation) => violation.message);
}

interface Case {
    readonly rule: string;
    /** What is unknown, as on a new stack's first preview. */
    readonly unknown: string;
    /** The resources with those values unknown: nothing to report. */
    readonly withUnknowns: readonly PolicyResource[];
    /** What known value breaks the rule. */
    readonly known: string;
    /** The same resources with that known value (the other unknowns kept): reported. */
    readonly withKnownViolation: readonly PolicyResource[];
    readonly reported: RegExp;
}

const tags = { owner: "platform-team", "cost-center": "engineering", environment: "prod", project: "platform", stack: "prod", "managed-by": "pulumi" };
const secretsUser = "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6";
const document = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const awsProvider = (defaultTags: unknown) => resource("pulumi:providers:aws", "aws", { region: "eu-west-1", defaultTags });
const bucket = resource("aws:s3/bucket:Bucket", "storage-bucket", { bucket: u });
const encryption = (sseAlgorithm: string) => resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "storage-encryption", {
    bucket: u, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: u } }],
});
const parameterGroup = (forceSsl: string) => resource("aws:rds/parameterGroup:ParameterGroup", "database-params", {
    family: "postgres17", parameters: [{ name: "rds.force_ssl", value: forceSsl }],
});
const rdsInstance = (props: Record<string, any>) => resource("aws:rds/instance:Instance", "database-primary", {
    instanceClass: "db.m7g.xlarge", storageEncrypted: true, kmsKeyId: u, parameterGroupName: u, backupRetentionPeriod: 30,
    deletionProtection: true, copyTagsToSnapshot: true, multiAz: true, ...props,
});
const postgres = (props: Record<string, any>) => resource("azure-native:dbforpostgresql:Server", "database-server", {
    serverName: u, resourceGroupName: u, sku: { name: "Standard_D4ds_v5" }, backup: { backupRetentionDays: 30 },
    highAvailability: { mode: "ZoneRedundant" }, network: { publicNetworkAccess: "Disabled" }, ...props,
});
const postgresSetting = (value: string) => resource("azure-native:dbforpostgresql:Configuration", "database-secure-transport", {
    serverName: u, resourceGroupName: u, configurationName: "require_secure_transport", value, source: "user-override",
});
const lock = (scope: unknown) => resource("azure-native:authorization:ManagementLockByScope", "database-lock", { level: "CanNotDelete", scope });
const role = (name: string, permissionsBoundary: unknown) => resource("aws:iam/role:Role", name, { permissionsBoundary, assumeRolePolicy: u });
const rolePolicy = (roleName: unknown, policy: unknown) => resource("aws:iam/rolePolicy:RolePolicy", "ci-identity-deploy-policy", { role: roleName, policy });
const storageAccount = (props: Record<string, any>) => resource("azure-native:storage:StorageAccount", "storage-account", {
    accountName: u, resourceGroupName: u, allowBlobPublicAccess: false, enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2",
    publicNetworkAccess: "Disabled", encryption: { requireInfrastructureEncryption: true }, tags, ...props,
});
const nodeGroup = (props: Record<string, any>) => resource("aws:eks/nodeGroup:NodeGroup", "cluster-nodes-workload", {
    instanceTypes: ["m7i.2xlarge"], scalingConfig: { minSize: 5, maxSize: 15, desiredSize: 5 }, subnetIds: [u, u, u], launchTemplate: { id: u, version: u }, ...props,
});
const namespace = (labels: unknown) => resource("kubernetes:core/v1:Namespace", "kubernetes-ns-api", { metadata: { name: "api", labels } });
const inNamespace = (type: string, name: string, namespaceName: unknown, spec?: object) =>
    resource(type, name, { metadata: { namespace: namespaceName }, ...(spec ? { spec } : {}) });
const guardrails = (quotaNamespace: unknown) => [
    inNamespace("kubernetes:core/v1:ResourceQuota", "kubernetes-api-quota", quotaNamespace),
    inNamespace("kubernetes:core/v1:LimitRange", "kubernetes-api-limits", u),
    inNamespace("kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes-api-default-deny", u, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
];

/** A workload's Deployment as components/workload/specs.ts builds it, with `container` merged into its one container. */
const workloadDeployment = (container: Record<string, unknown>) => resource("kubernetes:apps/v1:Deployment", "workload-orders-deployment", {
    metadata: { name: "orders", namespace: "orders", labels: { "app.kubernetes.io/name": "orders" } },
    spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": "orders" } },
        template: {
            metadata: { labels: { "app.kubernetes.io/name": "orders" } },
            spec: {
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                containers: [{
                    name: "orders",
                    image: `ghcr.io/acme/orders@sha256:${"0a".repeat(32)}`,
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                    startupProbe: { httpGet: { path: "/healthz", port: "http" } },
                    readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
                    livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
                    ...container,
                }],
            },
        },
    },
});
const workloadAutoscaler = resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "workload-orders-autoscaler", {
    metadata: { name: "orders", namespace: "orders" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "orders" }, minReplicas: 3, maxReplicas: 12 },
});
const workloadBudget = (namespace: unknown) => resource("kubernetes:policy/v1:PodDisruptionBudget", "workload-orders-disruption-budget", {
    metadata: { name: "orders", namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "orders" } } },
});
const workloadRolePolicy = (policy: unknown) => resource("aws:iam/rolePolicy:RolePolicy", "workload-billing-jobs-role", { role: u, policy });
const workloadAssignment = (scope: unknown) => resource("azure-native:authorization:RoleAssignment", "workload-orders-models", {
    principalId: u, principalType: "ServicePrincipal", roleDefinitionId: u, scope,
});
const release = (name: string, chart: unknown, version: unknown) => resource("kubernetes:helm.sh/v3:Release", name, { name, chart, version, atomic: true });
const helmV4Chart = (name: string, chart: unknown) => resource("kubernetes:helm.sh/v4:Chart", name, { chart, version: "v1.9.3" });
/** The platform's shared Gateway (components/kubernetes/edge-values.ts), with what the case leaves unknown. */
const gateway = (listeners: unknown, metadata: unknown = { name: "platform", namespace: "gateway" }) => resource("kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes-edge-gateway", {
    metadata, spec: { gatewayClassName: "platform", listeners },
});
const httpListener = (from: unknown) => ({ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from } } });
const httpsListener = (certificateRefs: unknown) => ({ name: "https", port: 443, protocol: "HTTPS", hostname: "*.prod.company.io", tls: { mode: "Terminate", certificateRefs } });
const httpRoute = (rules: unknown) => resource("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "kubernetes-edge-https-redirect", {
    metadata: { name: "https-redirect", namespace: "gateway" }, spec: { parentRefs: [{ name: "platform", sectionName: "http" }], rules },
});

const cases: Case[] = [
    {
        rule: "required-tags",
        unknown: "the AWS provider's defaultTags and an Azure resource's owner tag",
        withUnknowns: [awsProvider(u), resource("aws:ec2/vpc:Vpc", "network-vpc", {}), resource("azure-native:network:VirtualNetwork", "network-vnet", { tags: { ...tags, owner: u } })],
        known: "an empty owner tag",
        withKnownViolation: [awsProvider(u), resource("aws:ec2/vpc:Vpc", "network-vpc", {}), resource("azure-native:network:VirtualNetwork", "network-vnet", { tags: { ...tags, owner: "" } })],
        reported: /VirtualNetwork "network-vnet" tags: owner empty/,
    },
    {
        rule: "required-tags",
        unknown: "a launch template's tag specifications",
        withUnknowns: [awsProvider(JSON.stringify({ tags })), resource("aws:ec2/launchTemplate:LaunchTemplate", "cluster-nodes-template", { tagSpecifications: u })],
        known: "tag specifications without tags",
        withKnownViolation: [awsProvider(JSON.stringify({ tags })), resource("aws:ec2/launchTemplate:LaunchTemplate", "cluster-nodes-template", { tagSpecifications: [] })],
        reported: /tagSpecifications for instance: no tags/,
    },
    {
        rule: "encryption-at-rest",
        unknown: "an RDS instance's and a secret's KMS key ARN (present)",
        withUnknowns: [rdsInstance({}), resource("aws:secretsmanager/secret:Secret", "secrets-redis-password", { kmsKeyId: u })],
        known: "the AWS-managed key for the secret, storage encryption off",
        withKnownViolation: [rdsInstance({ storageEncrypted: false }), resource("aws:secretsmanager/secret:Secret", "secrets-redis-password", { kmsKeyId: "alias/aws/secretsmanager" })],
        reported: /storageEncrypted false|kmsKeyId "alias\/aws\/secretsmanager"/,
    },
    {
        rule: "encryption-at-rest",
        unknown: "the bucket's name, the encryption configuration's bucket and its KMS key",
        withUnknowns: [bucket, encryption("aws:kms")],
        known: "AES256 encryption (names still unknown)",
        withKnownViolation: [bucket, encryption("AES256")],
        reported: /S3 bucket "storage-bucket" encrypts with "AES256"/,
    },
    {
        rule: "encryption-at-rest",
        unknown: "a Key Vault key's rotation policy and an EBS volume's encrypted flag",
        withUnknowns: [
            resource("azure-native:keyvault:Key", "secrets-key", { vaultName: u, properties: { rotationPolicy: u } }),
            resource("aws:ec2/launchTemplate:LaunchTemplate", "cluster-nodes-template", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: u } }] }),
        ],
        known: "no rotate action",
        withKnownViolation: [
            resource("azure-native:keyvault:Key", "secrets-key", { vaultName: u, properties: { rotationPolicy: { lifetimeActions: [{ action: { type: "notify" } }] } } }),
            resource("aws:ec2/launchTemplate:LaunchTemplate", "cluster-nodes-template", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: u } }] }),
        ],
        reported: /Key Vault key "secrets-key" has no rotationPolicy with a rotate action/,
    },
    {
        rule: "tls-in-transit",
        unknown: "the RDS instance's parameter group name (the stack's group forces TLS)",
        withUnknowns: [rdsInstance({}), parameterGroup("1")],
        known: "rds.force_ssl 0 in the stack's only group",
        withKnownViolation: [rdsInstance({}), parameterGroup("0")],
        reported: /RDS instance "database-primary" parameter group "database-params" has rds.force_ssl "0"/,
    },
    {
        rule: "tls-in-transit",
        unknown: "the PostgreSQL server's name in the server and its Configuration",
        withUnknowns: [postgres({}), postgresSetting("on")],
        known: "require_secure_transport off",
        withKnownViolation: [postgres({}), postgresSetting("off")],
        reported: /PostgreSQL server "database-server" has require_secure_transport "off"/,
    },
    {
        rule: "tls-in-transit",
        unknown: "the bucket policy document and both bucket names",
        withUnknowns: [bucket, resource("aws:s3/bucketPolicy:BucketPolicy", "storage-policy", { bucket: u, policy: u })],
        known: "a policy that denies nothing",
        withKnownViolation: [bucket, resource("aws:s3/bucketPolicy:BucketPolicy", "storage-policy", { bucket: u, policy: document({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "*" }) })],
        reported: /S3 bucket "storage-bucket" has no bucket policy denying aws:SecureTransport false/,
    },
    {
        rule: "tls-in-transit",
        unknown: "a storage account's minimum TLS version",
        withUnknowns: [storageAccount({ minimumTlsVersion: u })],
        known: "TLS1_0",
        withKnownViolation: [storageAccount({ minimumTlsVersion: "TLS1_0" })],
        reported: /storage account "storage-account" has minimumTlsVersion "TLS1_0"/,
    },
    {
        rule: "key-vault-purge-protection",
        unknown: "a Key Vault's whole properties (they name the tenant)",
        withUnknowns: [resource("azure-native:keyvault:Vault", "cluster-kms", { vaultName: u, properties: u })],
        known: "purge protection off",
        withKnownViolation: [resource("azure-native:keyvault:Vault", "cluster-kms", {
            vaultName: u, properties: { tenantId: u, enableSoftDelete: true, enablePurgeProtection: false, softDeleteRetentionInDays: u },
        })],
        reported: /Key Vault "cluster-kms" has enablePurgeProtection false/,
    },
    {
        rule: "no-public-endpoints",
        unknown: "the bucket's name and the public access block's bucket",
        withUnknowns: [bucket, resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "storage-public-access", {
            bucket: u, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        })],
        known: "a block that allows public policies",
        withKnownViolation: [bucket, resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "storage-public-access", {
            bucket: u, blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: false,
        })],
        reported: /S3 public access block "storage-public-access" leaves blockPublicPolicy, restrictPublicBuckets off/,
    },
    {
        rule: "no-public-endpoints",
        unknown: "a storage account's and a PostgreSQL server's public network access, a Key Vault's properties",
        withUnknowns: [storageAccount({ publicNetworkAccess: u }), postgres({ network: u }), resource("azure-native:keyvault:Vault", "cluster-kms", { properties: u })],
        known: "public network access Enabled on the storage account",
        withKnownViolation: [storageAccount({ publicNetworkAccess: "Enabled" }), postgres({ network: u }), resource("azure-native:keyvault:Vault", "cluster-kms", { properties: u })],
        reported: /Storage account "storage-account" has publicNetworkAccess "Enabled"/,
    },
    {
        rule: "no-public-endpoints",
        unknown: "an AKS API server's authorized ranges (they include the NAT address)",
        withUnknowns: [resource("azure-native:containerservice:ManagedCluster", "cluster-aks", { apiServerAccessProfile: { authorizedIPRanges: u } })],
        known: "no allow-list",
        withKnownViolation: [resource("azure-native:containerservice:ManagedCluster", "cluster-aks", { apiServerAccessProfile: { authorizedIPRanges: [] } })],
        reported: /AKS cluster "cluster-aks" has a public API server open to every address/,
    },
    {
        rule: "iam-role-permissions-boundary",
        unknown: "the boundary policy's ARN (present)",
        withUnknowns: [role("cluster-nodes-role", u)],
        known: "an empty boundary",
        withKnownViolation: [role("cluster-nodes-role", "")],
        reported: /IAM role "cluster-nodes-role" has no permissionsBoundary/,
    },
    {
        rule: "tagging-needs-resource-tags",
        unknown: "a role's boundary, so the managed policy may be a boundary only",
        withUnknowns: [role("cluster-nodes-role", u), resource("aws:iam/policy:Policy", "network-workload-boundary", {
            name: "platform-prod-workload-boundary", policy: document({ Effect: "Allow", Action: "kms:TagResource", Resource: "*" }),
        })],
        known: "the role's boundary is another policy",
        withKnownViolation: [role("cluster-nodes-role", "arn:aws:iam::123456789012:policy/platform-prod-other"), resource("aws:iam/policy:Policy", "network-workload-boundary", {
            name: "platform-prod-workload-boundary", policy: document({ Effect: "Allow", Action: "kms:TagResource", Resource: "*" }),
        })],
        reported: /IAM policy "network-workload-boundary" allows kms:TagResource on \* without an aws:ResourceTag condition/,
    },
    {
        rule: "ci-deploy-reads-no-data",
        unknown: "the role a policy is on, and the bucket's name",
        withUnknowns: [bucket, rolePolicy(u, document({ Effect: "Allow", Action: "s3:*", Resource: "*" }))],
        known: "the CI deploy role",
        withKnownViolation: [bucket, rolePolicy("platform-prod-ci-deploy", document({ Effect: "Allow", Action: "s3:*", Resource: "*" }))],
        reported: /lets the CI deploy role read data: s3:GetObject/,
    },
    {
        rule: "no-unconditioned-account-wide-writes",
        unknown: "a policy document, and a condition inside another",
        withUnknowns: [rolePolicy("platform-prod-nodes", u), resource("aws:iam/policy:Policy", "cluster-autoscaler", {
            name: "platform-prod-autoscaler", policy: document({ Effect: "Allow", Action: "autoscaling:SetDesiredCapacity", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/stack": unknownString } } }),
        })],
        known: "no condition",
        withKnownViolation: [rolePolicy("platform-prod-nodes", u), resource("aws:iam/policy:Policy", "cluster-autoscaler", {
            name: "platform-prod-autoscaler", policy: document({ Effect: "Allow", Action: "autoscaling:SetDesiredCapacity", Resource: "*" }),
        })],
        reported: /IAM policy "cluster-autoscaler" allows autoscaling:SetDesiredCapacity on \* without a condition/,
    },
    {
        rule: "external-secrets-application-only",
        unknown: "the scope of External Secrets' Key Vault role",
        withUnknowns: [resource("azure-native:authorization:RoleAssignment", "kubernetes-external-secrets-reader", { roleDefinitionId: secretsUser, scope: u, principalId: u })],
        known: "the whole vault",
        withKnownViolation: [resource("azure-native:authorization:RoleAssignment", "kubernetes-external-secrets-reader", {
            roleDefinitionId: secretsUser, scope: "/subscriptions/s/resourceGroups/platform-prod/providers/Microsoft.KeyVault/vaults/platform-prod-kv", principalId: u,
        })],
        reported: /lets External Secrets read every secret of the vault/,
    },
    {
        rule: "cross-region-copies",
        unknown: "the backups' source ARN, the bucket's generated name and the replication rules",
        withUnknowns: [
            rdsInstance({ identifier: "platform-prod-postgres" }),
            resource("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "database-backups", { sourceDbInstanceArn: u }),
            resource("aws:s3/bucket:Bucket", "storage-bucket", { bucket: u }),
            resource("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "storage-replication", { bucket: u, rules: u }),
        ],
        known: "no copy of the backups",
        withKnownViolation: [rdsInstance({ identifier: "platform-prod-postgres" })],
        reported: /RDS instance "database-primary" has no automated backups replicated to another region/,
    },
    {
        rule: "database-backups",
        unknown: "the server's and resource group's names, and the lock's scope",
        withUnknowns: [postgres({}), lock(u)],
        known: "no lock at all",
        withKnownViolation: [postgres({})],
        reported: /PostgreSQL server "database-server" has no CanNotDelete lock/,
    },
    {
        rule: "database-backups",
        unknown: "the server's name, with a lock on some server's scope",
        withUnknowns: [postgres({}), lock("/subscriptions/s/resourceGroups/platform-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/platform-prod-pg")],
        known: "backups off",
        withKnownViolation: [postgres({ backup: { backupRetentionDays: 0 } }), lock("/subscriptions/s/resourceGroups/platform-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/platform-prod-pg")],
        reported: /automated backups off/,
    },
    {
        rule: "database-backups",
        unknown: "an RDS instance's retention and deletion protection",
        withUnknowns: [rdsInstance({ backupRetentionPeriod: u, deletionProtection: u })],
        known: "deletion protection off",
        withKnownViolation: [rdsInstance({ backupRetentionPeriod: u, deletionProtection: false })],
        reported: /RDS instance "database-primary" has deletionProtection false/,
    },
    {
        rule: "high-availability",
        unknown: "a node group's subnet ids (one per zone)",
        withUnknowns: [nodeGroup({})],
        known: "one subnet",
        withKnownViolation: [nodeGroup({ subnetIds: ["subnet-a"] })],
        reported: /EKS node group "cluster-nodes-workload" spans 1 zone; it needs at least 3/,
    },
    {
        rule: "high-availability",
        unknown: "a PostgreSQL server's high availability",
        withUnknowns: [postgres({ highAvailability: u })],
        known: "mode Disabled",
        withKnownViolation: [postgres({ highAvailability: { mode: "Disabled" } })],
        reported: /highAvailability.mode "Disabled"/,
    },
    {
        rule: "kubernetes-version-floor",
        unknown: "the cluster's version",
        withUnknowns: [resource("aws:eks/cluster:Cluster", "cluster-eks", { version: u, roleArn: u })],
        known: "1.30",
        withKnownViolation: [resource("aws:eks/cluster:Cluster", "cluster-eks", { version: "1.30", roleArn: u })],
        reported: /EKS cluster "cluster-eks" runs Kubernetes 1.30/,
    },
    {
        rule: "kubernetes-secrets-encryption",
        unknown: "the EKS KMS key's ARN (present)",
        withUnknowns: [resource("aws:eks/cluster:Cluster", "cluster-eks", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: u } } })],
        known: "no secrets in the encrypted resources",
        withKnownViolation: [resource("aws:eks/cluster:Cluster", "cluster-eks", { encryptionConfig: { resources: [], provider: { keyArn: u } } })],
        reported: /EKS cluster "cluster-eks" does not encrypt Secrets/,
    },
    {
        rule: "kubernetes-secrets-encryption",
        unknown: "the AKS security profile as a whole (it names the key)",
        withUnknowns: [resource("azure-native:containerservice:ManagedCluster", "cluster-aks", { securityProfile: u })],
        known: "Key Vault KMS off",
        withKnownViolation: [resource("azure-native:containerservice:ManagedCluster", "cluster-aks", { securityProfile: { azureKeyVaultKms: { enabled: false, keyId: u } } })],
        reported: /AKS cluster "cluster-aks" does not encrypt Secrets with Key Vault KMS/,
    },
    {
        rule: "helm-chart-pinned",
        unknown: "the chart's version and repository",
        withUnknowns: [resource("kubernetes:helm.sh/v3:Release", "kubernetes-loki", { chart: "loki", version: u, repositoryOpts: { repo: u } })],
        known: "a version range",
        withKnownViolation: [resource("kubernetes:helm.sh/v3:Release", "kubernetes-loki", { chart: "loki", version: "^6.0.0", repositoryOpts: { repo: u } })],
        reported: /Helm chart "kubernetes-loki" \(loki\) has version "\^6.0.0"/,
    },
    {
        rule: "workload-namespace-guardrails",
        unknown: "the namespace of the quota, limit range and network policy, and the namespace's labels",
        withUnknowns: [namespace(u), ...guardrails(u)],
        known: "a quota in another namespace",
        withKnownViolation: [namespace(u), ...guardrails("worker")],
        reported: /Namespace "kubernetes-ns-api" \(api\) has no ResourceQuota/,
    },
    {
        rule: "workload-namespace-guardrails",
        unknown: "the Pod Security level",
        withUnknowns: [namespace({ "pod-security.kubernetes.io/enforce": u }), ...guardrails("api")],
        known: "baseline",
        withKnownViolation: [namespace({ "pod-security.kubernetes.io/enforce": "baseline" }), ...guardrails("api")],
        reported: /enforces the "baseline" Pod Security Standard/,
    },
    {
        rule: "cost-ceilings",
        unknown: "a node group's instance types and maximum, a database's class",
        withUnknowns: [nodeGroup({ instanceTypes: u, scalingConfig: { minSize: 5, maxSize: u } }), rdsInstance({ instanceClass: u })],
        known: "a 64 vCPU node size",
        withKnownViolation: [nodeGroup({ instanceTypes: ["m7i.16xlarge"], scalingConfig: { minSize: 5, maxSize: u } }), rdsInstance({ instanceClass: u })],
        reported: /uses m7i.16xlarge \(64 vCPU\); the ceiling is 32 vCPU per node/,
    },
    {
        rule: "budget-estimate",
        unknown: "a node group's maximum (its nodes and their volumes price as unknown, never as zero)",
        withUnknowns: [awsProvider(u), resource("aws:budgets/budget:Budget", "budget-monthly", { limitAmount: "500" }), nodeGroup({ instanceTypes: ["m7i.2xlarge"], scalingConfig: { minSize: 5, maxSize: u } })],
        known: "fifteen m7i.2xlarge nodes at most against a budget of $500",
        withKnownViolation: [awsProvider(u), resource("aws:budgets/budget:Budget", "budget-monthly", { limitAmount: "500" }), nodeGroup({ instanceTypes: ["m7i.2xlarge"], scalingConfig: { minSize: 5, maxSize: 15 } })],
        reported: /at maximum scale the stack is estimated at \$4,947 a month \(\$1,649 at minimum\), over its budget of \$500/,
    },
    {
        rule: "capacity-floor",
        unknown: "a node group's minimum and instance types",
        withUnknowns: [nodeGroup({ instanceTypes: [u], scalingConfig: { minSize: u, maxSize: 15 } })],
        known: "a minimum of one node",
        withKnownViolation: [nodeGroup({ instanceTypes: [u], scalingConfig: { minSize: 1, maxSize: 15 } })],
        reported: /workload node pools keep 1 node\(s\) at minimum .*; at least 3 are required/,
    },
    {
        rule: "no-retired-charts",
        unknown: "a Helm v3 release's and a Helm v4 chart's chart reference",
        withUnknowns: [release("kubernetes-edge-controller", u, "4.15.1"), helmV4Chart("kubernetes-gateway-api-crds", u)],
        known: "the release installs ingress-nginx",
        withKnownViolation: [release("kubernetes-edge-controller", "ingress-nginx", "4.15.1"), helmV4Chart("kubernetes-gateway-api-crds", u)],
        reported: /Helm chart "kubernetes-edge-controller" installs ingress-nginx, retired/,
    },
    {
        rule: "gateway-tls",
        unknown: "the HTTPS listener's certificate references (the Secret's name)",
        withUnknowns: [gateway([httpListener("Same"), httpsListener(u)])],
        known: "an HTTPS listener without a certificate",
        withKnownViolation: [gateway([httpListener("Same"), httpsListener([])])],
        reported: /Gateway "kubernetes-edge-gateway" has no HTTPS listener with a certificate/,
    },
    {
        rule: "gateway-tls",
        unknown: "a listener's protocol, and another Gateway's listeners as a whole",
        withUnknowns: [
            gateway([httpListener("Same"), { ...httpsListener([]), protocol: u }]),
            resource("kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes-other-gateway", { metadata: { name: "other", namespace: "gateway" }, spec: { listeners: u } }),
        ],
        known: "a plain TCP listener beside it",
        withKnownViolation: [
            gateway([httpListener("Same"), { ...httpsListener([]), protocol: u }, { name: "raw", port: 5432, protocol: "TCP" }]),
            resource("kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes-other-gateway", { metadata: { name: "other", namespace: "gateway" }, spec: { listeners: u } }),
        ],
        reported: /Gateway "kubernetes-edge-gateway" listener "raw" serves plain TCP/,
    },
    {
        rule: "gateway-http-redirects-only",
        unknown: "the HTTP listener's allowedRoutes and the route's filters",
        withUnknowns: [gateway([httpListener(u), httpsListener([{ kind: "Secret", name: "platform-gateway-tls" }])]), httpRoute([{ filters: u }])],
        known: "a route rule on the HTTP listener that sends to a backend (allowedRoutes still unknown)",
        withKnownViolation: [
            gateway([httpListener(u), httpsListener([{ kind: "Secret", name: "platform-gateway-tls" }])]),
            httpRoute([{ backendRefs: [{ name: "api", port: 8080 }] }]),
        ],
        reported: /HTTPRoute "kubernetes-edge-https-redirect" serves traffic on Gateway "kubernetes-edge-gateway"'s HTTP listener "http" instead of redirecting to HTTPS/,
    },
    {
        rule: "gateway-http-redirects-only",
        unknown: "the redirect's scheme",
        withUnknowns: [
            gateway([httpListener("Same"), httpsListener([{ kind: "Secret", name: "platform-gateway-tls" }])]),
            httpRoute([{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: u, statusCode: 301 } }] }]),
        ],
        known: "routes of every namespace admitted to the HTTP listener",
        withKnownViolation: [
            gateway([httpListener("All"), httpsListener([{ kind: "Secret", name: "platform-gateway-tls" }])]),
            httpRoute([{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: u, statusCode: 301 } }] }]),
        ],
        reported: /Gateway "kubernetes-edge-gateway" lets routes of other namespaces \(All\) attach to its HTTP listener "http"/,
    },
    {
        rule: "workload-restricted-security-context",
        unknown: "a container's securityContext",
        withUnknowns: [workloadDeployment({ securityContext: u })],
        known: "a container that may escalate privileges",
        withKnownViolation: [workloadDeployment({ securityContext: { allowPrivilegeEscalation: true, readOnlyRootFilesystem: u, capabilities: { drop: ["ALL"] } } })],
        reported: /Deployment "workload-orders-deployment" \(orders\/orders\) container "orders" breaks the restricted Pod Security Standard: allowPrivilegeEscalation true/,
    },
    {
        rule: "workload-probes",
        unknown: "the container's probes",
        withUnknowns: [workloadDeployment({ startupProbe: u, readinessProbe: u, livenessProbe: u })],
        known: "no liveness probe",
        withKnownViolation: [workloadDeployment({ startupProbe: u, readinessProbe: u, livenessProbe: undefined })],
        reported: /Deployment "workload-orders-deployment" \(orders\/orders\) container "orders" has no livenessProbe/,
    },
    {
        rule: "workload-requests-and-limits",
        unknown: "the container's resources",
        withUnknowns: [workloadDeployment({ resources: u })],
        known: "no memory limit",
        withKnownViolation: [workloadDeployment({ resources: { requests: { cpu: u, memory: u }, limits: { cpu: u } } })],
        reported: /container "orders" sets no resources\.limits\.memory/,
    },
    {
        rule: "workload-image-digest",
        unknown: "the container's image",
        withUnknowns: [workloadDeployment({ image: u })],
        known: "an image by tag",
        withKnownViolation: [workloadDeployment({ image: "ghcr.io/acme/orders:1.4.2" })],
        reported: /container "orders" runs image "ghcr\.io\/acme\/orders:1\.4\.2", which is not pinned by digest/,
    },
    {
        rule: "workload-disruption-budget",
        unknown: "the disruption budget's namespace",
        withUnknowns: [workloadDeployment({}), workloadAutoscaler, workloadBudget(u)],
        known: "the budget in another namespace",
        withKnownViolation: [workloadDeployment({}), workloadAutoscaler, workloadBudget("billing-jobs")],
        reported: /Deployment "workload-orders-deployment" \(orders\/orders\) keeps at least 3 replicas .* but no PodDisruptionBudget/,
    },
    {
        rule: "workload-identity-no-wildcards",
        unknown: "the workload's policy document (it names its queue) and a role assignment's scope",
        withUnknowns: [workloadRolePolicy(u), workloadAssignment(u)],
        known: "every SQS action, and a resource-group scope",
        withKnownViolation: [
            workloadRolePolicy(document({ Sid: "ConsumeOwnQueue", Effect: "Allow", Action: "sqs:*", Resource: "arn:aws:sqs:eu-west-1:123456789012:platform-prod-orders" })),
            workloadAssignment("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-prod"),
        ],
        reported: /workload role policy "workload-billing-jobs-role" allows action "sqs:\*"/,
    },
];

describe("policy on a new stack's first preview (unknown values)", () => {
    describe("the adapter (policy/pack.ts)", () => {
        it("knows every sentinel @pulumi/policy's proxy.js exports", () => {
            assert.ok(proxySentinels.length >= 7);
            assert.deepEqual([...proxySentinels].sort(), [...engineUnknownSentinels].sort());
        });

        it("hands rules the props behind the proxy, each sentinel (nested too) replaced by unknownValue", () => {
            const props = {
                name: "kept", count: 3, flag: false, nothing: null,
                nested: { list: proxySentinels.map((sentinel, index) => (index % 2 ? sentinel : { value: sentinel })) },
                ...Object.fromEntries(proxySentinels.map((sentinel, index) => [`unknown${index}`, sentinel])),
            };
            const seen: Record<string, any>[] = [];
            const rule: ResourceRule = {
                name: "sample-reader", description: "d", remediation: "r", severity: "low", enforcement: { dev: "mandatory", staging: "mandatory", prod: "mandatory" },
                resourceTypes: ["test:index:Thing"],
                check: (resource) => {
                    seen.push(resource.props);
                    return [];
                },
            };
            const validate = (toPolicy(rule) as { validateResource: (args: unknown, report: () => void) => void }).validateResource;
            validate({ type: "test:index:Thing", name: "thing", props: unknownCheckingProxy(props), getConfig: () => ({}) }, () => undefined);
            assert.deepEqual(seen, [{
                name: "kept", count: 3, flag: false, nothing: null,
                nested: { list: proxySentinels.map((_, index) => (index % 2 ? u : { value: u })) },
                ...Object.fromEntries(proxySentinels.map((_, index) => [`unknown${index}`, u])),
            }]);
        });

        it("gives stack rules every resource's props the same way", () => {
            const stackRules = rules.filter(isStackRule);
            assert.ok(stackRules.length > 0);
            const resources = [{ type: "aws:iam/role:Role", name: "r", urn: "urn", props: unknownCheckingProxy({ permissionsBoundary: unknownString, tags: { owner: unknownString } }) }];
            for (const rule of stackRules) {
                const policy = toPolicy(rule) as { validateStack: (args: unknown, report: () => void) => void };
                assert.doesNotThrow(() => policy.validateStack({ resources, getConfig: () => rule.config?.byEnvironment.prod ?? {} }, () => undefined), rule.name);
            }
        });

        it("leaves the offline plan's props, which have no proxy and no unknown, as they are", () => {
            const props = { bucket: "platform-prod-data", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }], count: 0 };
            assert.deepEqual(knownProps(props), props);
        });

        it("prints an unknown value as [unknown] in messages", () => {
            assert.equal(String(u), "[unknown]");
            assert.equal(JSON.stringify({ key: u }), "{\"key\":\"[unknown]\"}");
        });
    });

    describe("each rule judges what is known", () => {
        it("has a case for every rule of the pack", () => {
            assert.deepEqual([...new Set(cases.map((entry) => entry.rule))].sort(), rules.map((rule) => rule.name).sort());
        });

        for (const entry of cases) {
            const rule = rules.find((candidate) => candidate.name === entry.rule)!;

            it(`${entry.rule}: reports nothing while unknown: ${entry.unknown} (offline and through the engine's proxy)`, () => {
                assert.deepEqual(offlineMessages(rule, entry.withUnknowns), []);
                assert.deepEqual(engineMessages(rule, entry.withUnknowns), []);
            });

            it(`${entry.rule}: still reports a known violation: ${entry.known} (offline and through the engine's proxy)`, () => {
                for (const found of [offlineMessages(rule, entry.withKnownViolation), engineMessages(rule, entry.withKnownViolation)]) {
                    assert.ok(found.some((message) => entry.reported.test(message)), `expected ${entry.reported} among:\n${found.join("\n")}`);
                }
            });
        }
    });
});
