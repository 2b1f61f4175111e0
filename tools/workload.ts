/**
 * `npm run workload -- <command>`: adds, lists and removes a stack's `platform:workloads`
 * entries, and prints the patterns they pick from. `create` validates the new entry with the
 * real schema (the pattern engine refuses bad combinations) and prints what the offline plan
 * adds for it; the stack file keeps its comments and layout and is replaced atomically.
 * Exit codes: 0 done, 1 refused (one line on stderr, file untouched), 2 bad arguments.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { patternLibrary, patternNames } from "../config/patterns.ts";
import { parsePlatformConfig } from "../config/schema.ts";
import { readStackFile, PlanInputError, type StackFile } from "./stack-file.ts";
import {
    addWorkload, parseCommandLine, parseStackDocument, planDelta, platformValues, removeWorkload, stackText, UsageError,
    WorkloadError, workloadsOf, writeAtomically, type CommandLine,
} from "./workload-file.ts";

const projectRoot = path.resolve(import.meta.dirname, "..");

const usage = [
    "usage: npm run workload -- <command>",
    "  create <name> --pattern <pattern> --stack <stack> --image <image> [--cloud aws|azure] [--host <host>]",
    "         [--namespace <namespace>] [--size small|medium|large] [--stack-dir <dir>]",
    "         [--migrate \"<command>\"] (data_api) [--schema <file.avsc>] [--partitions <n>] (event_processor)",
    "      adds the workload to Pulumi.<stack>.yaml and prints what the plan adds for it;",
    "      --image is required and must be pinned by digest (…@sha256:<digest>) outside dev;",
    "      --cloud only changes the cloud the entry is validated and planned for, not the file",
    "  patterns                   the patterns a workload picks from",
    "  list <stack> [--stack-dir <dir>]",
    "  remove <name> --stack <stack> [--stack-dir <dir>]",
    "      removing the last workload leaves `platform:workloads: []`",
    "--stack-dir: where Pulumi.<stack>.yaml lives (default: the project)",
    "exit codes: 0 done, 1 refused (the stack file is left as it was), 2 bad arguments",
].join("\n");

/** Errors that are bad input, printed as one line; anything else is a bug and keeps its stack trace. */
const refusals = ["WorkloadError", "ConfigError", "PlanInputError", "PlanConfigError"];

async function main(argv: string[]): Promise<number> {
    try {
        const commandLine = parseCommandLine(argv);
        if (commandLine.help) {
            process.stdout.write(`${usage}\n`);
            return 0;
        }
        const commands: Record<string, (commandLine: CommandLine) => Promise<void>> = { create, patterns, list, remove };
        await commands[commandLine.command]!(commandLine);
        return 0;
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`error: ${error.message}\n${usage}\n`);
            return 2;
        }
        const errno = error as NodeJS.ErrnoException;
        if (error instanceof Error && (refusals.includes(error.name) || (typeof errno.code === "string" && errno.syscall))) {
            process.stderr.write(`error: ${error.message.replace(/\s*\n\s*/g, " ")}\n`);
            return 1;
        }
        throw error;
    }
}

interface OpenStack {
    /** The file's path, and how messages name it. */
    readonly file: string;
    readonly shown: string;
    readonly text: string;
    readonly stackFile: StackFile;
}

function openStack(stack: string, stackDir: string | undefined): OpenStack {
    if (!/^[\w.-]+$/.test(stack)) {
        throw new PlanInputError(`"${stack}" is not a stack name`);
    }
    const shown = path.join(stackDir ?? "", `Pulumi.${stack}.yaml`);
    // Reads and checks the file the way the plan does (missing file, bad YAML → one line).
    const stackFile = readStackFile(projectRoot, stack, stackDir ?? projectRoot);
    const file = path.resolve(stackDir ?? projectRoot, `Pulumi.${stack}.yaml`);
    return { file, shown, text: readFileSync(file, "utf8"), stackFile };
}

