/**
 * The contract every rule of the policy pack follows. Rules are plain objects with pure
 * checks, so the offline plan and the tests run them without the Pulumi CLI; `index.ts`
 * adapts them to `@pulumi/policy` for `pulumi preview --policy-pack policy`.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { environmentNames, type EnvironmentName } from "../config/schema.ts";

type PolicyConfigJSONSchema = PolicyConfigSchema["properties"][string];

/** The configuration's environments: each rule has an enforcement level and thresholds per environment. */
export type Environment = EnvironmentName;
export const environments: readonly Environment[] = environmentNames;
export type Severity = "low" | "medium" | "high" | "critical";
export type Enforcement = "advisory" | "mandatory" | "disabled";

/** A resource as the engine (or the offline plan) presents it: its type, logical name and input properties. */
export interface PolicyResource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, any>;
}

/** What a stack-level check reports: the offending resource, when there is one. */
export interface StackViolation {
    readonly resource?: PolicyResource | undefined;
    readonly message: string;
}

interface RuleBase<Config> {
    /** Unique kebab-case id; also the key of its settings in the pack's config file. */
    readonly name: string;
    readonly description: string;
    /** What to change in the stack file or the program so the rule passes. */
    readonly remediation: string;
    readonly severity: Severity;
    /** Mandatory in prod; may be advisory (or off) in dev. */
    readonly enforcement: Record<Environment, Enforcement>;
    /** Thresholds that differ by environment: their JSON schema, and each environment's values. */
    readonly config?: {
        readonly schema: Record<keyof Config & string, PolicyConfigJSONSchema>;
        readonly byEnvironment: Record<Environment, Config>;
    };
}

/** Checks one resource at a time; returns one message per problem, empty when compliant. */
export interface ResourceRule<Config = Record<string, never>> extends RuleBase<Config> {
    /** Only resources of these types are shown to `check`. */
    readonly resourceTypes: readonly string[];
    readonly check: (resource: PolicyResource, config: Config) => string[];
}

/** Checks relations between resources (a lock for a server, a quota per namespace). */
export interface StackRule<Config = Record<string, never>> extends RuleBase<Config> {
    readonly checkStack: (resources: readonly PolicyResource[], config: Config) => StackViolation[];
}

export type Rule<Config = any> = ResourceRule<Config> | StackRule<Config>;

export function isStackRule(rule: Rule): rule is StackRule<any> {
    return "checkStack" in rule;
}

/**
 * The sentinels `@pulumi/policy` puts where a value is unknown during a preview: the exported
 * `unknownBooleanValue` … `unknownObjectValue` constants of node_modules/@pulumi/policy/proxy.js
 * (1.21.0). Its typings export none of them, so they are repeated here; a test compares them
 * with proxy.js's own.
 */
export const engineUnknownSentinels: readonly string[] = [
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
];

class UnknownValue {
    toString(): string {
        return "[unknown]";
    }

    toJSON(): string {
        return "[unknown]";
    }
}

/**
 * A value the engine learns only when a resource exists (a generated name, a KMS key's ARN):
 * on a new stack's first preview the adapter (`pack.ts`) puts this one marker wherever the
 * engine sends an unknown; the offline plan never has one. Rules judge what is known: an
 * unknown setting is present, never a violation by itself, and a reference that is unknown
 * may point at any resource of the right type. It prints as "[unknown]" and has no properties.
 */
export const unknownValue: unknown = Object.freeze(new UnknownValue());

export function isUnknown(value: unknown): boolean {
    return value === unknownValue;
}

/** Whether `value` is unknown or holds an unknown anywhere inside. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) {
        return true;
    }
    return value !== null && typeof value === "object" && Object.values(value).some(containsUnknown);
}

/** `value[path[0]][path[1]]…`: undefined where a step is missing, `unknownValue` as soon as a step is unknown. */
export function at(value: unknown, ...path: readonly (string | number)[]): any {
    let current: any = value;
    for (const key of path) {
        if (isUnknown(current) || current === undefined || current === null) {
            return current ?? undefined;
        }
        current = current[key];
    }
    return current;
}

/**
 * Whether two references (a bucket name, a server name) name the same resource: undefined when
 * either is unknown, because an unknown reference may name any resource.
 */
export function sameReference(a: unknown, b: unknown): boolean | undefined {
    return isUnknown(a) || isUnknown(b) ? undefined : a === b;
}

/**
 * Provider configuration and policy documents arrive JSON-encoded; other properties as objects.
 * An engine sentinel inside the JSON becomes `unknownValue`, as it does in the properties.
 */
export function decoded(value: unknown): any {
    if (typeof value !== "string") {
        return value;
    }
    let result = decodedTexts.get(value);
    if (result === undefined) {
        try {
            result = JSON.parse(value, (_key, parsed: unknown) => (typeof parsed === "string" && engineUnknownSentinels.includes(parsed) ? unknownValue : parsed));
        } catch {
            result = value;
        }
        // Several rules read the same documents on every run: decode each text once (results are only read, never changed).
        if (decodedTexts.size >= decodedCacheSize) {
            decodedTexts.clear();
        }
        decodedTexts.set(value, result);
    }
    return result;
}

const decodedCacheSize = 1024;
const decodedTexts = new Map<string, unknown>();

/** Common enforcement profiles. */
export const enforcedEverywhere: Record<Environment, Enforcement> = { dev: "mandatory", staging: "mandatory", prod: "mandatory" };
export const advisoryInDev: Record<Environment, Enforcement> = { dev: "advisory", staging: "mandatory", prod: "mandatory" };
export const advisoryOutsideProd: Record<Environment, Enforcement> = { dev: "advisory", staging: "advisory", prod: "mandatory" };
