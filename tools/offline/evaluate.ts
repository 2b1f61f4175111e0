/**
 * Evaluates the real program (`index.ts`) for one stack under Pulumi's mock runtime and
 * returns what it would create, checked against the policy pack. No credentials, no
 * network, no Pulumi CLI.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readPlatformConfig } from "../../config/index.ts";
import { decode } from "../../config/values.ts";
import { stackMonthlyCost, type CostEstimate } from "../../lib/cost/index.ts";
import { placeholderWarnings } from "../../config/placeholders.ts";
import { apiKeyExpiryWarnings } from "../../config/secrets.ts";
import type { Environment } from "../../policy/rule.ts";
import { rules } from "../../policy/rules/index.ts";
import { runRules, type PolicyViolation } from "../../policy/run.ts";
import { loadWaivers, stackEnforcement } from "../../policy/config.ts";
import { applyWaivers, type WaivedViolation, type Waiver } from "../../policy/waivers.ts";
import { ConfigError } from "../../config/errors.ts";
import { firstUpTimeline, loadCreationTimes, type Timeline } from "./timeline.ts";
import { PlatformMocks, stringsIn, type RegisteredResource } from "./mocks.ts";
import { PlanInputError, readStackFile } from "../stack-file.ts";

export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface PlanOptions {
    readonly stack: string;
    /** Overrides `platform:cloud` from the stack file. */
    readonly cloud?: string | undefined;
    /** Replaces whole config values (`platform:network` → object), for tests and what-ifs. */
    readonly configOverrides?: Record<string, unknown>;
    readonly projectDir?: string;
    /** Where `Pulumi.<stack>.yaml` lives, when not in the project (e.g. test fixtures). */
    readonly stackFileDir?: string;
    /** Print secret outputs in clear; for tests that check what the secret holds. */
    readonly revealSecrets?: boolean;
    /** Instead of policy/waivers.yaml, for tests. */
    readonly waivers?: readonly Waiver[];
    /** The day waivers are judged on; today unless a test fixes it. */
    readonly today?: Date;
}

export interface PlannedResource {
    /** The Pulumi type token. */
    readonly type: string;
    /** The logical name. */
    readonly name: string;
    /** Component nesting depth, 0 for top-level resources. */
    readonly depth: number;
    /** Logical name of the parent component, if any. */
    readonly parent?: string;
    /** Pulumi `protect`: the engine refuses to delete it. */
    readonly protect: boolean;
    /** Properties whose drift the program ignores. */
    readonly ignoreChanges: string[];
    /** Logical names of the resources it waits for: explicit `dependsOn`, its inputs' and its provider's. */
    readonly dependsOn: string[];
    /** The same, as `<type>::<name>` (names repeat across types), and its parent's: the engine's schedule. */
    readonly waitsFor: string[];
    readonly parentKey?: string;
    /** The inputs as registered (JSON-like data); secrets appear as "[secret]". */
    readonly inputs: Record<string, any>;
}

export interface PlanReport {
    readonly stack: string;
    readonly cloud: string;
    readonly environment: string;
    readonly resources: PlannedResource[];
    /** Stack outputs; secrets appear as "[secret]". */
    readonly outputs: Record<string, unknown>;
    /** Names of the outputs Pulumi holds as secrets. */
    readonly secretOutputs: string[];
    /** The policy pack's findings, with the environment's enforcement levels. */
    /** Each violation; one a waiver covers has enforcement `waived` and its `waiver`. */
    readonly policy: (PolicyViolation | WaivedViolation)[];
    /**
     * How long the first `up` takes: the longest chain of the dependency graph (timeline.ts);
     * what it costs each month at the node pools' minimum and maximum (lib/cost), null when no cloud's prices apply.
     */
    readonly estimate: { readonly firstUp: Timeline; readonly monthlyUsd: CostEstimate | null };
    /** The stack's monthly budget (platform:budget.monthlyUsd), read off its budget resource. */
    readonly budget: { readonly monthlyUsd: number | null };
    /** Outputs whose values the simulated cloud made up: only the real cloud can know them. */
    readonly simulatedOutputs: string[];
    /** Placeholder or nonexistent values in the configuration, one line each naming the key (`config/placeholders.ts`). */
    readonly warnings: string[];
}

/** Bad stack configuration; the message names the key. */
export class PlanConfigError extends Error {
    override name = "PlanConfigError";
}

export const secretMask = "[secret]";

let evaluations = 0;

