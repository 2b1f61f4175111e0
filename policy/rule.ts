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

/** Provider configuration arrives JSON-encoded from the engine; other properties as objects. */
export function decoded(value: unknown): any {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Common enforcement profiles. */
export const enforcedEverywhere: Record<Environment, Enforcement> = { dev: "mandatory", staging: "mandatory", prod: "mandatory" };
export const advisoryInDev: Record<Environment, Enforcement> = { dev: "advisory", staging: "mandatory", prod: "mandatory" };
export const advisoryOutsideProd: Record<Environment, Enforcement> = { dev: "advisory", staging: "advisory", prod: "mandatory" };
