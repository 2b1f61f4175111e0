/**
 * README.md's "Configuration reference" table against the schema (`config/schema.ts`):
 * every key the schema accepts has a row, every row names a key the schema has, and the
 * limits the README quotes from code are the code's.
 *
 * How rows map to keys:
 * - The first cell's backticked items are keys. The first is a full path; a later one
 *   without a dot is its sibling (`database.vcpu`, `memoryGiB` → `database.memoryGiB`).
 * - `parent.<name>` documents every field of the object `parent`; the notes must name each
 *   field in backticks.
 * - A row whose type cell is `{ a, b, c? }` describes the whole object: the names must be
 *   exactly its fields, with `?` on exactly those that may be left out.
 * - Records (`tags`) and arrays are leaves: their keys and items are the user's.
 * - Any other row for an object (`ci`) only says the object exists; its fields need rows.
 * - The API keys (`apiKeyConfig`) are config secrets read outside the schema; they are
 *   keys like the others.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { apiKeyConfig, azureMaxLogRetentionDays, kubernetesMinorFloor, logRetentionChoices, platformConfigSchema } from "../../config/schema.ts";
import { kubernetesSupportFloor } from "../../policy/rules/kubernetes.ts";
import { projectRoot } from "../support/project.ts";

const readmePath = path.join(projectRoot, "README.md");

interface Row {
    readonly keys: readonly string[];
    readonly type: string;
    readonly notes: string;
}

/** The fields of an object key; undefined for a leaf. */
type SchemaKeys = Map<string, Readonly<Record<string, z.core.$ZodType>> | undefined>;

/** The schema a key's value is checked against, without optional, default and transform wrappers. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
        return unwrap(schema.unwrap());
    }
    if (schema instanceof z.ZodPipe) {
        // A transform's input side is what the stack file holds; a preprocess puts the transform first.
        return unwrap(schema.in instanceof z.ZodTransform ? schema.out : schema.in);
    }
    return schema;
}

/** Every key under `shape` by dotted path: objects with their fields, and leaves. */
function schemaKeys(shape: Readonly<Record<string, z.core.$ZodType>>, prefix = ""): SchemaKeys {
    const keys: SchemaKeys = new Map();
    for (const [name, field] of Object.entries(shape)) {
        const key = `${prefix}${name}`;
        const inner = unwrap(field);
        if (inner instanceof z.ZodObject) {
            keys.set(key, inner.shape);
            for (const [child, fields] of schemaKeys(inner.shape, `${key}.`)) {
                keys.set(child, fields);
            }
        } else {
            keys.set(key, undefined);
        }
    }
    return keys;
}

/** The platform's keys: the schema's, plus the API keys read as config secrets. */
function platformKeys(): SchemaKeys {
    const keys = schemaKeys(platformConfigSchema.shape);
    for (const key of Object.keys(apiKeyConfig)) {
        keys.set(key, undefined);
    }
    return keys;
}

const backticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

