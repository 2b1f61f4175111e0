/**
 * `npm run test:cloud -- <aws|azure> [--janitor <hours>]`: the integration harness against a
 * real account when the cloud's credentials and a Pulumi backend are in the environment;
 * otherwise one line saying what is missing, and exit 0. `--janitor <hours>` instead destroys
 * test stacks older than that.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { runCommand } from "../support/command.ts";
import { projectRoot } from "../support/project.ts";
import { janitor, runCloudHarness, type CloudName, type HarnessWorld } from "./harness.ts";
import { KubectlProber } from "./kubectl-prober.ts";

/** What each cloud's SDKs sign in with, in the order they look; none means no credentials. */
const credentialVariables: Record<CloudName, string[][]> = {
    aws: [["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], ["AWS_PROFILE"], ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"]],
    azure: [["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"]],
};

/** Why the harness cannot run against `cloud` with `env`, or undefined when it can. */
export function missingPrerequisite(cloud: CloudName, env: NodeJS.ProcessEnv): string | undefined {
    if (!credentialVariables[cloud].some((set) => set.every((name) => env[name]))) {
        return `no ${cloud} credentials (${credentialVariables[cloud].map((set) => set.join(" + ")).join(", or ")})`;
    }
    if (!env["PULUMI_BACKEND_URL"]) {
        return "no PULUMI_BACKEND_URL";
    }
    if (!env["PULUMI_CONFIG_PASSPHRASE"] && !env["PULUMI_CONFIG_PASSPHRASE_FILE"] && !env["PULUMI_SECRETS_PROVIDER"]) {
        return "no PULUMI_CONFIG_PASSPHRASE(_FILE) or PULUMI_SECRETS_PROVIDER";
    }
    return undefined;
}

/** The project directory itself, with the user's CLI and backend. */
function projectWorld(): HarnessWorld {
    const run = (command: string, args: readonly string[]) => runCommand(command, args, { cwd: projectRoot, echoStderr: true });
    const stackFile = (stack: string) => path.join(projectRoot, `Pulumi.${stack}.yaml`);
    return {
        template: readFileSync(stackFile("dev"), "utf8"),
        driverJson: async (command, stack) => {
            const outcome = await run(process.execPath, [path.join(projectRoot, "tools", "ci.ts"), command, stack, "--json"]);
            return { ...outcome, result: JSON.parse(outcome.stdout || "{}") as Record<string, any> };
        },
        pulumi: (args) => run("pulumi", [...args, "--non-interactive", "--cwd", projectRoot]),
        writeStackFile: (stack, text) => writeFileSync(stackFile(stack), text),
        removeStackFile: (stack) => rmSync(stackFile(stack), { force: true }),
    };
}

async function main(argv: string[]): Promise<number> {
    const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { janitor: { type: "string" } } });
    const cloud = positionals[0];
    if (cloud !== "aws" && cloud !== "azure") {
        process.stderr.write("usage: npm run test:cloud -- <aws|azure> [--janitor <hours>]\n");
        return 2;
    }
    const missing = missingPrerequisite(cloud, process.env);
    if (missing) {
        process.stdout.write(`skipped: the ${cloud} integration harness needs a real account: ${missing}\n`);
        return 0;
    }
    const log = (line: string) => process.stderr.write(`${line}\n`);
    if (values.janitor !== undefined) {
        const removed = await janitor(projectWorld(), Number(values.janitor), new Date(), log);
        process.stdout.write(`janitor: removed ${removed.length} test stack(s)\n`);
        return 0;
    }
    const report = await runCloudHarness({ cloud, world: projectWorld(), prober: new KubectlProber(), log, run: process.env["GITHUB_RUN_ID"] ?? "local" });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
}

if (process.argv[1] === import.meta.filename) {
    process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
        process.stderr.write(`error: ${(error as Error).message}\n`);
        return 1;
    });
}
