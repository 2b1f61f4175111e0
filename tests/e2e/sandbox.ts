/**
 * A throw-away world for the end-to-end tests: a copy of the project (the stack files change
 * there, never in the repository), a Pulumi home whose plugin cache holds the stand-in
 * providers at the versions the SDKs ask for, a local file backend with a passphrase, and the
 * stand-in cloud's folder. Commands run as CI runs them: `node tools/ci.ts` in the copy.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { builtGoTools } from "../../tools/go/go-tools.ts";
import { runCommand, type CommandResult } from "../support/command.ts";
import { projectRoot } from "../support/project.ts";
import { cloudDirVariable } from "./stand-in/cloud.ts";

export interface DriverOptions {
    /** Added to the sandbox's environment (stand-in faults, checkpoints after every step). */
    readonly env?: Record<string, string>;
    /** Runs the driver in a process group of its own and hands over its pid. */
    readonly onSpawn?: (pid: number) => void;
}

/** The provider packages the program uses; each gets the stand-in plugin. */
const providerPackages = ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/kubernetes", "@pulumi/random"];
/** What CI's checkout holds that the program, the policy pack and the driver need. */
const projectEntries = ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml", "package.json", "index.ts", "config", "lib", "components", "patterns", "policy", "tools"];


export class EngineSandbox {
    readonly root = mkdtempSync(path.join(tmpdir(), "platform-e2e-"));
    readonly projectDir = path.join(this.root, "project");
    readonly cloudDir = path.join(this.root, "cloud");
    readonly backendDir = path.join(this.root, "state");
    private readonly home = path.join(this.root, "pulumi-home");
    private readonly passphrase = randomBytes(18).toString("base64url");
    private readonly env: NodeJS.ProcessEnv;
    private readonly sourceRoot: string;

    constructor(projectRoot: string, engineBinDir: string) {
        this.sourceRoot = projectRoot;
        for (const entry of projectEntries) {
            cpSync(path.join(projectRoot, entry), path.join(this.projectDir, entry), { recursive: true });
        }
        symlinkSync(path.join(projectRoot, "node_modules"), path.join(this.projectDir, "node_modules"), "dir");
        mkdirSync(this.cloudDir);
        mkdirSync(this.backendDir);
        for (const packageName of providerPackages) {
            this.installStandIn(packageName);
        }
        this.env = {
            ...process.env,
            // The engine first, then the Node the tests run on: the language host runs `node`.
            PATH: [engineBinDir, path.dirname(process.execPath), process.env["PATH"]].join(path.delimiter),
            PULUMI_HOME: this.home,
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: this.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // Only the final checkpoint: the file backend otherwise rewrites the whole state after every step.
            PULUMI_SKIP_CHECKPOINTS: "true",
            // Pulumi formats a stack trace for every promise and resource (debuggablePromise, source
            // positions): a fifth of each program run here, and nothing in these tests reads them.
            NODE_OPTIONS: [process.env["NODE_OPTIONS"], "--stack-trace-limit=0"].filter(Boolean).join(" "),
            // The program, the policy pack and every stand-in provider load the same SDK modules on
            // each run: V8 keeps their compiled code here, so later runs skip compiling them.
            NODE_COMPILE_CACHE: path.join(projectRoot, "node_modules", ".cache", "platform", "node-compile-cache"),
            // A missing plugin must fail the test, not start a download.
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            [cloudDirVariable]: this.cloudDir,
        };
    }

    /** `npm run ci -- <args>` in the copy, as the workflow runs it. */
    driver(args: readonly string[], options: DriverOptions = {}): Promise<CommandResult> {
        return runCommand(process.execPath, [path.join(this.projectDir, "tools", "ci.ts"), ...args], {
            cwd: this.projectDir,
            env: { ...this.env, ...options.env },
            detached: options.onSpawn !== undefined,
            onSpawn: options.onSpawn,
        });
    }

