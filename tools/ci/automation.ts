/**
 * The driver's stack on the Pulumi Automation API: a LocalWorkspace over the project
 * directory, so CI runs the same program and stack files as `pulumi up`. The entry loads
 * this module lazily; the tests never do.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation/index.js";
import type { BackendSettings, DriverStack, OperationOptions } from "./driver.ts";
import { stateOf } from "./recover.ts";

export async function openLocalStack(workDir: string, stackName: string, backend: BackendSettings): Promise<DriverStack> {
    let stack: Stack;
    try {
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName, workDir },
            {
                // The Automation API already passes --non-interactive, and --yes where an operation
                // asks; PULUMI_SKIP_CONFIRMATIONS would add --yes to `refresh --preview-only`,
                // which the CLI refuses. The update check is the only other thing that reaches out.
                envVars: { PULUMI_BACKEND_URL: backend.backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true" },
                ...(backend.secretsProvider === undefined ? {} : { secretsProvider: backend.secretsProvider }),
            },
        );
    } catch (error) {
        if (/ENOENT/.test(String(error)) && /pulumi/.test(String(error))) {
            throw new Error("the Pulumi CLI (pulumi) is not on PATH; install it, see https://www.pulumi.com/docs/install/");
        }
        throw error;
    }
    // The CLI's stderr streams with its stdout, so errors show up in the log as they happen.
    const streamed = <T extends OperationOptions>(options: T) => ({ ...options, onError: options.onOutput });
    return {
        preview: async (options) => void (await stack.preview(streamed(options))),
        up: async (options) => void (await stack.up(streamed(options))),
        refresh: async (options) => void (await stack.refresh(streamed(options))),
        previewRefresh: async (options) => void (await stack.previewRefresh(streamed(options))),
        resourceUrns: async () => ((await stack.exportStack()).deployment?.resources ?? []).map((resource: { urn: string }) => resource.urn),
        destroy: async (options) => void (await stack.destroy(streamed(options))),
        outputs: () => stack.outputs(),
        cancel: () => stack.cancel(),
        state: async () => stateOf(((await stack.exportStack()).deployment ?? {}) as Record<string, unknown>),
        replaceState: async (deployment) => {
            const exported = await stack.exportStack();
            // importStack writes the decrypted state to os.tmpdir() and removes it only when the
            // import succeeds (a locked stack leaves it): point that at a directory only this user
            // can read, removed whatever happens.
            const privateDir = mkdtempSync(path.join(tmpdir(), "platform-recover-"));
            const previous = process.env["TMPDIR"];
            process.env["TMPDIR"] = privateDir;
            try {
                await stack.importStack({ ...exported, deployment });
            } finally {
                if (previous === undefined) {
                    delete process.env["TMPDIR"];
                } else {
                    process.env["TMPDIR"] = previous;
                }
                rmSync(privateDir, { recursive: true, force: true });
            }
        },
    };
}
