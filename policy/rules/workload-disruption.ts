/**
 * A workload that keeps more than one replica (its own count, or its HPA's or KEDA
 * ScaledObject's floor) has a PodDisruptionBudget selecting its pods (workloads.ts says what
 * a workload namespace is).
 */
import { advisoryInDev, at, containsUnknown, isUnknown, type PolicyResource, type StackRule, type StackViolation } from "../rule.ts";
import { deploymentLabel, deploymentType, isWorkloadNamespace, namespaceOf } from "./workload-objects.ts";

const hpaType = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const scaledObjectType = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const pdbType = "kubernetes:policy/v1:PodDisruptionBudget";

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

export const disruptionBudget: StackRule = {
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
