/**
 * `npm run policy -- waivers [--markdown] [--fail-within <days>]`: every waiver of
 * policy/waivers.yaml with its status: active (and days left), expired, or stale (it covers no
 * violation of a stack it names, by that stack's offline plan). `--markdown` prints a table for
 * a CI summary; `--fail-within` exits 1 when a waiver ends within that many days (or has
 * ended), so the nightly run turns red before the rule bites. Exit codes: 0, 1, 2 bad use or a
 * bad waivers file.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../config/errors.ts";
import { loadWaivers } from "../policy/config.ts";
import { covers, waiverStatus, type Waiver } from "../policy/waivers.ts";
import { evaluateStack, projectRoot } from "./offline/evaluate.ts";

const usage = "usage: npm run policy -- waivers [--markdown] [--fail-within <days>]";

interface Listed {
    readonly waiver: Waiver;
    readonly status: string;
    readonly daysLeft: number;
}

function fail(message: string): never {
    process.stderr.write(`policy: ${message}\n`);
    process.exit(2);
}

const [command, ...flags] = process.argv.slice(2);
if (command !== "waivers") {
    fail(command === undefined ? `a command is missing; ${usage}` : `unknown command ${command}; ${usage}`);
}
const markdown = flags.includes("--markdown");
const withinIndex = flags.indexOf("--fail-within");
const failWithin = withinIndex >= 0 ? Number(flags[withinIndex + 1]) : undefined;
if (failWithin !== undefined && !(Number.isInteger(failWithin) && failWithin >= 0)) {
    fail(`--fail-within takes a number of days, got ${JSON.stringify(flags[withinIndex + 1] ?? null)}; ${usage}`);
}
const unknown = flags.find((flag, index) => flag !== "--markdown" && flag !== "--fail-within" && index !== withinIndex + 1);
if (unknown !== undefined) {
    fail(`unknown option ${unknown}; ${usage}`);
}

const today = new Date();
let waivers: Waiver[];
try {
    waivers = loadWaivers(today);
} catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
}

// Each named stack's violations, from its offline plan; one plan per stack.
const stacks = [...new Set(waivers.flatMap((entry) => entry.stacks))];
const violations = new Map<string, { rule: string; type: string; name: string }[] | undefined>();
for (const stack of stacks) {
    violations.set(stack, existsSync(path.join(projectRoot, `Pulumi.${stack}.yaml`)) ? (await evaluateStack({ stack, waivers: [] })).policy : undefined);
}

const listed: Listed[] = waivers.map((waiver) => {
    const { status, daysLeft } = waiverStatus(waiver, today);
    const staleIn = waiver.stacks.filter((stack) => violations.get(stack)?.some((violation) => covers(waiver, stack, violation)) === false);
    const state = status === "expired" ? `expired ${-daysLeft} days ago` : staleIn.length > 0 ? `stale in ${staleIn.join(", ")}` : `active, ${daysLeft} days left`;
    return { waiver, status: state, daysLeft };
});

if (markdown) {
    process.stdout.write([
        "### Policy waivers",
        "",
        ...(listed.length === 0 ? ["None."] : [
            "| Rule | Stacks | Resource | Status | Expires | Approved by | Reason |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            ...listed.map(({ waiver, status }) => `| ${waiver.rule} | ${waiver.stacks.join(", ")} | \`${waiver.resource.type}\` ${waiver.resource.name} | ${status} | ${waiver.expires} | ${waiver.approvedBy} | ${waiver.reason.replaceAll("|", "\\|")} |`),
        ]),
        "",
    ].join("\n"));
} else {
    process.stdout.write(listed.length === 0 ? "no waivers\n" : `${listed.map(({ waiver, status }) =>
        `${waiver.rule}  ${waiver.stacks.join(",")}  ${waiver.resource.type} ${waiver.resource.name}  ${status}  (expires ${waiver.expires}, approved by ${waiver.approvedBy}): ${waiver.reason}`).join("\n")}\n`);
}

const ending = failWithin === undefined ? [] : listed.filter(({ daysLeft }) => daysLeft <= failWithin);
if (ending.length > 0) {
    process.stderr.write(`policy: ${ending.length} waiver(s) end within ${failWithin} days: ${ending.map(({ waiver }) => `${waiver.rule} for ${waiver.resource.name} (${waiver.expires})`).join("; ")}; renew them with a new approval or fix the resources\n`);
    process.exitCode = 1;
}
