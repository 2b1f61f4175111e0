/** Runs the rules over a set of resources without the Pulumi CLI: the offline plan and the tests use this. */
import { isStackRule, type Enforcement, type Environment, type PolicyResource, type Rule, type Severity } from "./rule.ts";

export interface PolicyViolation {
    readonly rule: string;
    readonly severity: Severity;
    readonly enforcement: Exclude<Enforcement, "disabled">;
    /** Type and logical name of the offending resource; empty for a stack-wide finding. */
    readonly type: string;
    readonly name: string;
    readonly message: string;
}

/**
 * Every violation of `rules` in `resources`, with each rule's enforcement and thresholds for
 * `environment`, and the stack's own enforcement levels over them (policy/config.ts stackEnforcement).
 */
export function runRules(rules: readonly Rule[], resources: readonly PolicyResource[], environment: Environment, stackEnforcement: Readonly<Record<string, Enforcement>> = {}): PolicyViolation[] {
    const violations: PolicyViolation[] = [];
    for (const rule of rules) {
        const enforcement = stackEnforcement[rule.name] ?? rule.enforcement[environment];
        if (enforcement === "disabled") {
            continue;
        }
        const config = rule.config?.byEnvironment[environment] ?? {};
        const report = (resource: PolicyResource | undefined, message: string) =>
            violations.push({ rule: rule.name, severity: rule.severity, enforcement, type: resource?.type ?? "", name: resource?.name ?? "", message });
        if (isStackRule(rule)) {
            for (const violation of rule.checkStack(resources, config)) {
                report(violation.resource, violation.message);
            }
        } else {
            for (const resource of resources.filter((candidate) => rule.resourceTypes.includes(candidate.type))) {
                for (const message of rule.check(resource, config)) {
                    report(resource, message);
                }
            }
        }
    }
    return violations;
}

export function hasMandatoryViolation(violations: readonly { readonly enforcement: string }[]): boolean {
    return violations.some((violation) => violation.enforcement === "mandatory");
}
