import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { budgetThresholds } from "../../config/schema.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";
import type { Budget, BudgetArgs } from "./budget.ts";

/** AWS Budgets names: up to 100 characters. */
const budgetRule = { ...nameRules.display, maxLength: 100 } as const;

/**
 * A monthly AWS cost budget over the resources tagged with this stack, e-mailing the
 * alert addresses when actual spend crosses each threshold and when the forecast
 * overshoots the budget.
 */
export class AwsBudget extends pulumi.ComponentResource implements Budget {
    readonly budgetName: pulumi.Output<string>;
    readonly monthlyUsd: number;
    readonly thresholds: readonly number[];

    constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:budget:AwsBudget", name, {}, opts);
        const { context } = args;
        const notify = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
            notificationType,
            threshold,
            thresholdType: "PERCENTAGE",
            comparisonOperator: "GREATER_THAN",
            subscriberEmailAddresses: [...args.alertEmails],
        });

        const budget = new aws.budgets.Budget(`${name}-monthly`, {
            name: physicalName([context.project, context.stack], budgetRule),
            budgetType: "COST",
            limitAmount: String(args.monthlyUsd),
            limitUnit: "USD",
            timeUnit: "MONTHLY",
            timePeriodStart: `${args.startMonth}-01_00:00`,
            // Counts only once `stack` is activated as a cost-allocation tag in the billing console.
            costFilters: [{ name: "TagKeyValue", values: [`user:stack$${context.stack}`] }],
            notifications: [
                ...budgetThresholds.map((threshold) => notify("ACTUAL", threshold)),
                notify("FORECASTED", 100),
            ],
        }, {
            parent: this,
            // The default start is the month of the first `up`; it must not move afterwards.
            ignoreChanges: ["timePeriodStart"],
        });

        this.budgetName = budget.name;
        this.monthlyUsd = args.monthlyUsd;
        this.thresholds = budgetThresholds;
        this.registerOutputs({ budgetName: this.budgetName, monthlyUsd: this.monthlyUsd, thresholds: this.thresholds });
    }
}
