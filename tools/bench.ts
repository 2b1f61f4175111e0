/**
 * `npm run bench`: wall time and peak memory of the offline plan for every stack × cloud,
 * next to the floor — Node alone loading exactly the SDK module files that plan loaded.
 * Targets: plan within 2 × the floor and under 300 MiB, also for prod with ten workloads.
 * Progress goes to stderr as each case finishes; the table to stdout. Exits 1 when a target is missed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { projectRoot } from "./offline/evaluate.ts";

const stacks = ["dev", "staging", "prod"];
const clouds = ["aws", "azure"];
const runs = 3;
const targets = { ratio: 2, peakMiB: 300 };

/** Preloaded into each measured process: at exit, report peak RSS and the SDK files loaded. */
const probe = `data:text/javascript,${encodeURIComponent(`
import { writeSync } from "node:fs";
import { createRequire } from "node:module";
const cache = createRequire(process.cwd() + "/").cache;
process.on("exit", () => writeSync(3, JSON.stringify({
    peakKiB: process.resourceUsage().maxRSS,
    modules: Object.keys(cache).filter((file) => file.includes("/node_modules/")),
})));
`)}`;

interface Sample {
    readonly seconds: number;
    readonly peakMiB: number;
    readonly modules: string[];
}

function measure(args: string[]): Sample {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ["--import", probe, ...args], {
        cwd: projectRoot,
        stdio: ["ignore", "ignore", "pipe", "pipe"],
        maxBuffer: 64 << 20,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (child.status !== 0) {
        throw new Error(`node ${args.join(" ")} failed: ${child.stderr.toString()}`);
    }
    const report = JSON.parse(child.output[3]!.toString()) as { peakKiB: number; modules: string[] };
    return { seconds, peakMiB: report.peakKiB / 1024, modules: report.modules };
}

function median(samples: Sample[]): Sample {
    const sorted = [...samples].sort((a, b) => a.seconds - b.seconds);
    return sorted[Math.floor(sorted.length / 2)]!;
}

/** `npm run plan`'s own Node flags and script, so the bench measures exactly what people run. */
const planCommand = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")).scripts.plan as string)
    .split(/\s+/)
    .slice(1);

const scratch = mkdtempSync(path.join(tmpdir(), "platform-bench-"));

/** Prod with ten workloads, five of each pattern, as a busy team's stack would carry. */
function tenWorkloadStackDir(): string {
    const document = YAML.parseDocument(readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8"));
    const digest = `@sha256:${"5e".repeat(32)}`;
    document.setIn(["config", "platform:workloads"], Array.from({ length: 10 }, (_, index) => ({
        name: `service-${index}`,
        pattern: index % 2 === 0 ? "web_api" : "background_worker",
        image: `ghcr.io/acme/service-${index}${digest}`,
        secrets: ["openai-api-key"],
    })));
    const dir = path.join(scratch, "ten-workloads");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "Pulumi.prod.yaml"), document.toString());
    return dir;
}

const cases = [
    ...stacks.map((stack) => ({ label: stack, stack, flags: [] as string[] })),
    { label: "prod + 10 workloads", stack: "prod", flags: ["--stack-dir", tenWorkloadStackDir()] },
];
const rows: string[][] = [["stack", "cloud", "plan", "peak", "floor", "floor peak", "plan/floor", "targets"]];
let missed = 0;
const total = cases.length * clouds.length;
for (const { label, stack, flags } of cases) {
    for (const cloud of clouds) {
        process.stderr.write(`bench: ${rows.length}/${total} ${label} on ${cloud}: ${runs} plans and ${runs} floors…\n`);
        const plan = median(Array.from({ length: runs }, () => measure([...planCommand, stack, "--cloud", cloud, "--json", ...flags])));
        const moduleList = path.join(scratch, `${label.replace(/\W+/g, "-")}-${cloud}.json`);
        writeFileSync(moduleList, JSON.stringify(plan.modules));
        const floor = median(Array.from({ length: runs }, () =>
            measure(["-e", `for (const file of require(${JSON.stringify(moduleList)})) require(file);`])));
        const ratio = plan.seconds / floor.seconds;
        const met = ratio <= targets.ratio && plan.peakMiB < targets.peakMiB;
        missed += met ? 0 : 1;
        rows.push([
            label,
            cloud,
            `${plan.seconds.toFixed(2)} s`,
            `${plan.peakMiB.toFixed(0)} MiB`,
            `${floor.seconds.toFixed(2)} s`,
            `${floor.peakMiB.toFixed(0)} MiB`,
            `${ratio.toFixed(2)}x`,
            met ? "met" : "MISSED",
        ]);
    }
}

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
process.stdout.write(`node ${planCommand.join(" ")} <stack> --cloud <cloud> --json: median of ${runs} runs, node ${process.version}\n`);
process.stdout.write(`floor: node loading the same SDK module files; targets: <= ${targets.ratio}x floor, < ${targets.peakMiB} MiB\n\n`);
for (const row of rows) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")}\n`);
}
if (missed > 0) {
    process.stderr.write(`bench: ${missed} of ${total} cases missed a target\n`);
    process.exitCode = 1;
}
