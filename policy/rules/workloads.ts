/**
 * Workload rules (issue 16): what the platform's `Workload` component gives every team's
 * service (components/workload/specs.ts), checked wherever a Deployment runs in a workload
 * namespace — the restricted security context, probes, requests and limits, digest-pinned
 * images outside dev, a disruption budget once there is more than one replica — and a
 * workload identity that holds no wildcard grant (components/workload/aws.ts, azure.ts).
 *
 * A workload namespace is any namespace outside the platform's own (`reservedNamespaces`), as
 * for `workload-namespace-guardrails`; a Deployment without a namespace runs in "default",
 * one of the platform's. A Deployment whose namespace is unknown is not known to be a
 * workload's and is not judged.
 */
import { reservedNamespaces } from "../../config/kubernetes.ts";
import { digestPinned } from "../../config/workloads.ts";
import {
    advisoryInDev, at, containsUnknown, decoded, enforcedEverywhere, isUnknown, type PolicyResource, type ResourceRule, type Rule, type StackRule, type StackViolation,
} from "../rule.ts";
import { isAccountWide } from "./identity.ts";

const deploymentType = "kubernetes:apps/v1:Deployment";
const hpaType = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const scaledObjectType = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const pdbType = "kubernetes:policy/v1:PodDisruptionBudget";
const roleType = "aws:iam/role:Role";
const rolePolicyType = "aws:iam/rolePolicy:RolePolicy";
const roleAssignmentType = "azure-native:authorization:RoleAssignment";

/** Where a resource lives: its metadata.namespace, "default" when unset; unknown stays unknown. */
function namespaceOf(resource: PolicyResource): unknown {
    return at(resource.props, "metadata", "namespace") ?? "default";
}

/** A namespace known to be a workload's: named, and not one the platform reserves. */
function isWorkloadNamespace(namespace: unknown): namespace is string {
    return typeof namespace === "string" && !(reservedNamespaces as readonly string[]).includes(namespace);
}

/** `Deployment "workload-orders-deployment" (orders/orders)`: the logical name, then where it runs. */
function deploymentLabel(deployment: PolicyResource): string {
    const name = at(deployment.props, "metadata", "name");
    return `Deployment "${deployment.name}" (${namespaceOf(deployment)}/${name ?? deployment.name})`;
}

type ContainerKind = "container" | "init container";

interface Container {
    readonly kind: ContainerKind;
    readonly value: any;
}

/** The known containers of a pod spec; an unknown list, or an unknown entry, has nothing to judge. */
function containersOf(pod: unknown, kinds: readonly ContainerKind[]): Container[] {
    const lists: [ContainerKind, unknown][] = [["container", at(pod, "containers")], ["init container", at(pod, "initContainers")]];
    return lists
        .filter(([kind, list]) => kinds.includes(kind) && Array.isArray(list))
        .flatMap(([kind, list]) => (list as unknown[]).filter((value) => value !== null && typeof value === "object" && !isUnknown(value)).map((value) => ({ kind, value })));
}

const containerLabel = (container: Container) => `${container.kind} "${isUnknown(container.value.name) ? "[unknown]" : container.value.name}"`;

/**
 * Runs `check` on every known container of a Deployment in a workload namespace whose pod spec
 * is known, and `podCheck` on the pod: each returns what is wrong (`has no startupProbe`), or
 * nothing; one message per container or pod, naming the Deployment.
 */
function perDeployment(
    deployment: PolicyResource,
    kinds: readonly ContainerKind[],
    check: (container: any, pod: any) => string | undefined,
    podCheck: (pod: any) => string | undefined = () => undefined,
): string[] {
    const pod = at(deployment.props, "spec", "template", "spec");
    if (!isWorkloadNamespace(namespaceOf(deployment)) || isUnknown(pod)) {
        return [];
    }
    const label = deploymentLabel(deployment);
    const podProblem = podCheck(pod);
    return [
        ...(podProblem ? [`${label} pod ${podProblem}`] : []),
        ...containersOf(pod, kinds).flatMap((container) => {
            const problem = check(container.value, pod);
            return problem ? [`${label} ${containerLabel(container)} ${problem}`] : [];
        }),
    ];
}

/** `value` is known and is not `required`: unset counts as wrong. */
const knownNot = (value: unknown, required: unknown) => value !== required && !isUnknown(value);
const shown = (value: unknown) => (value === undefined ? "unset" : JSON.stringify(value));

