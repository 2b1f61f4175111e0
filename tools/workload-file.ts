/**
 * Pure helpers of `npm run workload` (tools/workload.ts): its command line, the edits to a
 * stack file's `platform:workloads` list (on the YAML document, so comments, key order and
 * formatting survive), the atomic write, and what a plan adds.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import YAML, { isMap, isScalar, isSeq, type Document, type YAMLMap, type YAMLSeq } from "yaml";
import { configNamespace } from "../config/errors.ts";
import { namespaceValues } from "../config/values.ts";
import type { PlanReport } from "./offline/evaluate.ts";

/** Bad input the command refuses with one line and exit code 1. */
export class WorkloadError extends Error {
    override name = "WorkloadError";
}

/** Bad arguments: usage and exit code 2. */
export class UsageError extends Error {
    override name = "UsageError";
}

const options = {
    pattern: { type: "string" }, stack: { type: "string" }, cloud: { type: "string" }, image: { type: "string" },
    host: { type: "string" }, namespace: { type: "string" }, size: { type: "string" }, "stack-dir": { type: "string" },
    migrate: { type: "string" }, schema: { type: "string" }, partitions: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** Each command's one positional argument and the options it takes. */
const commands: Record<string, { readonly positional?: string; readonly options: readonly string[]; readonly required?: readonly string[] }> = {
    create: {
        positional: "name",
        options: ["pattern", "stack", "cloud", "image", "host", "namespace", "size", "stack-dir", "migrate", "schema", "partitions"],
        required: ["pattern", "stack"],
    },
    patterns: { options: [] },
    list: { positional: "stack", options: ["stack-dir"] },
    remove: { positional: "name", options: ["stack", "stack-dir"], required: ["stack"] },
};

export interface CommandLine {
    readonly command: string;
    /** The command's positional argument (a workload or stack name). */
    readonly argument: string;
    readonly values: Partial<Record<Exclude<keyof typeof options, "help">, string>>;
    readonly help: boolean;
}

/** Splits the arguments; anything missing, unknown or out of place is a `UsageError`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const { help = false, ...values } = parsed.values;
    const [command = "", argument = "", ...extra] = parsed.positionals;
    if (help && command === "") {
        return { command, argument, values: {}, help };
    }
    const spec = commands[command];
    if (!spec) {
        throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
    }
    const foreign = Object.keys(values).find((key) => !spec.options.includes(key));
    if (foreign) {
        throw new UsageError(`${command} takes no --${foreign}`);
    }
    if (extra.length > 0 || (argument !== "" && !spec.positional)) {
        throw new UsageError(`unexpected argument "${extra[0] ?? argument}"`);
    }
    if (!help && spec.positional && argument === "") {
        throw new UsageError(`${command} needs <${spec.positional}>`);
    }
    const missing = help ? undefined : spec.required?.find((key) => values[key as keyof typeof values] === undefined);
    if (missing) {
        throw new UsageError(`${command} needs --${missing}`);
    }
    if (values.cloud !== undefined && values.cloud !== "aws" && values.cloud !== "azure") {
        throw new UsageError(`--cloud must be "aws" or "azure", got "${values.cloud}"`);
    }
    return { command, argument, values, help };
}

/** The stack's `platform:` values (namespace stripped), decoded as the program decodes them. */
export function platformValues(config: Record<string, string>): Record<string, unknown> {
    return namespaceValues(config, configNamespace);
}

/** Parses a stack file for editing; a syntax error is one line naming the file and line. */
export function parseStackDocument(text: string, file: string): Document {
    const document = YAML.parseDocument(text);
    const error = document.errors[0];
    if (error) {
        const line = error.linePos?.[0]?.line;
        throw new WorkloadError(`${file}${line ? ` line ${line}` : ""}: ${error.message.split("\n")[0]}`);
    }
    return document;
}

/**
 * The text to write back. The printer re-pads flow collections (`[a]` → `[ a ]`) and the like,
 * so every line outside the edit is taken from `original`, as long as the result still reads
 * as the edited document; otherwise the printed text (same data and comments) is written.
 */
export function stackText(original: string, document: Document): string {
    const options = { lineWidth: 0 };
    const edited = document.toString(options);
    const [before, printed, after] = [original, YAML.parseDocument(original).toString(options), edited].map((text) => text.split("\n")) as [string[], string[], string[]];
    if (before.length !== printed.length) {
        return edited;
    }
    let start = 0;
    while (start < printed.length && start < after.length && printed[start] === after[start]) {
        start++;
    }
    let end = 0;
    while (end < printed.length - start && end < after.length - start && printed[printed.length - 1 - end] === after[after.length - 1 - end]) {
        end++;
    }
    const merged = [...before.slice(0, start), ...after.slice(start, after.length - end), ...before.slice(before.length - end)].join("\n");
    try {
        return isDeepStrictEqual(YAML.parse(merged), YAML.parse(edited)) ? merged : edited;
    } catch {
        return edited;
    }
}

/** The `config:` mapping, created when `create` is set and the file has none. */
function configMap(document: Document, file: string, create: boolean): YAMLMap | undefined {
    if (document.contents === null && create) {
        document.contents = document.createNode({}) as unknown as typeof document.contents;
    }
    if (!isMap(document.contents)) {
        throw new WorkloadError(`${file}: the file must be a mapping with a "config" key`);
    }
    const config = document.contents.get("config", true);
    if ((config === undefined || (isScalar(config) && config.value === null)) && create) {
        const created = document.createNode({}) as YAMLMap;
        document.contents.set("config", created);
        return created;
    }
    if (config === undefined || (isScalar(config) && config.value === null)) {
        return undefined;
    }
    if (!isMap(config)) {
        throw new WorkloadError(`${file}: "config" must be a mapping of keys to values`);
    }
    return config;
}

/** The key holding the list: `platform:workloads`, or bare `workloads` (which the stack-file reader also accepts). */
function workloadsKey(config: YAMLMap): string {
    return [`${configNamespace}:workloads`, "workloads"].find((key) => config.has(key)) ?? `${configNamespace}:workloads`;
}

/** The `platform:workloads` list, or undefined when the key is missing or empty. */
function workloadsSeq(config: YAMLMap | undefined, file: string): YAMLSeq | undefined {
    const node = config?.get(workloadsKey(config), true);
    if (node === undefined || (isScalar(node) && node.value === null)) {
        return undefined;
    }
    if (!isSeq(node)) {
        throw new WorkloadError(`${file}: ${configNamespace}:workloads must be a list`);
    }
    return node;
}

/** The entries as plain data, in file order. */
export function workloadsOf(document: Document, file: string): Record<string, unknown>[] {
    return (workloadsSeq(configMap(document, file, false), file)?.toJSON() ?? []) as Record<string, unknown>[];
}

/** Appends `entry` to the list; the key is added at the end of `config:` when missing. */
export function addWorkload(document: Document, file: string, entry: Record<string, unknown>): void {
    const config = configMap(document, file, true)!;
    const seq = workloadsSeq(config, file);
    if (seq) {
        // `[]` (what `remove` leaves) turns back into a block list.
        seq.flow = false;
        seq.items.push(document.createNode(entry));
    } else {
        config.set(workloadsKey(config), document.createNode([entry]));
    }
}

/** Drops the entry named `name`; the last one leaves `platform:workloads: []`. */
export function removeWorkload(document: Document, file: string, name: string): void {
    const seq = workloadsSeq(configMap(document, file, false), file);
    const index = seq?.items.findIndex((item) => isMap(item) && item.get("name") === name) ?? -1;
    if (!seq || index < 0) {
        const names = workloadsOf(document, file).map((entry) => String(entry["name"]));
        throw new WorkloadError(`${file} has no workload "${name}" (${names.length > 0 ? `workloads: ${names.join(", ")}` : "it lists none"})`);
    }
    seq.items.splice(index, 1);
}

/** Replaces `file` in one step: a reader sees the old text or the new, never half of it. */
export function writeAtomically(file: string, text: string): void {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
        const descriptor = openSync(temporary, "w", statSync(file).mode);
        try {
            writeSync(descriptor, text);
            fsyncSync(descriptor);
        } finally {
            closeSync(descriptor);
        }
        renameSync(temporary, file);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
    }
}

