/** A new stack's first preview over the real plans: unknown properties on any resource add no finding (the rule-by-rule cases are in tests/unit). */
import assert from "node:assert/strict";
import { isStackRule, unknownValue, type Environment } from "../../policy/rule.ts";
import { rules } from "../../policy/rules/index.ts";
import { runRules, type PolicyViolation } from "../../policy/run.ts";
import { cloudNames, planOf, policyResources } from "../support/plans.ts";
import { stacks } from "../support/stack-config.ts";

const u = unknownValue;

/** Every leaf of `value` unknown, the structure kept. */
function leavesUnknown(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(leavesUnknown);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, leavesUnknown(entry)]));
    }
    return u;
}

describe("policy on a new stack's first preview (unknown values)", () => {
    describe("on the checked-in stacks' plans", () => {
        for (const stack of stacks) {
            for (const cloud of cloudNames) {
                it(`adds no finding and throws nowhere when any resource of ${stack} on ${cloud} has unknown properties`, async function () {
                    this.timeout(120_000);
                    const plan = await planOf(stack, cloud);
                    const resources = policyResources(plan);
                    const key = (violation: PolicyViolation) => `${violation.rule} ${violation.type} ${violation.name}`;
                    const known = new Set(runRules(rules, resources, plan.environment as Environment).map(key));
                    const added: string[] = [];
                    // A resource rule sees one resource: only the changed one can add a finding; stack rules see them all.
                    const [stackRules, resourceRules] = [rules.filter(isStackRule), rules.filter((rule) => !isStackRule(rule))];
                    const environment = plan.environment as Environment;
                    for (const [index, target] of resources.entries()) {
                        // Each property unknown as a whole (an object, a list, a name), then every leaf at once.
                        const variants = [...Object.keys(target.props).map((property) => ({ ...target.props, [property]: u })), leavesUnknown(target.props) as Record<string, any>];
                        for (const props of variants) {
                            const changed = resources.map((entry, position) => (position === index ? { ...entry, props } : entry));
                            added.push(...[...runRules(resourceRules, [changed[index]!], environment), ...runRules(stackRules, changed, environment)]
                                .filter((violation) => !known.has(key(violation)))
                                .map((violation) => `${target.type} ${target.name}: ${violation.rule}: ${violation.message}`));
                        }
                    }
                    assert.deepEqual([...new Set(added)], []);
                });
            }
        }
    });
});