const hostNamespaces = ["hostNetwork", "hostPID", "hostIPC"] as const;

const restrictedSecurityContext: ResourceRule = {
    name: "workload-restricted-security-context",
    description: "Deployments in workload namespaces run under the restricted Pod Security Standard: non-root, RuntimeDefault seccomp, no privilege escalation or privileged containers, a read-only root filesystem, every capability dropped and no host namespaces.",
    remediation:
        "Deploy through platform:workloads, whose Deployment carries the restricted pod and container securityContext (components/workload/specs.ts); otherwise set runAsNonRoot true and " +
        "seccompProfile RuntimeDefault on the pod, allowPrivilegeEscalation false, readOnlyRootFilesystem true and capabilities.drop [\"ALL\"] on every container, and no hostNetwork, hostPID or hostIPC.",
    severity: "high",
    enforcement: advisoryInDev,
    resourceTypes: [deploymentType],
    check: (deployment) => perDeployment(
        deployment,
        ["container", "init container"],
        (container, pod) => {
            const problems: string[] = [];
            // A container's setting overrides the pod's; either level satisfies the standard.
            const nonRoot = at(container, "securityContext", "runAsNonRoot") ?? at(pod, "securityContext", "runAsNonRoot");
            if (knownNot(nonRoot, true)) {
                problems.push(`runAsNonRoot ${shown(nonRoot)} (set true on the pod)`);
            }
            const seccomp = at(container, "securityContext", "seccompProfile", "type") ?? at(pod, "securityContext", "seccompProfile", "type");
            if (knownNot(seccomp, "RuntimeDefault")) {
                problems.push(`seccompProfile.type ${shown(seccomp)} (set "RuntimeDefault" on the pod)`);
            }
            const escalation = at(container, "securityContext", "allowPrivilegeEscalation");
            if (knownNot(escalation, false)) {
                problems.push(`allowPrivilegeEscalation ${shown(escalation)} (must be false)`);
            }
            const readOnly = at(container, "securityContext", "readOnlyRootFilesystem");
            if (knownNot(readOnly, true)) {
                problems.push(`readOnlyRootFilesystem ${shown(readOnly)} (must be true)`);
            }
            const drop = at(container, "securityContext", "capabilities", "drop");
            if (!isUnknown(drop) && !(Array.isArray(drop) && (drop.includes("ALL") || drop.some(isUnknown)))) {
                problems.push(`capabilities.drop ${shown(drop)} (must contain "ALL")`);
            }
            if (at(container, "securityContext", "privileged") === true) {
                problems.push("privileged true");
            }
            return problems.length > 0 ? `breaks the restricted Pod Security Standard: ${problems.join(", ")}` : undefined;
        },
        (pod) => {
            const shared = hostNamespaces.filter((key) => at(pod, key) === true);
            return shared.length > 0 ? `shares the node's namespaces (${shared.map((key) => `${key} true`).join(", ")}), which the restricted Pod Security Standard forbids` : undefined;
        },
    ),
};

const probeKinds = ["startupProbe", "readinessProbe", "livenessProbe"] as const;

const workloadProbes: ResourceRule = {
    name: "workload-probes",
    description: "Every container of a Deployment in a workload namespace has a startup, a readiness and a liveness probe.",
    remediation: "Deploy through platform:workloads, whose pattern gives every container all three probes (patterns/infrastructure-patterns.yaml); otherwise add startupProbe, readinessProbe and livenessProbe to each container.",
    severity: "medium",
    enforcement: advisoryInDev,
    resourceTypes: [deploymentType],
    // Init containers take no probes: they run to completion before the others start.
    check: (deployment) => perDeployment(deployment, ["container"], (container) => {
        const missing = probeKinds.filter((probe) => container[probe] === undefined || container[probe] === null);
        return missing.length > 0 ? `has no ${missing.join(", ")}` : undefined;
    }),
};

const resourceSettings = [["requests", "cpu"], ["requests", "memory"], ["limits", "cpu"], ["limits", "memory"]] as const;