/** The rows of the first table under "## Configuration reference". */
function referenceRows(markdown: string): Row[] {
    const section = markdown.split(/^## /m).find((part) => part.startsWith("Configuration reference"));
    assert.ok(section, 'README.md has no "## Configuration reference" section');
    const lines = section.split("\n");
    const header = lines.findIndex((line) => line.startsWith("|"));
    assert.ok(header >= 0, 'the "Configuration reference" section has no table');
    const table = lines.slice(header);
    const end = table.findIndex((line) => !line.startsWith("|"));
    // Skip the header and the separator; cells split on pipes that are not escaped.
    return table.slice(2, end === -1 ? undefined : end).map((line) => {
        const [keyCell = "", type = "", , notes = ""] = line.replace(/^\|/, "").replace(/\|\s*$/, "").split(/(?<!\\)\|/).map((cell) => cell.trim());
        const [first, ...others] = backticked(keyCell);
        assert.ok(first, `a configuration reference row names no key: ${line}`);
        const parent = first.includes(".") ? first.slice(0, first.lastIndexOf(".") + 1) : "";
        return { keys: [first, ...others.map((key) => (key.includes(".") ? key : `${parent}${key}`))], type, notes };
    });
}

/** `{ vcpu, memoryGiB, count? }` → its names, each with whether it is marked optional; undefined for any other type. */
function wholeObjectFields(type: string): { name: string; optional: boolean }[] | undefined {
    const braces = /^`\{([^}]*)\}`/.exec(type);
    return braces?.[1]!.split(",").map((entry) => entry.trim()).filter(Boolean).map((entry) => ({
        name: entry.replace(/\?$/, ""),
        optional: entry.endsWith("?"),
    }));
}

interface Comparison {
    /** Schema leaves without a row, directly or through a row describing a whole ancestor. */
    readonly missing: string[];
    /** Keys the README documents that the schema does not have. */
    readonly extra: string[];
    /** Rows that describe a whole object but name its fields wrongly. */
    readonly wrongFields: string[];
}

function compare(rows: readonly Row[], keys: SchemaKeys): Comparison {
    const documented = new Set<string>();
    /** Objects a row describes as a whole: their descendants need no rows. */
    const wholes: string[] = [];
    const extra: string[] = [];
    const wrongFields: string[] = [];
    for (const row of rows) {
        for (const key of row.keys) {
            const each = /^(.+)\.<name>$/.exec(key);
            if (each) {
                const fields = keys.get(each[1]!);
                if (!fields) {
                    extra.push(key);
                    continue;
                }
                wholes.push(each[1]!);
                const unnamed = Object.keys(fields).filter((field) => !backticked(row.notes).includes(field));
                if (unnamed.length > 0) {
                    wrongFields.push(`${key}: the notes do not name ${unnamed.join(", ")}`);
                }
                continue;
            }
            if (!keys.has(key)) {
                extra.push(key);
                continue;
            }
            documented.add(key);
            const fields = keys.get(key);
            const listed = wholeObjectFields(row.type);
            if (fields && listed) {
                wholes.push(key);
                const want = Object.entries(fields).map(([name, schema]) => `${name}${z.safeParse(schema, undefined).success ? "?" : ""}`);
                const got = listed.map(({ name, optional }) => `${name}${optional ? "?" : ""}`);
                if ([...want].sort().join(", ") !== [...got].sort().join(", ")) {
                    wrongFields.push(`${key}: the README lists { ${got.join(", ")} }, the schema has { ${want.join(", ")} }`);
                }
            }
        }
    }
    const covered = (key: string) => documented.has(key) || wholes.some((whole) => key.startsWith(`${whole}.`));
    const missing = [...keys].filter(([key, fields]) => fields === undefined && !covered(key)).map(([key]) => key);
    return { missing, extra, wrongFields };
}

describe("README configuration reference", () => {
    const readme = readFileSync(readmePath, "utf8");
    const rows = referenceRows(readme);
    const rowOf = (key: string) => {
        const row = rows.find((candidate) => candidate.keys.includes(key));
        assert.ok(row, `the configuration reference has no row for ${key}`);
        return row;
    };

    it("reads sibling keys, escaped pipes and whole-object rows", () => {
        const table = [
            "## Configuration reference",
            "",
            "| key | type | default | notes |",
            "| --- | --- | --- | --- |",
            "| `cloud` | `aws` \\| `azure` | required | |",
            "| `database.vcpu`, `memoryGiB` | numbers | required | |",
            "| `database.aws.instanceClass`, `database.azure.skuName` | string | sizing map | |",
            "| `cluster.nodes` | `{ vcpu, memoryGiB, min, max, count? }` | required | |",
            "",
            "text",
        ].join("\n");
        const parsed = referenceRows(table);
        assert.deepEqual(parsed.map((row) => row.keys), [
            ["cloud"],
            ["database.vcpu", "database.memoryGiB"],
            ["database.aws.instanceClass", "database.azure.skuName"],
            ["cluster.nodes"],
        ]);
        assert.equal(parsed[0]!.type, "`aws` \\| `azure`");
        assert.deepEqual(wholeObjectFields(parsed[3]!.type)?.filter((field) => field.optional).map((field) => field.name), ["count"]);
    });

    it("walks the schema through optional, default and transform wrappers", () => {
        const keys = platformKeys();
        for (const leaf of ["aws.region", "cluster.nodes.count", "cluster.azure.systemNodes.vcpu", "budget.startMonth", "ci.aws.oidcProviderArn", "tags", "openaiApiKey"]) {
            assert.ok(keys.has(leaf) && keys.get(leaf) === undefined, `${leaf} is a leaf`);
        }
        for (const object of ["aws", "cluster.nodes", "cluster.azure", "kubernetes.addons", "ci"]) {
            assert.ok(keys.get(object), `${object} is an object`);
        }
    });

    it("documents every key of the schema, and only those", () => {
        const { missing, extra } = compare(rows, platformKeys());
        assert.deepEqual(
            { missing, extra },
            { missing: [], extra: [] },
            [
                "README.md's configuration reference is out of step with config/schema.ts:",
                `  keys without a row: ${missing.join(", ") || "none"}`,
                `  rows for keys the schema does not have: ${extra.join(", ") || "none"}`,
            ].join("\n"),
        );
    });

    it("names exactly the fields of every object it describes as a whole", () => {
        const { wrongFields } = compare(rows, platformKeys());
        assert.deepEqual(wrongFields, [], `README.md describes objects with the wrong fields:\n  ${wrongFields.join("\n  ")}`);
    });

    it("lists the log retention values the schema accepts, and Azure's limit", () => {
        const row = rowOf("logRetentionDays");
        assert.deepEqual(row.type.split(",").map((value) => Number(value.trim())), [...logRetentionChoices]);
        assert.ok(row.notes.includes(String(azureMaxLogRetentionDays)), `the logRetentionDays row says Log Analytics keeps at most ${azureMaxLogRetentionDays} days`);
    });

    it("states the schema's Kubernetes floor and the policy pack's", () => {
        const { notes } = rowOf("cluster.kubernetesVersion");
        assert.ok(notes.includes(`1.${kubernetesMinorFloor}`), `the cluster.kubernetesVersion row states the schema floor 1.${kubernetesMinorFloor}`);
        assert.ok(notes.includes(kubernetesSupportFloor.minVersion), `the cluster.kubernetesVersion row states the policy floor ${kubernetesSupportFloor.minVersion}`);
        const policyRow = readme.split("\n").find((line) => line.startsWith("| `kubernetes-version-floor` |"));
        assert.ok(policyRow?.includes(kubernetesSupportFloor.minVersion), `the policy table's kubernetes-version-floor row states ${kubernetesSupportFloor.minVersion}`);
    });
});
