/**
 * Runs one CI driver command against a `DriverStack`: the checks that need no backend
 * (arguments, destroy protection, environment), the operation with bounded lock retries
 * and cancellation, then the JSON result and Markdown summary.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { Environment } from "../../policy/rule.ts";
import { exitCodes, helpText, parseCiArgs, usage, type CiArgs } from "./args.ts";
import { backendSettings, policyOptions, refuseProtected, stackEnvironment, Stop } from "./checks.ts";
import { typeAndName } from "../urn.ts";
import { isLockedError, type BackendSettings, type DriverStack, type OpenStack, type OperationOptions, type PolicyOptions } from "./driver.ts";
import { maskOutputs, OperationLog, renderMarkdown, type CiResult, type CiStatus, type Recovery } from "./report.ts";
import { adoptPendingCreates, decide, describeLock, importCommand, parseLocks, staleReason, stateTime } from "./recover.ts";

export interface CiDeps {
    /** The Pulumi project: stack files, and the policy pack in `policy/`. */
    readonly projectRoot: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly openStack: OpenStack;
    /** Aborted by the first SIGINT/SIGTERM: interrupt the operation as Ctrl-C would. */
    readonly cancel: AbortSignal;
    /** Aborted by the second: `pulumi cancel`, and stop waiting for the operation. */
    readonly force: AbortSignal;
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

const exitCodeOf: Record<CiStatus, number> = {
    succeeded: exitCodes.success,
    error: exitCodes.error,
    "policy-failed": exitCodes.policy,
    drift: exitCodes.drift,
    refused: exitCodes.refused,
    locked: exitCodes.locked,
    cancelled: exitCodes.cancelled,
};

interface Run {
    readonly args: CiArgs;
    readonly deps: CiDeps;
    readonly log: OperationLog;
    environment: Environment | null;
    outputs: Record<string, unknown> | null;
    recovery?: { removedLocks: string[]; decisions: Recovery["decisions"][number][] };
}

/** The whole command: returns the exit code. */
export async function main(argv: readonly string[], deps: CiDeps): Promise<number> {
    const parsed = parseCiArgs(argv);
    if ("help" in parsed) {
        deps.stdout(helpText);
        return exitCodes.success;
    }
    if ("error" in parsed) {
        deps.stderr(`error: ${parsed.error}\n${usage}\n`);
        return exitCodes.usage;
    }
    const startedAt = new Date();
    const run: Run = { args: parsed.args, deps, log: new OperationLog(), environment: null, outputs: null };
    let failure: unknown;
    try {
        await execute(run);
    } catch (error) {
        failure = error;
    }
    const { status, message } = outcome(run, failure);
    const result: CiResult = {
        command: run.args.command,
        stack: run.args.stack,
        environment: run.environment,
        status,
        exitCode: exitCodeOf[status],
        startedAt: startedAt.toISOString(),
        durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
        changes: run.log.started ? run.log.changes() : null,
        changesByType: run.log.changesByType(),
        changedResources: run.log.changedResources(),
        policy: run.log.violations,
        outputs: run.outputs,
        failedResources: run.log.failures,
        ...(run.recovery ? { recovery: run.recovery } : {}),
        ...(message === undefined ? {} : { message }),
    };
    return report(run.args, deps, result);
}

