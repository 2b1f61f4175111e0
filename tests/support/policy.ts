/** Small builders and assertions the policy-rule tests share. */
import assert from "node:assert/strict";
import type { Environment, PolicyResource, Rule } from "../../policy/rule.ts";
import { runRules } from "../../policy/run.ts";

export const resource = (type: string, name: string, props: Record<string, any>): PolicyResource => ({ type, name, props });

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
