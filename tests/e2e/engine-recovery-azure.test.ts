/** A cancelled update and a killed one, on the real engine (dev on Azure, slimmed). */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { cloudContents } from "./stand-in/cloud.ts";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";
import { addNamespace, assertStateIsCloud, killAndRecover, slimDev } from "./recovery.ts";

describe("interrupted updates, on the real engine (dev on Azure)", function () {
    this.timeout(600_000);
    let sandbox: EngineSandbox;

    before(function () {
        sandbox = sandboxOrSkip(this);
        slimDev(sandbox, "azure");
    });

    after(() => sandbox?.dispose());

    it("a cancelled update (SIGTERM) stops cleanly with what it made in state", async () => {
        let pid = 0;
        const running = sandbox.driver(["up", "dev", "--json"], { onSpawn: (started) => (pid = started) });
        while (cloudContents(sandbox.cloudDir).length < 30) {
            await delay(200);
        }
        process.kill(pid, "SIGTERM");
        const cancelled = await running;
        assert.equal(cancelled.code, 130, cancelled.stderr.slice(-3000));
        assert.equal(JSON.parse(cancelled.stdout)["status"], "cancelled");
        await assertStateIsCloud(sandbox, "dev");
    });

    it("recovers an update killed with its process group, and then converges (the cancelled one's rest included)", async () => {
        addNamespace(sandbox, "payments");
        await killAndRecover(sandbox, "dev");
    });
});
