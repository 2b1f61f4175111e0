/** Staging on the real engine: its stateful resources are protected by the engine itself, not only by the driver's guard. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "mocha";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";
import { cloudContents } from "./stand-in/cloud.ts";

describe("the real Pulumi engine, offline (staging on AWS): protection", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;

    before(function () {
        sandbox = sandboxOrSkip(this);
    });

    after(() => sandbox?.dispose());

    it("brings staging up with its stateful resources protected in state", async () => {
        const { code, result, stderr } = await sandbox.driverJson("up", "staging");
        assert.equal(code, 0, stderr.slice(-4000));
        assert.equal(result["status"], "succeeded");
        const exported = await sandbox.pulumi(["stack", "export", "--stack", "staging"]);
        const protectedTypes = new Set((JSON.parse(exported.stdout).deployment.resources as { type: string; protect?: boolean }[])
            .filter((resource) => resource.protect).map((resource) => resource.type));
        for (const type of ["aws:eks/cluster:Cluster", "aws:rds/instance:Instance", "aws:kms/key:Key", "aws:s3/bucket:Bucket"]) {
            assert.ok(protectedTypes.has(type), `${type} is protected`);
        }
    });

    it("is refused by the engine itself: pulumi destroy stops at the protected resources and the cloud keeps them", async () => {
        const before = cloudContents(sandbox.cloudDir).length;
        const destroy = await sandbox.pulumi(["destroy", "--stack", "staging", "--yes", "--skip-preview", "--non-interactive"]);
        assert.notEqual(destroy.code, 0, "the engine refuses");
        assert.match(destroy.stdout + destroy.stderr, /protected/i);
        const kept = cloudContents(sandbox.cloudDir);
        assert.ok(kept.some((resource) => resource.type === "aws:rds/instance:Instance"), "the database is still there");
        assert.ok(kept.some((resource) => resource.type === "aws:eks/cluster:Cluster"), "the cluster is still there");
        assert.ok(kept.length > 0 && kept.length <= before);
    });
});