const workloadResources: ResourceRule = {
    name: "workload-requests-and-limits",
    description: "Every container of a Deployment in a workload namespace requests CPU and memory and sets CPU and memory limits.",
    remediation: "Deploy through platform:workloads, whose pattern sizes every container (requests as sized, limits from config/workloads.ts); otherwise set resources.requests and resources.limits for cpu and memory on each container.",
    severity: "medium",
    enforcement: advisoryInDev,
    resourceTypes: [deploymentType],
    check: (deployment) => perDeployment(deployment, ["container", "init container"], (container) => {
        const missing = resourceSettings.filter(([kind, resource]) => {
            const value = at(container, "resources", kind, resource);
            return !isUnknown(value) && (value === undefined || value === null || value === "");
        });
        return missing.length > 0 ? `sets no ${missing.map(([kind, resource]) => `resources.${kind}.${resource}`).join(", ")}` : undefined;
    }),
};

interface DigestConfig {
    /** Every image is pinned by digest (`…@sha256:<64 hex digits>`). */
    readonly requireDigest: boolean;
}

const imageDigest: ResourceRule<DigestConfig> = {
    name: "workload-image-digest",
    description: "Outside dev every container image of a Deployment in a workload namespace is pinned by digest (…@sha256:<64 hex digits>), so what runs is exactly what was reviewed.",
    remediation: "Set platform:workloads[].image to the image's digest (registry/repository@sha256:<digest>, a tag may precede it); the schema refuses unpinned images outside dev.",
    severity: "high",
    enforcement: advisoryInDev,
    config: {
        schema: { requireDigest: { type: "boolean", description: "Every container image must end with @sha256:<64 hex digits>." } },
        byEnvironment: {
            // Dev may follow a tag while a team iterates.
            dev: { requireDigest: false },
            staging: { requireDigest: true },
            prod: { requireDigest: true },
        },
    },
    resourceTypes: [deploymentType],
    check: (deployment, config) => (config.requireDigest
        ? perDeployment(deployment, ["container", "init container"], (container) => {
            const image = at(container, "image");
            if (isUnknown(image) || (typeof image === "string" && digestPinned.test(image))) {
                return undefined;
            }
            return image === undefined ? "names no image" : `runs image ${shown(image)}, which is not pinned by digest (…@sha256:<64 hex digits>)`;
        })
        : []),
};

/** Whether a label selector selects pods labelled `labels`; unknown parts may select them. */
function selects(selector: unknown, labels: unknown): boolean {
    if (isUnknown(selector) || isUnknown(labels)) {
        return true;
    }
    // policy/v1: a null selector selects no pod, an empty one every pod of the namespace.
    if (selector === undefined || selector === null) {
        return false;
    }
    const podLabels = (labels ?? {}) as Record<string, unknown>;
    const has = (key: string) => Object.hasOwn(podLabels, key);
    const matchLabels = at(selector, "matchLabels");
    const expressions = at(selector, "matchExpressions");
    if (isUnknown(matchLabels) || isUnknown(expressions)) {
        return true;
    }
    const labelsMatch = Object.entries(matchLabels ?? {}).every(([key, value]) => isUnknown(value) || isUnknown(podLabels[key]) || podLabels[key] === value);
    const expressionsMatch = (Array.isArray(expressions) ? expressions : []).every((expression: any) => {
        if (containsUnknown(expression) || isUnknown(podLabels[expression?.key])) {
            return true;
        }
        const values: unknown[] = Array.isArray(expression?.values) ? expression.values : [];
        switch (expression?.operator) {
            case "In":
                return has(expression.key) && values.includes(podLabels[expression.key]);
            case "NotIn":
                return !has(expression.key) || !values.includes(podLabels[expression.key]);
            case "Exists":
                return has(expression.key);
            case "DoesNotExist":
                return !has(expression.key);
            default:
                return false;
        }
    });
    return labelsMatch && expressionsMatch;
}

/** What keeps a Deployment above one replica: its own count, or its autoscaler's floor. */
interface ReplicaFloor {
    readonly replicas: number;
    readonly source: string;
}

/**
 * The known replica floors of `deployment`: spec.replicas, and the minimum of every HPA or
 * KEDA ScaledObject in its namespace known to target it (HPA minReplicas defaults to 1, KEDA
 * minReplicaCount to 0). An autoscaler whose target, namespace or minimum is unknown is not
 * known to raise the floor.
 */
