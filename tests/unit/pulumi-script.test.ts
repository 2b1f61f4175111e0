import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot } from "../support/project.ts";

/** `npm run pulumi -- …` with `dir` first on PATH; the system's npm, as a user types it. */
function npmRunPulumi(args: string[], dir: string) {
    return spawnSync("npm", ["run", "--silent", "pulumi", "--", ...args], {
        cwd: projectRoot,
        encoding: "utf8",
        env: { ...process.env, PATH: `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin${path.delimiter}/usr/local/bin` },
    });
}

describe("npm run pulumi", () => {
    it("runs the user's Pulumi CLI with the project's Node 24 on PATH, passing arguments and the exit code", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fake-cli-"));
        // Stands in for the installed CLI: reports the Node its language host would start, then fails with 3.
        writeFileSync(path.join(dir, "pulumi"), '#!/bin/sh\necho "node $(node --version)"\necho "args $*"\nexit 3\n');
        chmodSync(path.join(dir, "pulumi"), 0o755);
        const run = npmRunPulumi(["preview", "--stack", "dev", "--policy-pack", "policy"], dir);
        assert.match(run.stdout, /^node v24\./m, run.stderr);
        assert.match(run.stdout, /^args preview --stack dev --policy-pack policy$/m);
        assert.equal(run.status, 3);
    });

    it("says how to install the CLI when it is missing", () => {
        const run = npmRunPulumi(["version"], mkdtempSync(path.join(tmpdir(), "no-cli-")));
        assert.match(run.stderr, /error: the Pulumi CLI \(pulumi\) is not on PATH; install it/);
        assert.notEqual(run.status, 0);
    });
});
