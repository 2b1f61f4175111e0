/** Adapts the plain rules to `@pulumi/policy` policies, with the waivers the pack's config hands each. */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { engineUnknownSentinels, isStackRule, unknownValue, type PolicyResource, type Rule } from "./rule.ts";
import { rules } from "./rules/index.ts";
import { judge, staleNotice, waivedViolationsPolicy, waiverText, type Waiver } from "./waivers.ts";

/**
 * What the rules' policies leave for `waived-violations`, which runs last in this analyzer
 * process: the violations waivers covered, every waiver seen and the ones that covered one.
 */
const ledger = { waived: [] as { urn?: string | undefined; text: string }[], waivers: new Map<string, Waiver>(), used: new Set<string>(), stack: "" };

/** `urn:pulumi:<stack>::<project>::…` → the stack. */
function stackOf(urn: string | undefined): string {
    return (urn ?? "").split("::")[0]!.split(":").slice(2).join(":");
}

/**
 * Reports `message` unless an active waiver covers it; an expired waiver is named in the message.
 * A stack policy reports with the resource's URN; a resource policy's report is its resource's.
 */
function judged(rule: Rule, waivers: readonly Waiver[], resource: { type: string; name: string; urn?: string | undefined }, message: string, report: (message: string) => void): void {
    const { active, matching, expired } = judge({ rule: rule.name, type: resource.type, name: resource.name }, waivers, ledger.stack, new Date());
    matching.forEach((entry) => ledger.used.add(JSON.stringify(entry)));
    if (active) {
        ledger.waived.push({ urn: resource.urn, text: `${rule.name}: ${message} — ${waiverText(active)}` });
        return;
    }
    report(expired.length > 0 ? `${message} (${expired.join("; ")})` : message);
}

/** The waivers in a rule's config, remembered for the stale check. */
function waiversOf(config: { waivers?: Waiver[] }, urn: string | undefined): Waiver[] {
    ledger.stack = stackOf(urn);
    const waivers = config.waivers ?? [];
    waivers.forEach((entry) => ledger.waivers.set(JSON.stringify(entry), entry));
    return waivers;
}

/** One rule as an engine policy: prod's enforcement and thresholds unless the pack config says otherwise. */
export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const strictest = rule.config?.byEnvironment.prod;
    const metadata = {
        name: rule.name,
        description: rule.description,
        remediationSteps: rule.remediation,
        severity: rule.severity,
        enforcementLevel: rule.enforcement.prod,
        configSchema: {
            properties: {
                ...(rule.config && strictest
                    ? Object.fromEntries(Object.entries(rule.config.schema).map(([key, schema]) => [key, { ...schema, default: strictest[key] }]))
                    : {}),
                // policy/waivers.yaml's entries for this rule (policy/config.ts).
                waivers: { type: "array", items: { type: "object" }, default: [] },
            },
        },
    } as const;
    if (isStackRule(rule)) {
        return {
            ...metadata,
            validateStack: (args, reportViolation) => {
                const config = args.getConfig<Record<string, any>>();
                const waivers = args.resources[0] ? waiversOf(config, args.resources[0].urn) : [];
                const resources: PolicyResource[] = args.resources.map(({ type, name, props }) => ({ type, name, props: knownProps(props) }));
                for (const violation of rule.checkStack(resources, config)) {
                    const urn = violation.resource ? urnOf(args.resources, violation.resource) : undefined;
                    judged(rule, waivers, { type: violation.resource?.type ?? "", name: violation.resource?.name ?? "", urn }, violation.message, (message) => reportViolation(message, urn));
                }
            },
        };
    }
    return {
        ...metadata,
        validateResource: (args, reportViolation) => {
            const config = args.getConfig<Record<string, any>>();
            const waivers = waiversOf(config, args.urn);
            if (!rule.resourceTypes.includes(args.type)) {
                return;
            }
            for (const message of rule.check({ type: args.type, name: args.name, props: knownProps(args.props) }, config)) {
                judged(rule, waivers, { type: args.type, name: args.name, urn: args.urn }, message, (text) => reportViolation(text));
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

/**
 * Last of the pack: what the waivers covered, each with its waiver's reason and days left, and
 * the waivers of this stack that covered nothing. Advisory: it informs, and fails nothing.
 */
export const waivedViolations: StackValidationPolicy = {
    name: waivedViolationsPolicy,
    description: "Violations that waivers in policy/waivers.yaml cover, and waivers that cover nothing.",
    remediationSteps: "Fix the resource before the waiver ends, or remove a stale waiver from policy/waivers.yaml.",
    severity: "low",
    enforcementLevel: "advisory",
    validateStack: (_args, reportViolation) => {
        for (const { urn, text } of ledger.waived) {
            reportViolation(text, urn);
        }
        for (const [key, entry] of ledger.waivers) {
            if (entry.stacks.includes(ledger.stack) && !ledger.used.has(key)) {
                reportViolation(staleNotice(entry, ledger.stack));
            }
        }
    },
};

export const policies: Policies = [...rules.map(toPolicy), waivedViolations];
