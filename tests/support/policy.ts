/** Small builders and assertions the policy-rule tests share. */
import assert from "node:assert/strict";
import type { Environment, PolicyResource, Rule } from "../../policy/rule.ts";
import { rules } from "../../policy/rules/index.ts";
import { runRules } from "../../policy/run.ts";

export const resource = (type: string, name: string, props: Record<string, any>): PolicyResource => ({ type, name, props });

/** The pack's rule named `name`; the kubernetes and cost rules are exported only as groups. */
export function ruleNamed(name: string): Rule {
    const found = rules.find((candidate) => candidate.name === name);
    assert.ok(found, `no rule named ${name}`);
    return found;
}

/** The messages `rule` reports for `resources` in `environment`. */
export const messages = (rule: Rule, resources: PolicyResource[], environment: Environment = "prod") =>
    runRules([rule], resources, environment).map((violation) => violation.message);

/** Asserts exactly one message, matching every pattern. */
export function assertOne(found: string[], ...patterns: RegExp[]): void {
    assert.equal(found.length, 1, found.join("\n"));
    for (const pattern of patterns) {
        assert.match(found[0]!, pattern);
    }
}

/** `resources` with the one named `name` of `type` changed by `change`. */
export function changed(resources: readonly PolicyResource[], type: string, name: string, change: (props: Record<string, any>) => void): PolicyResource[] {
    return resources.map((entry) => {
        if (entry.type !== type || entry.name !== name) {
            return entry;
        }
        const props = structuredClone(entry.props);
        change(props);
        return { ...entry, props };
    });
}

/** Clusters and node pools as the kubernetes and cost rules read them: compliant until `props` says otherwise. */
export const eksCluster = (props: Record<string, any>) => resource("aws:eks/cluster:Cluster", "cluster-eks", {
    version: "1.35",
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" } },
    ...props,
});
export const aksCluster = (props: Record<string, any>) => resource("azure-native:containerservice:ManagedCluster", "cluster-aks", {
    kubernetesVersion: "1.35",
    securityProfile: { azureKeyVaultKms: { enabled: true, keyId: "https://kv.vault.azure.net/keys/k/1" } },
    agentPoolProfiles: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v5", enableAutoScaling: true, minCount: 3, maxCount: 6 }],
    ...props,
});
export const eksNodeGroup = (name: string, instanceTypes: string[] | undefined, minSize: number, maxSize: number, props: Record<string, any> = {}) =>
    resource("aws:eks/nodeGroup:NodeGroup", name, { instanceTypes, scalingConfig: { minSize, maxSize, desiredSize: minSize }, ...props });
export const aksAgentPool = (name: string, vmSize: string, minCount: number, maxCount: number, props: Record<string, any> = {}) =>
    resource("azure-native:containerservice:AgentPool", name, { mode: "User", vmSize, enableAutoScaling: true, minCount, maxCount, ...props });
