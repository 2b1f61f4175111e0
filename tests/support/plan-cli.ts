/** Runs the plan's command line the way a person would, with the Node that runs the tests. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { projectRoot } from "./project.ts";

export interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** `npm run plan -- <args>`. */
export async function plan(...args: string[]): Promise<Run> {
    try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, ["tools/plan.ts", ...args], { cwd: projectRoot, maxBuffer: 64 << 20 });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}
