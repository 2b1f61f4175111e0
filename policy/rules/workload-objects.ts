/**
 * What the workload rules share: how a workload's Deployment is recognised and named. A
 * workload namespace is any namespace outside the platform's own (`reservedNamespaces`), as for
 * `workload-namespace-guardrails`; a Deployment without a namespace runs in "default", one of
 * the platform's, and one whose namespace is unknown is not known to be a workload's.
 */
import { reservedNamespaces } from "../../config/kubernetes.ts";
import { at, type PolicyResource } from "../rule.ts";

export const deploymentType = "kubernetes:apps/v1:Deployment";

/** Where a resource lives: its metadata.namespace, "default" when unset; unknown stays unknown. */
export function namespaceOf(resource: PolicyResource): unknown {
    return at(resource.props, "metadata", "namespace") ?? "default";
}

/** A namespace known to be a workload's: named, and not one the platform reserves. */
export function isWorkloadNamespace(namespace: unknown): namespace is string {
    return typeof namespace === "string" && !(reservedNamespaces as readonly string[]).includes(namespace);
}

/** `Deployment "workload-orders-deployment" (orders/orders)`: the logical name, then where it runs. */
export function deploymentLabel(deployment: PolicyResource): string {
    const name = at(deployment.props, "metadata", "name");
    return `Deployment "${deployment.name}" (${namespaceOf(deployment)}/${name ?? deployment.name})`;
}
