/**
 * The platform's policy pack: `pulumi preview --policy-pack policy [--policy-pack-config
 * policy/config/<environment>.json]`. Each rule in `rules/` becomes one policy; without a
 * config file every rule runs with prod's enforcement and thresholds.
 */
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { isStackRule, type PolicyResource, type Rule } from "./rule.ts";
import { rules } from "./rules/index.ts";

function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
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

new PolicyPack("platform", { policies: rules.map(toPolicy) });
