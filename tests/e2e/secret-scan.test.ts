/**
 * Secret scanning with gitleaks (built with the engine, tools/go): the repository's tree and
 * history are clean, the allowlist names only the constants it says, and both guards bite — the
 * pre-commit hook refuses a staged key, and the scan CI runs fails on one committed past it.
 */
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { generateKeyPairSync, randomInt } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import { builtInRoles } from "../../components/azure/roles.ts";
import { goToolsOrSkip } from "../support/go-tools.ts";
import { projectRoot } from "../support/project.ts";
import { secretSignature, signatureKey } from "./stand-in/cloud.ts";

const scanner = path.join(projectRoot, "tools", "secret-scan.ts");
const run = (command: string, args: string[], cwd: string): SpawnSyncReturns<string> =>
    spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.org", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.org" } });
const output = (result: SpawnSyncReturns<string>) => `${result.stdout}${result.stderr}`;

/** An access key id of the shape AWS issues (AKIA and 16 base32 characters), random so no list knows it. */
function fakeAccessKeyId(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    return `AKIA${Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join("")}`;
}

describe("secret scanning (gitleaks)", function () {
    this.timeout(60_000);
    let repo: string;

    before(function () {
        goToolsOrSkip(this, "gitleaks");
        repo = mkdtempSync(path.join(tmpdir(), "secret-scan-"));
        run("git", ["init", "-q", "-b", "main"], repo);
        // As `npm ci` sets it up (package.json "prepare"), pointing at this project's hooks.
        run("git", ["config", "core.hooksPath", path.join(projectRoot, ".githooks")], repo);
    });

    after(() => repo && rmSync(repo, { recursive: true, force: true }));

    it("is installed in this clone by npm ci (package.json prepare sets core.hooksPath)", () => {
        assert.equal(run("git", ["config", "--get", "core.hooksPath"], projectRoot).stdout.trim(), ".githooks");
        assert.match(JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")).scripts.prepare, /git config core\.hooksPath \.githooks/);
    });

    it("finds nothing in this repository's working tree and whole history", () => {
        const scan = run(process.execPath, [scanner], projectRoot);
        assert.equal(scan.status, 0, output(scan));
    });

    it("allows exactly the constants the allowlist names: Azure built-in role ids and Pulumi's secret marker", () => {
        const allowed = [...readFileSync(path.join(projectRoot, ".gitleaks.toml"), "utf8").matchAll(/'''\^([^$]+)\$'''/g)].map((match) => match[1]);
        const constants = new Set<string>([...Object.values(builtInRoles), signatureKey, secretSignature]);
        assert.equal(allowed.length, 6);
        assert.deepEqual(allowed.filter((value) => !constants.has(value!)), [], "every allowlisted value is one of those constants");
    });

    it("the pre-commit hook refuses a staged AWS key and private key, naming the file and line, in well under a second", () => {
        mkdirSync(path.join(repo, "config"));
        writeFileSync(path.join(repo, "config", "settings.ts"), ["// settings", "export const region = \"eu-west-1\";", `export const accessKeyId = "${fakeAccessKeyId()}";`, ""].join("\n"));
        const { privateKey } = generateKeyPairSync("ed25519");
        writeFileSync(path.join(repo, "deploy.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
        run("git", ["add", "-f", "config/settings.ts", "deploy.pem"], repo);
        const started = Date.now();
        const commit = run("git", ["commit", "-q", "-m", "settings"], repo);
        const elapsed = Date.now() - started;
        assert.notEqual(commit.status, 0, "the commit is refused");
        const text = output(commit);
        assert.match(text, /File:\s+config\/settings\.ts[\s\S]*?Line:\s+3/, text);
        assert.match(text, /File:\s+deploy\.pem[\s\S]*?Line:\s+1/, text);
        assert.match(text, /RuleID:\s+aws-access-token/);
        assert.match(text, /RuleID:\s+private-key/);
        assert.ok(!text.includes(readFileSync(path.join(repo, "config", "settings.ts"), "utf8").split("\"")[3]!), "the key itself is redacted");
        assert.equal(run("git", ["rev-list", "--all"], repo).stdout, "", "nothing was committed");
        // Node's start and gitleaks' scan of the staged diff; a loaded CI runner gets some slack.
        assert.ok(elapsed < 2_000, `the hook took ${elapsed} ms`);
    });

    it("the scan CI runs fails on a key committed past the hook, naming the file and line", () => {
        const commit = run("git", ["commit", "-q", "--no-verify", "-m", "settings"], repo);
        assert.equal(commit.status, 0, output(commit));
        rmSync(path.join(repo, "config", "settings.ts"));
        rmSync(path.join(repo, "deploy.pem"));
        run("git", ["commit", "-q", "-a", "--no-verify", "-m", "removed, but still in the history"], repo);
        const scan = run(process.execPath, [scanner], repo);
        assert.equal(scan.status, 1, output(scan));
        assert.match(output(scan), /File:\s+config\/settings\.ts[\s\S]*?Line:\s+3/);
        assert.match(output(scan), /a secret was found/);
    });
});
