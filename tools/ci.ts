/**
 * `npm run ci -- <preview|up|refresh|destroy|drift|outputs> <stack> [flags]`
 *
 * The CI driver on the Pulumi Automation API; `--help` documents commands, flags and exit
 * codes. This file only wires the process: signals, streams and the real stack, which is
 * loaded lazily so that `--help` and bad arguments never load the Automation API.
 */
import { fileURLToPath } from "node:url";
import { main } from "./ci/run.ts";

const projectRoot = fileURLToPath(new URL("../", import.meta.url));
const cancel = new AbortController();
const force = new AbortController();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
        if (!cancel.signal.aborted) {
            process.stderr.write(`${signal}: cancelling the operation; send another signal to force it (pulumi cancel)\n`);
            cancel.abort();
        } else {
            force.abort();
        }
    });
}

const code = await main(process.argv.slice(2), {
    projectRoot,
    env: process.env,
    openStack: async (stackName, backend) => (await import("./ci/automation.ts")).openLocalStack(projectRoot, stackName, backend),
    cancel: cancel.signal,
    force: force.signal,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
});
if (force.signal.aborted) {
    // The interrupted CLI may still be winding down; a forced stop does not wait for it.
    process.exit(code);
}
process.exitCode = code;
