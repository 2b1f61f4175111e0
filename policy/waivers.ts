/**
 * Waivers: narrow, visible, temporary exceptions to a rule, kept in `policy/waivers.yaml`. A
 * waiver names its rule, the stacks it applies to, the resources it covers (type and logical
 * name, `*` globs), why, who approved it and when it ends (at most 90 days ahead). A violation it
 * covers is reported as `waived`, never dropped, and fails nothing; past its date it covers
 * nothing, so the rule bites again. The offline plan and the engine's pack (policy/pack.ts,
 * through the pack's config) apply the same function. Pure: the clock is an argument.
 */
import { z } from "zod";
import { ConfigError, describeIssue } from "../config/errors.ts";
import type { PolicyViolation } from "./run.ts";

/** The pack's policy that reports the violations waivers covered, and stale waivers (policy/pack.ts). */
export const waivedViolationsPolicy = "waived-violations";

/** The longest a waiver may run, from the day it is checked. */
export const maxWaiverDays = 90;
/** The nightly run fails when an active waiver ends within this many days. */
export const waiverWarningDays = 7;

const dayMs = 86_400_000;

/** `*` matches any run of characters; everything else is literal. */
const glob = z.string().min(1).regex(/^[A-Za-z0-9*:/._-]+$/, { error: (issue) => `"${String(issue.input)}" is not a type or name pattern (letters, digits, : / . _ - and *)` });

const waiver = z.strictObject({
    /** The rule's name (policy/rules). */
    rule: z.string().min(1),
    /** The stacks it applies to, by name. */
    stacks: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: (issue) => `"${String(issue.input)}" is not a stack name` })).min(1),
    /** The resources it covers: Pulumi type and logical name, each a glob. */
    resource: z.strictObject({ type: glob, name: glob }),
    /** Why the exception is needed and what ends it. */
    reason: z.string().min(10, { error: "must say why, in at least 10 characters" }),
    /** Who approved it: an e-mail address or a GitHub handle. */
    approvedBy: z.string().regex(/^(@[A-Za-z0-9-]+|[^@\s]+@[^@\s]+\.[^@\s]+)$/, { error: (issue) => `"${String(issue.input)}" is not an e-mail address or @handle` }),
    /** Its last day, YYYY-MM-DD (UTC). */
    expires: z.iso.date({ error: (issue) => `"${String(issue.input)}" is not a date such as 2027-01-31` }),
});

export type Waiver = z.output<typeof waiver>;

/** A waiver's standing on `today`. */
export interface WaiverStatus {
    readonly status: "active" | "expired";
    /** Days until it ends (0 on its last day); negative once expired. */
    readonly daysLeft: number;
}

/** Validates `waivers.yaml`'s parsed content; one error names the entry and key, e.g. `waivers.0.expires`. */
export function parseWaivers(raw: unknown, ruleNames: readonly string[], today: Date): Waiver[] {
    const schema = z.strictObject({ waivers: z.array(waiver).default([]) }).superRefine((value, context) => {
        value.waivers.forEach((entry, index) => {
            if (!ruleNames.includes(entry.rule)) {
                context.addIssue({ code: "custom", path: ["waivers", index, "rule"], message: `"${entry.rule}" is not a rule of the pack` });
            }
            const latest = dayOf(new Date(today.getTime() + maxWaiverDays * dayMs));
            if (entry.expires > latest) {
                context.addIssue({ code: "custom", path: ["waivers", index, "expires"], message: `${entry.expires} is more than ${maxWaiverDays} days ahead; the latest allowed is ${latest}` });
            }
        });
    });
    const result = schema.safeParse(raw ?? {}, { reportInput: true });
    if (!result.success) {
        throw new ConfigError(`invalid policy/waivers.yaml: ${result.error.issues.map((issue) => describeIssue(issue, (path) => path.map(String).join("."))).join("; ")}`);
    }
    return result.data.waivers;
}

export function waiverStatus(entry: Waiver, today: Date): WaiverStatus {
    const daysLeft = Math.round((Date.parse(`${entry.expires}T00:00:00Z`) - Date.parse(`${dayOf(today)}T00:00:00Z`)) / dayMs);
    return { status: daysLeft >= 0 ? "active" : "expired", daysLeft };
}

