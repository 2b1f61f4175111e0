/**
 * The real-cloud integration harness: a uniquely named dev stack (its name carries its
 * creation time and the run), preview, up, a drift check, checks from inside the cluster that
 * reach the API and the data services, and destroy in a `finally`; plus a janitor for test stacks left
 * behind. The world it runs in is injected: a real account (`npm run test:cloud`) or the
 * stand-in cloud of the end-to-end sandbox (tests/e2e/cloud-harness.test.ts), so the same code
 * runs in both.
 */
import YAML from "yaml";
import type { CommandResult } from "../support/command.ts";

export type CloudName = "aws" | "azure";

/** Where the harness runs: a project directory with a backend, a CLI and the CI driver. */
export interface HarnessWorld {
    /** `npm run ci -- <command> <stack> --json`, parsed. */
    driverJson(command: string, stack: string): Promise<CommandResult & { result: Record<string, any> }>;
    /** The Pulumi CLI in the project directory. */
    pulumi(args: readonly string[]): Promise<CommandResult>;
    /** The stack file the test stacks are made from (Pulumi.dev.yaml). */
    readonly template: string;
    writeStackFile(stack: string, text: string): void;
    removeStackFile(stack: string): void;
}

/** One endpoint reached from inside the cluster. */
export interface ProbeTarget {
    readonly name: string;
    readonly host: string;
    readonly port: number;
}

/** Runs checks from inside the cluster the kubeconfig reaches. */
export interface ClusterProber {
    /** Resolves when the API answers and every target accepts a TCP connection from a pod; rejects with why not. */
    probe(kubeconfig: string, namespace: string, targets: readonly ProbeTarget[]): Promise<void>;
}

/** Test stacks are `it-<cloud>-<UTC yyyymmddhhmmss>-<run>`: the janitor reads their age from the name. */
export const testStackPrefix = "it-";

export function testStackName(cloud: CloudName, created: Date, run: string): string {
    const stamp = created.toISOString().replace(/[-:T]/g, "").slice(0, 14);
    return `${testStackPrefix}${cloud}-${stamp}-${run.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 20)}`;
}

/** The creation time a test stack's name carries, or undefined for any other stack. */
export function testStackCreated(name: string): Date | undefined {
    const match = /^it-(?:aws|azure)-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-/.exec(name);
    return match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!)) : undefined;
}

/** The dev stack file for a test stack: the cloud chosen, tagged with its creation time and run. */
export function testStackFile(template: string, cloud: CloudName, created: Date, run: string): string {
    const document = YAML.parseDocument(template);
    document.setIn(["config", "platform:cloud"], cloud);
    document.setIn(["config", "platform:tags", "created-at"], created.toISOString());
    document.setIn(["config", "platform:tags", "test-run"], run);
    return document.toString();
}

export interface HarnessOptions {
    readonly cloud: CloudName;
    readonly world: HarnessWorld;
    readonly prober: ClusterProber;
    readonly log: (line: string) => void;
    readonly now?: Date;
    /** The CI run (GITHUB_RUN_ID) or a local marker. */
    readonly run: string;
}

export interface HarnessReport {
    readonly stack: string;
    readonly steps: { readonly step: string; readonly ok: boolean; readonly detail?: string }[];
}

/** Preview, up, drift, probes, then destroy whatever happened; throws the first failure after cleaning up. */
export async function runCloudHarness(options: HarnessOptions): Promise<HarnessReport> {
    const { cloud, world, prober, log } = options;
    const created = options.now ?? new Date();
    const stack = testStackName(cloud, created, options.run);
    const report: HarnessReport = { stack, steps: [] };
    const step = async (name: string, work: () => Promise<string | undefined>) => {
        log(`${stack}: ${name}`);
        try {
            const detail = await work();
            report.steps.push({ step: name, ok: true, ...(detail ? { detail } : {}) });
        } catch (error) {
            report.steps.push({ step: name, ok: false, detail: (error as Error).message });
            throw error;
        }
    };
    const driver = async (command: string) => {
        const { code, result, stderr } = await world.driverJson(command, stack);
        if (code !== 0) {
            throw new Error(`${command} exited ${code}: ${String(result["message"] ?? stderr.slice(-2000))}`);
        }
        return result;
    };

    world.writeStackFile(stack, testStackFile(world.template, cloud, created, options.run));
    let failure: unknown;
    try {
        await step("preview", async () => `${(await driver("preview"))["changes"].create} to create`);
        await step("up", async () => `${(await driver("up"))["changes"].create} created`);
        // Right after up, the cloud must read back exactly what the program asked for.
        await step("no drift", async () => {
            await driver("drift");
            return undefined;
        });
        await step("probe from inside the cluster", async () => {
            const outputs = await stackOutputs(world, stack);
            const targets: ProbeTarget[] = [
                { name: "database", host: String(outputs["databaseHost"]), port: Number(outputs["databasePort"]) },
                { name: "cache", host: String(outputs["cacheHost"]), port: Number(outputs["cachePort"]) },
            ];
            const namespace = (outputs["workloadNamespaces"] as string[])[0]!;
            await prober.probe(String(outputs["kubeconfig"]), namespace, targets);
            return targets.map((target) => `${target.name} ${target.host}:${target.port}`).join(", ");
        });
    } catch (error) {
        failure = error;
    } finally {
        try {
            await step("destroy", async () => `${(await driver("destroy"))["changes"].delete} deleted`);
            await step("remove the stack", async () => {
                await mustSucceed(world.pulumi(["stack", "rm", stack, "--yes"]), "stack rm");
                return undefined;
            });
        } catch (error) {
            failure ??= error;
        }
        world.removeStackFile(stack);
    }
    if (failure) {
        throw failure;
    }
    return report;
}

/** Destroys and removes test stacks created more than `olderThanHours` ago; returns their names. */
export async function janitor(world: HarnessWorld, olderThanHours: number, now: Date, log: (line: string) => void): Promise<string[]> {
    const listed = await mustSucceed(world.pulumi(["stack", "ls", "--all", "--json"]), "stack ls");
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((entry) => entry.name.split("/").pop()!);
    const stale = names.filter((name) => {
        const created = testStackCreated(name);
        return created !== undefined && now.getTime() - created.getTime() > olderThanHours * 3_600_000;
    });
    for (const stack of stale) {
        log(`janitor: destroying ${stack}`);
        await mustSucceed(world.pulumi(["destroy", "--stack", stack, "--yes", "--skip-preview"]), `destroy ${stack}`);
        await mustSucceed(world.pulumi(["stack", "rm", stack, "--yes"]), `stack rm ${stack}`);
    }
    return stale;
}

async function stackOutputs(world: HarnessWorld, stack: string): Promise<Record<string, unknown>> {
    const outputs = await mustSucceed(world.pulumi(["stack", "output", "--stack", stack, "--json", "--show-secrets"]), "stack output");
    return JSON.parse(outputs.stdout) as Record<string, unknown>;
}

async function mustSucceed(running: Promise<CommandResult>, what: string): Promise<CommandResult> {
    const result = await running;
    if (result.code !== 0) {
        throw new Error(`${what} exited ${result.code}: ${result.stderr.slice(-2000)}`);
    }
    return result;
}
