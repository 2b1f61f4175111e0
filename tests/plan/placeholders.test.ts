import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { plan, type Run } from "../support/plan-cli.ts";
import { planOf } from "../support/plans.ts";
import { projectRoot } from "../support/project.ts";
import { makeRealistic } from "../support/stack-config.ts";

type Raw = Record<string, any>;

describe("placeholder warnings in the plan", function () {
    this.timeout(120_000);

    for (const cloud of ["aws", "azure"] as const) {
        it(`name the checked-in dev stack's sample values on ${cloud}`, async () => {
            const { warnings } = await planOf("dev", cloud);
            for (const expected of [
                `platform:budget.alertEmails.0: "platform-team@example.com" is a documentation address (example.com)`,
                `platform:kubernetes.acmeEmail: "platform-team@example.com"`,
                `platform:kubernetes.developers.aws.roleArns.0: "arn:aws:iam::111122223333:role/platform-developers"`,
                `platform:kubernetes.developers.azure.groupObjectIds.0: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"`,
                `platform:ci.repository: "acme/platform" has the placeholder owner "acme"`,
                `platform:dns.zone: "dev.platform.example.com" is under example.com, reserved for documentation`,
            ]) {
                assert.ok(warnings.some((warning) => warning.startsWith(expected)), `no warning starts with ${expected}:\n${warnings.join("\n")}`);
            }
        });
    }
});

describe("npm run plan --strict", function () {
    this.timeout(120_000);
    const runs: Record<string, Run> = {};
    const cleanDir = mkdtempSync(path.join(tmpdir(), "plan-strict-"));

    before(async () => {
        // The dev stack file with real values in place of its samples.
        const document = parse(readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8")) as { config: Raw };
        const values = Object.fromEntries(
            Object.entries(document.config).map(([key, value]) => [key.replace(/^platform:/, ""), value]),
        );
        makeRealistic(values);
        writeFileSync(path.join(cleanDir, "Pulumi.clean.yaml"), stringify({ config: Object.fromEntries(Object.entries(values).map(([key, value]) => [`platform:${key}`, value])) }));
        const [lenient, strict, clean] = await Promise.all([
            plan("dev", "--json"),
            plan("dev", "--json", "--strict"),
            plan("clean", "--strict", "--stack-dir", cleanDir),
        ]);
        Object.assign(runs, { lenient, strict, clean });
    });

    after(() => rmSync(cleanDir, { recursive: true, force: true }));

    it("prints the dev plan's warnings in the JSON document and exits 0 without --strict", () => {
        const { code, stdout, stderr } = runs["lenient"]!;
        assert.equal(code, 0, stderr);
        const { warnings } = JSON.parse(stdout);
        assert.ok(warnings.some((warning: string) => warning.startsWith(`platform:ci.repository: "acme/platform"`)));
        assert.equal(stderr, "");
    });

    it("exits 1 with --strict after printing the same plan, and repeats each warning on stderr", () => {
        const lenient = JSON.parse(runs["lenient"]!.stdout);
        const { code, stdout, stderr } = runs["strict"]!;
        assert.equal(code, 1);
        const document = JSON.parse(stdout);
        assert.deepEqual(document.warnings, lenient.warnings);
        assert.equal(stderr, lenient.warnings.map((warning: string) => `error: ${warning}\n`).join(""));
    });

    it("passes --strict for a stack file with real values, whose table says WARNINGS: none", () => {
        const { code, stdout, stderr } = runs["clean"]!;
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^Stack clean: aws, environment dev, \d+ resources to create/);
        assert.match(stdout, /\nWARNINGS: none\n$/);
    });
});
