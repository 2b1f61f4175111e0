import * as consumption from "@pulumi/azure-native/consumption/index.js";
import type * as inputs from "@pulumi/azure-native/types/input.js";
import * as pulumi from "@pulumi/pulumi";
import { budgetThresholds } from "../../config/schema.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import type { Budget, BudgetArgs } from "./budget.ts";
import { narrow } from "../narrow.ts";

/** Consumption budget names: up to 63 characters. */
const budgetRule = { ...nameRules.display, maxLength: 63 } as const;

/**
 * A monthly consumption budget on the stack's resource group, e-mailing the alert
 * addresses when actual cost crosses each threshold and when the forecast overshoots
 * the budget.
 */
export class AzureBudget extends pulumi.ComponentResource implements Budget {
    readonly budgetName: pulumi.Output<string>;
    readonly monthlyUsd: number;
    readonly thresholds: readonly number[];

    constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:budget:AzureBudget", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        const notify = (thresholdType: "Actual" | "Forecasted", threshold: number): [string, inputs.consumption.NotificationArgs] => [
            `${thresholdType}_GreaterThan_${threshold}_Percent`,
            { enabled: true, operator: "GreaterThan", threshold, thresholdType, contactEmails: [...args.alertEmails] },
        ];

        const budget = new consumption.Budget(`${name}-monthly`, {
            budgetName: physicalName([context.project, context.stack], budgetRule),
            scope: network.resourceGroupId,
            amount: args.monthlyUsd,
            category: "Cost",
            timeGrain: "Monthly",
            timePeriod: { startDate: `${args.startMonth}-01T00:00:00Z` },
            notifications: Object.fromEntries([
                ...budgetThresholds.map((threshold) => notify("Actual", threshold)),
                notify("Forecasted", 100),
            ]),
        }, {
            parent: this,
            // The API accepts a start only within the current month: keep the one the budget was created with.
            ignoreChanges: ["timePeriod.startDate"],
        });

        this.budgetName = budget.name;
        this.monthlyUsd = args.monthlyUsd;
        this.thresholds = budgetThresholds;
        this.registerOutputs({ budgetName: this.budgetName, monthlyUsd: this.monthlyUsd, thresholds: this.thresholds });
    }
}