async function create({ argument: name, values }: CommandLine): Promise<void> {
    const stack = values.stack!;
    if (values.image === undefined) {
        throw new WorkloadError(`--image is required: the container image to run, pinned by digest outside dev (registry/repository@sha256:<digest>)`);
    }
    const opened = openStack(stack, values["stack-dir"]);
    const document = parseStackDocument(opened.text, opened.shown);
    const entry = {
        name,
        pattern: values.pattern,
        image: values.image,
        ...(values.host !== undefined ? { host: values.host } : {}),
        ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
        ...(values.size !== undefined ? { size: values.size } : {}),
        // A data_api's migration command, split on spaces: `--migrate "/app/migrate up"`.
        ...(values.migrate !== undefined ? { migrations: { command: values.migrate.split(/\s+/).filter(Boolean) } } : {}),
        // An event_processor's Avro schema file and partitions.
        ...(values.schema !== undefined || values.partitions !== undefined
            ? {
                events: {
                    ...(values.partitions !== undefined ? { partitions: Number(values.partitions) } : {}),
                    ...(values.schema !== undefined ? { schema: { format: "avro", definition: readFileSync(values.schema, "utf8") } } : {}),
                },
            }
            : {}),
    };
    addWorkload(document, opened.shown, entry);
    const workloads = workloadsOf(document, opened.shown);
    // The real schema on the whole stack: the entry's keys, then the pattern engine's rules against the stack.
    parsePlatformConfig({ ...platformValues(opened.stackFile.config), workloads, ...(values.cloud ? { cloud: values.cloud } : {}) });

    // Plan before writing: a configuration the program refuses never reaches the file. Loaded late, so refusals stay fast.
    const { evaluateStack } = await import("./offline/evaluate.ts");
    const options = { stack, cloud: values.cloud, stackFileDir: values["stack-dir"] ?? projectRoot };
    const before = await evaluateStack(options);
    const after = await evaluateStack({ ...options, configOverrides: { [`${opened.stackFile.project}:workloads`]: workloads } });
    if (readFileSync(opened.file, "utf8") !== opened.text) {
        throw new WorkloadError(`${opened.shown} changed while the plan ran; run the command again`);
    }
    writeAtomically(opened.file, stackText(opened.text, document));

    const delta = planDelta(before, after);
    const total = [...delta.added.values()].reduce((sum, count) => sum + count, 0);
    const width = String(Math.max(0, ...delta.added.values())).length;
    const lines = [
        `Added workload "${name}" (${values.pattern}) to ${opened.shown}.`,
        `The plan of stack ${stack} (${after.cloud}, environment ${after.environment}) adds ${count(total, "resource")} for it:`,
        ...[...delta.added].map(([type, count]) => `  ${String(count).padStart(width)}  ${type}`),
        ...(delta.changed.length > 0 ? [`It also changes ${count(delta.changed.length, "resource")} already in the plan: ${delta.changed.join(", ")}`] : []),
        ...(delta.monthlyCost ? [`Estimated monthly cost: ${usd(delta.monthlyCost.after - delta.monthlyCost.before)} (${usd(delta.monthlyCost.before)} → ${usd(delta.monthlyCost.after)})`] : []),
        ...(delta.violations.length > 0 ? ["New policy findings:", ...delta.violations.map((line) => `  ${line}`)] : []),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
}

function count(amount: number, noun: string): string {
    return `${amount} ${noun}${amount === 1 ? "" : "s"}`;
}

function usd(amount: number): string {
    return `${amount < 0 ? "-" : ""}$${Math.abs(amount).toFixed(2)}`;
}

async function patterns(): Promise<void> {
    const width = Math.min(process.stdout.columns ?? 100, 100) - 4;
    const lines: string[] = [];
    for (const name of patternNames) {
        const pattern = patternLibrary.patterns[name];
        const size = patternLibrary.sizes[pattern.size];
        const replicas = Object.entries(pattern.replicas).map(([environment, range]) => `${environment} ${range.min}-${range.max}`).join(", ");
        lines.push(
            name,
            ...wrap(pattern.purpose, width).map((line) => `  ${line}`),
            `  brings:   ${pattern.brings.join(", ")}`,
            `  defaults: port ${pattern.port}, size ${pattern.size} (${size.cpu} vCPU, ${size.memoryMiB} MiB), replicas ${replicas}`,
            `  keys:     ${Object.entries(pattern.rules).map(([key, rule]) => `${key} ${rule}`).join(", ")}`,
            "",
        );
    }
    process.stdout.write(lines.join("\n"));
}

function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    for (const word of text.split(/\s+/)) {
        const last = lines.length - 1;
        if (last >= 0 && lines[last]!.length + 1 + word.length <= width) {
            lines[last] += ` ${word}`;
        } else {
            lines.push(word);
        }
    }
    return lines;
}

async function list({ argument: stack, values }: CommandLine): Promise<void> {
    const opened = openStack(stack, values["stack-dir"]);
    // The engine resolves what the entries leave out: namespace, host, replicas for the environment.
    const config = parsePlatformConfig(platformValues(opened.stackFile.config));
    if (config.workloads.length === 0) {
        process.stdout.write(`${opened.shown} lists no workloads\n`);
        return;
    }
    const rows = [
        ["NAME", "PATTERN", "NAMESPACE", "HOST", "REPLICAS"],
        ...config.workloads.map((workload) => [workload.name, workload.pattern, workload.namespace, workload.route?.host ?? "-", `${workload.replicas.min}-${workload.replicas.max}`]),
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    process.stdout.write(`${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n")}\n`);
}

async function remove({ argument: name, values }: CommandLine): Promise<void> {
    const opened = openStack(values.stack!, values["stack-dir"]);
    const document = parseStackDocument(opened.text, opened.shown);
    removeWorkload(document, opened.shown, name);
    writeAtomically(opened.file, stackText(opened.text, document));
    process.stdout.write(`Removed workload "${name}" from ${opened.shown}.\n`);
}

process.exitCode = await main(process.argv.slice(2));
