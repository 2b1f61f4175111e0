/**
 * `npm run pulumi -- <args>`: the Pulumi CLI installed on this machine, run with the project's
 * Node 24 first on PATH (npm puts node_modules/.bin there), so the language host starts the
 * program under the Node it needs. `npm exec -- pulumi` would look for an npm package instead.
 */
import { spawn } from "node:child_process";

const cli = spawn("pulumi", process.argv.slice(2), { stdio: "inherit" });
// Ctrl-C reaches the CLI through the terminal's process group; a plain kill is passed on.
process.on("SIGTERM", () => cli.kill("SIGTERM"));
cli.on("error", (error: NodeJS.ErrnoException) => {
    process.stderr.write(
        error.code === "ENOENT"
            ? "error: the Pulumi CLI (pulumi) is not on PATH; install it: https://www.pulumi.com/docs/install/\n"
            : `error: could not start the Pulumi CLI: ${error.message}\n`,
    );
    process.exitCode = 127;
});
cli.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal ? 128 : 1);
});
