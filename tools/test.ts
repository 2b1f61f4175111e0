/**
 * `npm test` runs every tier of tests/; `npm run test:<tier>` runs one (arguments after it go to
 * mocha): unit (pure tables), plan (the program under Pulumi's mock runtime, per stack × cloud)
 * and e2e (the real engine and actionlint, which the Go tools build provides).
 *
 * `npm test` type-checks and builds or reuses the Go tools while the unit tier runs, so a unit
 * failure shows without waiting for either; plan and e2e then share one parallel mocha run, the
 * long engine files first. The last line is the total over every run, "N passed, N failed[, N
 * skipped]", which CI reads; a failed type-check or Go build, or a mocha run that ends without its
 * summary, counts as one failure so that line never hides one.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const projectRoot = path.resolve(import.meta.dirname, "..");
const resolve = createRequire(import.meta.url).resolve;
const tiers = ["unit", "plan", "e2e"] as const;
type Tier = (typeof tiers)[number];
/** What tests/support/summary-reporter.cjs prints last. */
const summaryLine = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;

interface Tally {
    passed: number;
    failed: number;
    skipped: number;
}

interface Step {
    readonly name: string;
    readonly tally: Tally;
}

/** Leading arguments name tiers (none: all of them); the rest go to mocha. */
const args = process.argv.slice(2);
const firstOption = args.findIndex((arg) => arg.startsWith("-"));
const selected = args.slice(0, firstOption < 0 ? args.length : firstOption);
const mochaArgs = args.slice(selected.length);
const unknown = selected.filter((arg) => !(tiers as readonly string[]).includes(arg));
if (unknown.length > 0) {
    process.stderr.write(`usage: node tools/test.ts [${tiers.join("|")}]... [mocha options]; unknown tier ${unknown.join(", ")}\n`);
    process.exit(2);
}

/** The tier's test files, in name order. */
function testFiles(tier: Tier): string[] {
    const dir = path.join("tests", tier);
    return readdirSync(path.join(projectRoot, dir)).filter((file) => file.endsWith(".test.ts")).sort().map((file) => path.join(dir, file));
}

/** Runs a Node script in the project; resolves with its exit code. Its stdout goes through `onLine` when given. */
function run(argv: readonly string[], onLine?: (line: string) => void): Promise<number> {
    return new Promise((done) => {
        const child = spawn(process.execPath, argv, { cwd: projectRoot, stdio: ["ignore", onLine ? "pipe" : "inherit", "inherit"] });
        let pending = "";
        child.stdout?.on("data", (chunk: Buffer) => {
            const lines = (pending + chunk.toString()).split("\n");
            pending = lines.pop()!;
            lines.forEach((line) => onLine!(line));
        });
        child.on("error", (error) => {
            process.stderr.write(`${argv[0]}: ${error.message}\n`);
            done(1);
        });
        child.on("close", (code) => {
            if (pending) {
                onLine!(pending);
            }
            done(code ?? 1);
        });
    });
}

/** One mocha run over `files`; its summary line is held back for the total. */
async function mocha(name: string, files: readonly string[]): Promise<Step> {
    let tally: Tally | undefined;
    const color = process.stdout.isTTY ? ["--color"] : [];
    const code = await run([resolve("mocha/bin/mocha.js"), ...color, ...mochaArgs, ...files], (line) => {
        const summary = summaryLine.exec(line);
        if (summary) {
            tally = { passed: Number(summary[1]), failed: Number(summary[2]), skipped: Number(summary[3] ?? 0) };
        } else {
            process.stdout.write(`${line}\n`);
        }
    });
    if (!tally) {
        process.stdout.write(`${name}: mocha exited ${code} without a summary\n`);
        return { name, tally: { passed: 0, failed: 1, skipped: 0 } };
    }
    return { name, tally: code !== 0 && tally.failed === 0 ? { ...tally, failed: 1 } : tally };
}

/** A step that passes or fails as a whole; with `quiet`, its output shows only when it fails. */
async function check(name: string, argv: readonly string[], quiet: boolean): Promise<Step> {
    const output: string[] = [];
    const code = await run(argv, quiet ? (line) => output.push(line) : undefined);
    if (code !== 0) {
        process.stdout.write(`${output.map((line) => `${line}\n`).join("")}${name} failed (exit ${code})\n`);
    }
    return { name, tally: { passed: 0, failed: code === 0 ? 0 : 1, skipped: 0 } };
}

const goTools = () => check("go tools", ["tools/go/build.ts"], false);
const checks: Promise<Step>[] = [];
const tests: Step[] = [];
if (selected.length === 0) {
    // Incremental: a warm run re-checks only what changed (the build info lives in node_modules/.cache).
    const typeCheck = [resolve("typescript/bin/tsc"), "--noEmit", "--incremental", "--tsBuildInfoFile", "node_modules/.cache/platform/tsbuildinfo"];
    checks.push(check("type-check", typeCheck, true), goTools());
    tests.push(await mocha("unit", testFiles("unit")));
    await checks[1];
    // One pool of workers for both, the engine files first: they are the longest, and the plan files fill in behind them.
    tests.push(await mocha("plan and e2e", [...testFiles("e2e"), ...testFiles("plan")]));
} else {
    for (const tier of tiers.filter((name) => selected.includes(name))) {
        if (tier === "e2e") {
            checks.push(goTools());
            await checks.at(-1);
        }
        tests.push(await mocha(tier, testFiles(tier)));
    }
}

const results = [...(await Promise.all(checks)), ...tests];
const line = ({ passed, failed, skipped }: Tally) => `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
const total = results.reduce((sum, { tally }) => ({ passed: sum.passed + tally.passed, failed: sum.failed + tally.failed, skipped: sum.skipped + tally.skipped }), { passed: 0, failed: 0, skipped: 0 });
const breakdown = tests.length > 1 ? `${tests.map(({ name, tally }) => `${name}: ${line(tally)}`).join("\n")}\n\n` : "";
process.stdout.write(`${breakdown}${line(total)}\n`);
process.exitCode = total.failed > 0 ? 1 : 0;
