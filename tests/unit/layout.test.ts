/**
 * The layout's import rules: pure modules at the bottom, config above them, components above
 * config, the program on top, and no cycle anywhere in the program's modules.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "mocha";

const root = path.resolve(import.meta.dirname, "../..");
const layers = ["lib", "config", "components"] as const;

function sources(dir: string): string[] {
    return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

/** Relative imports (static, dynamic and re-exports) of `file`, as paths from the project root. */
function importsOf(file: string): string[] {
    const text = readFileSync(path.join(root, file), "utf8");
    return [...text.matchAll(/(?:from\s+|import\(?)\s*"(\.{1,2}\/[^"]+)"/g)].map((match) => path.normalize(path.join(path.dirname(file), match[1]!)));
}

const files = [...layers.flatMap(sources), "index.ts"];
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const layerOf = (file: string) => (file === "index.ts" ? layers.length : layers.findIndex((layer) => file.startsWith(`${layer}/`)));

describe("layout", () => {
    it("imports only downwards: lib ← config ← components ← index.ts, never tools, tests or the policy pack", () => {
        const upward = [...graph].flatMap(([file, imports]) => imports
            .filter((target) => layerOf(target) === -1 || layerOf(target) > layerOf(file))
            .map((target) => `${file} → ${target}`));
        assert.deepEqual(upward, []);
    });

    it("has no import cycle", () => {
        const state = new Map<string, "open" | "done">();
        const cycles: string[] = [];
        const visit = (file: string, trail: string[]) => {
            state.set(file, "open");
            for (const target of graph.get(file) ?? []) {
                if (state.get(target) === "open") {
                    cycles.push([...trail.slice(trail.indexOf(target)), file, target].join(" → "));
                } else if (!state.has(target)) {
                    visit(target, [...trail, file]);
                }
            }
            state.set(file, "done");
        };
        files.forEach((file) => state.has(file) || visit(file, []));
        assert.deepEqual(cycles, []);
    });

    it("keeps per-cloud SDKs out of the cloud-agnostic interfaces", () => {
        const agnostic = files.filter((file) => /^components\/[^/]+\/[^/]+\.ts$/.test(file) && !/(aws|azure)[^/]*\.ts$/.test(file) && !file.startsWith("components/aws/") && !file.startsWith("components/azure/"));
        const loading = agnostic.filter((file) => /from "@pulumi\/(aws|azure-native)[/"]/.test(readFileSync(path.join(root, file), "utf8").replace(/import type [^;]+;/g, "")));
        assert.deepEqual(loading, []);
    });
});
