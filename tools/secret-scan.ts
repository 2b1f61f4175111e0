/**
 * `npm run scan-secrets [-- --staged]`: gitleaks (built with the Go tools, tools/go) with the
 * project's `.gitleaks.toml` over the git repository the command runs in. Without arguments it
 * scans the working tree and the whole history; with `--staged` only the change about to be
 * committed, as the pre-commit hook (`.githooks/pre-commit`) does. Findings are printed with their
 * file and line, secrets redacted. Exit codes: 0 clean, 1 a finding, 2 bad use or no gitleaks.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { builtGoTools, projectRoot } from "./go/go-tools.ts";

const config = path.join(projectRoot, ".gitleaks.toml");
const common = ["--no-banner", "--redact", "--verbose", "--config", config, "--exit-code", "1", "--log-level", "warn"];

/** The gitleaks runs a mode needs, as argument lists. */
function scans(mode: "staged" | "all"): string[][] {
    return mode === "staged"
        ? [["git", "--pre-commit", "--staged", ...common, "."]]
        : [["dir", ...common, "."], ["git", ...common, "."]];
}

const args = process.argv.slice(2);
if (args.some((arg) => arg !== "--staged")) {
    process.stderr.write(`scan-secrets: unknown argument ${args.find((arg) => arg !== "--staged")}; usage: npm run scan-secrets [-- --staged]\n`);
    process.exit(2);
}
const tools = builtGoTools();
if ("missing" in tools) {
    process.stderr.write(`scan-secrets: gitleaks is not built yet (${tools.missing}); the commit was not scanned\n`);
    process.exit(2);
}
let status = 0;
for (const scan of scans(args.includes("--staged") ? "staged" : "all")) {
    const run = spawnSync(path.join(tools.binDir, "gitleaks"), scan, { stdio: "inherit" });
    status = Math.max(status, run.status ?? 2);
}
if (status === 1) {
    process.stderr.write("scan-secrets: a secret was found (above: file, line, rule). Remove it; if it is not a secret, see README \"Contributing\" for the allowlist\n");
}
process.exit(status);
