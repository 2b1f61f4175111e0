/**
 * What the driver settles before it opens a stack: the stack's environment, whether
 * destroy is allowed, the policy pack's settings and the backend from the environment.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { policyConfigPath, stackEnforcement } from "../../policy/config.ts";
import { environments, type Environment } from "../../policy/rule.ts";
import { PlanInputError, readStackFile } from "../stack-file.ts";
import type { BackendSettings, PolicyOptions } from "./driver.ts";
import type { CiStatus } from "./report.ts";

const protectedEnvironments: readonly Environment[] = ["staging", "prod"];

/** Ends a run early with a status other than success and one line saying why. */
export class Stop extends Error {
    readonly status: CiStatus;
    constructor(status: CiStatus, message: string) {
        super(message);
        this.status = status;
    }
}

/** The stack file's `platform:environment`, or why it cannot be read. */
export function stackEnvironment(projectRoot: string, stack: string): Environment | { problem: string } {
    // A fully qualified org/project/stack name keeps its stack file under the last part.
    const stackName = stack.split("/").at(-1) ?? stack;
    let config: Record<string, string>;
    try {
        config = readStackFile(projectRoot, stackName).config;
    } catch (error) {
        if (error instanceof PlanInputError) {
            return { problem: error.message };
        }
        throw error;
    }
    const value = config["platform:environment"];
    return (environments as readonly string[]).includes(value ?? "")
        ? (value as Environment)
        : { problem: `Pulumi.${stackName}.yaml: platform:environment must be one of ${environments.join(", ")}, got ${value === undefined ? "nothing" : `"${value}"`}` };
}

/** Refuses a destroy not known to be safe: a staging or prod stack, or one whose environment cannot be read. */
export function refuseProtected(stack: string, environment: Environment | { problem: string }): void {
    if (typeof environment !== "string") {
        throw new Stop("refused", `cannot tell whether stack ${stack} is protected (${environment.problem}); pass --allow-destroy-protected to destroy it anyway`);
    }
    if (protectedEnvironments.includes(environment)) {
        throw new Stop("refused", `stack ${stack} is a ${environment} stack; pass --allow-destroy-protected to destroy it (resources with Pulumi's protect option still block it)`);
    }
}

/**
 * The policy pack and its settings for the stack's environment; previews and updates need both.
 * A stack that sets its own enforcement levels (policy/config.ts stackEnforcement) gets its
 * environment's settings with those levels, written beside the system's other temporary files.
 */
export function policyOptions(projectRoot: string, environment: Environment | { problem: string }, stack: string): PolicyOptions {
    if (typeof environment !== "string") {
        throw new Stop("error", `${environment.problem}; the policy pack's settings depend on it`);
    }
    const policyPacks = [path.join(projectRoot, "policy")];
    const stackName = stack.split("/").at(-1) ?? stack;
    const settings = JSON.parse(readFileSync(policyConfigPath(environment), "utf8")) as Record<string, Record<string, unknown>>;
    const levels = Object.entries(stackEnforcement(readStackFile(projectRoot, stackName).config)).filter(([rule, level]) => settings[rule]?.["enforcementLevel"] !== level);
    if (levels.length === 0) {
        return { policyPacks, policyPackConfigs: [policyConfigPath(environment)] };
    }
    for (const [rule, enforcementLevel] of levels) {
        settings[rule] = { ...settings[rule], enforcementLevel };
    }
    const file = path.join(tmpdir(), `platform-policy-${stackName}.json`);
    writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
    return { policyPacks, policyPackConfigs: [file] };
}

/** The backend and the secrets provider for new stacks; a passphrase reaches the CLI through its own variables. */
export function backendSettings(env: Readonly<Record<string, string | undefined>>): BackendSettings {
    const backendUrl = env["PULUMI_BACKEND_URL"];
    if (!backendUrl) {
        throw new Stop("error", "PULUMI_BACKEND_URL is not set; the driver takes the state backend from the environment only (s3://…, azblob://…, https://api.pulumi.com)");
    }
    const secretsProvider = env["PULUMI_SECRETS_PROVIDER"];
    return secretsProvider ? { backendUrl, secretsProvider } : { backendUrl };
}
