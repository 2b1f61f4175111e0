/**
 * `npm run bootstrap -- <aws|azure> [--destroy]`
 *
 * Day zero of an account or subscription: creates the state store and secrets-provider key
 * (the `bootstrap/` project), moves the bootstrap stack's own state into the store, and prints
 * the commands that point the platform's stacks at it. Re-running changes nothing; `--destroy`
 * is refused while any platform stack's state is in the store. Exit codes: 0 done, 1 failed,
 * 2 bad arguments or configuration, 5 refused.
 */
import { ConfigError } from "../config/errors.ts";
import { BootstrapInputError, parseBootstrapArgs } from "./bootstrap/args.ts";
import { PlanInputError } from "./stack-file.ts";

try {
    const args = parseBootstrapArgs(process.argv.slice(2));
    // Loaded after the arguments are checked: bad input never loads the Automation API.
    const { runBootstrap } = await import("./bootstrap/run.ts");
    await runBootstrap(args, {
        env: process.env,
        stdout: (text) => void process.stdout.write(text),
        stderr: (text) => void process.stderr.write(text),
    });
} catch (error) {
    const refused = (error as Error).name === "BootstrapRefusal";
    const input = error instanceof BootstrapInputError || error instanceof ConfigError || error instanceof PlanInputError;
    process.stderr.write(`bootstrap: ${refused ? "refused: " : ""}${firstLine(error)}\n`);
    process.exitCode = refused ? 5 : input ? 2 : 1;
}

/** The Automation API's errors carry the whole CLI output; the cause is its last `error:` line. */
function firstLine(error: unknown): string {
    const text = String((error as Error).message ?? error);
    const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
    return (lines.findLast((line) => /^error:/.test(line))?.replace(/^error:\s*/, "") ?? lines[0] ?? "failed");
}