function replicaFloors(deployment: PolicyResource, resources: readonly PolicyResource[]): ReplicaFloor[] {
    const namespace = namespaceOf(deployment);
    const name = at(deployment.props, "metadata", "name");
    const floors: ReplicaFloor[] = [];
    const replicas = at(deployment.props, "spec", "replicas");
    if (typeof replicas === "number") {
        floors.push({ replicas, source: `spec.replicas ${replicas}` });
    }
    if (typeof name !== "string") {
        return floors;
    }
    const autoscalers: [string, string, string, number][] = [[hpaType, "HorizontalPodAutoscaler", "minReplicas", 1], [scaledObjectType, "KEDA ScaledObject", "minReplicaCount", 0]];
    for (const [type, kind, key, fallback] of autoscalers) {
        for (const scaler of resources.filter((resource) => resource.type === type && namespaceOf(resource) === namespace)) {
            const target = at(scaler.props, "spec", "scaleTargetRef");
            // KEDA's target kind defaults to Deployment; an HPA names it.
            const targetKind = at(target, "kind") ?? (type === scaledObjectType ? "Deployment" : undefined);
            const minimum = at(scaler.props, "spec", key) ?? fallback;
            if (at(target, "name") === name && targetKind === "Deployment" && typeof minimum === "number") {
                floors.push({ replicas: minimum, source: `${kind} "${scaler.name}" ${key} ${minimum}` });
            }
        }
    }
    return floors;
}

const disruptionBudget: StackRule = {
    name: "workload-disruption-budget",
    description: "A Deployment in a workload namespace that keeps more than one replica (spec.replicas, or its HPA's or KEDA ScaledObject's minimum) has a policy/v1 PodDisruptionBudget in its namespace that selects its pods.",
    remediation:
        "Deploy through platform:workloads, which adds a PodDisruptionBudget whenever replicas.min is above 1 (components/workload/specs.ts); otherwise create a policy/v1 PodDisruptionBudget " +
        "in the Deployment's namespace whose selector.matchLabels are a subset of the pod template's labels.",
    severity: "medium",
    enforcement: advisoryInDev,
    checkStack: (resources) => {
        const budgets = resources.filter((resource) => resource.type === pdbType);
        return resources
            .filter((resource) => resource.type === deploymentType && isWorkloadNamespace(namespaceOf(resource)))
            .flatMap((deployment): StackViolation[] => {
                const floor = replicaFloors(deployment, resources).filter((candidate) => candidate.replicas > 1).sort((a, b) => b.replicas - a.replicas)[0];
                if (!floor) {
                    return [];
                }
                const namespace = namespaceOf(deployment);
                const labels = at(deployment.props, "spec", "template", "metadata", "labels");
                // A budget whose namespace is unknown may be in this one.
                const covered = budgets.some((budget) => {
                    const budgetNamespace = namespaceOf(budget);
                    return (isUnknown(budgetNamespace) || budgetNamespace === namespace) && selects(at(budget.props, "spec", "selector"), labels);
                });
                return covered
                    ? []
                    : [{
                        resource: deployment,
                        message: `${deploymentLabel(deployment)} keeps at least ${floor.replicas} replicas (${floor.source}) but no PodDisruptionBudget (policy/v1) in namespace "${namespace}" ` +
                            "selects its pods; a node drain could take them all at once",
                    }];
            });
    },
};

/** A workload's role (components/workload/aws.ts): `workload-<name>-role`, as is its inline policy. */
const workloadRoleName = /^workload-.+-role$/;
/** The statements of a workload's policy (components/workload/aws.ts `workloadPolicy`). */
const workloadSids = ["ConsumeOwnQueue", "DeadLetterOwnMessages", "InvokeListedModels"];

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
    return [
        ...entries(statement.Action).filter(wildcardAction).map((action) => `action "${action}"`),
        ...entries(statement.Resource).filter(wildcardResource).map((resource) => `resource "${resource}"`),
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

const identityNoWildcards: StackRule = {
    name: "workload-identity-no-wildcards",
    description: "A workload's cloud identity is granted only its own resources: no \"*\" or service-wide action or resource in its AWS role policies, and no Azure role assignment for it at subscription or resource-group scope.",
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
        return [...aws, ...azure];
    },
};

export const workloadRules: Rule[] = [restrictedSecurityContext, workloadProbes, workloadResources, imageDigest, disruptionBudget, identityNoWildcards];