async function execute(run: Run): Promise<void> {
    const { args, deps } = run;
    const environment = stackEnvironment(deps.projectRoot, args.stack);
    run.environment = typeof environment === "string" ? environment : null;
    if (args.command === "destroy" && !args.allowDestroyProtected) {
        refuseProtected(args.stack, environment);
    }
    const backend = backendSettings(deps.env);
    if (args.command === "preview" || args.command === "up" || args.command === "drift") {
        const policy = policyOptions(deps.projectRoot, environment, args.stack);
        const stack = await open(run, backend);
        if (args.command === "preview") {
            await operation(run, stack, (options) => stack.preview({ ...options, ...policy }));
        } else if (args.command === "up") {
            await operation(run, stack, (options) => stack.up({ ...options, ...policy }));
            run.outputs = maskOutputs(await stack.outputs());
        } else {
            await drift(run, stack, policy);
        }
        return;
    }
    const stack = await open(run, backend);
    if (args.command === "recover") {
        await recover(run, stack);
        return;
    }
    if (args.command === "refresh") {
        await operation(run, stack, (options) => stack.refresh(options));
    } else if (args.command === "destroy") {
        await operation(run, stack, (options) => stack.destroy(options));
    } else {
        run.outputs = maskOutputs(await stack.outputs());
    }
}

/**
 * Types whose refresh reads a secret's value (GetSecretValue, Kubernetes Secrets, Helm's
 * release records). Drift leaves them out of its refresh, so the read-only identity needs no
 * right to read a secret; the preview that follows still compares them with the program.
 */
export const secretReadingTypes = [
    "aws:secretsmanager/secretVersion:SecretVersion",
    "kubernetes:core/v1:Secret",
    "kubernetes:helm.sh/v3:Release",
];

/**
 * A refresh that only previews (state is never written), then a preview that expects no
 * changes: any change either proposes is drift.
 */
async function drift(run: Run, stack: DriverStack, policy: PolicyOptions): Promise<void> {
    const exclude = (await stack.resourceUrns()).filter((urn) => secretReadingTypes.includes(typeAndName(urn).type));
    await operation(run, stack, (options) => stack.previewRefresh({ ...options, exclude }));
    if (run.log.hasChanges()) {
        const changes = run.log.changes();
        throw new Stop("drift", `stack ${run.args.stack} drifted: the cloud differs from state; a refresh would update ${changes.update}, delete ${changes.delete}`);
    }
    let changesReported = false;
    try {
        await operation(run, stack, (options) => stack.preview({ ...options, ...policy, expectNoChanges: true }));
    } catch (error) {
        // The CLI fails an expect-no-changes preview that finds changes; anything else is an error.
        changesReported = /no changes were expected/.test(String(error));
        if (!changesReported) {
            throw error;
        }
    }
    if (changesReported || run.log.hasChanges()) {
        const changes = run.log.changes();
        throw new Stop("drift", `stack ${run.args.stack} drifted: after refresh the program would create ${changes.create}, update ${changes.update}, replace ${changes.replace}, delete ${changes.delete}`);
    }
}

/**
 * After an interrupted update: decide every pending operation first (nothing changes when one
 * cannot be decided); write the state back with the pending creates adopted (or cleared),
 * removing a stale lock when the write meets one; then a refresh reads every adopted object
 * from the cloud, dropping those it does not hold, and settles pending updates and deletes.
 */
