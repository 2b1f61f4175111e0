/**
 * The driver's result: what an operation changed (from the engine's events), which policies
 * it violated and the stack's outputs with secrets masked; as JSON and as a Markdown summary
 * for a pull-request comment.
 */
import { waivedViolationsPolicy } from "../../policy/waivers.ts";
import { typeAndName } from "../urn.ts";
import type { Command } from "./args.ts";
import type { DriverEvent, DriverOutput } from "./driver.ts";

export type CiStatus = "succeeded" | "error" | "policy-failed" | "drift" | "refused" | "locked" | "cancelled";

export const changeKinds = ["create", "update", "replace", "delete"] as const;
export type ChangeKind = (typeof changeKinds)[number];
export type ChangeCounts = Record<ChangeKind, number>;

/**
 * A policy the engine reported; `type` and `name` come from the URN, empty for a stack-wide
 * finding. What a waiver covered comes through the pack's `waived-violations` policy as
 * `<rule>: <message> — waived until …`: it is reported as that rule, `waived`.
 */
export interface EngineViolation {
    readonly rule: string;
    readonly pack: string;
    readonly enforcement: "mandatory" | "advisory" | "waived";
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly message: string;
}

/** One resource the operation creates, updates, replaces or deletes. */
export interface ChangedResource {
    readonly op: ChangeKind;
    readonly type: string;
    readonly name: string;
    /** The changed top-level properties, when the provider reports them. */
    readonly properties: readonly string[];
}

export interface CiResult {
    readonly command: Command;
    readonly stack: string;
    /** `platform:environment` of the stack file, when readable. */
    readonly environment: string | null;
    readonly status: CiStatus;
    readonly exitCode: number;
    readonly startedAt: string;
    readonly durationSeconds: number;
    /** Totals of the last operation, with `same` for unchanged resources; null when none ran. */
    readonly changes: (ChangeCounts & { readonly same: number }) | null;
    readonly changesByType: Record<string, ChangeCounts>;
    readonly changedResources: readonly ChangedResource[];
    readonly policy: readonly EngineViolation[];
    /** Secret values are "[secret]"; null when the command does not read outputs. */
    readonly outputs: Record<string, unknown> | null;
    /** Resources the cloud refused, with its message. */
    readonly failedResources: readonly FailedResource[];
    /** recover: the locks it removed and what it did with each pending operation. */
    readonly recovery?: Recovery | undefined;
    /** Why the run failed, was refused or cancelled: one line. */
    readonly message?: string;
}

/** A resource whose step failed, and the provider's (the cloud's) message. */
export interface FailedResource {
    readonly type: string;
    readonly name: string;
    readonly message: string;
}

export interface Recovery {
    /** Each lock removed: owner, age and why it was stale. */
    readonly removedLocks: readonly string[];
    readonly decisions: readonly { readonly urn: string; readonly operation: string; readonly outcome: string }[];
}

export const secretMask = "[secret]";

/** Collects the events of the operation under way; `begin()` starts the next one (drift runs two). */
export class OperationLog {
    /** Whether any operation began, so that the result reports its changes. */
    started = false;
    readonly violations: EngineViolation[] = [];
    readonly failures: FailedResource[] = [];
    private summary: Readonly<Record<string, number | undefined>> | undefined;
    private byType = new Map<string, ChangeCounts>();
    private changed: ChangedResource[] = [];

    readonly onEvent = (event: DriverEvent): void => {
        if (event.summaryEvent) {
            this.summary = event.summaryEvent.resourceChanges;
        }
        const step = event.resourcePreEvent?.metadata;
        if (step && isChangeKind(step.op)) {
            const counts = this.byType.get(step.type) ?? zeroCounts();
            counts[step.op] += 1;
            this.byType.set(step.type, counts);
            this.changed.push({ op: step.op, type: step.type, name: typeAndName(step.urn).name, properties: [...(step.diffs ?? [])].sort() });
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && diagnostic.severity === "error" && diagnostic.urn) {
            const { type, name } = typeAndName(diagnostic.urn);
            // The engine repeats the failure on the stack; the resource's own line carries the cloud's message.
            if (type !== "pulumi:pulumi:Stack") {
                this.failures.push({ type, name, message: diagnostic.message.replace(/\s+/g, " ").trim().replace(/^error:\s*/, "") });
            }
        }
        const policy = event.policyEvent;
        if (policy) {
            // The engine puts the policy's description on the first line of each message.
            const body = policy.message.trim().split("\n").slice(1).join("\n");
            const waived = policy.policyName === waivedViolationsPolicy ? /^([a-z0-9-]+): ([\s\S]*)$/.exec(body) : null;
            this.violations.push({
                rule: waived ? waived[1]! : policy.policyName,
                pack: policy.policyPackName,
                enforcement: waived ? "waived" : policy.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
                ...typeAndName(policy.resourceUrn ?? ""),
                urn: policy.resourceUrn ?? "",
                message: waived ? waived[2]! : policy.message.trim(),
            });
        }
    };

    begin(): void {
        this.summary = undefined;
        this.byType = new Map();
        this.changed = [];
        this.started = true;
    }

    /** The engine's summary when it sent one (it may not when the CLI fails), else the steps seen. */
    changes(): ChangeCounts & { same: number } {
        const summary = this.summary;
        if (summary) {
            return { ...countsFrom((kind) => summary[kind] ?? 0), same: summary["same"] ?? 0 };
        }
        const types = [...this.byType.values()];
        return { ...countsFrom((kind) => types.reduce((sum, counts) => sum + counts[kind], 0)), same: 0 };
    }

