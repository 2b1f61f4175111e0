import assert from "node:assert/strict";
import { mockSubscriptionId } from "../../tools/simulated-cloud/answers.ts";
import { inputsOf, planOf, planWith, resourceOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

/** Section 2 of the brief and the stack files, per environment. */
const want = {
    dev: { budgetUsd: 500 },
    staging: { budgetUsd: 2000 },
    prod: { budgetUsd: 10000 },
} as const;
const alertEmails = ["platform-team@example.com"];

/** The month a budget created today starts in (UTC). */
function thisMonth(): string {
    return new Date().toISOString().slice(0, 7);
}

describe("budget", () => {
    it("refuses a start month the Budgets API would reject, and starts a configured one as given", async () => {
        const withStart = (startMonth: string) => planWith({
            stack: "dev", cloud: "azure",
            configOverrides: { "platform:budget": stackValue("dev", "budget", (budget) => (budget["startMonth"] = startMonth)) },
        });
        const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
        assert.deepEqual(inputsOf(await withStart(nextMonth), "azure-native:consumption:Budget")["timePeriod"], { startDate: `${nextMonth}-01T00:00:00Z` });
        await assert.rejects(withStart("2017-05"), /platform:budget\.startMonth: 2017-05 must be between 2017-06 and/);
        const tooLate = new Date(Date.UTC(new Date().getUTCFullYear() + 2, 0, 1)).toISOString().slice(0, 7);
        await assert.rejects(withStart(tooLate), /at most 12 months ahead/);
        // A past month: the simulated Budgets API refuses a new budget starting there, like the real one.
        await assert.rejects(withStart("2026-11"), /azure-native:consumption:Budget "budget-monthly": timePeriod\.startDate "2026-11-01T00:00:00Z" is before the current month/);
    });

    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];

            it(`budgets ${env.budgetUsd} USD a month on AWS over the stack's cost-allocation tag`, async () => {
                const plan = await planOf(stack, "aws");
                const budget = inputsOf(plan, "aws:budgets/budget:Budget");
                assert.deepEqual(
                    [budget["name"], budget["budgetType"], budget["limitAmount"], budget["limitUnit"], budget["timeUnit"], budget["timePeriodStart"]],
                    [`platform-${stack}`, "COST", String(env.budgetUsd), "USD", "MONTHLY", `${thisMonth()}-01_00:00`],
                );
                assert.ok(resourceOf(plan, "aws:budgets/budget:Budget").ignoreChanges.includes("timePeriodStart"), "the start stays where the first up put it");
                assert.deepEqual(budget["costFilters"], [{ name: "TagKeyValue", values: [`user:stack$${stack}`] }]);
                assert.deepEqual([plan.outputs["budgetName"], plan.outputs["budgetMonthlyUsd"]], [`platform-${stack}`, env.budgetUsd]);
            });

            it("e-mails on AWS at 50, 80 and 100 % of actual spend and when the forecast passes 100 %", async () => {
                const notifications = inputsOf(await planOf(stack, "aws"), "aws:budgets/budget:Budget")["notifications"];
                assert.deepEqual(notifications.map((n: any) => [n.notificationType, n.threshold]), [["ACTUAL", 50], ["ACTUAL", 80], ["ACTUAL", 100], ["FORECASTED", 100]]);
                for (const notification of notifications) {
                    assert.deepEqual(
                        [notification.thresholdType, notification.comparisonOperator, notification.subscriberEmailAddresses],
                        ["PERCENTAGE", "GREATER_THAN", alertEmails],
                    );
                }
            });

            it(`budgets ${env.budgetUsd} USD a month on Azure over the stack's resource group`, async () => {
                const plan = await planOf(stack, "azure");
                const budget = inputsOf(plan, "azure-native:consumption:Budget");
                assert.equal(budget["scope"], `/subscriptions/${mockSubscriptionId}/resourceGroups/rg-platform-${stack}`);
                assert.deepEqual(
                    [budget["budgetName"], budget["amount"], budget["category"], budget["timeGrain"], budget["timePeriod"]],
                    [`platform-${stack}`, env.budgetUsd, "Cost", "Monthly", { startDate: `${thisMonth()}-01T00:00:00Z` }],
                );
                // The API accepts a new budget's start only within the current month; it must never move afterwards.
                assert.ok(resourceOf(plan, "azure-native:consumption:Budget").ignoreChanges.includes("timePeriod.startDate"));
                assert.deepEqual([plan.outputs["budgetName"], plan.outputs["budgetMonthlyUsd"]], [`platform-${stack}`, env.budgetUsd]);
            });

            it("e-mails on Azure at 50, 80 and 100 % of actual cost and when the forecast passes 100 %", async () => {
                const notifications = inputsOf(await planOf(stack, "azure"), "azure-native:consumption:Budget")["notifications"];
                const fired = Object.values(notifications).map((n: any) => [n.thresholdType, n.threshold]);
                assert.deepEqual(fired.sort(), [["Actual", 100], ["Actual", 50], ["Actual", 80], ["Forecasted", 100]]);
                for (const notification of Object.values(notifications) as any[]) {
                    assert.deepEqual([notification.enabled, notification.operator, notification.contactEmails], [true, "GreaterThan", alertEmails]);
                }
            });
        });
    }
});
