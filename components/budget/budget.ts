import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { BudgetConfig } from "../../config/schema.ts";
import type { Network } from "../network/network.ts";

/** `platform:budget` (keys, defaults and limits in `config/`) plus what the program wires. */
export interface BudgetArgs extends BudgetConfig {
    readonly context: PlatformContext;
    /** On Azure the budget covers the network's resource group. */
    readonly network: Network;
}

/** A monthly cost budget as the layers above see it, the same on every cloud. */
export interface Budget {
    readonly budgetName: pulumi.Output<string>;
    readonly monthlyUsd: number;
    /** Percentages of the budget that notify. */
    readonly thresholds: readonly number[];
}
