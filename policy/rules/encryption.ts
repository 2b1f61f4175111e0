/** Data protection: encryption at rest, TLS in transit, and Key Vaults that cannot be purged. */
import {
    at, containsUnknown, decoded, enforcedEverywhere, isUnknown, sameReference, unknownValue,
    type PolicyResource, type ResourceRule, type Rule, type StackRule, type StackViolation,
} from "../rule.ts";

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

/**
 * `<what> has <key> <value>; it must be <required>` when `props[key]` fails `passes`. An unknown
 * value (or unknown `props`) passes: a required setting that is there counts as present, and a
 * value that must be exact cannot be judged until it is known.
 */
function setting(what: string, props: unknown, key: string, passes: (value: any) => boolean, required: string): [boolean, string] {
    const value = at(props, key);
    return [isUnknown(value) || passes(value), `${what} has ${key} ${show(value)}; it must be ${required}`];
}

/** Like `setting`, for a value that one of several resources sets: passes when any of `values` passes or is unknown. */
function settingAmong(what: string, values: readonly unknown[], key: string, passes: (value: any) => boolean, required: string): [boolean, string] {
    if (values.length === 0) {
        return setting(what, {}, key, passes, required);
    }
    const failing = values.find((value) => !isUnknown(value) && !passes(value));
    return [values.some((value) => isUnknown(value) || passes(value)), `${what} has ${key} ${show(failing)}; it must be ${required}`];
}

/** Booleans arrive as booleans, or as strings where the SDK types them so (launch template EBS settings). */
const isOn = (value: unknown) => value === true || value === "true";
const isSet = (value: unknown) => typeof value === "string" && value !== "";
const atLeastTls12 = (version: unknown) => typeof version === "string" && /^(TLSv?)?1[._][23]$/i.test(version);
const unsetOrTls12 = (version: unknown) => version === undefined || atLeastTls12(version);

/**
 * Whether `resource` is the one named `value`: its explicit `nameKey` input, or else Pulumi's
 * autoname `<logical name>-<7 hex>`; undefined when either name is unknown.
 */
function isNamed(resource: PolicyResource, nameKey: string, value: unknown): boolean | undefined {
    const explicit = resource.props[nameKey];
    if (explicit !== undefined) {
        return sameReference(explicit, value);
    }
    if (isUnknown(value)) {
        return undefined;
    }
    return typeof value === "string" && value.startsWith(`${resource.name}-`) && /^[0-9a-f]{7}$/.test(value.slice(resource.name.length + 1));
}

