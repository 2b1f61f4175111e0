/**
 * Files a person writes while operating the platform stay out of git: `git check-ignore` must
 * ignore each of these paths (they need not exist), and no tracked file may match an ignore rule.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "mocha";
import { projectRoot } from "../support/project.ts";

/** Where each kind of file lands when someone follows the README. */
const mustBeIgnored: Record<string, string[]> = {
    "kubeconfigs written from stack outputs (README, \"Signing in to the cluster\")": ["kubeconfig", "clusters/prod.kubeconfig", "kubeconfig-prod.yaml"],
    "private keys and certificates": ["tls.key", "certs/gateway.pem", "secrets/id_rsa.key", "client.p12", "client.pfx"],
    "local state of a file:// backend": [".pulumi/stacks/platform/dev.json", ".pulumi/locks/platform/dev/x.json", "bootstrap/.state/.pulumi/meta.yaml"],
    "environment files": [".env", ".env.local", "tools/.env.production"],
    "the CI driver's result files (--json-out, --summary-out)": ["preview.json", "preview.md", "up.json", "up.md", "drift.json", "drift.md", "recover.json", "recover.md"],
};

const git = (args: string[], input?: string) => spawnSync("git", args, { cwd: projectRoot, encoding: "utf8", input });

describe(".gitignore", () => {
    for (const [kind, paths] of Object.entries(mustBeIgnored)) {
        it(`ignores ${kind}`, () => {
            // --no-index: judged by the rules alone, whether or not such a file is tracked.
            const run = git(["check-ignore", "--no-index", "--stdin", "-v", "-n"], `${paths.join("\n")}\n`);
            const unmatched = run.stdout.split("\n").filter((line) => line.startsWith("::")).map((line) => line.split("\t")[1]);
            assert.deepEqual(unmatched, [], `not ignored: ${unmatched.join(", ")}`);
        });
    }

    it("keeps the repository's own files: nothing tracked matches an ignore rule", () => {
        assert.equal(git(["ls-files", "--cached", "--ignored", "--exclude-standard"]).stdout, "");
    });

    it("would let a sample stack file or a runbook through (the rules are not too wide)", () => {
        const run = git(["check-ignore", "--no-index", "--stdin", "-n", "-v"], "Pulumi.prod.yaml\ndocs/operations/secret-rotation.md\ncomponents/secrets/aws.ts\n.gitleaks.toml\n");
        assert.equal(run.stdout.split("\n").filter((line) => line && !line.startsWith("::")).length, 0, run.stdout);
    });
});
