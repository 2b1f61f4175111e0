/** A stack's monthly cost estimate and budget, from whichever cloud its resources belong to. Pure. */
import { awsPricing } from "./aws.ts";
import { azurePricing } from "./azure.ts";
import { estimateMonthlyCost, loadUsageAssumptions, pricingFor, type CostEstimate, type CostResource } from "./estimate.ts";

export { dollars, type CostEstimate, type CostResource } from "./estimate.ts";

const clouds = [awsPricing, azurePricing];

/** Undefined when no cloud's provider is among the resources (nothing to price). */
export function stackMonthlyCost(resources: readonly CostResource[], environment: string): { estimate: CostEstimate; budget: { resource: CostResource; usd: number } | undefined } | undefined {
    const found = pricingFor(resources, clouds);
    const usage = loadUsageAssumptions().byEnvironment[environment];
    if (!found || !usage) {
        return undefined;
    }
    return { estimate: estimateMonthlyCost(resources, found.pricing, found.region, usage), budget: found.pricing.budget(resources) };
}
