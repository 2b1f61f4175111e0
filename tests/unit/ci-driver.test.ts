import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import { commands } from "../../tools/ci/args.ts";
import type { DriverEvent, DriverOutput, DriverStack, OperationOptions, PreviewOptions, RefreshPreviewOptions } from "../../tools/ci/driver.ts";
import { main } from "../../tools/ci/run.ts";
import { stateOf } from "../../tools/ci/recover.ts";
import { projectRoot } from "../support/project.ts";

const backendEnv = { PULUMI_BACKEND_URL: "file:///nowhere" };
const secretValue = "apiVersion: v1 # kubeconfig-secret-7f3a";

/** What the Automation API throws for a locked stack: only the name matters to the driver. */
class ConcurrentUpdateError extends Error {
    override name = "ConcurrentUpdateError";
}
/** A failed CLI run, framed the way the Automation API's CommandError message is. */
const commandError = (stderr: string) => Object.assign(new Error(`code: 255\n stdout: \n stderr: ${stderr}\n err?: \n`), { name: "CommandError" });

type OperationName = "preview" | "up" | "refresh" | "previewRefresh" | "destroy";
/** An exported deployment: resources with their ids, and the operations an interrupted update left pending. */
type FakeDeployment = { resources: { urn: string; id?: string }[]; pending_operations?: { type: string; resource: Record<string, unknown> }[] };
type Operation = (options: OperationOptions) => Promise<void>;
const ok: Operation = async (options) => options.onEvent(summary({ same: 3 }));

/** A fake stack: each operation defaults to "no changes"; `calls` records what the driver asked for. */
const stateUrns = [
    "urn:pulumi:dev::platform::platform:secrets:AwsSecretStore$aws:secretsmanager/secretVersion:SecretVersion::secrets-redis-password",
    "urn:pulumi:dev::platform::platform:storage:AwsStorage$aws:s3/bucket:Bucket::storage-bucket",
    "urn:pulumi:dev::platform::platform:kubernetes:KubernetesPlatform$kubernetes:helm.sh/v3:Release::kubernetes-loki",
    "urn:pulumi:dev::platform::platform:kubernetes:KubernetesPlatform$kubernetes:core/v1:Secret::kubernetes-grafana-admin",
];

function fakeStack(
    overrides: Partial<Record<OperationName, Operation>> = {},
    outputs: Record<string, DriverOutput> = {},
    initial: FakeDeployment = { resources: [] },
    cloud: { readonly ids?: readonly string[]; readonly lockedWrite?: Error } = {},
) {
    let deployment: Record<string, unknown> = initial;
    let writes = 0;
    const calls: { op: string; options?: OperationOptions; id?: string }[] = [];
    const op = (name: OperationName) => (options: OperationOptions) => {
        calls.push({ op: name, options });
        return (overrides[name] ?? ok)(options);
    };
    const stack: DriverStack = {
        preview: op("preview"),
        up: op("up"),
        refresh: op("refresh"),
        previewRefresh: op("previewRefresh"),
        resourceUrns: async () => stateUrns,
        destroy: op("destroy"),
        outputs: async () => (calls.push({ op: "outputs" }), outputs),
        cancel: async () => void calls.push({ op: "cancel" }),
        state: async () => stateOf(deployment),
        replaceState: async (next) => {
            calls.push({ op: "replaceState" });
            if (++writes === 1 && cloud.lockedWrite) {
                throw cloud.lockedWrite;
            }
            deployment = next;
        },
    };
    // A refresh reads every resource back: one the cloud does not hold leaves the state.
    const refresh = overrides.refresh ?? ok;
    stack.refresh = (options) => {
        calls.push({ op: "refresh", options });
        const resources = (deployment["resources"] as { urn: string; id?: string }[]).filter((resource) => !resource.id || cloud.ids?.includes(resource.id));
        deployment = { ...deployment, resources };
        return refresh(options);
    };
    return { stack, calls, ops: () => calls.map((call) => call.op) };
}