async function recover(run: Run, stack: DriverStack): Promise<void> {
    const { args, deps } = run;
    const state = await stack.state();
    const decisions = decide(state);
    const recovery: NonNullable<Run["recovery"]> = { removedLocks: [], decisions: [] };
    run.recovery = recovery;
    const undecided = decisions.filter((decision) => decision.action === "undecided");
    if (undecided.length > 0 && !args.clearUndecided) {
        recovery.decisions.push(...undecided.map((decision) => ({ urn: decision.urn, operation: decision.operation, outcome: `undecided: ${decision.reason}` })));
        const operation = (urn: string) => state.pendingOperations.find((pending) => pending.urn === urn);
        throw new Stop("error", `${undecided.length} pending create${undecided.length > 1 ? "s" : ""} cannot be looked up in the cloud; nothing was changed. `
            + `For each, find the object: if it exists, ${undecided.map((decision) => importCommand(args.stack, decision, operation(decision.urn))).join("; ")}; `
            + `then run npm run ci -- recover ${args.stack} --clear-undecided`);
    }
    // The first write takes the stack's lock: a pending operation's state, or else a refresh. The
    // state read without the lock must still be the latest, or an update that ended meanwhile would be lost.
    const settle = decisions.length > 0
        ? async () => {
            if (stateTime((await stack.state()).deployment) !== stateTime(state.deployment)) {
                throw new Stop("error", `the state of stack ${args.stack} changed while recover ran (an update was still writing it); nothing was changed: run recover again`);
            }
            await stack.replaceState(adoptPendingCreates(state.deployment, decisions));
        }
        : () => operation(run, stack, (options) => stack.refresh(options));
    try {
        await settle();
    } catch (error) {
        if (!isLockedError(error)) {
            throw error;
        }
        await removeStaleLocks(run, stack, String((error as Error).message));
        await settle();
    }
    if (decisions.length === 0) {
        return;
    }
    await operation(run, stack, (options) => stack.refresh(options));
    const kept = new Set((await stack.state()).resources.map((resource) => resource.urn));
    recovery.decisions.push(...decisions.map((decision) => ({
        urn: decision.urn,
        operation: decision.operation,
        outcome: decision.action === "refresh" ? "refreshed"
            : decision.action === "undecided" ? "cleared (--clear-undecided)"
            : kept.has(decision.urn) ? `adopted: the cloud holds ${decision.id}` : "cleared: the cloud holds no such object",
    })));
    deps.stderr(`recovered stack ${args.stack}: ${recovery.decisions.map((decision) => decision.outcome.split(":")[0]).join(", ")}\n`);
}

/** Removes the stack's locks when every one is stale; otherwise stops, naming the holder and the next step. */
async function removeStaleLocks(run: Run, stack: DriverStack, message: string): Promise<void> {
    const { args, deps } = run;
    const now = new Date();
    const locks = parseLocks(message);
    const context = { now, host: hostname(), processAlive, noUpdateRunning: args.noUpdateRunning, staleAfterMinutes: args.staleAfterMinutes };
    const live = locks.filter((lock) => staleReason(lock, context) === undefined);
    if (locks.length === 0 || live.length > 0) {
        const held = (live.length > 0 ? live : locks).map((lock) => describeLock(lock, now)).join("; ") || "an owner the backend did not name";
        throw new Stop("locked", `stack ${args.stack} is locked by ${held}: an update may still be running. Wait for it; if you know it is gone, `
            + `run npm run ci -- recover ${args.stack} --no-update-running`);
    }
    for (const lock of locks) {
        run.recovery?.removedLocks.push(`${describeLock(lock, now)}: ${staleReason(lock, context)}`);
    }
    deps.stderr(`removing ${locks.length} stale lock${locks.length > 1 ? "s" : ""} of stack ${args.stack}\n`);
    await stack.cancel();
}

/** Whether a process of this machine still runs (signal 0 only checks). */
function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

async function open(run: Run, backend: BackendSettings): Promise<DriverStack> {
    throwIfCancelled(run.deps.cancel);
    return run.deps.openStack(run.args.stack, backend);
}

/** One Pulumi operation: progress to stderr, events to the log, retried while the stack is locked. */
async function operation(run: Run, stack: DriverStack, start: (options: OperationOptions) => Promise<void>): Promise<void> {
    const { args, deps, log } = run;
    for (let attempt = 1; ; attempt += 1) {
        throwIfCancelled(deps.cancel);
        log.begin();
        try {
            return await untilForced(run, stack, start({ onOutput: deps.stderr, onEvent: log.onEvent, signal: deps.cancel }));
        } catch (error) {
            if (!isLockedError(error) || attempt > args.lockRetries || deps.cancel.aborted) {
                throw error;
            }
            deps.stderr(`stack ${args.stack} is locked by another update; retry ${attempt} of ${args.lockRetries} in ${args.lockWaitSeconds} s\n`);
            await delay(args.lockWaitSeconds * 1000, undefined, { signal: deps.cancel });
        }
    }
}