export async function evaluateStack(options: PlanOptions): Promise<PlanReport> {
    const projectDir = options.projectDir ?? projectRoot;
    if (!/^[\w.-]+$/.test(options.stack)) {
        throw new PlanInputError(`"${options.stack}" is not a stack name`);
    }
    const stackFile = readStackFile(projectDir, options.stack, options.stackFileDir);
    const config = withOverrides(stackFile.config, { ...(options.cloud !== undefined ? { [`${stackFile.project}:cloud`]: options.cloud } : {}), ...options.configOverrides });

    pulumi.runtime.setAllConfig(config, stackFile.secretKeys);
    const mocks = new PlatformMocks();
    await pulumi.runtime.setMocks(mocks, stackFile.project, options.stack, false);
    const registrationOptions = recordResourceOptions();

    // A fresh module URL re-runs the program; its imports stay cached.
    const programUrl = `${pathToFileURL(path.join(projectDir, "index.ts")).href}?evaluation=${++evaluations}`;
    // Pulumi formats a stack trace for every promise it makes (debuggablePromise), a fifth of a
    // plan's time and most of its garbage; no plan reads them. Errors keep their messages.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let program: Record<string, unknown>;
    let resolved: Awaited<ReturnType<typeof resolveOutputs>>;
    try {
        // Under a root Stack, as the engine runs a program.
        let imported: { module: Record<string, unknown> } | { error: unknown } = { module: {} };
        await pulumi.runtime.runInPulumiStack(async () => {
            // Aliases only match resources against existing state, which a plan has none of; azure-native
            // gives every resource one per former API version, each collapsed to a URN Output by the SDK:
            // most of an Azure plan's memory. The report never shows them.
            pulumi.runtime.registerStackTransformation(({ props, opts }) => ({ props, opts: { ...opts, aliases: [] } }));
            // Caught here: a program that throws must not leave the Stack's own promises rejected behind it.
            imported = await import(programUrl).then((module: Record<string, unknown>) => ({ module }), (error: unknown) => ({ error }));
            return {};
        });
        if ("error" in imported) {
            throw imported.error;
        }
        program = imported.module;
        resolved = await resolveOutputs(program, options.revealSecrets ?? false);
    } catch (error) {
        if (pulumi.RunError.isInstance(error)) {
            throw new PlanConfigError((error as Error).message);
        }
        throw error;
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }

    // The program has validated this configuration already; parsing it again is cheap.
    const stackConfig = readPlatformConfig();
    const warnings = [...placeholderWarnings(stackConfig), ...apiKeyExpiryWarnings(stackConfig.rotation, new Date())];
    const { outputs, secretOutputs } = resolved;
    await pulumi.runtime.disconnect();
    if (mocks.rejections.length > 0) {
        throw new PlanConfigError(mocks.rejections.join("; "));
    }
    const environment = String(outputs["environment"]) as Environment;
    const resources = plannedResources(mocks.registered, registrationOptions);
    const violations = runRules(rules, resources.map(({ type, name, inputs }) => ({ type, name, props: inputs })), environment, stackEnforcement(config));
    const components = componentOf(resources);
    const cost = stackMonthlyCost(resources.map(({ type, name, inputs }) => ({ type, name, props: inputs, component: components(name) })), environment);
    const waived = applyWaivers(violations, options.waivers ?? readWaivers(options.today), options.stack, options.today ?? new Date());
    return {
        stack: options.stack,
        cloud: String(outputs["cloudName"]),
        environment,
        resources,
        outputs,
        secretOutputs,
        policy: waived.violations,
        estimate: { firstUp: firstUpTimeline(resources, loadCreationTimes()), monthlyUsd: cost?.estimate ?? null },
        budget: { monthlyUsd: cost?.budget?.usd ?? null },
        simulatedOutputs: simulatedOutputs(outputs, mocks.invented, config),
        warnings: [...warnings, ...waived.notices],
    };
}

/** Each resource's top-level component (itself when it has no parent). */
export function componentOf(resources: readonly PlannedResource[]): (name: string) => string {
    const parents = new Map(resources.map((resource) => [resource.name, resource.parent]));
    const rootOf = (name: string): string => {
        const parent = parents.get(name);
        return parent === undefined ? name : rootOf(parent);
    };
    return rootOf;
}

/**
 * The outputs that carry something the simulated cloud made up: a string holding one of its
 * answers (an endpoint, an ARN), or the start of one (a registry host cut from a repository
 * URL). Answers the stack's configuration also holds (its region) are the user's, not the cloud's.
 */