const step = (op: string, type: string, name: string, diffs?: string[]): DriverEvent => ({
    resourcePreEvent: { metadata: { op, type, urn: `urn:pulumi:dev::platform::platform:network$${type}::${name}`, ...(diffs ? { diffs } : {}) } },
});
const summary = (resourceChanges: Record<string, number>): DriverEvent => ({ summaryEvent: { resourceChanges } });
const policy = (enforcementLevel: string, policyName: string, message: string): DriverEvent => ({
    policyEvent: { policyName, policyPackName: "platform", enforcementLevel, message, resourceUrn: "urn:pulumi:dev::platform::platform:storage$aws:s3/bucket:Bucket::storage-bucket" },
});

interface Drive {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly opened: string[];
}

async function drive(argv: string[], options: { stack?: DriverStack; env?: Record<string, string>; cancel?: AbortController; force?: AbortController; projectRoot?: string } = {}): Promise<Drive> {
    let stdout = "";
    let stderr = "";
    const opened: string[] = [];
    const code = await main(argv, {
        projectRoot: options.projectRoot ?? projectRoot,
        env: options.env ?? backendEnv,
        openStack: async (name) => (opened.push(name), options.stack ?? fakeStack().stack),
        cancel: (options.cancel ?? new AbortController()).signal,
        force: (options.force ?? new AbortController()).signal,
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
    });
    return { code, stdout, stderr, opened };
}

