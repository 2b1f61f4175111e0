import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "mocha";
import YAML from "yaml";
import { runCommand, type CommandResult } from "../support/command.ts";
import { projectRoot } from "../support/project.ts";

/** `npm run workload -- <args>`, with the Node that runs the tests. */
function workload(...args: string[]): Promise<CommandResult> {
    return runCommand(process.execPath, ["tools/workload.ts", ...args], { cwd: projectRoot });
}

const directories: string[] = [];

/** A temp dir holding `Pulumi.<stack>.yaml`: a copy of the project's, or `text`. */
function stackDir(stack: string, text?: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "workload-command-"));
    directories.push(dir);
    if (text === undefined) {
        copyFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    } else {
        writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
    }
    return dir;
}

const read = (dir: string, stack = "dev") => readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");

const dev = readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8");
// The dev stack with the four-pattern fixture as its workloads, under comments that must survive the edits.
const fixture = readFileSync(path.join(projectRoot, "tests/fixtures/workloads/all-patterns.yaml"), "utf8");
const fixtureList = fixture.split("\n").filter((line) => !line.startsWith("#")).map((line) => (line ? `    ${line}` : line)).join("\n");
const billingStart = fixtureList.indexOf("    - name: billing-jobs");
const billingBlock = fixtureList.slice(billingStart, fixtureList.indexOf("    - name: ", billingStart + 1));
const seeded = `${dev}  # Teams' services, newest last.\n  platform:workloads:\n    # The shop's public API.\n${fixtureList.replace("    - name: billing-jobs", "    # Nightly invoices.\n    - name: billing-jobs")}`;
const shopBlock = "    - name: shop\n      pattern: web_api\n      image: ghcr.io/acme/shop:1.4.0\n";

