/**
 * The policy pack as the engine runs it: the pack's policies (policy/pack.ts), with props behind
 * `@pulumi/policy`'s `unknownCheckingProxy` and each unknown as the engine's sentinel, as
 * `pulumi preview` passes them on a new stack's first preview.
 */
import { createRequire } from "node:module";
import { unknownCheckingProxy } from "@pulumi/policy";
import { policies } from "../../policy/pack.ts";
import { unknownValue, type PolicyResource, type Rule } from "../../policy/rule.ts";

/** node_modules/@pulumi/policy/proxy.js: the sentinels the engine's values arrive as (its typings export none). */
export const proxyModule = createRequire(import.meta.url)("@pulumi/policy/proxy.js") as Record<string, unknown>;
export const unknownString = proxyModule["unknownStringValue"] as string;

/** `value` as the engine sends it: each `unknownValue` replaced by the sentinel. */
function asEngineSends(value: unknown): unknown {
    if (value === unknownValue) {
        return unknownString;
    }
    if (Array.isArray(value)) {
        return value.map(asEngineSends);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, asEngineSends(entry)]));
    }
    return value;
}

/** The messages the pack's engine policy for `rule` reports for `resources`, with prod's thresholds. */
export function engineMessages(rule: Rule, resources: readonly PolicyResource[]): string[] {
    const policy = policies.find((candidate) => candidate.name === rule.name)!;
    const config = rule.config?.byEnvironment.prod ?? {};
    const engineResources = resources.map(({ type, name, props }) => ({
        type, name, urn: `urn:pulumi:prod::platform::${type}::${name}`, props: unknownCheckingProxy(asEngineSends(props)),
    }));
    const reported: string[] = [];
    const report = (message: string) => reported.push(message);
    if ("validateStack" in policy) {
        (policy.validateStack as (args: unknown, report: (message: string) => void) => void)({ resources: engineResources, getConfig: () => config }, report);
    } else {
        const validate = policy.validateResource as (args: unknown, report: (message: string) => void) => void;
        for (const engineResource of engineResources) {
            validate({ ...engineResource, getConfig: () => config }, report);
        }
    }
    return reported;
}
