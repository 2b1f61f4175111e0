/** Adapts the plain rules to `@pulumi/policy` policies. */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { engineUnknownSentinels, isStackRule, unknownValue, type PolicyResource, type Rule } from "./rule.ts";
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
                const resources: PolicyResource[] = args.resources.map(({ type, name, props }) => ({ type, name, props: knownProps(props) }));
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
            for (const message of rule.check({ type: args.type, name: args.name, props: knownProps(args.props) }, args.getConfig())) {
                reportViolation(message);
            }
        },
    };
}

/**
 * The key that makes `@pulumi/policy`'s props proxy hand back its target (`getSpecialProxyTarget`
 * in node_modules/@pulumi/policy/proxy.js). Read through the proxy, an unknown value throws
 * `UnknownValueError` and the engine skips the whole rule as advisory ("can't run during
 * preview"), so a new stack's first preview would pass any stack that has one unknown.
 */
const proxyTarget = "__getSpecialProxyTarget";

/** The engine's props as plain data, each unknown sentinel replaced by `unknownValue`; props without the proxy pass through. */
export function knownProps(props: Record<string, any>): Record<string, any> {
    return withUnknowns(props[proxyTarget] ?? props) as Record<string, any>;
}

function withUnknowns(value: unknown): unknown {
    if (typeof value === "string") {
        return engineUnknownSentinels.includes(value) ? unknownValue : value;
    }
    if (Array.isArray(value)) {
        return value.map(withUnknowns);
    }
    // Assets, archives and other class instances stay as they are.
    if (value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
        return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withUnknowns(entry)]));
    }
    return value;
}

function urnOf(resources: readonly { type: string; name: string; urn: string }[], resource: PolicyResource): string | undefined {
    return resources.find((candidate) => candidate.type === resource.type && candidate.name === resource.name)?.urn;
}

export const policies: Policies = rules.map(toPolicy);
