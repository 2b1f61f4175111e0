/**
 * Kubernetes rules: a supported version, Secrets encrypted with a managed key, pinned Helm
 * charts, and the guardrails every workload namespace carries.
 */
import { reservedNamespaces } from "../../config/kubernetes.ts";
import {
    advisoryInDev, at, enforcedEverywhere, isUnknown, unknownValue, type PolicyResource, type ResourceRule, type Rule, type StackRule, type StackViolation,
} from "../rule.ts";

const eksCluster = "aws:eks/cluster:Cluster";
const eksNodeGroup = "aws:eks/nodeGroup:NodeGroup";
const aksCluster = "azure-native:containerservice:ManagedCluster";
const aksAgentPool = "azure-native:containerservice:AgentPool";

/** "1.35", "1.35.2" or "v1.35" as [major, minor]; undefined when it is no version. */
function minorOf(value: unknown): [number, number] | undefined {
    const match = typeof value === "string" ? /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(value) : null;
    return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** The Kubernetes versions a resource sets: the cluster's (required) and its pools' (optional, they default to the cluster's). */
function versionsOf(resource: PolicyResource): { label: string; setting: string; value: unknown; required: boolean }[] {
    const props = resource.props;
    switch (resource.type) {
        case eksCluster:
            return [{ label: `EKS cluster "${resource.name}"`, setting: "version", value: props.version, required: true }];
        case eksNodeGroup:
            return [{ label: `EKS node group "${resource.name}"`, setting: "version", value: props.version, required: false }];
        case aksCluster:
            return [
                { label: `AKS cluster "${resource.name}"`, setting: "kubernetesVersion", value: props.kubernetesVersion, required: true },
                // An unknown pool list has no version to judge.
                ...(Array.isArray(props.agentPoolProfiles) ? props.agentPoolProfiles : []).map((pool: any) => ({
                    label: `AKS pool "${pool?.name}" of "${resource.name}"`,
                    setting: "orchestratorVersion",
                    value: at(pool, "orchestratorVersion"),
                    required: false,
                })),
            ];
        default:
            return [{ label: `AKS pool "${resource.name}"`, setting: "orchestratorVersion", value: props.orchestratorVersion, required: false }];
    }
}

/**
 * The oldest minor in standard support on both EKS and AKS, and the first day either drops it
 * (EKS: 2027-03-27; AKS: March 2027, per their version calendars as of 2026-12). A test fails
 * from that day on, so the floor is raised before it lets an unsupported version through.
 */
export const kubernetesSupportFloor = { minVersion: "1.35", leavesStandardSupport: "2027-03-01" } as const;

const versionFloor: ResourceRule<{ minVersion: string }> = {
    name: "kubernetes-version-floor",
    description: "Clusters and node pools run a Kubernetes minor version still in standard support on both EKS and AKS.",
    remediation: "Raise platform:cluster.kubernetesVersion to the floor or newer (upgrade one minor at a time); raise the floor when its version leaves standard support.",
    severity: "high",
    enforcement: enforcedEverywhere,
    config: {
        schema: {
            minVersion: {
                type: "string",
                pattern: "^\\d+\\.\\d+$",
                description: "Oldest allowed minor version, e.g. \"1.35\": the oldest in standard support on both EKS and AKS.",
            },
        },
        byEnvironment: {
            dev: { minVersion: kubernetesSupportFloor.minVersion },
            staging: { minVersion: kubernetesSupportFloor.minVersion },
            prod: { minVersion: kubernetesSupportFloor.minVersion },
        },
    },
    resourceTypes: [eksCluster, eksNodeGroup, aksCluster, aksAgentPool],
    check: (resource, config) => {
        const floor = minorOf(config.minVersion);
        if (!floor) {
            return [`the floor "${config.minVersion}" is not a minor version such as "1.35"`];
        }
        return versionsOf(resource).flatMap(({ label, setting, value, required }) => {
            // A version known only once the resource exists (set, so present) cannot be judged.
            if (isUnknown(value)) {
                return [];
            }
            if (value === undefined || value === null || value === "") {
                return required ? [`${label} sets no ${setting}; pin ${config.minVersion} or newer (platform:cluster.kubernetesVersion)`] : [];
            }
            const version = minorOf(value);
            if (!version) {
                return [`${label} has ${setting} "${value}", which is not a version such as "${config.minVersion}"`];
            }
            const tooOld = version[0] < floor[0] || (version[0] === floor[0] && version[1] < floor[1]);
            return tooOld
                ? [`${label} runs Kubernetes ${value}; at least ${config.minVersion} is required, the oldest minor in standard support (platform:cluster.kubernetesVersion)`]
                : [];
        });
    },
};

/** A key id or ARN is set: a non-empty string, or one known only once the key exists. */
const nonEmpty = (value: unknown) => (typeof value === "string" && value.length > 0) || isUnknown(value);

const secretsEncryption: ResourceRule = {
    name: "kubernetes-secrets-encryption",
    description: "Kubernetes Secrets are encrypted in etcd with a customer-managed key (EKS KMS envelope encryption, AKS Key Vault KMS).",
    remediation: "Keep the cluster component's secrets encryption: EKS encryptionConfig with resources [\"secrets\"] and a KMS keyArn; AKS securityProfile.azureKeyVaultKms enabled with a Key Vault keyId.",
    severity: "critical",
    enforcement: enforcedEverywhere,
    resourceTypes: [eksCluster, aksCluster],
    check: (resource) => {
        if (resource.type === eksCluster) {
            const encryption = resource.props.encryptionConfig;
            const listed = at(encryption, "resources");
            const resources: unknown[] = Array.isArray(listed) ? listed : [];
            // An unknown list, or an unknown entry, may name secrets.
            const secrets = isUnknown(listed) || resources.includes("secrets") || resources.some(isUnknown);
            return secrets && nonEmpty(at(encryption, "provider", "keyArn"))
                ? []
                : [`EKS cluster "${resource.name}" does not encrypt Secrets with a KMS key (encryptionConfig resources ${JSON.stringify(resources)}, keyArn ${encryption?.provider?.keyArn ?? "unset"}); set resources ["secrets"] and provider.keyArn`];
        }
        // On a new stack the whole securityProfile is unknown (it names the key): there, but not to be judged.
        const kms = at(resource.props, "securityProfile", "azureKeyVaultKms");
        return isUnknown(kms) || ((kms?.enabled === true || isUnknown(kms?.enabled)) && nonEmpty(kms?.keyId))
            ? []
            : [`AKS cluster "${resource.name}" does not encrypt Secrets with Key Vault KMS (securityProfile.azureKeyVaultKms enabled ${kms?.enabled ?? "unset"}, keyId ${kms?.keyId ?? "unset"}); enable it with a keyId`];
    },
};

/** An exact SemVer 2.0 version (pre-release and build allowed), with an optional leading v. */
const exactSemver = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Helm releases, and Helm v4 charts (a provider-side component rendered object by object). */
export const helmChartTypes = { release: "kubernetes:helm.sh/v3:Release", chart: "kubernetes:helm.sh/v4:Chart" } as const;

const helmChartPinned: ResourceRule = {
    name: "helm-chart-pinned",
    description: "Every Helm chart is pinned to an exact version and pulled from an HTTPS (or OCI) repository, so a preview shows exactly what gets installed.",
    remediation: "Pin the chart's `version` to an exact release such as 1.2.3 (no ranges) and set repositoryOpts.repo to an https:// URL or use an oci:// chart; the add-ons are pinned in components/kubernetes/charts.ts.",
    severity: "medium",
    enforcement: enforcedEverywhere,
    resourceTypes: Object.values(helmChartTypes),
    check: (resource) => {
        const { chart, version, repositoryOpts } = resource.props;
        // The engine shows a policy pack no inputs of a provider-side component (a Helm v4 Chart); the offline plan does.
        if (resource.type === helmChartTypes.chart && chart === undefined && version === undefined) {
            return [];
        }
        const messages: string[] = [];
        // Unknown values cannot be judged: only a known version or repository is reported.
        if (!isUnknown(version) && (typeof version !== "string" || !exactSemver.test(version))) {
            messages.push(`Helm chart "${resource.name}" (${chart}) has version ${version === undefined ? "unset" : JSON.stringify(version)}; pin an exact version such as 1.2.3`);
        }
        // An oci:// chart reference is its own repository; an unknown chart may be one.
        const ownRepository = (typeof chart === "string" && chart.startsWith("oci://")) || isUnknown(chart);
        const repository = at(repositoryOpts, "repo") ?? (ownRepository ? chart : undefined);
        if (!isUnknown(repository) && (typeof repository !== "string" || !/^(https|oci):\/\//.test(repository))) {
            messages.push(`Helm chart "${resource.name}" (${chart}) comes from repository ${repository === undefined ? "unset" : JSON.stringify(repository)}; use an https:// repository or an oci:// chart`);
        }
        return messages;
    },
};

const podSecurityEnforce = "pod-security.kubernetes.io/enforce";
const namespaceType = "kubernetes:core/v1:Namespace";

/**
 * Selects every pod, applies to both directions and allows nothing: the baseline other policies
 * open up. A policy with unknown parts may be one.
 */
function isDefaultDeny(policy: PolicyResource): boolean {
    const spec = policy.props.spec ?? {};
    if (isUnknown(spec)) {
        return true;
    }
    const selector = spec.podSelector;
    const noLabels = (labels: unknown) => isUnknown(labels) || Object.keys(labels ?? {}).length === 0;
    const noEntries = (list: any) => isUnknown(list) || (list ?? []).length === 0;
    const types = spec.policyTypes ?? [];
    const applies = (type: string) => isUnknown(types) || types.includes(type) || (Array.isArray(types) && types.some(isUnknown));
    return selector !== undefined && selector !== null
        && (isUnknown(selector) || (noLabels(selector.matchLabels) && noEntries(selector.matchExpressions)))
        && applies("Ingress") && applies("Egress")
        && noEntries(spec.ingress) && noEntries(spec.egress);
}

const namespaceGuardrails: StackRule = {
    name: "workload-namespace-guardrails",
    description: "Every workload namespace enforces the restricted Pod Security Standard and has a ResourceQuota, a LimitRange and a default-deny NetworkPolicy.",
    remediation: "Create workload namespaces through platform:kubernetes.namespaces so the platform adds the restricted pod-security labels, quota (platform:kubernetes.quota), limit range and default-deny policy.",
    severity: "high",
    enforcement: advisoryInDev,
    checkStack: (resources) => {
        // A resource whose namespace is unknown may be in any namespace.
        const inNamespace = (type: string, namespace: string) =>
            resources.filter((resource) => resource.type === type && [namespace, unknownValue].includes(at(resource.props, "metadata", "namespace")));
        const violations: StackViolation[] = [];
        // Every namespace outside the platform's own is a workload namespace, labelled or not.
        // A namespace with no known name is left for `up`: the first preview of a stack knows no
        // Kubernetes state yet, because the cluster the provider talks to does not exist.
        const workloadNamespaces = resources.filter((resource) =>
            resource.type === namespaceType &&
            typeof resource.props.metadata?.name === "string" &&
            !(reservedNamespaces as readonly string[]).includes(resource.props.metadata.name));
        for (const namespace of workloadNamespaces) {
            const name = namespace.props.metadata?.name;
            const label = `Namespace "${namespace.name}" (${name})`;
            const level: unknown = at(namespace.props, "metadata", "labels", podSecurityEnforce);
            if (level !== "restricted" && !isUnknown(level)) {
                const enforced = level === undefined ? "no Pod Security Standard" : `the "${level}" Pod Security Standard`;
                violations.push({ resource: namespace, message: `${label} enforces ${enforced}; workload namespaces must enforce "restricted"` });
            }
            const guardrails: [string, boolean][] = [
                ["ResourceQuota", inNamespace("kubernetes:core/v1:ResourceQuota", name).length > 0],
                ["LimitRange", inNamespace("kubernetes:core/v1:LimitRange", name).length > 0],
                ["default-deny NetworkPolicy (all pods, Ingress and Egress, no rules)", inNamespace("kubernetes:networking.k8s.io/v1:NetworkPolicy", name).some(isDefaultDeny)],
            ];
            for (const [what] of guardrails.filter(([, present]) => !present)) {
                violations.push({ resource: namespace, message: `${label} has no ${what}; every workload namespace needs one` });
            }
        }
        return violations;
    },
};

export const kubernetesRules: Rule[] = [versionFloor, secretsEncryption, helmChartPinned, namespaceGuardrails];
