/**
 * The real-cloud harness (tests/cloud), run here against the stand-in cloud on the real engine,
 * with a stand-in kubectl that records what it is asked: the same code that `npm run
 * test:cloud` runs against an account, exercised on every `npm test`.
 */
import assert from "node:assert/strict";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { janitor, runCloudHarness, testStackName, type HarnessWorld } from "../cloud/harness.ts";
import { KubectlProber } from "../cloud/kubectl-prober.ts";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";
import { cloudContents } from "./stand-in/cloud.ts";

describe("the real-cloud harness on the stand-in cloud", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;
    let world: HarnessWorld;
    let kubectlLog: string;
    let kubectl: string;

    before(function () {
        sandbox = sandboxOrSkip(this);
        kubectlLog = path.join(sandbox.root, "kubectl.log");
        kubectl = path.join(sandbox.root, "kubectl");
        // Answers like a healthy cluster; records each call and what it was fed.
        writeFileSync(kubectl, `#!/bin/sh\necho "$*" >> "${kubectlLog}"\ncat >> "${kubectlLog}"\necho ok\n`);
        chmodSync(kubectl, 0o755);
        world = {
            template: sandbox.stackFile("dev"),
            driverJson: (command, stack) => sandbox.driverJson(command, stack),
            pulumi: (args) => sandbox.pulumi(args),
            writeStackFile: (stack, text) => sandbox.writeStackFile(stack, text),
            removeStackFile: (stack) => rmSync(path.join(sandbox.projectDir, `Pulumi.${stack}.yaml`), { force: true }),
        };
    });

    after(() => sandbox?.dispose());

    // Azure here: the AWS dev stack's whole life runs in engine-lifecycle.test.ts.
    it("previews, brings up, finds no drift, probes from inside the cluster and destroys a uniquely named dev stack on Azure", async () => {
        const report = await runCloudHarness({ cloud: "azure", world, prober: new KubectlProber(kubectl), log: () => {}, run: "stand-in", now: new Date() });
        assert.deepEqual(report.steps.map((step) => [step.step, step.ok]), [
            ["preview", true], ["up", true], ["no drift", true], ["probe from inside the cluster", true], ["destroy", true], ["remove the stack", true],
        ]);
        const calls = readFileSync(kubectlLog, "utf8");
        assert.match(calls, /get --raw \/readyz/);
        assert.match(calls, /"command":\["nc","-z","-w","10","platform-it-azure-[\w-]+-postgres-[a-z0-9]+\.postgres\.database\.azure\.com","5432"\]/);
        assert.match(calls, /"command":\["nc","-z","-w","10","redis-platform-it-azure-[\w-]+\.westeurope\.redis\.azure\.net","10000"\]/);
        assert.deepEqual(cloudContents(sandbox.cloudDir), [], "destroy in finally left nothing behind");
        assert.doesNotMatch((await sandbox.pulumi(["stack", "ls", "--json"])).stdout, /it-azure/);
    });

    it("janitor removes test stacks older than the limit and nothing else", async () => {
        const old = testStackName("aws", new Date(Date.now() - 48 * 3_600_000), "left-behind");
        for (const stack of [old, "kept"]) {
            assert.equal((await sandbox.pulumi(["stack", "init", stack])).code, 0);
        }
        assert.deepEqual(await janitor(world, 24, new Date(), () => {}), [old]);
        const left = (await sandbox.pulumi(["stack", "ls", "--json"])).stdout;
        assert.match(left, /"kept"/);
        assert.doesNotMatch(left, new RegExp(old));
    });
});
