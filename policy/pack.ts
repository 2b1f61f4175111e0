/** Adapts the plain rules to `@pulumi/policy` policies. */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isStackRule, type PolicyResource, type Rule } from "./rule.ts";
import { rules } from "./rules/index.ts";

/** One rule as an engine policy: prod's enforcement and thresholds unless the pack config says otherwise. */
export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const strictest = rule.config?.byEnvironment.prod;
    const metadata = {
        name: rule.name,
        description: rule.description,
        remediationSteps: rule.remediation,
        severity: rule.severity,
        enforcementLevel: rule.enforcement.prod,
        ...(rule.config && strictest
            ? {
                configSchema: {
                    properties: Object.fromEntries(Object.entries(rule.config.schema).map(([key, schema]) => [key, { ...schema, default: strictest[key] }])),
                },
            }
            : {}),
    };
    if (isStackRule(rule)) {
        return {
            ...metadata,
            validateStack: (args, reportViolation) => {
                const resources: PolicyResource[] = args.resources.map(({ type, name, props }) => ({ type, name, props }));
                for (const violation of rule.checkStack(resources, args.getConfig())) {
                    reportViolation(violation.message, violation.resource ? urnOf(args.resources, violation.resource) : undefined);
                }
            },
        };
    }
    return {
        ...metadata,
        validateResource: (args, reportViolation) => {
            if (!rule.resourceTypes.includes(args.type)) {
                return;
            }
            for (const message of rule.check({ type: args.type, name: args.name, props: args.props }, args.getConfig())) {
                reportViolation(message);
            }
        },
    };
}

function urnOf(resources: readonly { type: string; name: string; urn: string }[], resource: PolicyResource): string | undefined {
    return resources.find((candidate) => candidate.type === resource.type && candidate.name === resource.name)?.urn;
}

export const policies: Policies = rules.map(toPolicy);
