/**
 * A workload's identity holds no wildcard (components/workload/aws.ts, azure.ts): no `*` or
 * `service:*` action nor account-wide resource in its role's policy, and Azure role
 * assignments on one resource only.
 */
import { at, decoded, enforcedEverywhere, isUnknown, type PolicyResource, type StackRule, type StackViolation } from "../rule.ts";
import { isAccountWide } from "./identity.ts";

const roleType = "aws:iam/role:Role";
const rolePolicyType = "aws:iam/rolePolicy:RolePolicy";
const roleAssignmentType = "azure-native:authorization:RoleAssignment";
const eventHubRuleType = "azure-native:eventhub:EventHubAuthorizationRule";

/** A workload's role (components/workload/aws.ts): `workload-<name>-role`, as is its inline policy. */
const workloadRoleName = /^workload-.+-role$/;
/** The statements of a workload's policy (components/workload/aws.ts `workloadPolicy`). */
const workloadSids = [
    "ConsumeOwnQueue", "DeadLetterOwnMessages", "InvokeListedModels", "ConnectAsOwnDatabaseUser",
    "ConnectToEventBus", "OwnTopic", "OwnConsumerGroup", "ReadOwnSchema", "ReadSchemaVersionsById",
];

/**
 * Reads AWS authorises on "*" only: a Glue Schema Registry deserializer fetches a schema
 * version by its id alone, which names no registry (Glue Developer Guide, "IAM examples for
 * deserializers"; awslabs/aws-glue-schema-registry#68). A statement of only these may say "*".
 */
export const accountWideReads = ["glue:GetSchemaVersion"];

/**
 * The physical names of the stack's workload roles: the name set, or the one Pulumi derives from
 * the logical name (`<logical>-<7 hex>`) as a pattern.
 */
function workloadRoleMatchers(resources: readonly PolicyResource[]): ((role: unknown) => boolean)[] {
    return resources.filter((resource) => resource.type === roleType && workloadRoleName.test(resource.name)).map((role) => {
        const physical = role.props["name"];
        const escaped = role.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return (value: unknown) => typeof value === "string" && (typeof physical === "string" ? value === physical : new RegExp(`^${escaped}-[0-9a-f]{7}$`).test(value));
    });
}

/** A Resource entry that reaches every resource, or every resource of a service or type (`*`, `arn:aws:sqs:…:*`): identity.ts's test. */
const wildcardResource = isAccountWide;
const wildcardAction = (action: string) => action === "*" || action.endsWith(":*");

/** Each known entry of an IAM element: a string or a list; unknown entries cannot be judged. */
const entries = (value: unknown): string[] => (value === undefined || isUnknown(value) ? [] : [value].flat().filter((entry): entry is string => typeof entry === "string"));

function statementWildcards(statement: any): string[] {
    if (statement === null || typeof statement !== "object" || statement.Effect !== "Allow") {
        return [];
    }
    const actions = entries(statement.Action);
    const onlyAccountWideReads = actions.length > 0 && statement.Action !== undefined && !isUnknown(statement.Action) && actions.every((action) => accountWideReads.includes(action));
    return [
        ...actions.filter(wildcardAction).map((action) => `action "${action}"`),
        ...(onlyAccountWideReads ? [] : entries(statement.Resource).filter(wildcardResource).map((resource) => `resource "${resource}"`)),
        // Allow with NotAction or NotResource grants everything but what it lists.
        ...(statement.NotAction !== undefined ? [`NotAction (every action but ${entries(statement.NotAction).join(", ") || "[unknown]"})`] : []),
        ...(statement.NotResource !== undefined ? [`NotResource (every resource but ${entries(statement.NotResource).join(", ") || "[unknown]"})`] : []),
    ];
}

/** A scope that is one resource: `/subscriptions/<id>[/resourceGroups/<group>]/providers/<namespace>/<type>/<name>…`. */
const resourceScope = /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/providers\/[^/]+\/[^/]+\/[^/]+/i;

function scopeKind(scope: string): string {
    if (/^\/subscriptions\/[^/]+\/?$/i.test(scope)) {
        return "subscription";
    }
    if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/?$/i.test(scope)) {
        return "resource group";
    }
    if (/^\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope) || scope === "/") {
        return "management group";
    }
    return "unrecognised";
}

export const identityNoWildcards: StackRule = {
    name: "workload-identity-no-wildcards",
    description: "A workload's cloud identity is granted only its own resources: no \"*\" or service-wide action or resource in its AWS role policies (but the Glue schema-version read AWS authorises on \"*\" only), no Azure role assignment for it at subscription or resource-group scope, and no event hub shared key beyond Listen.",
    remediation:
        "Grant a workload only its own queue, dead-letter queue and listed models by ARN (components/workload/aws.ts workloadPolicy) with the actions it needs; " +
        "on Azure assign its roles on the resource itself (the queue, the OpenAI account: components/workload/azure.ts), never on a resource group or subscription.",
    severity: "high",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => {
        const isWorkloadRole = workloadRoleMatchers(resources);
        const aws = resources
            .filter((resource) => resource.type === rolePolicyType)
            .map((policy) => ({ policy, statements: [at(decoded(policy.props["policy"]), "Statement") ?? []].flat() as any[] }))
            // The workload's own policy by name or Sid, or any inline policy on a workload's role.
            .filter(({ policy, statements }) =>
                workloadRoleName.test(policy.name) || isWorkloadRole.some((matches) => matches(policy.props["role"])) || statements.some((statement) => workloadSids.includes(statement?.Sid)))
            .flatMap(({ policy, statements }) => statements.flatMap((statement): StackViolation[] => {
                // An unknown statement cannot be judged; an unknown entry in a known one is skipped.
                const wildcards = isUnknown(statement) ? [] : statementWildcards(statement);
                const sid = typeof statement?.Sid === "string" ? `statement ${statement.Sid}` : "a statement without Sid";
                return wildcards.length > 0
                    ? [{ resource: policy, message: `workload role policy "${policy.name}" allows ${wildcards.join(", ")} (${sid}); a workload may name only its own resources and the actions it needs` }]
                    : [];
            }));
        const azure = resources
            .filter((resource) => resource.type === roleAssignmentType && resource.name.startsWith("workload-"))
            .flatMap((assignment): StackViolation[] => {
                const scope = assignment.props["scope"];
                // An unknown scope (a resource's id on a new stack) is a resource's, as the program makes it.
                if (isUnknown(scope) || (typeof scope === "string" && resourceScope.test(scope))) {
                    return [];
                }
                const where = typeof scope === "string" ? `at ${scopeKind(scope)} scope "${scope}"` : "without a scope";
                return [{
                    resource: assignment,
                    message: `workload role assignment "${assignment.name}" is made ${where}; assign a workload's roles on its own resources (a resource id with /providers/)`,
                }];
            });
        // Shared-key rules on event hubs exist for KEDA's lag reads alone (workload/azure-events.ts): Listen, never Send or Manage.
        const keys = resources
            .filter((resource) => resource.type === eventHubRuleType)
            .flatMap((rule): StackViolation[] => {
                const rights = entries(rule.props["rights"]);
                const extra = rights.filter((right) => right !== "Listen");
                return extra.length > 0
                    ? [{ resource: rule, message: `event hub authorization rule "${rule.name}" grants ${extra.join(", ")}; a shared key may only Listen (KEDA's lag reads)` }]
                    : [];
            });
        return [...aws, ...azure, ...keys];
    },
};