    /** The driver's JSON result for `<command> <stack>`. */
    async driverJson(command: string, stack: string, ...flags: string[]): Promise<CommandResult & { result: Record<string, any> }> {
        return this.driverJsonWith({}, command, stack, ...flags);
    }

    /** The same, with extra environment or a process group of its own (to end it as a lost runner ends). */
    async driverJsonWith(options: DriverOptions, command: string, stack: string, ...flags: string[]): Promise<CommandResult & { result: Record<string, any> }> {
        const outcome = await this.driver([command, stack, "--json", ...flags], options);
        try {
            return { ...outcome, result: JSON.parse(outcome.stdout) as Record<string, any> };
        } catch {
            throw new Error(`${command} ${stack} printed no JSON (exit ${outcome.code}):\n${outcome.stdout}\n${outcome.stderr.slice(-4000)}`);
        }
    }

    /** The CLI itself, for what the tests inspect rather than what CI does. */
    pulumi(args: readonly string[]): Promise<CommandResult> {
        return this.run("pulumi", [...args, "--non-interactive", "--cwd", this.projectDir]);
    }

    /** The checkpoint the file backend keeps for a stack, exactly as written to disk. */
    stateFile(stack: string): string {
        return readFileSync(path.join(this.backendDir, ".pulumi", "stacks", "platform", `${stack}.json`), "utf8");
    }

    stackFile(stack: string): string {
        return readFileSync(path.join(this.projectDir, `Pulumi.${stack}.yaml`), "utf8");
    }

    /** A stack file from the repository (a weakened fixture, say) as stack `stack` of the copy. */
    copyFixture(file: string, stack: string): void {
        cpSync(path.join(this.sourceRoot, file), path.join(this.projectDir, `Pulumi.${stack}.yaml`));
    }

    writeStackFile(stack: string, text: string): void {
        writeFileSync(path.join(this.projectDir, `Pulumi.${stack}.yaml`), text);
    }

    dispose(): void {
        rmSync(this.root, { recursive: true, force: true });
    }

    /** The plugin cache layout the engine looks up: plugins/resource-<name>-v<version>/pulumi-resource-<name>. */
    private installStandIn(packageName: string): void {
        const manifest = JSON.parse(readFileSync(path.join(this.sourceRoot, "node_modules", packageName, "package.json"), "utf8")) as {
            version: string;
            pulumi: { name: string; version?: string };
        };
        const name = manifest.pulumi.name;
        const version = manifest.pulumi.version ?? manifest.version;
        const pluginDir = path.join(this.home, "plugins", `resource-${name}-v${version}`);
        mkdirSync(pluginDir, { recursive: true });
        const launcher = path.join(pluginDir, `pulumi-resource-${name}`);
        const provider = path.join(import.meta.dirname, "stand-in", "provider.ts");
        writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${provider}" ${name} ${version} "$@"\n`);
        chmodSync(launcher, 0o755);
    }

    /** Any command in `cwd` (the copy by default) with the sandbox's environment plus `env`: the bootstrap tool, say. */
    exec(command: string, args: readonly string[], options: { readonly cwd?: string; readonly env?: Record<string, string> } = {}): Promise<CommandResult> {
        return runCommand(command, args, { cwd: options.cwd ?? this.projectDir, env: { ...this.env, ...options.env } });
    }

    private run(command: string, args: readonly string[]): Promise<CommandResult> {
        return runCommand(command, args, { cwd: this.projectDir, env: this.env });
    }
}

/** A fresh sandbox on the built engine; without one the tests skip, saying why, except in CI, where they fail. */
export function sandboxOrSkip(context: Mocha.Context): EngineSandbox {
    const engine = builtGoTools();
    if ("missing" in engine) {
        if (process.env["CI"]) {
            throw new Error(`the engine is not built: ${engine.missing}`);
        }
        console.warn(`  skipped: ${engine.missing}`);
        context.skip();
    }
    return new EngineSandbox(projectRoot, engine.binDir);
}
