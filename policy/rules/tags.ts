/** Cost allocation and ownership: every billable resource carries the platform's tags. */
import { addedTagKeys, requiredTagKeys } from "../../config/schema.ts";
import { at, decoded, enforcedEverywhere, isUnknown, type PolicyResource, type Rule, type StackRule, type StackViolation } from "../rule.ts";

/** The stack's tags (`platform:tags`) plus the ones the program adds to every resource. */
export const platformTagKeys: readonly string[] = [...requiredTagKeys, ...addedTagKeys];

/**
 * Azure resources that take `tags` (Azure has no provider-wide default tags). AKS node pools
 * are listed apart: cluster tags do not reach the pools' scale sets, which carry most of the bill.
 */
export const azureTaggedTypes: readonly string[] = [
    "azure-native:resources:ResourceGroup",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:NatGateway",
    "azure-native:network:PublicIPAddress",
    "azure-native:network:FlowLog",
    "azure-native:network:PrivateEndpoint",
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:containerservice:AgentPool",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:keyvault:Vault",
    "azure-native:operationalinsights:Workspace",
    "azure-native:dbforpostgresql:Server",
    "azure-native:redisenterprise:RedisEnterprise",
    "azure-native:storage:StorageAccount",
    "azure-native:containerregistry:Registry",
    "azure-native:containerregistry:Task",
];

const awsProvider = "pulumi:providers:aws";
const launchTemplate = "aws:ec2/launchTemplate:LaunchTemplate";
const managedCluster = "azure-native:containerservice:ManagedCluster";

/** A tag value that is missing or empty; one known only later is there. */
function isBlank(value: unknown): boolean {
    return !isUnknown(value) && (typeof value !== "string" || value.trim() === "");
}

/** What `tags` lacks, as `no tags` or `owner missing, stack empty`; empty when complete, or when the tags are unknown as a whole. */
function tagProblems(tags: unknown): string[] {
    if (isUnknown(tags)) {
        return [];
    }
    const map: Record<string, unknown> = tags && typeof tags === "object" ? (tags as Record<string, unknown>) : {};
    const problems = platformTagKeys.flatMap((key) => (!(key in map) ? [`${key} missing`] : isBlank(map[key]) ? [`${key} empty`] : []));
    return problems.length === platformTagKeys.length ? ["no tags"] : problems;
}

const required = `every resource needs ${platformTagKeys.join(", ")} (platform:tags)`;

function checkAws(resource: PolicyResource): StackViolation[] {
    const { type, name, props } = resource;
    if (type === awsProvider) {
        const problems = tagProblems(at(decoded(props["defaultTags"]), "tags"));
        return problems.length ? [{ resource, message: `AWS provider "${name}" defaultTags: ${problems.join(", ")}; ${required}` }] : [];
    }
    const violations: StackViolation[] = [];
    // Per-resource tags override the provider's defaults: an empty value erases the tag.
    const tags = props["tags"];
    const blanked = tags && typeof tags === "object" && !isUnknown(tags) ? platformTagKeys.filter((key) => key in tags && isBlank(tags[key])) : [];
    if (blanked.length) {
        violations.push({ resource, message: `${type} "${name}" blanks the default tag(s) ${blanked.join(", ")}; remove them from its tags` });
    }
    // Instances and volumes an EKS node group launches do not get the provider's default tags.
    if (type === launchTemplate && !isUnknown(props["tagSpecifications"])) {
        const specifications: any[] = Array.isArray(props["tagSpecifications"]) ? props["tagSpecifications"] : [];
        // A specification, or its resource type, that is unknown may be the one for the target.
        const undecided = specifications.some((spec) => isUnknown(at(spec, "resourceType")));
        for (const target of ["instance", "volume"]) {
            const specification = specifications.find((spec) => spec?.resourceType === target);
            if (!specification && undecided) {
                continue;
            }
            const problems = tagProblems(at(specification, "tags"));
            if (problems.length) {
                violations.push({ resource, message: `launch template "${name}" tagSpecifications for ${target}: ${problems.join(", ")}; ${required}` });
            }
        }
    }
    return violations;
}

function checkAzure(resource: PolicyResource): StackViolation[] {
    const { type, name, props } = resource;
    const violations: StackViolation[] = [];
    const problems = tagProblems(props["tags"]);
    if (problems.length) {
        violations.push({ resource, message: `${type.split(":").pop()} "${name}" tags: ${problems.join(", ")}; ${required}` });
    }
    if (type === managedCluster) {
        const pools: any[] = Array.isArray(props["agentPoolProfiles"]) ? props["agentPoolProfiles"] : [];
        for (const pool of pools.filter((candidate) => !isUnknown(candidate))) {
            const poolProblems = tagProblems(pool?.tags);
            if (poolProblems.length) {
                violations.push({ resource, message: `AKS cluster "${name}" node pool "${pool?.name}" tags: ${poolProblems.join(", ")}; ${required}` });
            }
        }
    }
    return violations;
}

export const requiredTags: StackRule = {
    name: "required-tags",
    description: `Every billable AWS and Azure resource carries the tags ${platformTagKeys.join(", ")}, none of them empty.`,
    remediation:
        "Set owner and cost-center under platform:tags in the stack file; pass the context's tags to every Azure resource " +
        "(node pools and private endpoints included) and to launch template tag specifications, and never override a default tag with an empty value.",
    severity: "high",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => {
        const violations = resources.flatMap((resource) =>
            resource.type === awsProvider || resource.type.startsWith("aws:") ? checkAws(resource)
            : azureTaggedTypes.includes(resource.type) ? checkAzure(resource)
            : []);
        // Without an explicit provider, AWS resources get no default tags at all.
        if (resources.some((resource) => resource.type.startsWith("aws:")) && !resources.some((resource) => resource.type === awsProvider)) {
            violations.push({ message: `AWS resources are created without an AWS provider carrying defaultTags; ${required}` });
        }
        return violations;
    },
};

export const tagRules: Rule[] = [requiredTags];
