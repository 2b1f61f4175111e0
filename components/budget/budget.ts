import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { Network } from "../network/network.ts";

export interface BudgetArgs {
    readonly context: PlatformContext;
    /** On Azure the budget covers the network's resource group. */
    readonly network: Network;
    readonly monthlyUsd: number;
    readonly alertEmails: readonly string[];
    /** YYYY-MM; the schema defaults it to the current month. */
    readonly startMonth: string;
}

/** A monthly cost budget as the layers above see it, the same on every cloud. */
export interface Budget {
    readonly budgetName: pulumi.Output<string>;
    readonly monthlyUsd: number;
    /** Percentages of the budget that notify. */
    readonly thresholds: readonly number[];
}
