/**
 * The Pulumi engine for the end-to-end tests, built from Go modules: the CLI from
 * github.com/pulumi/pulumi/pkg/v3 at the version this folder's go.mod pins, and the small
 * Node.js language host in ./pulumi-language-nodejs. Binaries are cached in
 * `.engine/<key>/bin` (ignored by git), keyed by everything that goes into them, and reused.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";

const moduleDir = import.meta.dirname;
export const projectRoot = path.resolve(moduleDir, "../../..");
const cacheRoot = path.join(projectRoot, ".engine");
const cliPackage = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
const versionVariable = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";

/** The CLI version go.mod pins: the one the built `pulumi` reports. */
export function cliVersion(): string {
    const pinned = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/.exec(readFileSync(path.join(moduleDir, "go.mod"), "utf8"));
    if (!pinned?.[1]) {
        throw new Error(`${path.join(moduleDir, "go.mod")} does not require github.com/pulumi/pulumi/pkg/v3`);
    }
    return pinned[1];
}

/** The folder that holds `pulumi` and `pulumi-language-nodejs` for the current sources. */
export function engineBinDir(goVersion: string = goToolchainVersion()): string {
    const hash = createHash("sha256").update(goVersion);
    const languageHostDir = path.join(moduleDir, "pulumi-language-nodejs");
    const sources = ["go.mod", "go.sum", ...readdirSync(languageHostDir).sort().map((file) => path.join("pulumi-language-nodejs", file))];
    for (const source of sources) {
        hash.update(`\n${source}\n`).update(readFileSync(path.join(moduleDir, source)));
    }
    return path.join(cacheRoot, `${cliVersion()}-${hash.digest("hex").slice(0, 12)}`, "bin");
}

/** The built engine's folder, or why there is none: tests skip with that reason outside CI. */
export function builtEngine(): { binDir: string } | { missing: string } {
    let binDir: string;
    try {
        binDir = engineBinDir();
    } catch (error) {
        return { missing: (error as Error).message };
    }
    return isBuilt(binDir) ? { binDir } : { missing: `no engine in ${binDir}; run \`npm run engine\`` };
}

/** The build fills a `.partial` folder and renames it, so a folder with the CLI is complete. */
function isBuilt(binDir: string): boolean {
    return existsSync(path.join(binDir, "pulumi"));
}

/** Builds the engine unless the cache already has it; returns its bin folder. */
export function ensureEngine(log: (line: string) => void): string {
    const binDir = engineBinDir();
    if (isBuilt(binDir)) {
        log(`engine: reusing ${path.relative(projectRoot, binDir)}`);
        return binDir;
    }
    const started = Date.now();
    const version = cliVersion();
    const staging = `${binDir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(`engine: building the Pulumi CLI ${version} and the Node.js language host into ${path.relative(projectRoot, binDir)} (first run only)`);
    const build = spawnSync(
        "go",
        ["build", "-ldflags", `-s -w -X ${versionVariable}=${version}`, "-o", `${staging}${path.sep}`, cliPackage, "./pulumi-language-nodejs"],
        { cwd: moduleDir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, GOFLAGS: "-mod=readonly" } },
    );
    if (build.error || build.status !== 0) {
        rmSync(staging, { recursive: true, force: true });
        throw new Error(`go build failed (${build.error?.message ?? `exit ${build.status}`}); see the output above`);
    }
    rmSync(binDir, { recursive: true, force: true });
    renameSync(staging, binDir);
    log(`engine: built in ${Math.round((Date.now() - started) / 1000)} s`);
    return binDir;
}

function goToolchainVersion(): string {
    try {
        return execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
    } catch {
        throw new Error("the Go toolchain (go) is not on PATH; it builds the Pulumi engine for the end-to-end tests");
    }
}
