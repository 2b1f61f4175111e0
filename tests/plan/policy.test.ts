import assert from "node:assert/strict";
import path from "node:path";
import type { PolicyViolation } from "../../policy/run.ts";
import { evaluateStack, PlanConfigError, type PlanReport } from "../../tools/offline/evaluate.ts";
import { plan } from "../support/plan-cli.ts";
import { cloudNames, planOf, type CloudName } from "../support/plans.ts";
import { projectRoot } from "../support/project.ts";
import { stacks } from "../support/stack-config.ts";

const weakenedDir = path.join(projectRoot, "tests", "fixtures", "weakened");

function weakened(stack: string, cloud: CloudName): Promise<PlanReport> {
    return evaluateStack({ stack, cloud, stackFileDir: weakenedDir });
}

function mandatory(report: PlanReport): PolicyViolation[] {
    return report.policy.filter((violation): violation is PolicyViolation => violation.enforcement === "mandatory");
}

function describeViolations(violations: readonly PolicyViolation[]): string {
    return violations.map((violation) => `${violation.rule} ${violation.type} ${violation.name}: ${violation.message}`).join("\n");
}

describe("policy pack on the whole program", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`raises no mandatory violation for ${stack} on ${cloud}`, async () => {
                const report = await planOf(stack, cloud);
                assert.deepEqual(mandatory(report), [], describeViolations(mandatory(report)));
            });
        }
    }

    describe("deliberately weakened stack files", () => {
        const cases: [string, CloudName, string, RegExp][] = [
            ["public-bucket", "aws", "no-public-endpoints", /^aws:s3\//],
            ["public-bucket", "azure", "no-public-endpoints", /^azure-native:storage:/],
            ["no-backups", "aws", "database-backups", /^aws:rds\/instance:Instance$/],
            ["tiny-prod", "aws", "capacity-floor", /^aws:eks\/nodeGroup:NodeGroup$/],
            ["tiny-prod", "azure", "capacity-floor", /^azure-native:containerservice:AgentPool$/],
            ["oversized-dev", "aws", "cost-ceilings", /^aws:(eks\/nodeGroup:NodeGroup|rds\/instance:Instance)$/],
            ["oversized-dev", "azure", "cost-ceilings", /^azure-native:(containerservice:AgentPool|dbforpostgresql:Server)$/],
            ["over-budget", "aws", "budget-estimate", /^aws:budgets\/budget:Budget$/],
            ["over-budget", "azure", "budget-estimate", /^azure-native:consumption:Budget$/],
        ];
        for (const [stack, cloud, rule, type] of cases) {
            it(`${stack} on ${cloud} violates ${rule} (mandatory)`, async () => {
                const found = mandatory(await weakened(stack, cloud)).filter((violation) => violation.rule === rule);
                assert.ok(found.length > 0, `expected a mandatory ${rule} violation`);
                assert.ok(found.every((violation) => type.test(violation.type)), describeViolations(found));
                assert.ok(found.every((violation) => violation.message.length > 30), describeViolations(found));
            });
        }

        it("no-backups cannot even be planned on Azure, whose minimum is 7 days", async () => {
            await assert.rejects(weakened("no-backups", "azure"), (error: Error) =>
                error instanceof PlanConfigError && error.message.includes("platform:database.backupRetentionDays: Azure keeps PostgreSQL backups at least 7 days"));
        });

        it("the oversized dev is flagged on size but stays within dev's exposure rules", async () => {
            const report = await weakened("oversized-dev", "aws");
            assert.deepEqual(mandatory(report).map((violation) => violation.rule).filter((name) => name !== "cost-ceilings"), []);
        });
    });
});

describe("npm run plan with the policy pack", function () {
    this.timeout(120_000);

    it("adds the policy array to the JSON and exits 0 when nothing mandatory is violated", async () => {
        const run = await plan("staging", "--cloud", "azure", "--json");
        assert.equal(run.code, 0);
        const policy = JSON.parse(run.stdout)["policy"];
        assert.ok(Array.isArray(policy));
        for (const violation of policy) {
            assert.deepEqual(Object.keys(violation).sort(), ["enforcement", "message", "name", "rule", "severity", "type"]);
        }
    });

    it("lists the violations in the table and exits 3 on a mandatory one", async () => {
        const run = await plan("public-bucket", "--stack-dir", weakenedDir);
        assert.equal(run.code, 3);
        assert.match(run.stdout, /^POLICY: [1-9]\d* mandatory/m);
        assert.match(run.stdout, /^MANDATORY\s+critical\s+no-public-endpoints: /m);
    });
});
