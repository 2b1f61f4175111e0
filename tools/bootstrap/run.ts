/**
 * The bootstrap's life on the Automation API: create the store with the stack's state in a
 * local file backend, move the state into the store, and from then on run from the store;
 * destroy only an empty store. Every step is safe to repeat after an interruption.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation/index.js";
import { bootstrapNamespace, parseBootstrapConfig, type BootstrapConfig } from "../../config/bootstrap.ts";
import { readStackFile } from "../stack-file.ts";
import { namespaceValues } from "../../config/values.ts";
import type { BootstrapArgs } from "./args.ts";
import { bootstrapDir } from "./plan.ts";
import { forgetStore, foreignStacks, localStateDir, recordBackendUrl, recordedSecretsProvider, storeLocation, storeRootVariable, storeSecretsProvider } from "./store.ts";

/** A destroy the tool will not run; exit code 5, as the CI driver's refusals. */
export class BootstrapRefusal extends Error {
    override name = "BootstrapRefusal";
}

export interface BootstrapIo {
    readonly env: NodeJS.ProcessEnv;
    /** Progress (the engine's output). */
    readonly stderr: (text: string) => void;
    /** The result: what to run next. */
    readonly stdout: (text: string) => void;
    /** The bootstrap project; the repository's `bootstrap/` unless a test points elsewhere. */
    readonly projectDir?: string;
}

export async function runBootstrap(args: BootstrapArgs, io: BootstrapIo): Promise<void> {
    const session = new Session(args, io);
    if (args.destroy) {
        await session.destroy();
    } else {
        await session.up();
    }
}

class Session {
    private readonly dir: string;
    private readonly stackFile: string;
    private readonly config: BootstrapConfig;
    private readonly localDir: string;
    private readonly args: BootstrapArgs;
    private readonly io: BootstrapIo;

    constructor(args: BootstrapArgs, io: BootstrapIo) {
        this.args = args;
        this.io = io;
        this.dir = io.projectDir ?? bootstrapDir;
        this.stackFile = path.join(this.dir, `Pulumi.${args.cloud}.yaml`);
        this.config = readConfig(this.dir, args.cloud);
        this.localDir = path.join(this.dir, localStateDir);
    }

    async up(): Promise<void> {
        if (this.config.backendUrl) {
            // The state is in the store: a re-run is an ordinary update there.
            const stack = await this.open(storeLocation(this.config.backendUrl, this.io.env));
            await this.update(stack);
            return;
        }
        const local = await this.open(`file://${this.localDir}`, "passphrase");
        const outputs = await this.update(local);
        const backendUrl = String(outputs["backendUrl"]);
        const provider = storeSecretsProvider(String(outputs["bootstrapSecretsProvider"]), this.io.env);
        if (provider !== "passphrase") {
            // Re-encrypts the state and the stack file's config under the cloud key before they leave this machine.
            await this.cli(["stack", "change-secrets-provider", provider, "--stack", this.args.cloud], `file://${this.localDir}`);
        }
        const exported = await local.exportStack();
        const store = await this.open(storeLocation(backendUrl, this.io.env), provider);
        await store.importStack(exported);
        writeFileSync(this.stackFile, recordBackendUrl(readFileSync(this.stackFile, "utf8"), backendUrl));
        rmSync(this.localDir, { recursive: true, force: true });
        this.io.stderr(`the state of ${bootstrapNamespace}/${this.args.cloud} is now in ${backendUrl}; the local copy is removed\n`);
    }

