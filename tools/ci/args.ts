/** The CI driver's command line: parsing, validation and the `--help` text. */
import { parseArgs } from "node:util";

export const commands = ["preview", "up", "refresh", "destroy", "drift", "outputs", "recover"] as const;
export type Command = (typeof commands)[number];

export interface CiArgs {
    readonly command: Command;
    readonly stack: string;
    /** Print the JSON result on stdout instead of the Markdown summary. */
    readonly json: boolean;
    readonly jsonOut?: string;
    readonly summaryOut?: string;
    readonly allowDestroyProtected: boolean;
    /** Retries after a ConcurrentUpdateError; 0 fails at once. */
    readonly lockRetries: number;
    readonly lockWaitSeconds: number;
    /** recover: the caller knows no update of the stack can run, so any lock is stale. */
    readonly noUpdateRunning: boolean;
    /** recover: a lock older than this is stale. */
    readonly staleAfterMinutes: number;
    /** recover: a person checked the cloud; pending creates without an id are cleared. */
    readonly clearUndecided: boolean;
}

export type ParsedArgs = { readonly help: true } | { readonly args: CiArgs } | { readonly error: string };

export const maxLockRetries = 10;
const maxLockWaitSeconds = 600;
const defaultLockWaitSeconds = 30;
/** GitHub Actions ends a job after 360 minutes by default: no CI update holds a lock longer. */
export const defaultStaleAfterMinutes = 360;
/** Pulumi's stack name characters, optionally fully qualified; also keeps the stack file path inside the project. */
const stackNamePattern = /^\w[\w.-]*(\/\w[\w.-]*){0,2}$/;

export const usage = "usage: npm run ci -- <preview|up|refresh|destroy|drift|outputs|recover> <stack> [flags]  (--help for details)";

export const exitCodes = {
    success: 0,
    error: 1,
    usage: 2,
    policy: 3,
    drift: 4,
    refused: 5,
    locked: 6,
    cancelled: 130,
} as const;

export const helpText = `npm run ci -- <command> <stack> [flags]

Runs this project's program for one stack through the Pulumi Automation API (a
LocalWorkspace over the project directory, so CI and \`pulumi up\` run the same program).
Progress streams to stderr; stdout gets only the result: the Markdown summary, or the
JSON result with --json.

Commands:
  preview   preview the stack with the policy pack (policy/) and its environment's
            settings (policy/config/<environment>.json)
  up        update the stack, with the policy pack as for preview
  refresh   refresh the stack's state from the cloud
  destroy   delete every resource of the stack; refused for a staging or prod stack
            (platform:environment in Pulumi.<stack>.yaml, or unreadable) unless
            --allow-destroy-protected is given
  drift     refresh without writing state, then preview with the policy pack expecting no changes
  outputs   the stack's outputs, secrets shown as "[secret]"
  recover   after an interrupted update: removes a stale lock (its owner and age shown),
            then settles every operation the update began but never recorded: a pending
            create whose object the cloud holds is imported (Kubernetes objects by
            namespace/name, Azure resources by their ARM id), one it does not hold is
            cleared, pending updates and deletes are refreshed. Reports each decision; exits
            non-zero with the exact next step when it cannot decide

Flags:
  --json                      print the JSON result on stdout instead of the Markdown summary
  --json-out <file>           also write the JSON result to <file>
  --summary-out <file>        also write the Markdown summary (for a pull-request comment) to <file>
  --allow-destroy-protected   let destroy run on a staging or prod stack; resources with
                              Pulumi's \`protect\` option still block it until unprotected
  --lock-retries <n>          when another update holds the stack's lock, retry up to <n>
                              times (0-${maxLockRetries}, default 0)
  --lock-wait <seconds>       wait between lock retries (0-${maxLockWaitSeconds}, default ${defaultLockWaitSeconds})
  --no-update-running         recover: no update of the stack can be running (the workflow's
                              concurrency group), so any lock is stale
  --stale-after <minutes>     recover: a lock older than this is stale (1-10080, default ${defaultStaleAfterMinutes});
                              so is one whose process on this machine is gone
  --clear-undecided           recover: you checked the cloud; clear pending creates it cannot look up
  -h, --help                  this text

Environment (never a prompt):
  PULUMI_BACKEND_URL          required: the state backend (s3://…, azblob://…, https://api.pulumi.com)
  PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE
                              the passphrase of a passphrase-encrypted stack
  PULUMI_SECRETS_PROVIDER     secrets provider for a stack created by this run
                              (awskms://…, azurekeyvault://…)

Signals: the first SIGINT or SIGTERM cancels the running operation the way Ctrl-C cancels
\`pulumi up\` (in-flight steps finish, state is saved, the lock is released); a second one
also runs \`pulumi cancel\` and stops waiting. The result is still written, with status
"cancelled".

Exit codes:
  ${exitCodes.success}    success (drift: no changes)
  ${exitCodes.error}    error, including a missing PULUMI_BACKEND_URL and a recovery that cannot decide
  ${exitCodes.usage}    bad usage
  ${exitCodes.policy}    a mandatory policy is violated
  ${exitCodes.drift}    drift found: the preview after refresh has changes (drift only)
  ${exitCodes.refused}    refused: destroy of a staging or prod stack without --allow-destroy-protected
  ${exitCodes.locked}    locked: another update holds the stack's lock (recover: one that may still be running)
  ${exitCodes.cancelled}  cancelled by SIGINT or SIGTERM
`;

