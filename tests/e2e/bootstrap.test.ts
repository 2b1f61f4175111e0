/**
 * Day zero on the real engine, offline: `npm run bootstrap -- <cloud>` against the stand-in
 * providers creates the store, moves the bootstrap stack's state into it and, run again,
 * changes nothing; `--destroy` is refused while a platform stack's state is in the store and
 * succeeds once it is gone. The store is a folder through the tool's documented seam
 * (PLATFORM_BOOTSTRAP_STORE_ROOT, tools/bootstrap/store.ts), with the DIY backend's own layout.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "mocha";
import YAML from "yaml";
import { projectRoot } from "../support/project.ts";
import { storeLocation, storeRootVariable } from "../../tools/bootstrap/store.ts";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";
import { cloudContents } from "./stand-in/cloud.ts";

/** What each cloud's store looks like from outside: its URL, first secrets provider and protected types. */
const clouds = {
    aws: {
        backendUrl: /^s3:\/\/platform-state-[a-z0-9]{6}\?region=eu-west-1$/,
        provider: /^pulumi stack init prod --secrets-provider 'awskms:\/\/alias\/platform-state\?region=eu-west-1&context_stack=platform\/prod'$/m,
        protectedTypes: ["aws:kms/key:Key", "aws:s3/bucket:Bucket"],
    },
    azure: {
        backendUrl: /^azblob:\/\/state\?storage_account=stplatformstate[a-z0-9]{4}$/,
        provider: /^pulumi stack init prod --secrets-provider 'azurekeyvault:\/\/kv-platform-state-[a-z0-9]{4}\.vault\.azure\.net\/keys\/platform-prod\/[0-9a-f]{32}'$/m,
        protectedTypes: ["azure-native:keyvault:Key", "azure-native:keyvault:Key", "azure-native:keyvault:Key", "azure-native:keyvault:Key", "azure-native:keyvault:Vault", "azure-native:storage:BlobContainer", "azure-native:storage:StorageAccount"],
    },
} as const;

for (const [cloud, expected] of Object.entries(clouds)) describe(`the bootstrap on the real engine, offline (${cloud})`, function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;
    let storeRoot: string;
    let bootstrapDir: string;
    let bucketDir: string;

    const tool = (...args: string[]) => sandbox.exec(process.execPath, [path.join(sandbox.projectDir, "tools", "bootstrap.ts"), cloud, ...args], { env: { [storeRootVariable]: storeRoot } });
    const stackFile = () => YAML.parse(readFileSync(path.join(bootstrapDir, `Pulumi.${cloud}.yaml`), "utf8")) as Record<string, any>;
    const ownState = () => path.join(bucketDir, `.pulumi/stacks/platform-bootstrap/${cloud}.json`);
    const types = () => cloudContents(sandbox.cloudDir).map((resource) => resource.type);

    before(function () {
        sandbox = sandboxOrSkip(this);
        bootstrapDir = path.join(sandbox.projectDir, "bootstrap");
        cpSync(path.join(projectRoot, "bootstrap"), bootstrapDir, { recursive: true, filter: (source) => path.basename(source) !== ".state" });
        storeRoot = path.join(sandbox.root, "stores");
    });

    after(() => sandbox?.dispose());

    it("creates the store and moves its own state into it", async () => {
        const { code, stdout, stderr } = await tool();
        assert.equal(code, 0, stderr.slice(-4000));
        const backendUrl = stackFile()["config"]["platform-bootstrap:backendUrl"] as string;
        assert.match(backendUrl, expected.backendUrl, "the store's URL is recorded in the stack file");
        assert.equal(stdout.split("\n")[0], `pulumi login '${backendUrl}'`);
        assert.match(stdout, expected.provider);
        bucketDir = fileURLToPath(storeLocation(backendUrl, { [storeRootVariable]: storeRoot }));
        assert.ok(existsSync(path.join(bucketDir, ".pulumi/meta.yaml")), "meta.yaml is in the store");
        assert.ok(existsSync(ownState()), "the bootstrap's checkpoint is in the store");
        assert.ok(!existsSync(path.join(bootstrapDir, ".state")), "the local copy is gone");
        const state = JSON.parse(readFileSync(ownState(), "utf8"));
        const resources = state.checkpoint.latest.resources as { type: string; protect?: boolean }[];
        assert.deepEqual(resources.filter((resource) => resource.protect).map((resource) => resource.type).sort(), expected.protectedTypes);
        for (const { type } of resources.filter((resource) => resource.protect)) {
            assert.ok(types().includes(type), `${type} exists in the stand-in cloud`);
        }
    });

    it("finds the state in the store when run again, and changes nothing", async () => {
        const before = types().length;
        const { code, stderr } = await tool();
        assert.equal(code, 0, stderr.slice(-4000));
        assert.match(stderr, /^no changes$/m);
        assert.equal(types().length, before);
        assert.ok(!existsSync(path.join(bootstrapDir, ".state")), "nothing was kept locally");
    });

    it("refuses to destroy the store while a platform stack's state is in it", async () => {
        const init = await sandbox.exec("pulumi", ["stack", "init", "dev", "--non-interactive"], { env: { PULUMI_BACKEND_URL: `file://${bucketDir}` } });
        assert.equal(init.code, 0, init.stderr);
        const before = types().length;
        const { code, stderr } = await tool("--destroy");
        assert.equal(code, 5, stderr);
        assert.match(stderr, /^bootstrap: refused: (s3|azblob):\/\/\S+ still holds the state of organization\/platform\/dev;/m);
        assert.equal(stderr.trim().split("\n").length, 1, "one line");
        assert.equal(types().length, before, "nothing was destroyed");
        assert.ok(existsSync(ownState()), "the bootstrap's state stays in the store");
    });

    it("destroys the store once no platform stack is left in it", async () => {
        const remove = await sandbox.exec("pulumi", ["stack", "rm", "dev", "--yes", "--non-interactive"], { env: { PULUMI_BACKEND_URL: `file://${bucketDir}` } });
        assert.equal(remove.code, 0, remove.stderr);
        const { code, stdout, stderr } = await tool("--destroy");
        assert.equal(code, 0, stderr.slice(-4000));
        assert.match(stdout, /^destroyed the store (s3|azblob):\/\//);
        assert.deepEqual(types(), [], "the stand-in cloud is empty");
        assert.equal(stackFile()["config"]["platform-bootstrap:backendUrl"], undefined, "the stack file no longer names a store");
        assert.ok(!existsSync(path.join(bootstrapDir, ".state")));
    });
});
