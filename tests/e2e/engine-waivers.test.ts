/**
 * A waiver on the real engine: the weakened `public-bucket` stack file, as stack `waived` (prod on AWS, its bucket public
 * on purpose) with a waiver of `no-public-endpoints` for its bucket. The engine's pack (the waiver
 * through policy/config/prod.json, as `npm run policy-config` writes it) and the offline plan agree:
 * the same violations waived, none mandatory, the preview passes.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import YAML from "yaml";
import { evaluateStack } from "../../tools/offline/evaluate.ts";
import type { Waiver } from "../../policy/waivers.ts";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";

const fixture = "public-bucket";
// Short: Pulumi.yaml's autonaming puts the stack's name into IAM role names (64 characters at most).
const stack = "waived";
const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const waiver: Waiver = {
    rule: "no-public-endpoints",
    stacks: [stack],
    resource: { type: "aws:s3/*", name: "storage-*" },
    reason: "Public web assets until the CDN serves them",
    approvedBy: "security@example.org",
    expires,
};
const verdicts = (violations: readonly { rule: string; type: string; name: string; enforcement: string }[], enforcement: string) =>
    violations.filter((violation) => violation.enforcement === enforcement).map((violation) => `${violation.rule} ${violation.type} ${violation.name}`).sort();

describe("the real Pulumi engine, offline: a waiver", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;

    before(async function () {
        sandbox = sandboxOrSkip(this);
        sandbox.copyFixture(`tests/fixtures/weakened/Pulumi.${fixture}.yaml`, stack);
        writeFileSync(path.join(sandbox.projectDir, "policy", "waivers.yaml"), YAML.stringify({ waivers: [waiver] }));
        const config = await sandbox.exec(process.execPath, [path.join(sandbox.projectDir, "tools", "policy-config.ts")]);
        assert.equal(config.code, 0, config.stderr);
    });

    after(() => sandbox?.dispose());

    it("lets the stack up despite its mandatory rule, as the waiver says", async () => {
        const { code, result, stderr } = await sandbox.driverJson("up", stack);
        assert.equal(code, 0, `${result["message"]}\n${stderr.slice(-4000)}`);
        assert.ok(verdicts(result["policy"], "waived").length > 0, "the waived violations are reported, not dropped");
    });

    it("is honoured alike by the offline plan and the engine's pack: the same violations waived, the preview passes", async () => {
        // After the up every value is known, so the engine sees what the offline plan sees.
        const offline = await evaluateStack({ stack, stackFileDir: path.join(sandbox.projectDir), waivers: [waiver] });
        const { code, result, stderr } = await sandbox.driverJson("preview", stack);
        assert.equal(code, 0, `${result["message"]}\n${stderr.slice(-4000)}`);
        assert.equal(result["status"], "succeeded");
        const waived = verdicts(offline.policy, "waived");
        assert.deepEqual(waived, [
            "no-public-endpoints aws:s3/bucketPolicy:BucketPolicy storage-policy",
            "no-public-endpoints aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock storage-public-access",
        ]);
        assert.deepEqual(verdicts(result["policy"], "waived"), waived);
        assert.deepEqual([verdicts(offline.policy, "mandatory"), verdicts(result["policy"], "mandatory")], [[], []]);
        const engineMessage = result["policy"].find((violation: { enforcement: string }) => violation.enforcement === "waived").message as string;
        assert.match(engineMessage, new RegExp(`waived until ${expires} \\(30 days left\\) by security@example\\.org: Public web assets`));
    });
});
