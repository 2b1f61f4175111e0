import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { hasMandatoryViolation } from "../../policy/run.ts";
import { evaluateStack } from "../../tools/offline/evaluate.ts";
import { projectRoot } from "../support/project.ts";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";

/**
 * A new stack's first preview knows neither the KMS key ARNs nor the generated names; the rules
 * judge what is known (policy/rule.ts `unknownValue`), so every weakened stack file fails the
 * engine's first preview as it fails the offline plan, each on its own `platform:cloud`.
 */
describe("the real Pulumi engine, offline: first preview of each weakened stack", function () {
    this.timeout(900_000);
    const weakenedDir = path.join(projectRoot, "tests", "fixtures", "weakened");
    const fixtures = readdirSync(weakenedDir).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter((stack) => stack !== undefined).sort();
    const mandatoryRules = (violations: readonly { rule: string; enforcement: string }[]) =>
        [...new Set(violations.filter((violation) => violation.enforcement === "mandatory").map((violation) => violation.rule))].sort();
    let sandbox: EngineSandbox;
    // All previews at once: each is a separate engine process, and this file's time is the slowest one's.
    let previews: Map<string, ReturnType<EngineSandbox["driverJson"]>>;

    before(function () {
        sandbox = sandboxOrSkip(this);
        previews = new Map(fixtures.map((stack) => {
            sandbox.copyFixture(`tests/fixtures/weakened/Pulumi.${stack}.yaml`, stack);
            return [stack, sandbox.driverJson("preview", stack)];
        }));
        // Assertions come per fixture below; a rejected preview must not go unhandled meanwhile.
        for (const running of previews.values()) {
            running.catch(() => undefined);
        }
    });

    after(() => sandbox?.dispose());

    it("has weakened stack files to preview", () => {
        assert.ok(fixtures.length >= 4, fixtures.join(", "));
    });

    for (const stack of fixtures) {
        it(`fails the first preview of a new "${stack}" stack with the mandatory rules the offline plan reports`, async () => {
            // The mock runtime is one per process: offline plans run one at a time, here.
            const offline = await evaluateStack({ stack, stackFileDir: weakenedDir });
            const { code, result, stderr } = await previews.get(stack)!;
            assert.ok(hasMandatoryViolation(offline.policy), `the offline plan of ${stack} breaks a mandatory rule`);
            assert.equal(code, 3, `${result["message"]}\n${stderr.slice(-4000)}`);
            assert.equal(result["status"], "policy-failed");
            assert.equal(result["environment"], offline.environment);
            assert.deepEqual(mandatoryRules(result["policy"]), mandatoryRules(offline.policy));
            const skipped = result["policy"].filter((violation: { message: string }) => /can't run policy .* during preview/.test(violation.message));
            assert.deepEqual(skipped, [], "no rule is skipped for an unknown value");
        });
    }
});
