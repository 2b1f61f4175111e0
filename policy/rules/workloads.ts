/**
 * Workload rules (issue 16): what the platform's `Workload` component gives every team's pods
 * (components/workload/specs.ts), checked wherever a Deployment runs in a workload namespace —
 * the restricted security context, probes, requests and limits, digest-pinned images outside
 * dev. Their disruption budgets are in `workload-disruption.ts`, their identities in
 * `workload-identity.ts`, what is a workload's in `workload-objects.ts`; `workloadRules`
 * gathers them all.
 */
import { digestPinned } from "../../config/workloads.ts";
import { advisoryInDev, at, isUnknown, type PolicyResource, type ResourceRule, type Rule } from "../rule.ts";
import { deploymentLabel, deploymentType, isWorkloadNamespace, namespaceOf } from "./workload-objects.ts";
import { disruptionBudget } from "./workload-disruption.ts";
import { identityNoWildcards } from "./workload-identity.ts";

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

export const workloadRules: Rule[] = [restrictedSecurityContext, workloadProbes, workloadResources, imageDigest, disruptionBudget, identityNoWildcards];
