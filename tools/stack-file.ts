/**
 * Reads a Pulumi project and stack file the way the Pulumi CLI hands them to a program:
 * `namespace:key` → text, with object values as JSON text. The offline plan and the CI driver
 * both read stack files through it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, YAMLParseError } from "yaml";

/** A problem with the project or stack files (or the plan's arguments), printed as one line. */
export class PlanInputError extends Error {
    override name = "PlanInputError";
}

export interface StackFile {
    readonly project: string;
    /** Config the way the program reads it: `namespace:key` → text. */
    readonly config: Record<string, string>;
    /** Keys whose values are `secure:` ciphertext in the stack file. */
    readonly secretKeys: string[];
}

/** Placeholder for a `secure:` value: the offline plan never holds the passphrase. */
export const encryptedPlaceholder = "[encrypted in the stack file]";

/** Reads `Pulumi.<stack>.yaml` from `stackDir` (the project by default) and the project name from `Pulumi.yaml`. */
export function readStackFile(projectDir: string, stack: string, stackDir: string = projectDir): StackFile {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml"))?.["name"];
    if (typeof project !== "string") {
        throw new PlanInputError(`Pulumi.yaml: "name" must be the project name`);
    }
    const file = `Pulumi.${stack}.yaml`;
    const document = readYaml(path.join(stackDir, file)) ?? {};
    const entries = document["config"] ?? {};
    if (typeof entries !== "object" || Array.isArray(entries)) {
        throw new PlanInputError(`${file}: "config" must be a mapping of keys to values`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        if (isSecure(value)) {
            secretKeys.push(fullKey);
            config[fullKey] = encryptedPlaceholder;
        } else {
            config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { project, config, secretKeys };
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;
}

function readYaml(file: string): Record<string, unknown> | undefined {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch {
        throw new PlanInputError(`${path.basename(file)} not found in ${path.dirname(file)}`);
    }
    try {
        return parse(text) as Record<string, unknown> | undefined;
    } catch (error) {
        if (error instanceof YAMLParseError) {
            const line = error.linePos?.[0]?.line;
            throw new PlanInputError(`${path.basename(file)}${line ? ` line ${line}` : ""}: ${error.message.split("\n")[0]}`);
        }
        throw error;
    }
}