/** Whether `entry` covers a violation of `violation.rule` on its resource in `stack`. */
export function covers(entry: Waiver, stack: string, violation: Pick<PolicyViolation, "rule" | "type" | "name">): boolean {
    return entry.rule === violation.rule && entry.stacks.includes(stack) && globMatches(entry.resource.type, violation.type) && globMatches(entry.resource.name, violation.name);
}

/** What a waiver adds to the violation it covers. */
export interface WaiverNote {
    readonly reason: string;
    readonly approvedBy: string;
    readonly expires: string;
    readonly daysLeft: number;
}

export interface WaivedVerdicts {
    /** Every violation; the covered ones with enforcement `waived` and their waiver. */
    readonly violations: (PolicyViolation | WaivedViolation)[];
    /** Expired waivers that would have covered a violation, and waivers of this stack that cover nothing. */
    readonly notices: string[];
}

export type WaivedViolation = Omit<PolicyViolation, "enforcement"> & { readonly enforcement: "waived"; readonly waiver: WaiverNote };

/** How the waivers judge one violation: the active waiver that covers it, and the expired ones that would have. */
export function judge(violation: Pick<PolicyViolation, "rule" | "type" | "name">, waivers: readonly Waiver[], stack: string, today: Date): { readonly active?: WaiverNote | undefined; readonly matching: readonly Waiver[]; readonly expired: readonly string[] } {
    const matching = waivers.filter((entry) => covers(entry, stack, violation));
    const active = matching.find((entry) => waiverStatus(entry, today).status === "active");
    return {
        active: active && { reason: active.reason, approvedBy: active.approvedBy, expires: active.expires, daysLeft: waiverStatus(active, today).daysLeft },
        matching,
        expired: matching.filter((entry) => waiverStatus(entry, today).status === "expired")
            .map((entry) => `${describeWaiver(entry)} expired on ${entry.expires}: ${entry.rule} applies again to ${entry.resource.type} ${entry.resource.name}`),
    };
}

/** The notice for a waiver of `stack` that covered nothing. */
export function staleNotice(entry: Waiver, stack: string): string {
    return `${describeWaiver(entry)} is stale: it covers no violation of ${stack}; remove it`;
}

/**
 * Applies `waivers` to `stack`'s violations on `today`: an active waiver turns a violation it
 * covers into `waived`; an expired one leaves it as it was and says so; a waiver of this stack
 * that covers no violation is stale.
 */
export function applyWaivers(violations: readonly PolicyViolation[], waivers: readonly Waiver[], stack: string, today: Date): WaivedVerdicts {
    const used = new Set<Waiver>();
    const notices = new Set<string>();
    const verdicts = violations.map((violation): PolicyViolation | WaivedViolation => {
        const { active, matching, expired } = judge(violation, waivers, stack, today);
        matching.forEach((entry) => used.add(entry));
        expired.forEach((notice) => notices.add(notice));
        return active ? { ...violation, enforcement: "waived", waiver: active } : violation;
    });
    for (const entry of waivers.filter((candidate) => candidate.stacks.includes(stack) && !used.has(candidate))) {
        notices.add(staleNotice(entry, stack));
    }
    return { violations: verdicts, notices: [...notices] };
}

/** `waiver of <rule> for <type> <name>`, for messages. */
export function describeWaiver(entry: Waiver): string {
    return `the waiver of ${entry.rule} for ${entry.resource.type} ${entry.resource.name}`;
}

/** A waived violation's line in reports: the waiver's reason, approver and days left. */
export function waiverText(note: WaiverNote): string {
    return `waived until ${note.expires} (${note.daysLeft} day${note.daysLeft === 1 ? "" : "s"} left) by ${note.approvedBy}: ${note.reason}`;
}

function globMatches(pattern: string, value: string): boolean {
    const expression = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*");
    return new RegExp(`^${expression}$`).test(value);
}

function dayOf(date: Date): string {
    return date.toISOString().slice(0, 10);
}
