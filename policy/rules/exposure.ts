/** Exposure: storage, databases, caches, vaults and (outside dev) cluster APIs and registries are not reachable from the internet. */
import { advisoryInDev, at, decoded, isUnknown, sameReference, type PolicyResource, type Rule, type StackRule, type StackViolation } from "../rule.ts";

interface ExposureConfig {
    /** A cluster API endpoint may accept connections from any address. */
    readonly allowOpenClusterApi: boolean;
    /** A container registry may keep its public endpoint (Entra ID tokens only). */
    readonly allowPublicRegistry: boolean;
}

const anywhere = ["0.0.0.0/0", "::/0"];
const publicAccessFlags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const publicReadKey = "(platform:storage.publicRead)";
const clusterApiKey = "(platform:cluster.apiAccess, platform:cluster.authorizedCidrs)";
const registrySkuKey = "(platform:registry.azure.sku Premium: a private endpoint needs it)";

type Check = (resource: PolicyResource, config: ExposureConfig) => string[];

/** A property must hold exactly `required`; missing counts as wrong, unknown cannot be judged. */
function mustBe(what: string, resource: PolicyResource, path: string, found: unknown, required: string, key = ""): string[] {
    return found === required || isUnknown(found) ? [] : [`${what} "${resource.name}" has ${path} ${JSON.stringify(found ?? null)}; it must be ${JSON.stringify(required)}${key && ` ${key}`}`];
}

function grantsEveryone(statement: any): boolean {
    if (statement?.Effect !== "Allow") {
        return false;
    }
    // Allow with NotPrincipal grants everyone but the listed principals.
    if (statement.NotPrincipal !== undefined) {
        return true;
    }
    const principal = statement.Principal;
    return principal === "*" || (typeof principal === "object" && principal !== null && Object.values(principal).flat().includes("*"));
}

/**
 * A storage account's firewall that admits no address: default Deny and no IP or VNet rule,
 * so only trusted Azure services (`bypass`) get through the public endpoint. Network Watcher
 * writes flow logs that way; it cannot reach an account whose public access is Disabled.
 * An unknown action or rule list may be so.
 */
function deniesEveryAddress(ruleSet: any): boolean {
    const empty = (rules: unknown) => isUnknown(rules) || ((rules ?? []) as unknown[]).length === 0;
    const defaultAction = at(ruleSet, "defaultAction");
    return (defaultAction === "Deny" || isUnknown(defaultAction)) && empty(at(ruleSet, "ipRules")) && empty(at(ruleSet, "virtualNetworkRules"));
}

/** An open endpoint accepts any address: no allow-list, or one that contains 0.0.0.0/0. An unknown allow-list cannot be judged. */
function openRanges(ranges: unknown): string {
    if (isUnknown(ranges)) {
        return "";
    }
    const list = Array.isArray(ranges) ? ranges : [];
    return list.length === 0 ? "every address (no allow-list)" : list.filter((range) => anywhere.includes(range)).join(", ");
}

const checks: Record<string, Check> = {
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (resource) => {
        // Each flag is known at preview; one that is not cannot be judged.
        const off = publicAccessFlags.filter((flag) => resource.props[flag] !== true && !isUnknown(resource.props[flag]));
        return off.length === 0 ? [] : [`S3 public access block "${resource.name}" leaves ${off.join(", ")} off; all four flags must be true ${publicReadKey}`];
    },
    "aws:s3/bucketPolicy:BucketPolicy": (resource) => {
        // Only a statement known to allow and known to name every principal is reported.
        const statements = [at(decoded(resource.props.policy), "Statement") ?? []].flat();
        return statements.filter(grantsEveryone).map((statement: any) =>
            `S3 bucket policy "${resource.name}" allows ${[statement.Action ?? statement.NotAction ?? "every action"].flat().join(", ")} to every principal`
            + `${statement.Sid ? ` (statement ${statement.Sid})` : ""}; Principal "*" may only be denied ${publicReadKey}`);
    },
    "aws:rds/instance:Instance": (resource) =>
        resource.props.publiclyAccessible === true ? [`RDS instance "${resource.name}" has publiclyAccessible true; it must be false`] : [],
    "azure-native:dbforpostgresql:Server": (resource) =>
        mustBe("PostgreSQL server", resource, "network.publicNetworkAccess", at(resource.props, "network", "publicNetworkAccess"), "Disabled"),
    "azure-native:redisenterprise:RedisEnterprise": (resource) =>
        mustBe("Managed Redis", resource, "publicNetworkAccess", resource.props.publicNetworkAccess, "Disabled"),
    "azure-native:eventhub:Namespace": (resource) =>
        mustBe("Event Hubs namespace", resource, "publicNetworkAccess", resource.props.publicNetworkAccess, "Disabled"),
    "azure-native:storage:StorageAccount": (resource) => [
        ...(resource.props.allowBlobPublicAccess === false || isUnknown(resource.props.allowBlobPublicAccess)
            ? []
            : [`Storage account "${resource.name}" has allowBlobPublicAccess ${JSON.stringify(resource.props.allowBlobPublicAccess ?? null)}; it must be false ${publicReadKey}`]),
        ...(resource.props.publicNetworkAccess === "Enabled" && deniesEveryAddress(resource.props.networkRuleSet)
            ? []
            : mustBe("Storage account", resource, "publicNetworkAccess", resource.props.publicNetworkAccess, "Disabled",
                `${publicReadKey}, or "Enabled" behind a networkRuleSet that denies every address (defaultAction "Deny", no ipRules or virtualNetworkRules)`)),
    ],
    "azure-native:storage:BlobContainer": (resource) =>
        (resource.props.publicAccess ?? "None") === "None" || isUnknown(resource.props.publicAccess) ? [] : [`Blob container "${resource.name}" has publicAccess "${resource.props.publicAccess}"; it must be "None" ${publicReadKey}`],
    "aws:eks/cluster:Cluster": (resource, config) => {
        const vpc = resource.props.vpcConfig ?? {};
        // EKS opens the public endpoint to 0.0.0.0/0 unless told otherwise; an unknown flag may close it.
        const endpointPublicAccess = at(vpc, "endpointPublicAccess");
        const open = endpointPublicAccess === false || isUnknown(endpointPublicAccess) ? "" : openRanges(at(vpc, "publicAccessCidrs") ?? anywhere);
        return config.allowOpenClusterApi || !open ? [] : [`EKS cluster "${resource.name}" has a public API endpoint open to ${open}; make it private or list only known ranges in vpcConfig.publicAccessCidrs ${clusterApiKey}`];
    },
    "azure-native:containerservice:ManagedCluster": (resource, config) => {
        const access = resource.props.apiServerAccessProfile ?? {};
        const enablePrivateCluster = at(access, "enablePrivateCluster");
        const open = enablePrivateCluster === true || isUnknown(enablePrivateCluster) ? "" : openRanges(at(access, "authorizedIPRanges"));
        return config.allowOpenClusterApi || !open ? [] : [`AKS cluster "${resource.name}" has a public API server open to ${open}; make it private or list only known ranges in apiServerAccessProfile.authorizedIPRanges ${clusterApiKey}`];
    },
    "azure-native:containerregistry:Registry": (resource, config) =>
        config.allowPublicRegistry ? [] : mustBe("Container registry", resource, "publicNetworkAccess", resource.props.publicNetworkAccess, "Disabled", registrySkuKey),
};

