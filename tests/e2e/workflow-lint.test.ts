/** actionlint over the workflows, as GitHub would parse them: built with the engine (tools/go). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { goToolsOrSkip } from "../support/go-tools.ts";
import { projectRoot } from "../support/project.ts";

function actionlint(this: Mocha.Context, args: string[], cwd: string) {
    return spawnSync(path.join(goToolsOrSkip(this, "actionlint"), "actionlint"), ["-no-color", ...args], { cwd, encoding: "utf8" });
}

describe("actionlint", () => {
    it("finds nothing wrong in the workflows and the setup action they call", function () {
        const run = actionlint.call(this, [], projectRoot);
        assert.equal(run.status, 0, run.stdout + run.stderr);
    });

    it("fails a broken workflow, naming the file, line and problem", function () {
        const dir = mkdtempSync(path.join(tmpdir(), "actionlint-"));
        const broken = path.join(dir, "broken.yml");
        writeFileSync(broken, [
            "on: push",
            "jobs:",
            "  test:",
            "    runs-on: ubuntu-latest",
            "    steps:",
            "      - run: echo ${{ github.event.pull_request.no_such_field }}",
            "      - uses: actions/checkout@v5",
            "        with:",
            "          fetch-depth: 0",
            "    needs: [missing-job]",
            "",
        ].join("\n"));
        const run = actionlint.call(this, [broken], dir);
        assert.equal(run.status, 1, run.stdout + run.stderr);
        assert.match(run.stdout, /broken\.yml:\d+:\d+: .*missing-job/);
    });
});