    changesByType(): Record<string, ChangeCounts> {
        return Object.fromEntries([...this.byType].sort(([a], [b]) => a.localeCompare(b)));
    }

    changedResources(): ChangedResource[] {
        return [...this.changed].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    }

    hasChanges(): boolean {
        const changes = this.changes();
        return changeKinds.some((kind) => changes[kind] > 0);
    }
}

export function maskOutputs(outputs: Record<string, DriverOutput>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? secretMask : output.value]));
}

export function renderMarkdown(result: CiResult): string {
    const lines = [
        `### Pulumi \`${result.command}\` of stack \`${result.stack}\`: ${result.status}`,
        "",
        `Environment: ${result.environment ?? "unknown"} · exit code ${result.exitCode} · ${result.durationSeconds.toFixed(1)} s`,
    ];
    if (result.message) {
        lines.push("", `> ${cell(result.message)}`);
    }
    if (result.changes) {
        const { same, ...counts } = result.changes;
        lines.push("", "#### Changes", "", `${changeKinds.map((kind) => `${kind} ${counts[kind]}`).join(" · ")} · unchanged ${same}`);
        const types = Object.entries(result.changesByType);
        if (types.length > 0) {
            lines.push("", "| Resource type | Create | Update | Replace | Delete |", "| --- | ---: | ---: | ---: | ---: |");
            lines.push(...types.map(([type, byKind]) => `| \`${cell(type)}\` | ${changeKinds.map((kind) => byKind[kind]).join(" | ")} |`));
        }
        lines.push(...renderChangedResources(result.changedResources));
    }
    if (result.failedResources.length > 0) {
        lines.push("", "#### Failed", "", "| Resource | Message |", "| --- | --- |");
        lines.push(...result.failedResources.map((failed) => `| \`${cell(failed.type)}\` ${cell(failed.name)} | ${cell(failed.message)} |`));
    }
    if (result.recovery) {
        lines.push("", "#### Recovery", "");
        lines.push(...(result.recovery.removedLocks.length === 0 ? ["No stale lock."] : result.recovery.removedLocks.map((lock) => `- removed the lock of ${cell(lock)}`)));
        lines.push("", ...(result.recovery.decisions.length === 0
            ? ["No pending operation."]
            : ["| Pending | Resource | Outcome |", "| --- | --- | --- |", ...result.recovery.decisions.map((decision) => `| ${decision.operation} | \`${cell(decision.urn)}\` | ${cell(decision.outcome)} |`)]));
    }
    if (result.changes || result.policy.length > 0) {
        lines.push("", "#### Policy violations", "", ...renderPolicy(result.policy));
    }
    if (result.outputs) {
        const entries = Object.entries(result.outputs);
        lines.push("", "#### Outputs", "");
        lines.push(...(entries.length === 0 ? ["None."] : ["| Output | Value |", "| --- | --- |", ...entries.map(([key, value]) => `| ${cell(key)} | ${formatValue(value)} |`)]));
    }
    return `${lines.join("\n")}\n`;
}

/** Updates and replacements name what changes; a new stack's hundreds of creates are left to the totals. */
function renderChangedResources(changed: readonly ChangedResource[]): string[] {
    const modified = changed.filter((resource) => resource.op === "update" || resource.op === "replace");
    if (modified.length === 0) {
        return [];
    }
    const shown = modified.slice(0, maxChangedRows);
    return [
        "",
        "| Change | Resource | Properties |",
        "| --- | --- | --- |",
        ...shown.map((resource) => `| ${resource.op} | \`${cell(resource.type)}\` ${cell(resource.name)} | ${cell(resource.properties.join(", ")) || "–"} |`),
        ...(modified.length > shown.length ? ["", `…and ${modified.length - shown.length} more.`] : []),
    ];
}

const maxChangedRows = 50;

function renderPolicy(violations: readonly EngineViolation[]): string[] {
    if (violations.length === 0) {
        return ["None."];
    }
    const mandatory = violations.filter((violation) => violation.enforcement === "mandatory");
    const waived = violations.filter((violation) => violation.enforcement === "waived");
    const ordered = [...mandatory, ...violations.filter((violation) => violation.enforcement === "advisory"), ...waived];
    return [
        `${mandatory.length} mandatory, ${violations.length - mandatory.length - waived.length} advisory, ${waived.length} waived`,
        "",
        "| Enforcement | Policy | Resource | Message |",
        "| --- | --- | --- | --- |",
        ...ordered.map((violation) => {
            const resource = violation.type ? `\`${cell(violation.type)}\` ${cell(violation.name)}` : "stack";
            return `| ${violation.enforcement} | ${cell(violation.pack)}/${cell(violation.rule)} | ${resource} | ${cell(violation.message)} |`;
        }),
    ];
}

function formatValue(value: unknown): string {
    if (value === secretMask) {
        return secretMask;
    }
    const text = JSON.stringify(value) ?? "undefined";
    return `\`${cell(text.length > 120 ? `${text.slice(0, 119)}…` : text)}\``;
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
    return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function isChangeKind(op: string): op is ChangeKind {
    return (changeKinds as readonly string[]).includes(op);
}

function zeroCounts(): ChangeCounts {
    return countsFrom(() => 0);
}

function countsFrom(count: (kind: ChangeKind) => number): ChangeCounts {
    return Object.fromEntries(changeKinds.map((kind) => [kind, count(kind)])) as ChangeCounts;
}