/** The bucket-level resources of `type` (encryption, policy) that name `bucket`, or may: those whose reference or the bucket's name is unknown. */
function ofBucket(resources: readonly PolicyResource[], type: string, bucket: PolicyResource): PolicyResource[] {
    return resources.filter((candidate) => candidate.type === type && isNamed(bucket, "bucket", candidate.props["bucket"]) !== false);
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
            .map((rule: any) => at(rule, "applyServerSideEncryptionByDefault"));
        // An unknown rule list, rule or algorithm may be aws:kms.
        const kms = defaults.find((entry) => isUnknown(at(entry, "sseAlgorithm")) || /^aws:kms(:dsse)?$/.test(entry?.sseAlgorithm ?? ""));
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
        if (isUnknown(props["blockDeviceMappings"])) {
            return [];
        }
        const mappings: any[] = Array.isArray(props["blockDeviceMappings"]) ? props["blockDeviceMappings"] : [];
        if (mappings.length === 0) {
            return [`launch template "${name}" maps no EBS volume, so the root volume keeps the AMI's unencrypted default; map it with ebs.encrypted true`];
        }
        return mappings.flatMap((mapping) =>
            failures(setting(`launch template "${name}" volume ${show(at(mapping, "deviceName"))}`, at(mapping, "ebs") ?? {}, "encrypted", isOn, "true")));
    },
    "aws:eks/nodeGroup:NodeGroup": ({ name, props }) => failures(
        [props["launchTemplate"] !== undefined,
            `EKS node group "${name}" has no launch template, so its EBS volumes follow the account default; use the platform's encrypted launch template`],
    ),
    "aws:kms/key:Key": ({ name, props }) => failures(setting(`KMS key "${name}"`, props, "enableKeyRotation", (value) => value === true, "true")),
    // An event archive lands in the stack's bucket under its key, not S3's default.
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ({ name, props }) =>
        props["destination"] === "extended_s3"
            ? failures(setting(`Firehose stream "${name}" S3 destination`, props["extendedS3Configuration"] ?? {}, "kmsKeyArn", isSet, cmk))
            : [],
    "kubernetes:storage.k8s.io/v1:StorageClass": ({ name, props }) =>
        ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"].includes(props["provisioner"])
            ? failures(setting(`EBS StorageClass "${name}" parameters`, props["parameters"] ?? {}, "encrypted", isOn, `"true"`))
            : [], // A provisioner that is unknown is not known to be EBS: nothing to judge.
    "azure-native:storage:StorageAccount": ({ name, props }) => {
        const encryption = props["encryption"] ?? {};
        return failures(
            setting(`storage account "${name}" encryption`, encryption, "requireInfrastructureEncryption", (value) => value === true, "true (double encryption)"),
            [at(encryption, "services", "blob", "enabled") !== false, `storage account "${name}" disables blob encryption (encryption.services.blob.enabled false)`],
        );
    },
    "azure-native:keyvault:Key": ({ name, props }) => {
        const lifetimeActions = at(props, "properties", "rotationPolicy", "lifetimeActions");
        const actions: any[] = Array.isArray(lifetimeActions) ? lifetimeActions : [];
        return failures([
            isUnknown(lifetimeActions) || actions.some((action) => isUnknown(at(action, "action", "type")) || String(action?.action?.type).toLowerCase() === "rotate"),
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

/** A parameter group's parameters by name; unknown when the list or a parameter's name is, since any parameter may then be set. */
function parameters(parameterGroup: PolicyResource): Record<string, unknown> | typeof unknownValue {
    const list = parameterGroup.props["parameters"];
    const entries: any[] = Array.isArray(list) ? list : [];
    if (isUnknown(list) || entries.some((entry) => isUnknown(at(entry, "name")))) {
        return unknownValue;
    }
    return Object.fromEntries(entries.map((entry) => [entry?.name, entry?.value]));
}

/** The values a PostgreSQL flexible server's Configuration resources may give each setting: several when references are unknown. */
function serverSettings(server: PolicyResource, resources: readonly PolicyResource[]): (name: string) => unknown[] {
    const configurations = resources.filter((candidate) =>
        candidate.type === "azure-native:dbforpostgresql:Configuration" && sameReference(candidate.props["serverName"], server.props["serverName"]) !== false);
    const certain = configurations.filter((configuration) => sameReference(configuration.props["serverName"], server.props["serverName"]) === true);
    // Of the server's own configurations the last one of a name counts, as before; any that may be the server's add their value.
    const settled = Object.fromEntries(certain.map((configuration) => [configuration.props["configurationName"], configuration.props["value"]]));
    return (name) => [
        ...(Object.hasOwn(settled, name) ? [settled[name]] : []),
        ...configurations
            .filter((configuration) => !certain.includes(configuration) || isUnknown(configuration.props["configurationName"]))
            .filter((configuration) => isUnknown(configuration.props["configurationName"]) || configuration.props["configurationName"] === name)
            .map((configuration) => (isUnknown(configuration.props["configurationName"]) ? unknownValue : configuration.props["value"])),
    ];
}

/** Whether an S3 bucket policy statement denies requests made without TLS; a statement with unknowns may. */
function deniesPlainHttp(statement: any): boolean {
    if (containsUnknown(statement)) {
        return true;
    }
    const secureTransport = statement?.Condition?.Bool?.["aws:SecureTransport"];
    return statement?.Effect === "Deny" && [secureTransport].flat().some((value) => String(value) === "false");
}

function forceSslChecks(instance: string, group: PolicyResource): string[] {
    const what = `RDS instance "${instance}" parameter group "${group.name}"`;
    return failures(
        setting(what, parameters(group), "rds.force_ssl", (value) => String(value) === "1", `"1"`),
        setting(what, parameters(group), "ssl_min_protocol_version", unsetOrTls12, "TLSv1.2 or later"),
    );
}

const transitChecks: Checks = {
    "aws:rds/instance:Instance": ({ name, props }, resources) => {
        const groups = resources.filter((candidate) => candidate.type === "aws:rds/parameterGroup:ParameterGroup");
        const group = groups.find((candidate) => isNamed(candidate, "name", props["parameterGroupName"]));
        if (!group) {
            // An unknown group name may be any of this stack's groups: the instance fails only if every one of them does.
            const possible = groups.filter((candidate) => isNamed(candidate, "name", props["parameterGroupName"]) === undefined);
            if (possible.some((candidate) => forceSslChecks(name, candidate).length === 0)) {
                return [];
            }
            if (possible.length === 1) {
                return forceSslChecks(name, possible[0]!);
            }
            return [`RDS instance "${name}" uses parameter group ${show(props["parameterGroupName"])}, none of this stack's${possible.length ? " that forces TLS" : ""}; it needs the platform's group with rds.force_ssl 1`];
        }
        return forceSslChecks(name, group);
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": ({ name, props }) => failures(
        setting(`ElastiCache replication group "${name}"`, props, "transitEncryptionEnabled", (value) => value === true, "true"),
        setting(`ElastiCache replication group "${name}"`, props, "transitEncryptionMode", (value) => value === undefined || value === "required", `"required"`),
    ),
    [bucketType]: (bucket, resources) => {
        const statements = ofBucket(resources, "aws:s3/bucketPolicy:BucketPolicy", bucket).flatMap((policy) => [at(decoded(policy.props["policy"]), "Statement") ?? []].flat());
        return failures([statements.some(deniesPlainHttp),
            `S3 bucket "${bucket.name}" has no bucket policy denying aws:SecureTransport false; add a Deny statement for plain-HTTP requests`]);
    },
    "azure-native:storage:StorageAccount": ({ name, props }) => failures(
        setting(`storage account "${name}"`, props, "enableHttpsTrafficOnly", (value) => value === true, "true"),
        setting(`storage account "${name}"`, props, "minimumTlsVersion", atLeastTls12, "TLS1_2 or later"),
    ),
    "azure-native:dbforpostgresql:Server": (server, resources) => {
        // A replica copies the primary's server parameters when it is created; an unknown mode may be Replica.
        if (server.props["createMode"] === "Replica" || isUnknown(server.props["createMode"])) {
            return [];
        }
        const what = `PostgreSQL server "${server.name}"`;
        const settings = serverSettings(server, resources);
        return failures(
            settingAmong(what, settings("require_secure_transport"), "require_secure_transport", (value) => String(value).toLowerCase() === "on", `"on" (a Configuration resource)`),
            settingAmong(what, settings("ssl_min_protocol_version"), "ssl_min_protocol_version", unsetOrTls12, "TLSv1.2 or later"),
        );
    },
    "azure-native:redisenterprise:RedisEnterprise": ({ name, props }) => failures(setting(`Redis cluster "${name}"`, props, "minimumTlsVersion", unsetOrTls12, "1.2 or later")),
    "azure-native:redisenterprise:Database": ({ name, props }) =>
        failures(setting(`Redis database "${name}"`, props, "clientProtocol", (value) => value === "Encrypted", `"Encrypted"`)),
    "aws:rds/proxy:Proxy": ({ name, props }) => failures(setting(`RDS Proxy "${name}"`, props, "requireTls", (value) => value === true, "true")),
    // MSK Serverless takes only IAM clients, over TLS; a cluster without IAM would have no client at all, or an unauthenticated one.
    "aws:msk/serverlessCluster:ServerlessCluster": ({ name, props }) =>
        failures(setting(`MSK Serverless cluster "${name}" clientAuthentication.sasl.iam`, at(props, "clientAuthentication", "sasl", "iam") ?? {}, "enabled", (value) => value === true, "true (IAM over TLS)")),
    "azure-native:eventhub:Namespace": ({ name, props }) => failures(setting(`Event Hubs namespace "${name}"`, props, "minimumTlsVersion", atLeastTls12, "1.2 or later")),
    "azure-native:servicebus:Namespace": ({ name, props }) => failures(setting(`Service Bus namespace "${name}"`, props, "minimumTlsVersion", atLeastTls12, "1.2 or later")),
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
