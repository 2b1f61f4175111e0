/**
 * The stand-in provider's cloud: what it created, kept as one JSON file per resource so that
 * refresh reads it back and destroy removes it, plus the diff rules a real provider applies.
 * Test-only: the end-to-end tests point PLATFORM_STAND_IN_CLOUD at a temporary folder.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export type Properties = Record<string, unknown>;

/** One resource as the cloud holds it. */
export interface CloudRecord {
    readonly type: string;
    readonly urn: string;
    readonly id: string;
    readonly inputs: Properties;
    readonly outputs: Properties;
}

/** The folder that holds the stand-in cloud's resources, one sub-folder per provider package. */
export const cloudDirVariable = "PLATFORM_STAND_IN_CLOUD";
/** Test-only faults the stand-in injects (provider.ts `Faults`), as JSON. */
export const faultsVariable = "PLATFORM_STAND_IN_FAULTS";

/** How Pulumi marks a secret on the wire (`acceptSecrets`) and in an exported deployment. */
export const signatureKey = "4dabf18193072939515e22adb298388d";
export const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

export class CloudStore {
    private readonly dir: string;

    constructor(root: string, packageName: string) {
        this.dir = path.join(root, packageName);
        mkdirSync(this.dir, { recursive: true });
    }

    put(record: CloudRecord): void {
        writeFileSync(this.fileOf(record.type, record.id), `${JSON.stringify(record, null, 2)}\n`);
    }

    get(type: string, id: string): CloudRecord | undefined {
        try {
            return JSON.parse(readFileSync(this.fileOf(type, id), "utf8")) as CloudRecord;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") {
                return undefined;
            }
            throw error;
        }
    }

    remove(type: string, id: string): void {
        rmSync(this.fileOf(type, id), { force: true });
    }

    list(): CloudRecord[] {
        return readdirSync(this.dir)
            .filter((file) => file.endsWith(".json"))
            .map((file) => JSON.parse(readFileSync(path.join(this.dir, file), "utf8")) as CloudRecord);
    }

    private fileOf(type: string, id: string): string {
        return path.join(this.dir, `${createHash("sha256").update(`${type}\n${id}`).digest("hex").slice(0, 32)}.json`);
    }
}

/** Every resource the stand-in cloud holds, across packages: what a destroy must leave empty. */
export function cloudContents(root: string): CloudRecord[] {
    return readdirSync(root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((entry) => new CloudStore(root, entry.name).list());
}

/** The value with secret wrappers removed, so computed outputs can read plain strings. */
export function plainValue(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(plainValue);
    }
    if (value !== null && typeof value === "object") {
        const object = value as Properties;
        if (object[signatureKey] === secretSignature) {
            return plainValue(object["value"]);
        }
        return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, plainValue(inner)]));
    }
    return value;
}

/** Top-level input keys whose values differ between the old inputs and the new ones. */
export function changedKeys(oldInputs: Properties, newInputs: Properties): string[] {
    const keys = new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)]);
    return [...keys].filter((key) => canonical(oldInputs[key]) !== canonical(newInputs[key])).sort();
}

/** Keys whose change a real provider can only apply by replacing the resource. */
export function replacementKeys(type: string, changed: readonly string[], oldInputs: Properties, newInputs: Properties): string[] {
    if (type.startsWith("random:")) {
        return [...changed];
    }
    if (type.startsWith("azure-native:")) {
        const typeName = type.split(":")[2] ?? "";
        const nameKey = `${typeName.charAt(0).toLowerCase()}${typeName.slice(1)}Name`;
        return changed.filter((key) => key === "location" || key === "resourceGroupName" || key === nameKey || key === "resourceName");
    }
    if (type.startsWith("kubernetes:")) {
        const identity = (inputs: Properties) => {
            const metadata = (plainValue(inputs["metadata"]) ?? {}) as Properties;
            return canonical([metadata["name"], metadata["namespace"], inputs["name"], inputs["namespace"]]);
        };
        return identity(oldInputs) === identity(newInputs) ? [] : changed.filter((key) => ["metadata", "name", "namespace"].includes(key));
    }
    const awsForceNew = new Set(["name", "namePrefix", "identifier", "bucket", "replicationGroupId", "engine", "availabilityZone", "cidrBlock", "vpcId"]);
    return changed.filter((key) => awsForceNew.has(key));
}

/** JSON with sorted keys, so equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, inner: unknown) =>
        inner !== null && typeof inner === "object" && !Array.isArray(inner)
            ? Object.fromEntries(Object.entries(inner as Properties).sort(([a], [b]) => a.localeCompare(b)))
            : inner,
    ) ?? "undefined";
}
