/** Runs a command to completion, collecting its output: the tests' and harnesses' one way to start a process. */
import { spawn } from "node:child_process";

export interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface CommandOptions {
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Written to stdin, which is then closed; without it stdin is not connected. */
    readonly input?: string;
    /** Also copy stderr to this process's stderr as it arrives (long real-cloud runs). */
    readonly echoStderr?: boolean;
    /** Start it as the leader of a new process group, which `process.kill(-pid)` ends whole. */
    readonly detached?: boolean;
    /** Called with the process id once it started. */
    readonly onSpawn?: (pid: number) => void;
}

export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, {
            cwd: options.cwd,
            env: options.env,
            stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
            detached: options.detached ?? false,
        });
        if (child.pid !== undefined) {
            options.onSpawn?.(child.pid);
        }
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr!.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
            if (options.echoStderr) {
                process.stderr.write(chunk);
            }
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin?.end(options.input);
    });
}
