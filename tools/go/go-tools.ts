/**
 * The Go programs the tests run, built from Go modules in one cached step: the Pulumi CLI
 * (github.com/pulumi/pulumi/pkg/v3 at the version this folder's go.mod pins), Pulumi's
 * official Node.js language host from ../shared/pulumi-language-nodejs (the module proxy does
 * not serve it), actionlint and gitleaks. Binaries are cached in `.engine/<key>/bin` (ignored by git),
 * keyed by the Go version and everything that goes into them, and reused.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";

const moduleDir = import.meta.dirname;
export const projectRoot = path.resolve(moduleDir, "../..");
/** The official language host's source, kept beside the project (see its README). */
export const languageHostDir = path.resolve(projectRoot, "../shared/pulumi-language-nodejs");
const cacheRoot = path.join(projectRoot, ".engine");
const cliPackage = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
/** actionlint, installed with its own go.mod (its YAML library is older than the CLI's). */
export const actionlintModule = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12";
/** gitleaks, the secret scanner of the tests and the pre-commit hook (v8.30.1: the newest the module proxy serves, 2026-12). */
export const gitleaksVersion = "v8.30.1";
const gitleaksModule = `github.com/zricethezav/gitleaks/v8@${gitleaksVersion}`;
const versionVariable = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";

/** The CLI version go.mod pins: the one the built `pulumi` reports. */
export function cliVersion(): string {
    return requiredVersion(path.join(moduleDir, "go.mod"), "github.com/pulumi/pulumi/pkg/v3");
}

/** The Pulumi version the language host's go.mod builds against: it must be the CLI's. */
export function languageHostVersion(): string {
    return requiredVersion(path.join(languageHostDir, "go.mod"), "github.com/pulumi/pulumi/sdk/v3");
}

function requiredVersion(goMod: string, module: string): string {
    const pinned = new RegExp(`${module.replaceAll(".", "\\.")} (v\\S+)`).exec(readFileSync(goMod, "utf8"));
    if (!pinned?.[1]) {
        throw new Error(`${goMod} does not require ${module}`);
    }
    return pinned[1];
}

/** The folder that holds `pulumi`, `pulumi-language-nodejs`, `actionlint` and `gitleaks` for the current sources. */
export function goToolsBinDir(goVersion: string = goToolchainVersion()): string {
    const hash = createHash("sha256").update(goVersion).update(actionlintModule).update(gitleaksModule);
    const sources = [
        ...["go.mod", "go.sum", "tools.go"].map((file) => path.join(moduleDir, file)),
        ...readdirSync(languageHostDir).sort().map((file) => path.join(languageHostDir, file)),
    ];
    for (const source of sources) {
        hash.update(`\n${path.basename(source)}\n`).update(readFileSync(source));
    }
    return path.join(cacheRoot, `${cliVersion()}-${hash.digest("hex").slice(0, 12)}`, "bin");
}

/** The built tools' folder, or why there is none: tests skip with that reason outside CI. */
export function builtGoTools(): { binDir: string } | { missing: string } {
    let binDir: string;
    try {
        binDir = goToolsBinDir();
    } catch (error) {
        return { missing: (error as Error).message };
    }
    return isBuilt(binDir) ? { binDir } : { missing: `no Go tools in ${binDir}; run \`npm run go-tools\`` };
}

/** The build fills a `.partial` folder and renames it, so a folder with the CLI is complete. */
function isBuilt(binDir: string): boolean {
    return existsSync(path.join(binDir, "pulumi"));
}

/** Builds the tools unless the cache already has them; returns their bin folder. */
export function ensureGoTools(log: (line: string) => void): string {
    const binDir = goToolsBinDir();
    if (isBuilt(binDir)) {
        log(`go tools: reusing ${path.relative(projectRoot, binDir)}`);
        return binDir;
    }
    const version = cliVersion();
    if (languageHostVersion() !== version) {
        throw new Error(`the language host in ${languageHostDir} builds against Pulumi ${languageHostVersion()}, the CLI is ${version}; they must match`);
    }
    const started = Date.now();
    const staging = `${binDir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(`go tools: building the Pulumi CLI ${version}, the official Node.js language host, actionlint and gitleaks into ${path.relative(projectRoot, binDir)} (first run only)`);
    // The language host's folder is read-only in CI: its go.sum must already be complete.
    const builds: [string, string[], Record<string, string>][] = [
        [moduleDir, ["build", "-ldflags", `-s -w -X ${versionVariable}=${version}`, "-o", `${staging}${path.sep}`, cliPackage], {}],
        [languageHostDir, ["build", "-ldflags", `-s -w -X ${versionVariable}=${version}`, "-o", path.join(staging, "pulumi-language-nodejs"), "."], {}],
        [moduleDir, ["install", "-ldflags", "-s -w", actionlintModule], { GOBIN: staging }],
        [moduleDir, ["install", "-ldflags", `-s -w -X github.com/zricethezav/gitleaks/v8/version.Version=${gitleaksVersion}`, gitleaksModule], { GOBIN: staging }],
    ];
    for (const [cwd, args, env] of builds) {
        const build = spawnSync("go", args, { cwd, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, GOFLAGS: "-mod=readonly", ...env } });
        if (build.error || build.status !== 0) {
            rmSync(staging, { recursive: true, force: true });
            throw new Error(`go ${args[0]} in ${cwd} failed (${build.error?.message ?? `exit ${build.status}`}); see the output above`);
        }
    }
    rmSync(binDir, { recursive: true, force: true });
    renameSync(staging, binDir);
    log(`go tools: built in ${Math.round((Date.now() - started) / 1000)} s`);
    return binDir;
}

function goToolchainVersion(): string {
    try {
        return execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
    } catch {
        throw new Error("the Go toolchain (go) is not on PATH; it builds the Pulumi engine and actionlint for the tests");
    }
}
