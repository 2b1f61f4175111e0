/** The monthly cost estimate of the checked-in stacks, and the budget-estimate rule on them. */
import assert from "node:assert/strict";
import { hoursPerMonth, loadPriceBook } from "../../lib/cost/estimate.ts";
import { cloudNames, planOf, planWith } from "../support/plans.ts";
import { stackPlatformConfig, stacks, stackValue } from "../support/stack-config.ts";

const cents = (value: number) => Math.round(value * 100) / 100;

/** Prices the books do not hold, as the plans show them: a new SKU or region without a price appears here. */
const expectedUnknown: Record<string, string[]> = {
    "prod/aws": [
        'database-backups: 200 GiB of backups copied to eu-central-1 (no price for "rds:backup" in eu-central-1)',
        'secrets-recovery-key: customer managed key (no price for "kms:key" in eu-central-1)',
        'storage-replica: 1000 GiB of objects (assumed) (no price for "s3:standard" in eu-central-1)',
    ],
    "prod/azure": ['cache-redis: Balanced_B20, two nodes for high availability (no price for "managed-redis:Balanced_B20" in westeurope)'],
};

/** The budget-estimate verdict each checked-in stack gets: dev's sizes cost more than its budget even at minimum scale. */
const expectedVerdict: Record<string, string | undefined> = {
    "dev/aws": "advisory", "dev/azure": "advisory", "staging/aws": undefined, "staging/azure": "advisory", "prod/aws": undefined, "prod/azure": undefined,
};

const budgetEstimate = (plan: Awaited<ReturnType<typeof planOf>>) => plan.policy.filter((violation) => violation.rule === "budget-estimate");
const withBudget = (stack: string, cloud: string, change: (budget: Record<string, any>) => void) =>
    planWith({ stack, cloud, configOverrides: { "platform:budget": stackValue(stack, "budget", change) } });

describe("monthly cost of the checked-in stacks", function () {
    this.timeout(120_000);

    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`${stack} on ${cloud}: priced in the stack's region, by component, next to its budget`, async () => {
                const plan = await planOf(stack, cloud);
                const cost = plan.estimate.monthlyUsd!;
                const config = stackPlatformConfig(stack);
                assert.equal(cost.region, cloud === "aws" ? config["aws"].region : config["azure"].location);
                assert.equal(plan.budget.monthlyUsd, config["budget"].monthlyUsd);
                assert.ok(cost.min > 0 && cost.min < cost.max, `${cost.min}–${cost.max}`);
                const components = Object.values(cost.byComponent);
                assert.equal(cents(components.reduce((sum, share) => sum + share.min, 0)), cost.min);
                assert.equal(cents(components.reduce((sum, share) => sum + share.max, 0)), cost.max);
                assert.deepEqual(cost.unknown, expectedUnknown[`${stack}/${cloud}`] ?? []);
                assert.deepEqual(budgetEstimate(plan).map((violation) => violation.enforcement), expectedVerdict[`${stack}/${cloud}`] ? [expectedVerdict[`${stack}/${cloud}`]] : []);
            });
        }
    }

    it("scales with the node pools alone: maximum less minimum is the extra nodes and their disks", async () => {
        const cost = (await planOf("dev", "aws")).estimate.monthlyUsd!;
        const prices = loadPriceBook("aws").regions["eu-west-1"]!;
        const perNode = prices["ec2:m7i.large"]!.usd! * hoursPerMonth + 100 * prices["ebs:gp3"]!.usd!;
        // Autoscaling 3-5: two more nodes at most.
        assert.equal(cents(cost.max - cost.min), cents(2 * perNode));
        assert.equal(cents(cost.byComponent["cluster"]!.max - cost.byComponent["cluster"]!.min), cents(2 * perNode));
    });

    it("names the resources that cost most when the estimate exceeds the budget", async () => {
        const [violation] = budgetEstimate(await planOf("dev", "azure"));
        assert.match(violation!.message, /^at maximum scale the stack is estimated at \$\d+ a month \(\$\d+ at minimum\), over its budget of \$500 \(platform:budget\.monthlyUsd\); most of it: cluster-workload \$\d+, cluster-aks \$\d+, /);
        assert.equal(violation!.type, "azure-native:consumption:Budget");
    });

    it("fails prod (mandatory by default) once its budget is below the estimate at maximum scale, and fails nothing within it", async () => {
        const over = budgetEstimate(await withBudget("prod", "aws", (budget) => (budget["monthlyUsd"] = 5000)));
        assert.deepEqual(over.map((violation) => violation.enforcement), ["mandatory"]);
        assert.match(over[0]!.message, /over its budget of \$5,000 .*; 3 price\(s\) unknown and left out$/);
    });

    it("lets a stack choose: enforceEstimate true fails staging, false only warns in prod", async () => {
        const staging = await withBudget("staging", "azure", (budget) => (budget["enforceEstimate"] = true));
        assert.deepEqual(budgetEstimate(staging).map((violation) => violation.enforcement), ["mandatory"]);
        const prod = await withBudget("prod", "aws", (budget) => Object.assign(budget, { monthlyUsd: 5000, enforceEstimate: false }));
        assert.deepEqual(budgetEstimate(prod).map((violation) => violation.enforcement), ["advisory"]);
    });
});
