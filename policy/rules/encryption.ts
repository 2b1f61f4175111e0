/** Data protection: encryption at rest, TLS in transit, and Key Vaults that cannot be purged. */
import { decoded, enforcedEverywhere, type PolicyResource, type ResourceRule, type Rule, type StackRule, type StackViolation } from "../rule.ts";

/** A check per resource type; it sees the whole stack to follow references (a bucket's policy, a server's settings). */
type Checks = Record<string, (resource: PolicyResource, resources: readonly PolicyResource[]) => string[]>;

function runChecks(checks: Checks, resources: readonly PolicyResource[]): StackViolation[] {
    return resources.flatMap((resource) => (checks[resource.type]?.(resource, resources) ?? []).map((message) => ({ resource, message })));
}

/** The messages of the failed checks, given as [passes, message] pairs. */
function failures(...checks: [boolean, string][]): string[] {
    return checks.filter(([passes]) => !passes).map(([, message]) => message);
}

function show(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

/** `<what> has <key> <value>; it must be <required>` when `props[key]` fails `passes`. */
function setting(what: string, props: Record<string, any>, key: string, passes: (value: any) => boolean, required: string): [boolean, string] {
    return [passes(props[key]), `${what} has ${key} ${show(props[key])}; it must be ${required}`];
}

/** Booleans arrive as booleans, or as strings where the SDK types them so (launch template EBS settings). */
const isOn = (value: unknown) => value === true || value === "true";
const isSet = (value: unknown) => typeof value === "string" && value !== "";
const atLeastTls12 = (version: unknown) => typeof version === "string" && /^(TLSv?)?1[._][23]$/i.test(version);
const unsetOrTls12 = (version: unknown) => version === undefined || atLeastTls12(version);

/** Whether `resource` is the one named `value`: its explicit `nameKey` input, or else Pulumi's autoname `<logical name>-<7 hex>`. */
function isNamed(resource: PolicyResource, nameKey: string, value: unknown): boolean {
    const explicit = resource.props[nameKey];
    if (explicit !== undefined) {
        return explicit === value;
    }
    return typeof value === "string" && value.startsWith(`${resource.name}-`) && /^[0-9a-f]{7}$/.test(value.slice(resource.name.length + 1));
}

/** The bucket-level resources of `type` (encryption, policy) that name `bucket`. */
function ofBucket(resources: readonly PolicyResource[], type: string, bucket: PolicyResource): PolicyResource[] {
    return resources.filter((candidate) => candidate.type === type && isNamed(bucket, "bucket", candidate.props["bucket"]));
}

const bucketType = "aws:s3/bucket:Bucket";
const cmk = "the platform's customer-managed KMS key";

// Encryption at rest.

const atRestChecks: Checks = {
    "aws:rds/instance:Instance": ({ name, props }) => failures(
        setting(`RDS instance "${name}"`, props, "storageEncrypted", (value) => value === true, "true"),
        setting(`RDS instance "${name}"`, props, "kmsKeyId", isSet, cmk),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": ({ name, props }) => failures(
        setting(`ElastiCache replication group "${name}"`, props, "atRestEncryptionEnabled", (value) => value === true, "true"),
        setting(`ElastiCache replication group "${name}"`, props, "kmsKeyId", isSet, cmk),
    ),
    [bucketType]: (bucket, resources) => {
        const configurations = ofBucket(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket);
        const defaults: any[] = configurations
            .flatMap((configuration) => configuration.props["rules"] ?? [])
            .map((rule: any) => rule?.applyServerSideEncryptionByDefault);
        const kms = defaults.find((entry) => /^aws:kms(:dsse)?$/.test(entry?.sseAlgorithm ?? ""));
        if (!kms) {
            const found = configurations.length
                ? `encrypts with ${defaults.map((entry) => show(entry?.sseAlgorithm)).join(", ")}`
                : "has no server-side encryption configuration";
            return [`S3 bucket "${bucket.name}" ${found}; it needs sseAlgorithm aws:kms with ${cmk}`];
        }
        return failures(setting(`S3 bucket "${bucket.name}" encryption`, kms, "kmsMasterKeyId", isSet, `${cmk}, not the AWS-managed aws/s3 key`));
    },
    "aws:secretsmanager/secret:Secret": ({ name, props }) => failures(
        setting(`Secrets Manager secret "${name}"`, props, "kmsKeyId", (value) => isSet(value) && value !== "alias/aws/secretsmanager", cmk),
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": ({ name, props }) => {
        const mappings: any[] = Array.isArray(props["blockDeviceMappings"]) ? props["blockDeviceMappings"] : [];
        if (mappings.length === 0) {
            return [`launch template "${name}" maps no EBS volume, so the root volume keeps the AMI's unencrypted default; map it with ebs.encrypted true`];
        }
        return mappings.flatMap((mapping) =>
            failures(setting(`launch template "${name}" volume ${show(mapping?.deviceName)}`, mapping?.ebs ?? {}, "encrypted", isOn, "true")));
    },
    "aws:eks/nodeGroup:NodeGroup": ({ name, props }) => failures(
        [props["launchTemplate"] !== undefined,
            `EKS node group "${name}" has no launch template, so its EBS volumes follow the account default; use the platform's encrypted launch template`],
    ),
    "aws:kms/key:Key": ({ name, props }) => failures(setting(`KMS key "${name}"`, props, "enableKeyRotation", (value) => value === true, "true")),
    "kubernetes:storage.k8s.io/v1:StorageClass": ({ name, props }) =>
        ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"].includes(props["provisioner"])
            ? failures(setting(`EBS StorageClass "${name}" parameters`, props["parameters"] ?? {}, "encrypted", isOn, `"true"`))
            : [],
    "azure-native:storage:StorageAccount": ({ name, props }) => {
        const encryption = props["encryption"] ?? {};
        return failures(
            setting(`storage account "${name}" encryption`, encryption, "requireInfrastructureEncryption", (value) => value === true, "true (double encryption)"),
            [encryption.services?.blob?.enabled !== false, `storage account "${name}" disables blob encryption (encryption.services.blob.enabled false)`],
        );
    },
    "azure-native:keyvault:Key": ({ name, props }) => {
        const actions: any[] = props["properties"]?.rotationPolicy?.lifetimeActions ?? [];
        return failures([
            actions.some((action) => String(action?.action?.type).toLowerCase() === "rotate"),
            `Key Vault key "${name}" has no rotationPolicy with a rotate action; rotate it as the AWS KMS keys are`,
        ]);
    },
};

export const encryptionAtRest: StackRule = {
    name: "encryption-at-rest",
    description: "Databases, caches, buckets, secrets and node and Kubernetes volumes are encrypted at rest, with rotated customer-managed keys where the cloud allows.",
    remediation:
        "Keep the components' encryption settings: storageEncrypted/atRestEncryptionEnabled with the platform KMS key, an aws:kms bucket encryption " +
        "configuration, encrypted EBS in the node launch template and StorageClass, KMS and Key Vault key rotation, and Azure infrastructure encryption.",
    severity: "critical",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => runChecks(atRestChecks, resources),
};

// TLS in transit.

function parameters(parameterGroup: PolicyResource): Record<string, unknown> {
    const entries: any[] = Array.isArray(parameterGroup.props["parameters"]) ? parameterGroup.props["parameters"] : [];
    return Object.fromEntries(entries.map((entry) => [entry?.name, entry?.value]));
}

/** A PostgreSQL flexible server's settings from the stack's Configuration resources. */
function serverSettings(server: PolicyResource, resources: readonly PolicyResource[]): Record<string, unknown> {
    return Object.fromEntries(resources
        .filter((candidate) => candidate.type === "azure-native:dbforpostgresql:Configuration" && candidate.props["serverName"] === server.props["serverName"])
        .map((configuration) => [configuration.props["configurationName"], configuration.props["value"]]));
}

/** Whether an S3 bucket policy statement denies requests made without TLS. */
function deniesPlainHttp(statement: any): boolean {
    const secureTransport = statement?.Condition?.Bool?.["aws:SecureTransport"];
    return statement?.Effect === "Deny" && [secureTransport].flat().some((value) => String(value) === "false");
}

const transitChecks: Checks = {
    "aws:rds/instance:Instance": ({ name, props }, resources) => {
        const group = resources.find((candidate) => candidate.type === "aws:rds/parameterGroup:ParameterGroup" && isNamed(candidate, "name", props["parameterGroupName"]));
        if (!group) {
            return [`RDS instance "${name}" uses parameter group ${show(props["parameterGroupName"])}, none of this stack's; it needs the platform's group with rds.force_ssl 1`];
        }
        const what = `RDS instance "${name}" parameter group "${group.name}"`;
        return failures(
            setting(what, parameters(group), "rds.force_ssl", (value) => String(value) === "1", `"1"`),
            setting(what, parameters(group), "ssl_min_protocol_version", unsetOrTls12, "TLSv1.2 or later"),
        );
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": ({ name, props }) => failures(
        setting(`ElastiCache replication group "${name}"`, props, "transitEncryptionEnabled", (value) => value === true, "true"),
        setting(`ElastiCache replication group "${name}"`, props, "transitEncryptionMode", (value) => value === undefined || value === "required", `"required"`),
    ),
    [bucketType]: (bucket, resources) => {
        const statements = ofBucket(resources, "aws:s3/bucketPolicy:BucketPolicy", bucket).flatMap((policy) => [decoded(policy.props["policy"])?.Statement ?? []].flat());
        return failures([statements.some(deniesPlainHttp),
            `S3 bucket "${bucket.name}" has no bucket policy denying aws:SecureTransport false; add a Deny statement for plain-HTTP requests`]);
    },
    "azure-native:storage:StorageAccount": ({ name, props }) => failures(
        setting(`storage account "${name}"`, props, "enableHttpsTrafficOnly", (value) => value === true, "true"),
        setting(`storage account "${name}"`, props, "minimumTlsVersion", atLeastTls12, "TLS1_2 or later"),
    ),
    "azure-native:dbforpostgresql:Server": (server, resources) => {
        // A replica copies the primary's server parameters when it is created.
        if (server.props["createMode"] === "Replica") {
            return [];
        }
        const what = `PostgreSQL server "${server.name}"`;
        const settings = serverSettings(server, resources);
        return failures(
            setting(what, settings, "require_secure_transport", (value) => String(value).toLowerCase() === "on", `"on" (a Configuration resource)`),
            setting(what, settings, "ssl_min_protocol_version", unsetOrTls12, "TLSv1.2 or later"),
        );
    },
    "azure-native:redisenterprise:RedisEnterprise": ({ name, props }) => failures(setting(`Redis cluster "${name}"`, props, "minimumTlsVersion", unsetOrTls12, "1.2 or later")),
    "azure-native:redisenterprise:Database": ({ name, props }) =>
        failures(setting(`Redis database "${name}"`, props, "clientProtocol", (value) => value === "Encrypted", `"Encrypted"`)),
};

export const tlsInTransit: StackRule = {
    name: "tls-in-transit",
    description: "Databases, caches and object storage accept only TLS connections, at version 1.2 or later.",
    remediation:
        "Keep rds.force_ssl 1 in the RDS parameter group, ElastiCache transit encryption required, the S3 policy denying aws:SecureTransport false, " +
        "HTTPS-only TLS1_2 storage accounts, require_secure_transport on for PostgreSQL and the Encrypted client protocol for Redis.",
    severity: "high",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => runChecks(transitChecks, resources),
};

// Key Vault purge protection.

interface PurgeProtectionConfig {
    readonly minSoftDeleteRetentionDays: number;
}

export const keyVaultPurgeProtection: ResourceRule<PurgeProtectionConfig> = {
    name: "key-vault-purge-protection",
    description: "Key Vaults keep deleted keys and secrets recoverable: soft delete and purge protection on, with a retention floor per environment.",
    remediation:
        "Set enableSoftDelete and enablePurgeProtection true and softDeleteRetentionInDays to at least the floor on every Key Vault " +
        "(the secrets vault and the AKS KMS vault); the retention cannot change after creation.",
    severity: "high",
    enforcement: enforcedEverywhere,
    config: {
        schema: { minSoftDeleteRetentionDays: { type: "integer", minimum: 7, maximum: 90 } },
        byEnvironment: { dev: { minSoftDeleteRetentionDays: 7 }, staging: { minSoftDeleteRetentionDays: 30 }, prod: { minSoftDeleteRetentionDays: 90 } },
    },
    resourceTypes: ["azure-native:keyvault:Vault"],
    check: ({ name, props }, { minSoftDeleteRetentionDays }) => {
        const what = `Key Vault "${name}"`;
        const properties = props["properties"] ?? {};
        return failures(
            setting(what, properties, "enableSoftDelete", (value) => value === true, "true"),
            setting(what, properties, "enablePurgeProtection", (value) => value === true, "true"),
            setting(what, properties, "softDeleteRetentionInDays", (value) => typeof value === "number" && value >= minSoftDeleteRetentionDays,
                `at least ${minSoftDeleteRetentionDays} days in this environment`),
        );
    },
};

export const encryptionRules: Rule[] = [encryptionAtRest, tlsInTransit, keyVaultPurgeProtection];
