/**
 * How bad configuration is reported: one line per problem, naming the key
 * (`platform:cluster.nodes.min: must be at least 1, got 0`). Shared by the stack's schema
 * and the pattern library's.
 */
import type { z } from "zod";

/** Bad configuration: the message names the key and what is wrong, on one line. */
export class ConfigError extends Error {
    override name = "ConfigError";
}

/** The config namespace, which is also the project name. */
export const configNamespace = "platform";

/** `["cluster", "nodes", "min"]` → `platform:cluster.nodes.min`. */
export function configKey(path: readonly PropertyKey[]): string {
    return `${configNamespace}:${path.map(String).join(".")}`;
}

/** One issue as `<key>: <problem>`; `keyOf` names the key (the stack's `platform:` keys by default). */
export function describeIssue(issue: z.core.$ZodIssue, keyOf: (path: readonly PropertyKey[]) => string = configKey): string {
    const key = keyOf(issue.path);
    // Zod's own messages start with "Invalid"/"Too"; anything else was written in this schema.
    if (!/^(Invalid|Too|Unrecognized)/.test(issue.message)) {
        return `${key}: ${issue.message}`;
    }
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((unknown) => `${keyOf([...issue.path, unknown])}: unknown key`).join("; ");
        case "invalid_type":
            return issue.input === undefined
                ? `${key}: is required`
                : `${key}: must be ${article(issue.expected)}, got ${describeValue(issue.input)}`;
        case "invalid_value":
            return `${key}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(issue.input)}`;
        case "too_small":
            return `${key}: must be at least ${String(issue.minimum)}${issue.origin === "array" ? " items" : ""}, got ${describeValue(issue.input)}`;
        case "too_big":
            return `${key}: must be at most ${String(issue.maximum)}, got ${describeValue(issue.input)}`;
        default:
            return `${key}: ${issue.message}`;
    }
}

function article(expected: string): string {
    return (/^[aeiou]/.test(expected) ? "an " : "a ") + expected;
}

function describeValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 40 ? `${typeof value}` : text;
}