export function parseCiArgs(argv: readonly string[]): ParsedArgs {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            options: {
                json: { type: "boolean", default: false },
                "json-out": { type: "string" },
                "summary-out": { type: "string" },
                "allow-destroy-protected": { type: "boolean", default: false },
                "lock-retries": { type: "string" },
                "lock-wait": { type: "string" },
                "no-update-running": { type: "boolean", default: false },
                "stale-after": { type: "string" },
                "clear-undecided": { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (error) {
        return { error: (error as Error).message };
    }
    const { values, positionals } = parsed;
    if (values.help) {
        return { help: true };
    }
    const [command, stack, ...extra] = positionals;
    if (command === undefined) {
        return { error: "missing command" };
    }
    if (!isCommand(command)) {
        return { error: `unknown command "${command}"; expected one of ${commands.join(", ")}` };
    }
    if (stack === undefined || stack === "") {
        return { error: `missing stack name after "${command}"` };
    }
    if (!stackNamePattern.test(stack)) {
        return { error: `invalid stack name "${stack}"; use letters, digits, "-", "_" and ".", optionally as org/project/stack` };
    }
    if (extra.length > 0) {
        return { error: `unexpected argument "${extra[0]}"` };
    }
    const lockRetries = integerFlag("--lock-retries", values["lock-retries"], 0, maxLockRetries, 0);
    if (typeof lockRetries === "string") {
        return { error: lockRetries };
    }
    const lockWaitSeconds = integerFlag("--lock-wait", values["lock-wait"], 0, maxLockWaitSeconds, defaultLockWaitSeconds);
    if (typeof lockWaitSeconds === "string") {
        return { error: lockWaitSeconds };
    }
    const staleAfterMinutes = integerFlag("--stale-after", values["stale-after"], 1, 10_080, defaultStaleAfterMinutes);
    if (typeof staleAfterMinutes === "string") {
        return { error: staleAfterMinutes };
    }
    const recoverOnly = (["no-update-running", "stale-after", "clear-undecided"] as const).find((flag) => values[flag] !== undefined && values[flag] !== false && command !== "recover");
    if (recoverOnly) {
        return { error: `--${recoverOnly} is a flag of recover only` };
    }
    for (const flag of ["json-out", "summary-out"] as const) {
        if (values[flag] === "") {
            return { error: `--${flag} needs a file name` };
        }
    }
    return {
        args: {
            command,
            stack,
            json: values.json,
            jsonOut: values["json-out"],
            summaryOut: values["summary-out"],
            allowDestroyProtected: values["allow-destroy-protected"],
            lockRetries,
            lockWaitSeconds,
            noUpdateRunning: values["no-update-running"],
            staleAfterMinutes,
            clearUndecided: values["clear-undecided"],
        },
    };
}

function isCommand(value: string): value is Command {
    return (commands as readonly string[]).includes(value);
}

/** The flag's value, or an error message when it is not a whole number within [min, max]. */
function integerFlag(flag: string, text: string | undefined, min: number, max: number, fallback: number): number | string {
    if (text === undefined) {
        return fallback;
    }
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    return Number.isInteger(value) && value >= min && value <= max ? value : `${flag} must be a whole number from ${min} to ${max}, got "${text}"`;
}
