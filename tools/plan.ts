/**
 * `npm run plan -- <stack> [--cloud aws|azure] [--json] [--out <file>] [--timeline] [--cost] [--strict]`
 *
 * Evaluates the real program for Pulumi.<stack>.yaml under Pulumi's mock runtime, runs
 * the policy pack over it and prints what it would create, every violation and every
 * placeholder value (`config/placeholders.ts`): a table, or with --json one JSON document
 * on stdout; `--timeline` prints the first `up`'s longest chain instead, `--cost` every line of the monthly cost estimate; `--out <file>` also writes the JSON document there (and, with --json, nothing to stdout). With --strict, placeholder values fail the
 * plan: each is also printed to stderr. A reader that closes the pipe early (`| head`) ends it quietly.
 * Exit codes: 0 planned, 1 invalid configuration or stack file (with --strict, also
 * placeholder values), 2 bad arguments, 3 planned but a mandatory policy is violated.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { hasMandatoryViolation } from "../policy/run.ts";
import { evaluateStack, PlanConfigError } from "./offline/evaluate.ts";
import { renderCostLines, renderJson, renderTable, renderTimeline } from "./offline/report.ts";
import { PlanInputError } from "./stack-file.ts";

const usage = "usage: npm run plan -- <stack> [--cloud aws|azure] [--json] [--out <file>] [--timeline] [--cost] [--strict] [--stack-dir <dir with Pulumi.<stack>.yaml>]";
const exitCodes = [
    "exit codes: 0 planned, 1 invalid configuration or stack file, 2 bad arguments, 3 a mandatory policy is violated",
    "--strict: placeholder values (the plan's warnings) exit 1, ahead of 3; without it they only print",
].join("\n");

async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                cloud: { type: "string" },
                json: { type: "boolean", default: false },
                strict: { type: "boolean", default: false },
                "stack-dir": { type: "string" },
                out: { type: "string" },
                timeline: { type: "boolean", default: false },
                cost: { type: "boolean", default: false },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (error) {
        return fail(2, `${(error as Error).message}\n${usage}`);
    }
    if (parsed.values.help) {
        process.stdout.write(`${usage}\n${exitCodes}\n`);
        return 0;
    }
    const [stack, ...extra] = parsed.positionals;
    if (!stack || extra.length > 0) {
        return fail(2, usage);
    }
    const cloud = parsed.values.cloud;
    if (cloud !== undefined && cloud !== "aws" && cloud !== "azure") {
        return fail(2, `--cloud must be "aws" or "azure", got "${cloud}"`);
    }
    try {
        const report = await evaluateStack({ stack, cloud, stackFileDir: parsed.values["stack-dir"] });
        if (parsed.values.out !== undefined) {
            writeFileSync(parsed.values.out, `${renderJson(report)}\n`);
        }
        if (parsed.values.timeline) {
            process.stdout.write(`${renderTimeline(report)}\n`);
        } else if (parsed.values.cost) {
            process.stdout.write(`${renderCostLines(report)}\n`);
        } else if (parsed.values.out === undefined || !parsed.values.json) {
            process.stdout.write(`${parsed.values.json ? renderJson(report) : renderTable(report)}\n`);
        }
        if (parsed.values.strict && report.warnings.length > 0) {
            for (const warning of report.warnings) {
                process.stderr.write(`error: ${warning}\n`);
            }
            return 1;
        }
        return hasMandatoryViolation(report.policy) ? 3 : 0;
    } catch (error) {
        if (error instanceof PlanConfigError || error instanceof PlanInputError) {
            return fail(1, error.message);
        }
        throw error;
    }
}

function fail(code: number, message: string): number {
    process.stderr.write(`error: ${message}\n`);
    return code;
}

// `npm run -s plan -- prod --json | head`: the reader has what it wanted; no stack trace for the closed pipe.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") {
        throw error;
    }
    process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
