import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot } from "../support/project.ts";
import { plan, type Run } from "../support/plan-cli.ts";

const brokenStack = `test-broken-${process.pid}`;
const brokenFile = path.join(projectRoot, `Pulumi.${brokenStack}.yaml`);

describe("npm run plan", function () {
    this.timeout(120_000);
    const runs: Record<string, Run> = {};

    before(async () => {
        // The dev stack with the autoscaling floor above its ceiling.
        const dev = readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8");
        assert.ok(dev.includes("      min: 3\n"));
        writeFileSync(brokenFile, dev.replace("      min: 3\n", "      min: 6\n"));
        const [awsProd, azureProd, devTable, broken, missing, badArgs] = await Promise.all([
            plan("prod", "--json"),
            plan("prod", "--cloud", "azure", "--json"),
            plan("dev"),
            plan(brokenStack),
            plan("no-such-stack"),
            plan("dev", "--cloud", "gcp"),
        ]);
        Object.assign(runs, { awsProd, azureProd, devTable, broken, missing, badArgs });
    });

    after(() => rmSync(brokenFile, { force: true }));

    it("prints the prod JSON document for AWS with the 3-zone cluster autoscaling 5-15 nodes of 8 vCPU / 32 GiB", () => {
        const { code, stdout } = runs["awsProd"]!;
        assert.equal(code, 0);
        const document = JSON.parse(stdout);
        assert.deepEqual([document.stack, document.cloud, document.environment], ["prod", "aws", "prod"]);
        assert.deepEqual(Object.keys(document), ["stack", "cloud", "environment", "resources", "outputs", "simulatedOutputs", "policy", "estimate", "budget", "warnings"]);
        const nodeGroup = document.resources.find((r: any) => r.type === "aws:eks/nodeGroup:NodeGroup");
        assert.deepEqual(nodeGroup.inputs.scalingConfig, { minSize: 5, maxSize: 15, desiredSize: 5 });
        assert.deepEqual(nodeGroup.inputs.instanceTypes, ["m7i.2xlarge"]);
        assert.equal(document.resources.filter((r: any) => r.type === "aws:ec2/subnet:Subnet").length, 9);
        assert.ok(document.resources.some((r: any) => r.type === "aws:ec2/vpc:Vpc"));
        assert.deepEqual(document.outputs.zones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        assert.equal(document.outputs.kubeconfig, "[secret]");
    });

    it("prints the prod JSON document for Azure with --cloud azure", () => {
        const { code, stdout } = runs["azureProd"]!;
        assert.equal(code, 0);
        const document = JSON.parse(stdout);
        assert.deepEqual([document.stack, document.cloud, document.environment], ["prod", "azure", "prod"]);
        const pool = document.resources.find((r: any) => r.type === "azure-native:containerservice:AgentPool");
        assert.deepEqual([pool.inputs.minCount, pool.inputs.maxCount, pool.inputs.vmSize], [5, 15, "Standard_D8s_v5"]);
        assert.deepEqual(pool.inputs.availabilityZones, ["1", "2", "3"]);
        assert.ok(document.resources.some((r: any) => r.type === "azure-native:network:VirtualNetwork"));
    });

    it("prints a readable table for dev", () => {
        const { code, stdout } = runs["devTable"]!;
        assert.equal(code, 0);
        assert.match(stdout, /^Stack dev: aws, environment dev, \d+ resources to create/);
        assert.match(stdout, /NAME\s+TYPE/);
        assert.match(stdout, /cluster-eks\s+aws:eks\/cluster:Cluster\n/);
        assert.match(stdout, /kubeconfig\s+\[secret\]/);
        assert.match(stdout, /\nWARNINGS\nplatform:budget\.alertEmails\.0: "platform-team@example\.com" is a documentation address/);
    });

    it("stops a broken stack file with one line naming the key, and exit code 1", () => {
        const { code, stdout, stderr } = runs["broken"]!;
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.equal(stderr, "error: invalid configuration: platform:cluster.nodes.min: 6 is greater than max (5)\n");
    });

    it("names a missing stack file", () => {
        assert.equal(runs["missing"]!.code, 1);
        assert.match(runs["missing"]!.stderr, /^error: Pulumi\.no-such-stack\.yaml not found in /);
    });

    it("opens the table with a summary, and estimates the first up from the dependency graph", async () => {
        assert.match(
            runs["devTable"]!.stdout,
            /^SUMMARY\nresources     .*cluster \d+.*\nsizes         nodes m7i\.large, database db\.t4g\.small, cache cache\.t4g\.medium\nmonthly cost  \$\d+–\$\d+ at minimum–maximum scale, budget \$500: over at minimum scale \(--cost\)\nfirst up      about \d+ min, mostly .*cluster-eks/m,
        );
        const estimate = JSON.parse(runs["awsProd"]!.stdout).estimate.firstUp;
        assert.ok(estimate.seconds > 15 * 60 && estimate.seconds < 40 * 60, `${estimate.seconds} s`);
        assert.ok(estimate.chain.some((step: { type: string }) => step.type === "aws:eks/cluster:Cluster"), "the cluster is on the longest chain");
        const timeline = await plan("prod", "--timeline");
        assert.match(timeline.stdout, /^First up of prod on aws: about [\d.]+ min/);
        assert.match(timeline.stdout, /done at .* cluster-eks \(aws:eks\/cluster:Cluster\)/);
    });

    it("shows the monthly cost by component next to the budget, what it assumes and leaves out, and every line with --cost", async () => {
        const table = runs["devTable"]!.stdout;
        assert.match(table, /^MONTHLY COST \(USD, eu-west-1 list prices gathered \d{4}-\d{2}-\d{2}; \d+ lines at approximate prices, see --cost\)\ncluster +\$\d+–\$\d+\n/m);
        assert.match(table, /^total +\$\d+–\$\d+ \(budget \$500\)\nassumed: 50 GiB of objects, .*\nnot estimated: .*internet/m);
        const document = JSON.parse(runs["awsProd"]!.stdout);
        assert.equal(document.budget.monthlyUsd, 10000);
        const cost = document.estimate.monthlyUsd;
        assert.ok(cost.min < cost.max && cost.max < document.budget.monthlyUsd, `${cost.min}–${cost.max}`);
        assert.deepEqual(Object.keys(cost.byComponent).sort(), ["cache", "cluster", "database", "kubernetes", "network", "registry", "secrets", "storage"]);
        const lines = await plan("prod", "--cost");
        assert.equal(lines.code, 0, lines.stderr);
        assert.match(lines.stdout, /^Monthly cost of prod on aws: \$[\d,]+–\$[\d,]+ at minimum–maximum scale \(lib\/cost\/prices\/aws\.json, eu-west-1/);
        assert.match(lines.stdout, /\$[\d,]+–\$[\d,]+ +cluster \/ cluster-nodes-workload: 5-15 × m7i\.2xlarge \[ec2:m7i\.2xlarge\]\n/);
        assert.match(lines.stdout, /unknown +storage \/ storage-replica: 1000 GiB of objects \(assumed\) \[s3:standard\] +\(no price for "s3:standard" in eu-central-1\)/);
    });

    it("marks the outputs only the real cloud can know as simulated, and no other", () => {
        const table = runs["devTable"]!.stdout;
        for (const simulated of ["clusterEndpoint", "databaseHost", "cacheHost", "registryUrl", "networkId", "dnsNameServers", "oidcIssuerUrl"]) {
            assert.match(table, new RegExp(`^${simulated} .*  \\(simulated\\)$`, "m"), simulated);
        }
        for (const configured of ["clusterName", "region", "nodeSku", "databaseName", "dnsZone", "workloadNamespaces", "budgetMonthlyUsd"]) {
            assert.match(table, new RegExp(`^${configured} .*[^)]$`, "m"), configured);
        }
        assert.deepEqual(JSON.parse(runs["azureProd"]!.stdout).simulatedOutputs.filter((name: string) => ["gatewayAddress", "clusterEndpoint", "region", "clusterName"].includes(name)), ["clusterEndpoint", "gatewayAddress"]);
    });

    it("writes the JSON document to --out, keeping the table on stdout, and ends quietly when the reader closes the pipe", async () => {
        const out = path.join(tmpdir(), `plan-${process.pid}.json`);
        try {
            const run = await plan("dev", "--out", out);
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /^POLICY: /m, "the table");
            assert.equal(JSON.parse(readFileSync(out, "utf8")).stack, "dev");
        } finally {
            rmSync(out, { force: true });
        }
        // `npm run -s plan -- dev --json | head -c 1`: the pipe closes after the first byte.
        const piped = spawnSync("sh", ["-c", `"${process.execPath}" tools/plan.ts dev --json | head -c 1`], { cwd: projectRoot, encoding: "utf8" });
        assert.equal(piped.stdout, "{");
        assert.equal(piped.stderr, "", "no stack trace for the closed pipe");
    });

    it("rejects an unknown cloud with exit code 2", () => {
        assert.equal(runs["badArgs"]!.code, 2);
        assert.equal(runs["badArgs"]!.stderr, `error: --cloud must be "aws" or "azure", got "gcp"\n`);
    });
});