describe("npm run workload", function () {
    this.timeout(120_000);
    const runs: Record<string, CommandResult> = {};
    const files: Record<string, string> = {};
    /** Refusals: the run, and the stack file before and after it. */
    const refusals: Record<string, { run: CommandResult; before: string; after: string }> = {};

    before(async () => {
        assert.ok(fixtureList.includes("    - name: billing-jobs") && seeded.includes("    # Nightly invoices.\n"));
        // Each chain edits its own copy; the two plan-evaluating chains run side by side.
        const worker = async () => {
            const dir = stackDir("dev");
            runs["createWorker"] = await workload("create", "jobs", "--pattern", "background_worker", "--stack", "dev", "--image", "ghcr.io/acme/jobs:2.1.0", "--stack-dir", dir);
            files["createdWorker"] = read(dir);
            runs["listWorker"] = await workload("list", "dev", "--stack-dir", dir);
            runs["removeWorker"] = await workload("remove", "jobs", "--stack", "dev", "--stack-dir", dir);
            files["removedWorker"] = read(dir);
            files["workerDirEntries"] = readdirSync(dir).join(",");
        };
        const api = async () => {
            const dir = stackDir("dev", seeded);
            runs["createApi"] = await workload("create", "shop", "--pattern", "web_api", "--stack", "dev", "--image", "ghcr.io/acme/shop:1.4.0", "--cloud", "azure", "--stack-dir", dir);
            files["createdApi"] = read(dir);
            runs["listApi"] = await workload("list", "dev", "--stack-dir", dir);
            runs["removeBilling"] = await workload("remove", "billing-jobs", "--stack", "dev", "--stack-dir", dir);
            files["removedBilling"] = read(dir);
            runs["removeUnknown"] = await workload("remove", "billing-jobs", "--stack", "dev", "--stack-dir", dir);
            files["afterUnknown"] = read(dir);
        };
        const events = async () => {
            const dir = stackDir("dev");
            writeFileSync(path.join(dir, "order-placed.avsc"), '{"type": "record", "name": "OrderPlaced", "fields": [{"name": "id", "type": "string"}]}\n');
            runs["createEvents"] = await workload("create", "order-stream", "--pattern", "event_processor", "--stack", "dev", "--image", "ghcr.io/acme/stream:1.0.0",
                "--schema", path.join(dir, "order-placed.avsc"), "--partitions", "6", "--stack-dir", dir);
            files["createdEvents"] = read(dir);
        };
        const refuse = async (name: string, stack: string, text: string | undefined, ...args: string[]) => {
            const dir = stackDir(stack, text);
            const before = read(dir, stack);
            const run = await workload(...args, "--stack", stack, "--stack-dir", dir);
            refusals[name] = { run, before, after: read(dir, stack) };
        };
        const image = ["--image", "ghcr.io/acme/tool:1.0.0"];
        const [patterns, noCommand, unknownCommand, missingName] = await Promise.all([
            workload("patterns"),
            workload(),
            workload("deploy", "jobs"),
            workload("create", "--pattern", "web_api", "--stack", "dev"),
            worker(),
            api(),
            events(),
            refuse("unknownPattern", "dev", undefined, "create", "cron-jobs", "--pattern", "cron_job", ...image),
            refuse("workerWithHost", "dev", undefined, "create", "jobs", "--pattern", "background_worker", "--host", "jobs.dev.platform.example.com", ...image),
            refuse("duplicateHost", "dev", seeded, "create", "storefront", "--pattern", "web_api", "--host", "orders.dev.platform.example.com", ...image),
            refuse("missingImage", "dev", undefined, "create", "shop", "--pattern", "web_api"),
            refuse("prodWithoutDigest", "prod", undefined, "create", "shop", "--pattern", "web_api", ...image),
            refuse("eventsWithoutSchema", "dev", undefined, "create", "stream", "--pattern", "event_processor", "--partitions", "2", ...image),
            refuse("migrationsOnWorker", "dev", undefined, "create", "jobs", "--pattern", "background_worker", "--migrate", "/app/migrate up", ...image),
        ]);
        Object.assign(runs, { patterns, noCommand, unknownCommand, missingName });
    });

    after(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

    it("adds a worker at the end of config:, keeping the rest of the file byte for byte", () => {
        assert.equal(runs["createWorker"]!.code, 0, runs["createWorker"]!.stderr);
        assert.equal(files["createdWorker"], `${dev}  platform:workloads:\n    - name: jobs\n      pattern: background_worker\n      image: ghcr.io/acme/jobs:2.1.0\n`);
    });

    it("prints what the plan adds for the worker: its Deployment and its two SQS queues, only its own", () => {
        const { stdout } = runs["createWorker"]!;
        assert.match(stdout, /^Added workload "jobs" \(background_worker\) to .*Pulumi\.dev\.yaml\.\nThe plan of stack dev \(aws, environment dev\) adds \d+ resources for it:\n/);
        assert.match(stdout, /^ +1 {2}kubernetes:apps\/v1:Deployment$/m);
        assert.match(stdout, /^ +2 {2}aws:sqs\/queue:Queue$/m);
        assert.match(stdout, /^ +1 {2}kubernetes:keda\.sh\/v1alpha1:ScaledObject$/m);
        assert.doesNotMatch(stdout, /HTTPRoute|[Cc]ost/);
    });

    it("adds a web API after the commented entries, planned for --cloud azure without writing the cloud", () => {
        const { code, stdout, stderr } = runs["createApi"]!;
        assert.equal(code, 0, stderr);
        assert.equal(files["createdApi"], seeded + shopBlock);
        assert.match(files["createdApi"]!, /^ {2}platform:cloud: aws$/m);
        assert.match(stdout, /The plan of stack dev \(azure, environment dev\) adds \d+ resources for it:/);
        // One Deployment: the entries already in the file are not counted.
        assert.match(stdout, /^ +1 {2}kubernetes:apps\/v1:Deployment$/m);
        assert.match(stdout, /^ +1 {2}kubernetes:gateway\.networking\.k8s\.io\/v1:HTTPRoute$/m);
        assert.doesNotMatch(stdout, /servicebus|sqs/i);
    });

    it("adds an event processor with its schema file and partitions, and shows its topic's pieces", () => {
        const { code, stdout, stderr } = runs["createEvents"]!;
        assert.equal(code, 0, stderr);
        const entry = YAML.parse(files["createdEvents"]!.slice(files["createdEvents"]!.indexOf("  platform:workloads:"))) as any;
        const [added] = entry["platform:workloads"];
        assert.equal(added.events.partitions, 6);
        assert.deepEqual([added.events.schema.format, JSON.parse(added.events.schema.definition).name], ["avro", "OrderPlaced"]);
        assert.match(stdout, /^ +1 {2}aws:msk\/serverlessCluster:ServerlessCluster$/m);
        assert.match(stdout, /^ +1 {2}aws:glue\/schema:Schema$/m);
        assert.match(stdout, /^ +1 {2}kubernetes:keda\.sh\/v1alpha1:ScaledObject$/m);
    });

    it("lists the workloads with the engine's namespace, host and replicas", () => {
        assert.equal(runs["listApi"]!.code, 0, runs["listApi"]!.stderr);
        const lines = runs["listApi"]!.stdout.trimEnd().split("\n").map((line) => line.split(/ {2,}/));
        assert.deepEqual(lines, [
            ["NAME", "PATTERN", "NAMESPACE", "HOST", "REPLICAS"],
            ["orders", "web_api", "orders", "orders.dev.platform.example.com", "1-3"],
            ["billing-jobs", "background_worker", "billing-jobs", "-", "0-3"],
            ["catalog-api", "data_api", "catalog-api", "catalog-api.dev.platform.example.com", "1-3"],
            ["order-events", "event_processor", "order-events", "-", "0-3"],
            ["shop", "web_api", "shop", "shop.dev.platform.example.com", "1-3"],
        ]);
        assert.match(runs["listWorker"]!.stdout, /^jobs +background_worker +jobs +- +0-3$/m);
    });

    it("removes an entry with its own comment and keeps every other comment", () => {
        assert.equal(runs["removeBilling"]!.code, 0, runs["removeBilling"]!.stderr);
        assert.match(runs["removeBilling"]!.stdout, /^Removed workload "billing-jobs" from .*Pulumi\.dev\.yaml\.\n$/);
        assert.equal(files["removedBilling"], seeded.replace(`    # Nightly invoices.\n${billingBlock}`, "") + shopBlock);
    });

    it("leaves platform:workloads: [] when the last entry goes, and no temporary file behind", () => {
        assert.equal(runs["removeWorker"]!.code, 0, runs["removeWorker"]!.stderr);
        assert.equal(files["removedWorker"], `${dev}  platform:workloads: []\n`);
        assert.equal(files["workerDirEntries"], "Pulumi.dev.yaml");
    });

    it("refuses to remove a workload the stack does not list, with one line and exit code 1", () => {
        const { code, stdout, stderr } = runs["removeUnknown"]!;
        assert.deepEqual([code, stdout], [1, ""]);
        assert.match(stderr, /^error: .*Pulumi\.dev\.yaml has no workload "billing-jobs" \(workloads: orders, catalog-api, order-events, shop\)\n$/);
        assert.equal(files["afterUnknown"], files["removedBilling"]);
    });

    const refusalCases: [string, RegExp][] = [
        ["unknownPattern", /platform:workloads\.0\.pattern: must be one of "web_api", "background_worker", "data_api", "event_processor", got "cron_job"/],
        ["eventsWithoutSchema", /platform:workloads\.0\.events\.schema: /],
        ["migrationsOnWorker", /platform:workloads\.0\.migrations: workload "jobs": a background_worker runs no migrations; remove migrations/],
        ["workerWithHost", /platform:workloads\.0\.host: workload "jobs": a background_worker has no public route/],
        ["duplicateHost", /platform:workloads\.4\.host: workload "storefront": "orders\.dev\.platform\.example\.com" is already the host of workload "orders"/],
        ["missingImage", /--image is required: .*pinned by digest outside dev/],
        ["prodWithoutDigest", /platform:workloads\.0\.image: workload "shop": must be pinned by digest in prod/],
    ];
    for (const [name, message] of refusalCases) {
        it(`refuses ${name} with one line, exit code 1 and the file byte-identical`, () => {
            const { run, before, after } = refusals[name]!;
            assert.deepEqual([run.code, run.stdout], [1, ""]);
            assert.match(run.stderr, /^error: [^\n]+\n$/);
            assert.match(run.stderr, message);
            assert.equal(after, before);
        });
    }

    it("prints each pattern's name, purpose and what it brings", () => {
        const { code, stdout } = runs["patterns"]!;
        assert.equal(code, 0);
        assert.match(stdout, /^web_api\n {2}An HTTP API on the platform's shared gateway/);
        assert.match(stdout, /^background_worker\n {2}A consumer of its own queue/m);
        assert.match(stdout, /^data_api\n {2}An HTTP API over the stack's PostgreSQL and cache/m);
        assert.match(stdout, /^event_processor\n {2}A consumer of its own topic/m);
        assert.match(stdout, /^ {2}keys: +host required, queue forbidden, events forbidden, migrations optional$/m);
        assert.match(stdout, /^ {2}brings: +queue, deadLetterQueue, alerts, autoscaler, identity, buildCache$/m);
    });

    it("prints usage and exits 2 for a missing or unknown command or a missing argument, without a stack trace", () => {
        for (const [run, reason] of [[runs["noCommand"]!, "a command is required"], [runs["unknownCommand"]!, 'unknown command "deploy"'], [runs["missingName"]!, "create needs <name>"]] as const) {
            assert.equal(run.code, 2);
            assert.ok(run.stderr.startsWith(`error: ${reason}\nusage: npm run workload -- <command>\n`), run.stderr);
            assert.doesNotMatch(run.stderr, /\n\s+at /);
        }
    });
});