export interface PlanDelta {
    /** Type → how many resources of it only the later plan has. */
    readonly added: ReadonlyMap<string, number>;
    /** Logical names of resources both plans have, with different inputs. */
    readonly changed: readonly string[];
    /** Policy findings only the later plan has, one line each. */
    readonly violations: readonly string[];
    /** Estimated monthly cost before and after, when the plan report carries one. */
    readonly monthlyCost?: { readonly before: number; readonly after: number };
}

/** What `after` adds to `before`: resources keyed by type and logical name. */
export function planDelta(before: PlanReport, after: PlanReport): PlanDelta {
    const key = (resource: PlanReport["resources"][number]) => `${resource.type}::${resource.name}`;
    const inputs = new Map(before.resources.map((resource) => [key(resource), JSON.stringify(resource.inputs)]));
    const added = new Map<string, number>();
    const changed: string[] = [];
    for (const resource of after.resources) {
        const previous = inputs.get(key(resource));
        if (previous === undefined) {
            added.set(resource.type, (added.get(resource.type) ?? 0) + 1);
        } else if (previous !== JSON.stringify(resource.inputs)) {
            changed.push(resource.name);
        }
    }
    const finding = (violation: PlanReport["policy"][number]) => `${violation.enforcement} ${violation.rule}: ${violation.message}`;
    const known = new Set(before.policy.map(finding));
    const [costBefore, costAfter] = [monthlyCost(before), monthlyCost(after)];
    return {
        added: new Map([...added].sort(([a], [b]) => a.localeCompare(b))),
        changed,
        violations: after.policy.map(finding).filter((line) => !known.has(line)),
        ...(costBefore !== undefined && costAfter !== undefined ? { monthlyCost: { before: costBefore, after: costAfter } } : {}),
    };
}

/** The plan report has no cost estimate yet; read one if a later report adds `estimatedMonthlyCostUsd`. */
function monthlyCost(report: PlanReport): number | undefined {
    const value = (report as PlanReport & { estimatedMonthlyCostUsd?: unknown }).estimatedMonthlyCostUsd;
    return typeof value === "number" ? value : undefined;
}
