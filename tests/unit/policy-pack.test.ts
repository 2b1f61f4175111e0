import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policyConfigPath, policyPackConfig } from "../../policy/config.ts";
import { policies, toPolicy } from "../../policy/pack.ts";
import { environments, type ResourceRule, type StackRule } from "../../policy/rule.ts";
import { rules } from "../../policy/rules/index.ts";

const resourceRule: ResourceRule<{ limit: number }> = {
    name: "sample-limit",
    description: "A sample rule that keeps a number under a limit.",
    remediation: "Lower the number below the configured limit.",
    severity: "medium",
    enforcement: { dev: "advisory", staging: "mandatory", prod: "mandatory" },
    config: { schema: { limit: { type: "integer" } }, byEnvironment: { dev: { limit: 9 }, staging: { limit: 5 }, prod: { limit: 3 } } },
    resourceTypes: ["test:index:Thing"],
    check: (resource, config) => (resource.props["count"] > config.limit ? [`${resource.name} has ${resource.props["count"]}, over ${config.limit}`] : []),
};

const stackRule: StackRule = {
    name: "sample-pair",
    description: "A sample rule that needs a partner for every thing.",
    remediation: "Create the partner resource next to the thing.",
    severity: "low",
    enforcement: { dev: "advisory", staging: "advisory", prod: "mandatory" },
    checkStack: (resources) => resources.filter((resource) => resource.type === "test:index:Thing").map((resource) => ({ resource, message: `${resource.name} has no partner` })),
};

function resourceArgs(type: string, name: string, props: Record<string, unknown>, config: object) {
    return { type, name, urn: `urn:pulumi:prod::platform::${type}::${name}`, props, getConfig: () => config } as any;
}

describe("policy pack adapter (@pulumi/policy)", () => {
    it("turns every rule into one engine policy with its metadata and prod's enforcement", () => {
        // And last, the advisory policy that reports what waivers covered (policy/waivers.ts).
        assert.deepEqual(policies.map((policy) => policy.name), [...rules.map((rule) => rule.name), "waived-violations"]);
        assert.equal(policies.at(-1)!.enforcementLevel, "advisory");
        for (const [index, rule] of rules.entries()) {
            const policy = policies[index]!;
            assert.deepEqual(
                [policy.description, policy.remediationSteps, policy.severity, policy.enforcementLevel],
                [rule.description, rule.remediation, rule.severity, "mandatory"],
            );
        }
    });

    it("declares thresholds as a config schema defaulting to prod's values", () => {
        const waivers = { type: "array", items: { type: "object" }, default: [] };
        assert.deepEqual(toPolicy(resourceRule).configSchema, { properties: { limit: { type: "integer", default: 3 }, waivers } });
        assert.deepEqual(toPolicy(stackRule).configSchema, { properties: { waivers } }, "every rule takes its waivers");
    });

    it("reports a resource rule's messages for its types only, with the configured thresholds", () => {
        const policy = toPolicy(resourceRule) as ResourceValidationPolicy;
        const validate = policy.validateResource as (args: unknown, report: (message: string) => void) => void;
        const reported: string[] = [];
        validate(resourceArgs("test:index:Thing", "thing", { count: 4 }, { limit: 3 }), (message) => reported.push(message));
        validate(resourceArgs("test:index:Thing", "small", { count: 2 }, { limit: 3 }), (message) => reported.push(message));
        validate(resourceArgs("test:index:Thing", "dev-sized", { count: 4 }, { limit: 9 }), (message) => reported.push(message));
        validate(resourceArgs("test:index:Other", "other", { count: 99 }, { limit: 3 }), (message) => reported.push(message));
        assert.deepEqual(reported, ["thing has 4, over 3"]);
    });

    it("reports a stack rule's findings against the offending resource's URN", () => {
        const policy = toPolicy(stackRule) as StackValidationPolicy;
        const thing = resourceArgs("test:index:Thing", "lonely", {}, {});
        const reported: [string, string | undefined][] = [];
        (policy.validateStack as (args: unknown, report: (message: string, urn?: string) => void) => void)(
            { resources: [thing, resourceArgs("test:index:Other", "other", {}, {})], getConfig: () => ({}) },
            (message, urn) => reported.push([message, urn]),
        );
        assert.deepEqual(reported, [["lonely has no partner", "urn:pulumi:prod::platform::test:index:Thing::lonely"]]);
    });
});

describe("policy pack rules and settings", () => {
    it("has unique rule names, each with a description, remediation and prod enforcement", () => {
        const names = rules.map((rule) => rule.name);
        assert.equal(new Set(names).size, names.length);
        for (const rule of rules) {
            assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/);
            assert.ok(rule.description.length > 20 && rule.remediation.length > 20, rule.name);
            assert.equal(rule.enforcement.prod, "mandatory", `${rule.name} is mandatory in prod`);
        }
    });

    it("the checked-in pack settings match the rules (run `npm run policy-config` after changing a rule)", () => {
        for (const environment of environments) {
            assert.deepEqual(JSON.parse(readFileSync(policyConfigPath(environment), "utf8")), policyPackConfig(environment), environment);
        }
    });
});