function simulatedOutputs(outputs: Record<string, unknown>, invented: ReadonlySet<string>, config: Readonly<Record<string, string>>): string[] {
    const configured = new Set(Object.values(config).flatMap((text) => stringsIn(decode(text))));
    const answers = [...invented].filter((text) => text.length >= 6 && !configured.has(text));
    const madeUp = (text: string) => answers.some((answer) => text.includes(answer) || answer.startsWith(`${text}/`));
    return Object.entries(outputs).filter(([, value]) => stringsIn(value).some(madeUp)).map(([key]) => key);
}

/** A stack file's config with `overrides` (an undefined value removes its key), in the runtime's text form. */
export function withOverrides(config: Record<string, string>, overrides: Record<string, unknown> = {}): Record<string, string> {
    const result = { ...config };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete result[key];
        } else {
            result[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return result;
}

/** policy/waivers.yaml; a bad entry is a configuration error naming it. */
function readWaivers(today: Date | undefined): Waiver[] {
    try {
        return loadWaivers(today);
    } catch (error) {
        throw error instanceof ConfigError ? new PlanConfigError(error.message) : error;
    }
}

export async function resolveOutputs(program: Record<string, unknown>, reveal: boolean) {
    const entries = await Promise.all(
        Object.entries(program).map(async ([key, value]) => {
            const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<string>);
            const [resolved, secret] = await Promise.all([
                new Promise<unknown>((resolve) => output.apply(resolve)),
                pulumi.isSecret(output),
            ]);
            return { key, value: secret && !reveal ? secretMask : resolved, secret };
        }),
    );
    return {
        outputs: Object.fromEntries(entries.map(({ key, value }) => [key, value])),
        secretOutputs: entries.filter(({ secret }) => secret).map(({ key }) => key),
    };
}

interface RegistrationOptions {
    readonly parentUrn: string;
    readonly protect: boolean;
    readonly ignoreChanges: string[];
    readonly dependencyUrns: string[];
}

/** The mock runtime hides resource options from the mocks; read them off the registration requests. */
export function recordResourceOptions(): Map<string, RegistrationOptions> {
    type Request = {
        getType(): string;
        getName(): string;
        getParent(): string;
        getProtect(): boolean | undefined;
        getIgnorechangesList(): string[];
        getDependenciesList(): string[];
        getProvider(): string;
    };
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(request: Request, callback: unknown): unknown };
    const recorded = new Map<string, RegistrationOptions>();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) => {
        recorded.set(`${request.getType()}::${request.getName()}`, {
            parentUrn: request.getParent(),
            protect: request.getProtect() ?? false,
            ignoreChanges: request.getIgnorechangesList(),
            // A provider reference is `<urn>::<id>`.
            dependencyUrns: [...request.getDependenciesList(), ...(request.getProvider() ? [request.getProvider().split("::").slice(0, -1).join("::")] : [])],
        });
        return register(request, callback);
    };
    return recorded;
}

const rootStackType = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` → `<type>::<name>`. */
function urnKey(urn: string): string {
    const [, , types, name] = urn.split("::");
    return `${types?.split("$").pop()}::${name}`;
}

/** Sorted by logical name, so each component's children sit together. */
export function plannedResources(registered: RegisteredResource[], options: Map<string, RegistrationOptions>): PlannedResource[] {
    // The root Stack holds every resource; the report starts below it, as `pulumi preview` lists them.
    const underStack = (urn: string) => urn.split("::")[2]?.split("$").pop() === rootStackType;
    return registered
        .filter((resource) => resource.type !== rootStackType)
        .map((resource) => {
            const recorded = options.get(`${resource.type}::${resource.name}`);
            const parentUrn = recorded?.parentUrn && !underStack(recorded.parentUrn) ? recorded.parentUrn : "";
            const typeChain = (parentUrn.split("::")[2] ?? "").split("$").filter((type) => type !== rootStackType);
            const parent = parentUrn.split("::")[3];
            return {
                type: resource.type,
                name: resource.name,
                depth: parentUrn ? typeChain.length : 0,
                ...(parent ? { parent } : {}),
                protect: recorded?.protect ?? false,
                ignoreChanges: recorded?.ignoreChanges ?? [],
                dependsOn: [...new Set((recorded?.dependencyUrns ?? []).map((urn) => urn.split("::").pop()!))].sort(),
                waitsFor: [...new Set((recorded?.dependencyUrns ?? []).map(urnKey))].sort(),
                ...(parent ? { parentKey: urnKey(parentUrn) } : {}),
                inputs: maskSecrets(resource.inputs) as Record<string, unknown>,
            };
        })
        .sort((a, b) => a.name.localeCompare(b.name) || a.depth - b.depth || a.type.localeCompare(b.type));
}

function maskSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(maskSecrets);
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
            return secretMask;
        }
        return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, maskSecrets(inner)]));
    }
    return value;
}