    async destroy(): Promise<void> {
        const backendUrl = this.config.backendUrl;
        if (!backendUrl) {
            throw new BootstrapRefusal(`${bootstrapNamespace}:backendUrl is not recorded in ${path.basename(this.stackFile)}: there is no store to destroy`);
        }
        const location = storeLocation(backendUrl, this.io.env);
        const store = await this.open(location);
        const others = foreignStacks((await store.workspace.listStacks({ all: true })).map((summary) => summary.name), bootstrapNamespace);
        if (others.length > 0) {
            throw new BootstrapRefusal(`${backendUrl} still holds the state of ${others.join(", ")}; destroy those stacks and remove them (pulumi stack rm) first`);
        }
        // The store cannot hold the state of its own destruction: it moves back here first.
        const exported = await store.exportStack();
        const provider = recordedSecretsProvider(readFileSync(this.stackFile, "utf8")) ?? "passphrase";
        const local = await this.open(`file://${this.localDir}`, provider);
        await local.importStack(exported);
        // Forced: its resources still exist, and their state is now the local copy's. The stack file stays for the destroy.
        await store.workspace.removeStack(this.args.cloud, { force: true, preserveConfig: true });
        // One deliberate update lifts protect, the delete locks and S3's refusal to delete a non-empty bucket.
        await local.setConfig(`${bootstrapNamespace}:releasing`, { value: "true" });
        await this.update(local, false);
        await local.destroy({ onOutput: this.io.stderr });
        await local.workspace.removeStack(this.args.cloud, { preserveConfig: true });
        writeFileSync(this.stackFile, forgetStore(readFileSync(this.stackFile, "utf8")));
        rmSync(this.localDir, { recursive: true, force: true });
        this.io.stdout(`destroyed the store ${backendUrl}; the key stays recoverable for the cloud's deletion window\n`);
    }

    /** The bootstrap stack in the backend at `url`, created there when missing. */
    private async open(url: string, secretsProvider?: string): Promise<Stack> {
        if (url.startsWith("file://")) {
            // A file backend needs its folder (the local state's, or the seam's stand-in bucket).
            mkdirSync(fileURLToPath(url), { recursive: true, mode: 0o700 });
        }
        return LocalWorkspace.createOrSelectStack(
            { stackName: this.args.cloud, workDir: this.dir },
            { envVars: this.envFor(url), ...(secretsProvider ? { secretsProvider } : {}) },
        );
    }

    /** `up`; then, unless the store is going, the commands that point the platform at it. */
    private async update(stack: Stack, printNextSteps = true): Promise<Record<string, unknown>> {
        const result = await stack.up({ onOutput: this.io.stderr });
        const changes = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same");
        this.io.stderr(`${changes.length === 0 ? "no changes" : changes.map(([op, count]) => `${op}: ${count}`).join(", ")}\n`);
        const outputs = Object.fromEntries(Object.entries(result.outputs).map(([key, output]) => [key, output.value]));
        if (printNextSteps) {
            this.io.stdout(`${(outputs["nextSteps"] as string[]).join("\n")}\n`);
        }
        return outputs;
    }

    private async cli(args: readonly string[], backendUrl: string): Promise<void> {
        await promisify(execFile)("pulumi", [...args, "--non-interactive", "--cwd", this.dir], { env: { ...this.io.env, ...this.envFor(backendUrl) } });
    }

    private envFor(backendUrl: string): Record<string, string> {
        return { PULUMI_BACKEND_URL: backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_CONFIG_PASSPHRASE: this.passphrase() };
    }

    /**
     * The passphrase of the stack's first, local state (and of the seam's store): the
     * environment's, or one made on the first run and kept beside the local state, so an
     * interrupted first run resumes with it. It leaves with the local state.
     */
    private passphrase(): string {
        const given = this.io.env["PULUMI_CONFIG_PASSPHRASE"];
        if (given !== undefined) {
            return given;
        }
        if (this.io.env[storeRootVariable]) {
            throw new Error(`${storeRootVariable} keeps the store's state under a passphrase: set PULUMI_CONFIG_PASSPHRASE`);
        }
        const file = path.join(this.localDir, "passphrase");
        if (!existsSync(file)) {
            mkdirSync(this.localDir, { recursive: true, mode: 0o700 });
            writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
        }
        return readFileSync(file, "utf8");
    }
}

function readConfig(dir: string, cloud: string): BootstrapConfig {
    return parseBootstrapConfig(namespaceValues(readStackFile(dir, cloud).config, bootstrapNamespace));
}