/**
 * The operation's own result, unless a second signal arrives first: then `pulumi cancel`
 * stops the update on the backend and the driver stops waiting for the interrupted CLI.
 */
function untilForced(run: Run, stack: DriverStack, running: Promise<void>): Promise<void> {
    const { deps } = run;
    return new Promise((resolve, reject) => {
        const force = () => {
            deps.stderr(`running pulumi cancel for stack ${run.args.stack}\n`);
            stack
                .cancel()
                .catch((error: unknown) => deps.stderr(`pulumi cancel failed: ${oneLine(error)}\n`))
                .finally(() => reject(new Stop("cancelled", "cancelled by a second signal: pulumi cancel stopped the update; check the stack with pulumi refresh")));
        };
        deps.force.addEventListener("abort", force, { once: true });
        running.then(resolve, reject).finally(() => deps.force.removeEventListener("abort", force));
    });
}

function throwIfCancelled(signal: AbortSignal): void {
    if (signal.aborted) {
        throw new Stop("cancelled", "cancelled by a signal before the operation started");
    }
}

/** The run's status, in order of precedence: a cancellation, a mandatory policy, then the rest. */
function outcome(run: Run, failure: unknown): { status: CiStatus; message?: string } {
    const { args, deps, log } = run;
    if (failure instanceof Stop && (failure.status === "refused" || failure.status === "cancelled")) {
        return { status: failure.status, message: failure.message };
    }
    if (failure !== undefined && deps.cancel.aborted) {
        return { status: "cancelled", message: "cancelled by a signal; the operation was interrupted" };
    }
    const mandatory = log.violations.filter((violation) => violation.enforcement === "mandatory").length;
    if (mandatory > 0 || (failure !== undefined && /\[mandatory\]/.test(String(failure)))) {
        return { status: "policy-failed", message: `${mandatory || "a"} mandatory policy violation${mandatory > 1 ? "s" : ""}` };
    }
    if (failure instanceof Stop) {
        return { status: failure.status, message: failure.message };
    }
    if (isLockedError(failure)) {
        const retried = args.lockRetries > 0 ? `still locked after ${args.lockRetries} retries; ` : "";
        return {
            status: "locked",
            message: `stack ${args.stack} is locked by another update; ${retried}wait for it to finish (or use --lock-retries), or if it was interrupted run npm run ci -- recover ${args.stack}`,
        };
    }
    return failure === undefined ? { status: "succeeded" } : { status: "error", message: oneLine(failure) };
}

/** The CLI's first `error:` line, without the Automation API's code/stdout/stderr framing. */
function oneLine(error: unknown): string {
    const lines = String(error instanceof Error ? error.message : error)
        .split("\n")
        .map((line) => line.trim().replace(/^((stdout|stderr|err\?):\s*)+/, ""))
        .filter((line) => line !== "" && !/^code: -?\d+$/.test(line));
    const line = lines.find((candidate) => candidate.startsWith("error: ")) ?? lines[0] ?? "unknown error";
    return line.replace(/^(error:\s*)+/, "").slice(0, 500);
}

function report(args: CiArgs, deps: CiDeps, result: CiResult): number {
    const json = `${JSON.stringify(result, null, 2)}\n`;
    const markdown = renderMarkdown(result);
    deps.stdout(args.json ? json : markdown);
    if (result.message !== undefined) {
        deps.stderr(`${result.status}: ${result.message}\n`);
    }
    try {
        for (const [file, text] of [[args.jsonOut, json], [args.summaryOut, markdown]] as const) {
            if (file !== undefined) {
                mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
                writeFileSync(file, text);
            }
        }
    } catch (error) {
        deps.stderr(`error: cannot write the result: ${(error as Error).message}\n`);
        return result.exitCode === exitCodes.success ? exitCodes.error : result.exitCode;
    }
    return result.exitCode;
}