/**
 * Buckets that no public access block covers: open to a public policy or ACL. A block whose
 * bucket, or a bucket whose name, is unknown may cover it.
 */
function unblockedBuckets(resources: readonly PolicyResource[]): StackViolation[] {
    const blocked = resources.filter((resource) => resource.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").map((block) => block.props.bucket);
    return resources
        .filter((resource) => resource.type === "aws:s3/bucket:Bucket" && blocked.every((bucket) => sameReference(bucket, resource.props.bucket) === false))
        .map((resource) => ({ resource, message: `S3 bucket "${resource.name}" has no public access block (aws:s3/bucketPublicAccessBlock) naming bucket ${JSON.stringify(resource.props.bucket ?? null)}` }));
}

/** Key Vaults, AKS's KMS vault included: AKS reaches a private one through API Server VNet Integration. */
function vaultViolations(resources: readonly PolicyResource[]): StackViolation[] {
    return resources
        .filter((resource) => resource.type === "azure-native:keyvault:Vault")
        .filter((resource) => !isUnknown(at(resource.props, "properties", "publicNetworkAccess")))
        .filter((resource) => String(resource.props.properties?.publicNetworkAccess).toLowerCase() !== "disabled")
        .map((resource) => ({
            resource,
            message: `Key Vault "${resource.name}" has properties.publicNetworkAccess ${JSON.stringify(resource.props.properties?.publicNetworkAccess ?? null)}; it must be "disabled" (reach it through its private endpoint)`,
        }));
}

export const noPublicEndpoints: StackRule<ExposureConfig> = {
    name: "no-public-endpoints",
    description: "Storage, databases, caches and Key Vaults (AKS's KMS vault too) take no traffic from the internet, cluster APIs only from listed ranges, and outside dev container registries none either.",
    remediation: "Keep platform:storage.publicRead false; set platform:cluster.apiAccess to \"restricted\" (with platform:cluster.authorizedCidrs) or \"private\"; "
        + "set platform:registry.azure.sku to Premium outside dev, which makes the registry private; "
        + "databases, caches and vaults are private in the components: restore publiclyAccessible false / publicNetworkAccess Disabled and reach them through the VPC or private endpoints.",
    severity: "critical",
    enforcement: advisoryInDev,
    config: {
        schema: { allowOpenClusterApi: { type: "boolean" }, allowPublicRegistry: { type: "boolean" } },
        byEnvironment: {
            // Dev's checked-in stack keeps a public API and a public registry (CI pushes to it) for convenience.
            dev: { allowOpenClusterApi: true, allowPublicRegistry: true },
            // The schema requires a Premium (private-endpoint) registry outside dev on Azure.
            staging: { allowOpenClusterApi: false, allowPublicRegistry: false },
            prod: { allowOpenClusterApi: false, allowPublicRegistry: false },
        },
    },
    checkStack: (resources, config) => [
        ...resources.flatMap((resource) => (checks[resource.type]?.(resource, config) ?? []).map((message) => ({ resource, message }))),
        ...unblockedBuckets(resources),
        ...vaultViolations(resources),
    ],
};

export const exposureRules: Rule[] = [noPublicEndpoints];