describe("npm run ci (the Automation API driver, against a fake stack)", function () {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "ci-driver-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    describe("arguments", () => {
        for (const [argv, message] of [
            [[], /missing command/],
            [["plan", "dev"], /unknown command "plan"; expected one of preview, up/],
            [["preview"], /missing stack name after "preview"/],
            [["preview", "dev", "prod"], /unexpected argument "prod"/],
            [["preview", "../dev"], /invalid stack name/],
            [["preview", "dev", "--frobnicate"], /Unknown option '--frobnicate'/],
            [["preview", "dev", "--lock-retries", "11"], /--lock-retries must be a whole number from 0 to 10, got "11"/],
            [["preview", "dev", "--lock-retries", "-1"], /--lock-retries/],
            [["preview", "dev", "--lock-wait", "1.5"], /--lock-wait must be a whole number from 0 to 600, got "1.5"/],
            [["preview", "dev", "--json-out"], /--json-out/],
        ] as const) {
            it(`exits 2 for ${JSON.stringify(argv)}, with the usage line and no stack opened`, async () => {
                const run = await drive([...argv]);
                assert.equal(run.code, 2);
                assert.match(run.stderr, message);
                assert.match(run.stderr, /usage: npm run ci -- /);
                assert.deepEqual(run.opened, []);
            });
        }

        it("--help documents every command, flag and exit code", async () => {
            const { code, stdout } = await drive(["--help"]);
            assert.equal(code, 0);
            for (const word of [...commands, "--json", "--json-out", "--summary-out", "--allow-destroy-protected", "--lock-retries", "--lock-wait", "PULUMI_BACKEND_URL", "protect"]) {
                assert.ok(stdout.includes(word), `--help does not mention ${word}`);
            }
            for (const exitCode of [0, 1, 2, 3, 4, 5, 130]) {
                assert.match(stdout, new RegExp(`^  ${exitCode} +\\S`, "m"));
            }
        });
    });

    describe("exit codes", () => {
        it("previews with the policy pack and the stack environment's settings: 0", async () => {
            const fake = fakeStack();
            const run = await drive(["preview", "prod"], { stack: fake.stack });
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(run.opened, ["prod"]);
            const options = fake.calls[0]!.options as PreviewOptions;
            assert.deepEqual(options.policyPacks, [path.join(projectRoot, "policy")]);
            assert.deepEqual(options.policyPackConfigs, [path.join(projectRoot, "policy/config/prod.json")]);
        });

        it("previews a stack that sets platform:budget.enforceEstimate with budget-estimate at the stack's level, the rest as its environment's", async () => {
            const project = mkdtempSync(path.join(tmpdir(), "platform-driver-"));
            try {
                copyFileSync(path.join(projectRoot, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
                const stackFile = YAML.parse(readFileSync(path.join(projectRoot, "Pulumi.staging.yaml"), "utf8"));
                stackFile.config["platform:budget"].enforceEstimate = true;
                writeFileSync(path.join(project, "Pulumi.staging.yaml"), YAML.stringify(stackFile));
                const fake = fakeStack();
                const run = await drive(["preview", "staging"], { stack: fake.stack, projectRoot: project });
                assert.equal(run.code, 0, run.stderr);
                const [file] = (fake.calls[0]!.options as PreviewOptions).policyPackConfigs;
                const settings = JSON.parse(readFileSync(file!, "utf8"));
                const staging = JSON.parse(readFileSync(path.join(projectRoot, "policy/config/staging.json"), "utf8"));
                assert.equal(staging["budget-estimate"].enforcementLevel, "advisory");
                assert.deepEqual(settings, { ...staging, "budget-estimate": { ...staging["budget-estimate"], enforcementLevel: "mandatory" } });
            } finally {
                rmSync(project, { recursive: true, force: true });
            }
        });

        it("fails a preview with a mandatory policy violation: 3", async () => {
            const stack = fakeStack({
                preview: async (options) => {
                    options.onEvent(policy("mandatory", "encryption-at-rest", "bucket is not encrypted with the stack's key"));
                    throw commandError("error: preview failed");
                },
            }).stack;
            const run = await drive(["preview", "dev", "--json"], { stack });
            assert.equal(run.code, 3);
            const result = JSON.parse(run.stdout);
            assert.equal(result.status, "policy-failed");
            assert.deepEqual(result.policy[0], {
                rule: "encryption-at-rest", pack: "platform", enforcement: "mandatory", type: "aws:s3/bucket:Bucket", name: "storage-bucket",
                urn: "urn:pulumi:dev::platform::platform:storage$aws:s3/bucket:Bucket::storage-bucket", message: "bucket is not encrypted with the stack's key",
            });
        });

        it("passes a preview with advisory violations only: 0", async () => {
            const stack = fakeStack({ preview: async (options) => options.onEvent(policy("warning", "high-availability", "single zone")) }).stack;
            const run = await drive(["preview", "dev", "--json"], { stack });
            assert.equal(run.code, 0);
            assert.equal(JSON.parse(run.stdout).policy[0].enforcement, "advisory");
        });

        it("fails an up stopped by a mandatory policy: 3", async () => {
            const stack = fakeStack({ up: async (options) => (options.onEvent(policy("mandatory", "tls", "TLS off")), Promise.reject(commandError("error: update failed"))) }).stack;
            assert.equal((await drive(["up", "dev"], { stack })).code, 3);
        });

        it("drift: a refresh that writes no state and reads no secret, then a preview expecting no changes; none found: 0", async () => {
            const fake = fakeStack();
            const run = await drive(["drift", "staging"], { stack: fake.stack });
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(fake.ops(), ["previewRefresh", "preview"]);
            const refresh = fake.calls[0]!.options as RefreshPreviewOptions;
            assert.deepEqual(refresh.exclude, [stateUrns[0], stateUrns[2], stateUrns[3]], "secret versions, Helm releases and Kubernetes Secrets");
            const preview = fake.calls[1]!.options as PreviewOptions;
            assert.equal(preview.expectNoChanges, true);
            assert.deepEqual(preview.policyPackConfigs, [path.join(projectRoot, "policy/config/staging.json")]);
        });

        it("drift: changes after refresh: 4", async () => {
            const stack = fakeStack({
                preview: async (options) => {
                    options.onEvent(step("update", "aws:s3/bucket:Bucket", "storage-bucket"));
                    options.onEvent(summary({ update: 1, same: 40 }));
                    throw commandError("error: no changes were expected but changes occurred");
                },
            }).stack;
            const run = await drive(["drift", "prod", "--json"], { stack });
            assert.equal(run.code, 4);
            const result = JSON.parse(run.stdout);
            assert.equal(result.status, "drift");
            assert.match(result.message, /stack prod drifted: .*update 1/);
            assert.deepEqual(result.changesByType, { "aws:s3/bucket:Bucket": { create: 0, update: 1, replace: 0, delete: 0 } });
        });

        it("drift: the cloud differs from state: 4, without a second operation", async () => {
            const fake = fakeStack({ previewRefresh: async (options) => options.onEvent(summary({ update: 2, same: 40 })) });
            const run = await drive(["drift", "prod", "--json"], { stack: fake.stack });
            assert.equal(run.code, 4);
            assert.match(JSON.parse(run.stdout).message, /stack prod drifted: the cloud differs from state; a refresh would update 2, delete 0/);
            assert.deepEqual(fake.ops(), ["previewRefresh"]);
        });

        it("drift: a preview failing for another reason is an error: 1", async () => {
            const stack = fakeStack({ preview: async () => Promise.reject(commandError("error: program failed")) }).stack;
            assert.equal((await drive(["drift", "dev"], { stack })).code, 1);
        });

        for (const stackName of ["prod", "staging", "acme/platform/prod", "no-such-stack"]) {
            it(`refuses to destroy ${stackName} without --allow-destroy-protected: 5, stack never opened`, async () => {
                const run = await drive(["destroy", stackName]);
                assert.equal(run.code, 5);
                assert.match(run.stderr, /^refused: .*--allow-destroy-protected/m);
                assert.deepEqual(run.opened, []);
            });
        }

        it("destroys prod with --allow-destroy-protected, and dev without it: 0", async () => {
            for (const argv of [["destroy", "prod", "--allow-destroy-protected"], ["destroy", "dev"]]) {
                const fake = fakeStack();
                assert.equal((await drive(argv, { stack: fake.stack })).code, 0);
                assert.deepEqual(fake.ops(), ["destroy"]);
            }
        });

        it("reports a failed operation on one line: 1", async () => {
            const stack = fakeStack({ refresh: async () => Promise.reject(commandError("warning: slow\nerror: AccessDenied: not authorized to perform ec2:DescribeVpcs")) }).stack;
            const run = await drive(["refresh", "dev", "--json"], { stack });
            assert.equal(run.code, 1);
            assert.equal(JSON.parse(run.stdout).message, "AccessDenied: not authorized to perform ec2:DescribeVpcs");
            assert.match(run.stderr, /^error: AccessDenied: not authorized to perform ec2:DescribeVpcs$/m);
        });

        it("needs PULUMI_BACKEND_URL: 1, stack never opened", async () => {
            const run = await drive(["preview", "dev"], { env: {} });
            assert.equal(run.code, 1);
            assert.match(run.stderr, /^error: PULUMI_BACKEND_URL is not set/m);
            assert.deepEqual(run.opened, []);
        });

        it("needs a stack file with the environment for a preview: 1", async () => {
            const run = await drive(["preview", "no-such-stack"]);
            assert.equal(run.code, 1);
            assert.match(run.stderr, /Pulumi\.no-such-stack\.yaml not found/);
        });
    });

    describe("summaries", () => {
        const outputs = { clusterName: { value: "platform-dev", secret: false }, kubeconfig: { value: secretValue, secret: true }, zones: { value: ["a", "b"], secret: false } };
        const up: Operation = async (options) => {
            for (const [op, type, name] of [["create", "aws:s3/bucket:Bucket", "logs"], ["create", "aws:s3/bucket:Bucket", "data"], ["same", "aws:ec2/vpc:Vpc", "vpc"]] as const) {
                options.onEvent(step(op, type, name));
            }
            options.onEvent(step("update", "aws:eks/cluster:Cluster", "cluster", ["version", "tags"]));
            options.onEvent(step("replace", "aws:rds/instance:Instance", "db", ["identifier"]));
            options.onEvent(policy("warning", "cost-tags", "missing tag | cost-center"));
            options.onEvent(summary({ create: 2, update: 1, replace: 1, same: 5 }));
        };

        it("writes the JSON result and a Markdown summary: changes by type, violations, outputs with secrets masked", async () => {
            const [jsonOut, summaryOut] = [path.join(dir, "out/result.json"), path.join(dir, "summary.md")];
            const run = await drive(["up", "dev", "--json-out", jsonOut, "--summary-out", summaryOut], { stack: fakeStack({ up }, outputs).stack });
            assert.equal(run.code, 0, run.stderr);
            const markdown = readFileSync(summaryOut, "utf8");
            assert.equal(run.stdout, markdown);
            assert.match(markdown, /^### Pulumi `up` of stack `dev`: succeeded$/m);
            assert.match(markdown, /create 2 · update 1 · replace 1 · delete 0 · unchanged 5/);
            assert.match(markdown, /^\| `aws:s3\/bucket:Bucket` \| 2 \| 0 \| 0 \| 0 \|$/m);
            assert.match(markdown, /^\| `aws:rds\/instance:Instance` \| 0 \| 0 \| 1 \| 0 \|$/m);
            assert.doesNotMatch(markdown, /aws:ec2\/vpc:Vpc/);
            assert.match(markdown, /^\| update \| `aws:eks\/cluster:Cluster` cluster \| tags, version \|$/m, "an update names its changed properties");
            assert.match(markdown, /^\| replace \| `aws:rds\/instance:Instance` db \| identifier \|$/m);
            assert.doesNotMatch(markdown, /^\| create \|/m, "creates are left to the totals");
            assert.match(markdown, /^\| advisory \| platform\/cost-tags \| `aws:s3\/bucket:Bucket` storage-bucket \| missing tag \\\| cost-center \|$/m);
            assert.match(markdown, /^\| kubeconfig \| \[secret\] \|$/m);
            assert.match(markdown, /^\| zones \| `\["a","b"\]` \|$/m);
            const result = JSON.parse(readFileSync(jsonOut, "utf8"));
            assert.deepEqual([result.status, result.exitCode, result.environment], ["succeeded", 0, "dev"]);
            assert.deepEqual(result.changes, { create: 2, update: 1, replace: 1, delete: 0, same: 5 });
            assert.deepEqual(result.changedResources, [
                { op: "update", type: "aws:eks/cluster:Cluster", name: "cluster", properties: ["tags", "version"] },
                { op: "replace", type: "aws:rds/instance:Instance", name: "db", properties: ["identifier"] },
                { op: "create", type: "aws:s3/bucket:Bucket", name: "data", properties: [] },
                { op: "create", type: "aws:s3/bucket:Bucket", name: "logs", properties: [] },
            ]);
            assert.deepEqual(result.outputs, { clusterName: "platform-dev", kubeconfig: "[secret]", zones: ["a", "b"] });
            assert.equal(typeof result.durationSeconds, "number");
            for (const text of [run.stdout, run.stderr, markdown, readFileSync(jsonOut, "utf8")]) {
                assert.ok(!text.includes("kubeconfig-secret-7f3a"), "a secret value leaked");
            }
        });

        it("outputs: masked in the JSON on stdout, no change section", async () => {
            const fake = fakeStack({}, outputs);
            const run = await drive(["outputs", "prod", "--json"], { stack: fake.stack });
            assert.equal(run.code, 0);
            assert.deepEqual(fake.ops(), ["outputs"]);
            const result = JSON.parse(run.stdout);
            assert.deepEqual([result.outputs.kubeconfig, result.changes], ["[secret]", null]);
            assert.ok(!run.stdout.includes(secretValue));
        });
    });

    describe("a stack locked by another update", function () {
        this.timeout(5_000);
        const lockedTimes = (times: number) => {
            let attempts = 0;
            const fake = fakeStack({ preview: async () => (++attempts <= times ? Promise.reject(new ConcurrentUpdateError("[409] Conflict: Another update is currently in progress.")) : undefined) });
            return { ...fake, attempts: () => attempts };
        };

        it("retries up to --lock-retries, then succeeds", async () => {
            const fake = lockedTimes(2);
            const run = await drive(["preview", "dev", "--lock-retries", "2", "--lock-wait", "0"], { stack: fake.stack });
            assert.equal(run.code, 0, run.stderr);
            assert.equal(fake.attempts(), 3);
            assert.match(run.stderr, /stack dev is locked by another update; retry 2 of 2 in 0 s/);
        });

        it("gives up after the bound with a clear message and the lock exit code: 6", async () => {
            const fake = lockedTimes(Infinity);
            const run = await drive(["preview", "dev", "--lock-retries", "2", "--lock-wait", "0"], { stack: fake.stack });
            assert.equal(run.code, 6);
            assert.equal(fake.attempts(), 3);
            assert.match(run.stderr, /^locked: stack dev is locked by another update; still locked after 2 retries; .*npm run ci -- recover dev$/m);
        });

        it("does not retry by default, and says how", async () => {
            const fake = lockedTimes(Infinity);
            const run = await drive(["preview", "dev"], { stack: fake.stack });
            assert.deepEqual([run.code, fake.attempts()], [6, 1]);
            assert.match(run.stderr, /--lock-retries/);
        });

        it("stops waiting for the lock on a signal: 130", async () => {
            const cancel = new AbortController();
            const fake = lockedTimes(Infinity);
            const pending = drive(["preview", "dev", "--lock-retries", "1", "--lock-wait", "600"], { stack: fake.stack, cancel });
            setTimeout(() => cancel.abort(), 20);
            assert.equal((await pending).code, 130);
            assert.equal(fake.attempts(), 1);
        });
    });

    describe("recover", function () {
        this.timeout(5_000);
        const stackUrn = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";
        const parent = "urn:pulumi:dev::platform::platform:kubernetes:KubernetesPlatform::kubernetes";
        const provider = "urn:pulumi:dev::platform::pulumi:providers:kubernetes::kubernetes-provider";
        const pendingCreate = (type: string, name: string, inputs: Record<string, unknown>) => ({
            type: "creating",
            resource: { urn: `urn:pulumi:dev::platform::platform:kubernetes:KubernetesPlatform$${type}::${name}`, custom: true, type, inputs, parent, provider: `${provider}::4f1c` },
        });
        const killed = (): FakeDeployment => ({
            resources: [{ urn: stackUrn }, { urn: parent }],
            pending_operations: [
                pendingCreate("kubernetes:core/v1:Namespace", "kubernetes-api", { metadata: { name: "api" } }),
                pendingCreate("kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes-api-default-deny", { metadata: { name: "default-deny", namespace: "api" } }),
                { type: "updating", resource: { urn: "urn:pulumi:dev::platform::platform:kubernetes:KubernetesPlatform$kubernetes:core/v1:ConfigMap::settings", inputs: {} } },
            ],
        });
        /** The CLI's lock error (Pulumi's diy backend, checkForLock), for a lock of `host`'s `pid` taken `minutesAgo`. */
        const lockError = (host: string, pid: number, minutesAgo: number) => new ConcurrentUpdateError(
            "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n"
            + `  file:///state/.pulumi/locks/organization/platform/dev/3b1f.json: created by runner@${host} (pid ${pid}) at ${new Date(Date.now() - minutesAgo * 60_000).toISOString()}`);

        it("removes a lock whose process on this machine is gone, adopts the pending creates the cloud holds, clears the rest: 0", async () => {
            const fake = fakeStack({}, {}, killed(), { ids: ["api/default-deny"], lockedWrite: lockError(hostname(), 2 ** 22 + 7, 2) });
            const run = await drive(["recover", "dev", "--json"], { stack: fake.stack });
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(fake.ops(), ["replaceState", "cancel", "replaceState", "refresh"]);
            const { recovery } = JSON.parse(run.stdout);
            assert.equal(recovery.removedLocks.length, 1);
            assert.match(recovery.removedLocks[0], /runner@.* \(pid 4194311\), 2 min old: its process 4194311 on this machine is gone/);
            assert.deepEqual(recovery.decisions.map((decision: { outcome: string }) => decision.outcome), [
                "cleared: the cloud holds no such object",
                "adopted: the cloud holds api/default-deny",
                "refreshed",
            ]);
            const state = await fake.stack.state();
            assert.deepEqual(state.pendingOperations, []);
            assert.deepEqual(state.resources.map((resource) => resource.id).filter(Boolean), ["api/default-deny"]);
        });

        it("leaves a lock an update may still hold, naming its owner and age and the next step: 6", async () => {
            const fake = fakeStack({}, {}, killed(), { lockedWrite: lockError("runner-elsewhere", 4242, 5) });
            const run = await drive(["recover", "dev"], { stack: fake.stack });
            assert.equal(run.code, 6);
            assert.match(run.stderr, /^locked: stack dev is locked by runner@runner-elsewhere \(pid 4242\), 5 min old: an update may still be running\. .*npm run ci -- recover dev --no-update-running$/m);
            assert.deepEqual(fake.ops(), ["replaceState"], "no cancel, no refresh");
            assert.equal((await fake.stack.state()).pendingOperations.length, 3, "the state is as it was");
        });

        it("takes any lock as stale with --no-update-running, as the workflow's serialised job does", async () => {
            let locked = true;
            const fake = fakeStack({ refresh: (options) => (locked ? ((locked = false), Promise.reject(lockError("runner-elsewhere", 4242, 1))) : ok(options)) });
            const run = await drive(["recover", "dev", "--no-update-running"], { stack: fake.stack });
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(fake.ops(), ["refresh", "cancel", "refresh"]);
            assert.match(run.stdout, /removed the lock of runner@runner-elsewhere \(pid 4242\), 1 min old: no update can be running/);
        });

        it("changes nothing when a pending create cannot be looked up, and prints the import to run: 1", async () => {
            const deployment = (): FakeDeployment => ({
                resources: [{ urn: stackUrn }],
                pending_operations: [{
                    type: "creating",
                    resource: { urn: "urn:pulumi:dev::platform::aws:ec2/vpc:Vpc::network-vpc", inputs: { cidrBlock: "10.0.0.0/16" }, parent: stackUrn, provider: "urn:pulumi:dev::platform::pulumi:providers:aws::aws::11" },
                }],
            });
            const fake = fakeStack({}, {}, deployment());
            const run = await drive(["recover", "dev"], { stack: fake.stack });
            assert.equal(run.code, 1);
            assert.deepEqual(fake.ops(), [], "no write, no refresh");
            assert.match(run.stderr, /1 pending create cannot be looked up in the cloud; nothing was changed\. .*pulumi import --stack dev 'aws:ec2\/vpc:Vpc' 'network-vpc' <id> --parent 'parent=urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev' --provider 'provider=urn:pulumi:dev::platform::pulumi:providers:aws::aws'.*recover dev --clear-undecided$/m);
            const cleared = await drive(["recover", "dev", "--clear-undecided", "--json"], { stack: fakeStack({}, {}, deployment()).stack });
            assert.equal(cleared.code, 0, cleared.stderr);
            assert.equal(JSON.parse(cleared.stdout).recovery.decisions[0].outcome, "cleared (--clear-undecided)");
        });

        it("changes nothing when the state moved since it was read (an update still writing it): 1", async () => {
            const deployment = { ...killed(), manifest: { time: "2026-12-06T10:00:00Z" } };
            const fake = fakeStack({}, {}, deployment);
            let reads = 0;
            const state = fake.stack.state;
            fake.stack.state = async () => {
                const current = await state();
                return ++reads === 1 ? current : { ...current, deployment: { ...current.deployment, manifest: { time: "2026-12-06T10:00:05Z" } } };
            };
            const run = await drive(["recover", "dev"], { stack: fake.stack });
            assert.equal(run.code, 1);
            assert.match(run.stderr, /the state of stack dev changed while recover ran .*run recover again/);
            assert.deepEqual(fake.ops(), [], "no write, no refresh");
        });

        it("refuses recover's flags on other commands: 2", async () => {
            const run = await drive(["up", "dev", "--no-update-running"]);
            assert.equal(run.code, 2);
            assert.match(run.stderr, /--no-update-running is a flag of recover only/);
        });
    });

    describe("cancellation", function () {
        // A driver that ignores the signal would otherwise hang until mocha's long default.
        this.timeout(5_000);
        /** An operation that runs until its signal is aborted, then fails the way the interrupted CLI does. */
        const interruptible: Operation = (options) => new Promise((_, reject) => options.signal.addEventListener("abort", () => reject(commandError("error: update canceled"))));

        it("a signal interrupts the operation; the result says cancelled: 130", async () => {
            const cancel = new AbortController();
            const fake = fakeStack({ up: async (options) => (setTimeout(() => cancel.abort(), 10), interruptible(options)) });
            const jsonOut = path.join(dir, "result.json");
            const run = await drive(["up", "dev", "--json-out", jsonOut], { stack: fake.stack, cancel });
            assert.equal(run.code, 130);
            assert.ok(fake.calls[0]!.options!.signal.aborted);
            assert.deepEqual(fake.ops(), ["up"], "no pulumi cancel on the first signal, no outputs read");
            assert.deepEqual([JSON.parse(readFileSync(jsonOut, "utf8")).status, JSON.parse(readFileSync(jsonOut, "utf8")).exitCode], ["cancelled", 130]);
            assert.match(run.stdout, /: cancelled$/m);
        });

        it("a second signal runs pulumi cancel and stops waiting: 130", async () => {
            const [cancel, force] = [new AbortController(), new AbortController()];
            const fake = fakeStack({
                destroy: async () => {
                    setTimeout(() => (cancel.abort(), setTimeout(() => force.abort(), 10)), 10);
                    return new Promise(() => {}); // a CLI that does not stop
                },
            });
            const run = await drive(["destroy", "dev", "--json"], { stack: fake.stack, cancel, force });
            assert.equal(run.code, 130);
            assert.deepEqual(fake.ops(), ["destroy", "cancel"]);
            assert.match(JSON.parse(run.stdout).message, /pulumi cancel/);
        });

        it("a signal between drift's refresh and preview skips the preview: 130", async () => {
            const cancel = new AbortController();
            const fake = fakeStack({ previewRefresh: async () => cancel.abort() });
            const run = await drive(["drift", "dev"], { stack: fake.stack, cancel });
            assert.equal(run.code, 130);
            assert.deepEqual(fake.ops(), ["previewRefresh"]);
        });
    });

    describe("boundaries", () => {
        it("only the real implementation module imports the Automation API", () => {
            const ciDir = path.join(projectRoot, "tools/ci");
            const importers = readdirSync(ciDir).filter((file) => readFileSync(path.join(ciDir, file), "utf8").includes("@pulumi/pulumi/automation"));
            assert.deepEqual(importers, ["automation.ts"]);
            assert.ok(!readFileSync(path.join(projectRoot, "tools/ci.ts"), "utf8").match(/^import .*automation/m), "tools/ci.ts must load it lazily");
        });

        it("the Automation API still names its lock error ConcurrentUpdateError", () => {
            const source = readFileSync(path.join(projectRoot, "node_modules/@pulumi/pulumi/automation/errors.js"), "utf8");
            assert.match(source, /this\.name = "ConcurrentUpdateError"/);
        });

        it("the entry runs --help, rejects bad usage and needs PULUMI_BACKEND_URL, without the Pulumi CLI", async () => {
            const entry = async (args: string[]) => {
                const { PULUMI_BACKEND_URL: _, ...env } = process.env;
                try {
                    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["tools/ci.ts", ...args], { cwd: projectRoot, env });
                    return { code: 0, stdout, stderr };
                } catch (error) {
                    return error as { code: number; stdout: string; stderr: string };
                }
            };
            const [help, usage, noBackend] = await Promise.all([entry(["--help"]), entry(["up"]), entry(["preview", "dev"])]);
            assert.equal(help.code, 0);
            assert.match(help.stdout, /Exit codes:/);
            assert.deepEqual([usage.code, usage.stderr.split("\n")[0]], [2, `error: missing stack name after "up"`]);
            assert.equal(noBackend.code, 1);
            assert.match(noBackend.stderr, /^error: PULUMI_BACKEND_URL is not set/m);
        });
    });
});
