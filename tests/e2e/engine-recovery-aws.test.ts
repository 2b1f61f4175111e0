/** A provider error midway, two updates at once and a killed update, on the real engine (dev on AWS, slimmed). */
import assert from "node:assert/strict";
import { cloudContents } from "./stand-in/cloud.ts";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";
import { addNamespace, assertStateIsCloud, faults, killAndRecover, slimDev } from "./recovery.ts";

describe("interrupted and failed updates, on the real engine (dev on AWS)", function () {
    this.timeout(600_000);
    let sandbox: EngineSandbox;

    before(function () {
        sandbox = sandboxOrSkip(this);
        slimDev(sandbox, "aws");
    });

    after(() => sandbox?.dispose());

    it("a provider error midway: exit 1 naming the resource and the cloud's message; what exists is in state; the next up creates only the rest", async () => {
        const message = "admission webhook \"validate.kyverno\" denied the request (injected)";
        const failed = await sandbox.driverJsonWith({ env: faults({ failCreate: { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", nth: 3, message } }) }, "up", "dev");
        assert.equal(failed.code, 1);
        assert.equal(failed.result["status"], "error");
        const [failure] = failed.result["failedResources"];
        assert.equal(failure.type, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.ok(failure.message.includes(message), failure.message);
        await assertStateIsCloud(sandbox, "dev");
        const existing = new Set(cloudContents(sandbox.cloudDir).map((resource) => resource.urn));

        const rest = await sandbox.driverJson("up", "dev");
        assert.equal(rest.code, 0, rest.stderr.slice(-3000));
        await assertStateIsCloud(sandbox, "dev");
        const created = cloudContents(sandbox.cloudDir).filter((resource) => !existing.has(resource.urn));
        assert.ok(created.some((resource) => resource.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy"), "the refused policy, and what waited for it");
        const createdKeys = (rest.result["changedResources"] as { op: string; type: string; name: string }[]).filter((change) => change.op === "create").map((change) => `${change.type}::${change.name}`);
        assert.ok(![...existing].some((urn) => createdKeys.some((key) => urn.endsWith(`$${key}`) || urn.endsWith(`::${key}`))), "nothing the failed update made is made again");
        assert.deepEqual([rest.result["changes"].update, rest.result["changes"].delete], [0, 0]);
    });

    it("refuses a second update while one runs (exit 6), and recovers the one killed with its process group", async () => {
        addNamespace(sandbox, "payments");
        await killAndRecover(sandbox, "dev", async () => {
            const second = await sandbox.driverJson("up", "dev");
            assert.equal(second.code, 6);
            assert.equal(second.result["status"], "locked");
            // The engine's lock error, told as the driver's one line with the way out.
            assert.match(String(second.result["message"]), /^stack dev is locked by another update; wait for it to finish \(or use --lock-retries\), or if it was interrupted run npm run ci -- recover dev$/);
        });
    });
});

