/**
 * What a stack costs each month, from the resources it registers: each cloud's pricers
 * (`aws.ts`, `azure.ts`) turn a resource into quantities of priced units, and the cloud's
 * price book (`prices/<cloud>.json`, on-demand list prices per region with their sources)
 * turns those into dollars, at the node pools' minimum and maximum. Volumes only use can
 * decide (objects stored, logs ingested, traffic) come from `assumed-usage.json`, stated in
 * the estimate. A price the book lacks is unknown, never zero. Pure.
 */
import { readFileSync } from "node:fs";

/** Hours in an average month (8,760 / 12), the figure AWS and Azure price calculators use. */
export const hoursPerMonth = 730;

/** A resource as the plan or the policy engine presents it. */
export interface CostResource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, any>;
    /** The top-level component it belongs to, when known (the plan knows; the policy engine does not). */
    readonly component?: string | undefined;
}

export type PriceUnit = "hour" | "month" | "GB" | "GB-month" | "million requests" | "day";

export interface Price {
    /** USD per unit; null when the price could not be established (shown as unknown). */
    readonly usd: number | null;
    readonly unit: PriceUnit;
    /** Where the figure came from. */
    readonly source: string;
    /** Why the figure is only close, when it is: another region's price, or one no stored source confirms. */
    readonly approximate?: string;
}

export interface PriceBook {
    /** When the prices were gathered (YYYY-MM-DD). */
    readonly taken: string;
    /** Region → price key → price. */
    readonly regions: Readonly<Record<string, Readonly<Record<string, Price>>>>;
}

/** Volumes a stack's use decides, per environment; stated next to every estimate. */
export interface AssumedUsage {
    readonly objectStorageGiB: number;
    readonly registryGiB: number;
    readonly logIngestionGiB: number;
    readonly natProcessedGiB: number;
    readonly loadBalancerProcessedGiB: number;
    readonly queueMillionRequests: number;
    readonly eventBusGiB: number;
    readonly eventBusPartitions: number;
    readonly eventBusMillionEvents: number;
    readonly auditGiB: number;
}

export interface UsageAssumptions {
    readonly taken: string;
    readonly reason: string;
    /** Keyed by `platform:environment`. */
    readonly byEnvironment: Readonly<Record<string, AssumedUsage>>;
}

/** One priced quantity: `quantity` units of `price` a month, at the minimum and the maximum scale. */
export interface CostLine {
    /** What is paid for, for a person: "3-5 × m7i.large". */
    readonly what: string;
    /** Key in the region's price book. */
    readonly price: string;
    readonly quantity: { readonly min: number; readonly max: number };
    /** The price book's region to use, when not the stack's (a copy in a recovery region). */
    readonly region?: string | undefined;
}

/** What a cloud brings: where its stack runs, its budget, and a pricer per resource type. */
export interface CloudPricing {
    readonly prices: PriceBook;
    /** The stack's region, from its provider; undefined when the resources are not this cloud's. */
    readonly region: (resources: readonly CostResource[]) => string | undefined;
    /** The stack's budget resource and its monthly amount in USD. */
    readonly budget: (resources: readonly CostResource[]) => { resource: CostResource; usd: number } | undefined;
    readonly pricers: Readonly<Record<string, (resource: CostResource, context: PricingContext) => CostLine[]>>;
    /** What the stack may be billed for that no pricer estimates, said next to every estimate. */
    readonly notEstimated: readonly string[];
}

export interface PricingContext {
    readonly usage: AssumedUsage;
    readonly resources: readonly CostResource[];
}

export interface PricedLine extends CostLine {
    readonly resource: string;
    readonly component: string;
    /** USD a month, or null when the price is unknown. */
    readonly monthlyUsd: { readonly min: number; readonly max: number } | null;
    /** Why its price is only close (Price.approximate). */
    readonly approximate?: string;
    /** Why `monthlyUsd` is null. */
    readonly unknownBecause?: string;
}

export interface ComponentCost {
    readonly min: number;
    readonly max: number;
    /** Lines whose price is unknown: the totals leave them out. */
    readonly unknown: string[];
}

export interface CostEstimate {
    readonly region: string;
    readonly pricesTaken: string;
    /** Known lines only; `unknown` lists what they leave out. */
    readonly min: number;
    readonly max: number;
    readonly byComponent: Record<string, ComponentCost>;
    readonly unknown: string[];
    /** Lines priced with an approximate figure, and why. */
    readonly approximate: string[];
    /** The volumes assumed, for the reader. */
    readonly assumed: AssumedUsage;
    readonly notEstimated: readonly string[];
    readonly lines: PricedLine[];
}

export function loadUsageAssumptions(): UsageAssumptions {
    return JSON.parse(readFileSync(new URL("./assumed-usage.json", import.meta.url), "utf8")) as UsageAssumptions;
}

export function loadPriceBook(cloud: string): PriceBook {
    return JSON.parse(readFileSync(new URL(`./prices/${cloud}.json`, import.meta.url), "utf8")) as PriceBook;
}

const cents = (value: number) => Math.round(value * 100) / 100;

/** Thrown by `read` at a value the engine does not know yet; the resource's cost is then unknown. */
class NotKnownYet extends Error {}

/** Anything but plain data (the policy adapter's unknown marker is an object of its own class). */
const opaque = (value: unknown) => value !== null && typeof value === "object" && !Array.isArray(value) && ![Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * `value[path[0]][path[1]]…` for a pricer: undefined where a step is missing; a value a preview
 * does not know yet (on a new stack's first preview) stops the pricer, so the resource's cost
 * shows as unknown rather than as a guess.
 */
export function read(value: unknown, ...path: readonly (string | number)[]): any {
    let current: any = value;
    for (const key of path) {
        if (opaque(current)) {
            throw new NotKnownYet();
        }
        if (current === undefined || current === null) {
            return undefined;
        }
        current = current[key];
    }
    if (opaque(current)) {
        throw new NotKnownYet();
    }
    return current;
}

/** The resource's lines, or one unknown line when a value it is priced by is not known yet. */
function linesOf(resource: CostResource, pricing: CloudPricing, context: PricingContext): (CostLine & { unknownBecause?: string })[] {
    const pricer = pricing.pricers[resource.type];
    if (!pricer) {
        return [];
    }
    try {
        return pricer(resource, context);
    } catch (error) {
        if (error instanceof NotKnownYet) {
            return [{ what: resource.type, price: "", quantity: always(Number.NaN), unknownBecause: "its size is not known yet" }];
        }
        throw error;
    }
}

/** The same quantity at the minimum and the maximum scale. */
export const always = (quantity: number) => ({ min: quantity, max: quantity });

/** `count` of something billed by the hour, for a month. */
export const hourly = (count: number) => always(count * hoursPerMonth);

/** `$1,234`: whole dollars, for people. */
export const dollars = (value: number) => `$${Math.round(value).toLocaleString("en-US")}`;

/** How many resources of `type` share an assumed volume. */
export const countOf = (resources: readonly CostResource[], type: string) => resources.filter((resource) => resource.type === type).length;

/** `resource`'s part of an assumed volume that every resource of its type shares. */
export const shareOf = (resource: CostResource, resources: readonly CostResource[], volume: number) => volume / countOf(resources, resource.type);

/** A cloud's `budget`: the first resource of `type`, its monthly amount in USD from `amountKey`. */
export function budgetOf(type: string, amountKey: string): CloudPricing["budget"] {
    return (resources) => {
        const resource = resources.find((candidate) => candidate.type === type);
        const usd = Number(resource?.props[amountKey]);
        return resource && Number.isFinite(usd) ? { resource, usd } : undefined;
    };
}

/** The clouds' pricing that applies to `resources`: the one whose provider they use. */
export function pricingFor(resources: readonly CostResource[], clouds: readonly CloudPricing[]): { pricing: CloudPricing; region: string } | undefined {
    for (const pricing of clouds) {
        const region = pricing.region(resources);
        if (region !== undefined) {
            return { pricing, region };
        }
    }
    return undefined;
}

export function estimateMonthlyCost(resources: readonly CostResource[], pricing: CloudPricing, region: string, usage: AssumedUsage): CostEstimate {
    const context: PricingContext = { usage, resources };
    const lines: PricedLine[] = resources.flatMap((resource) =>
        linesOf(resource, pricing, context).map((line) => {
            const lineRegion = line.region ?? region;
            const price = pricing.prices.regions[lineRegion]?.[line.price];
            const usd = price?.usd;
            const priced = { ...line, resource: resource.name, component: resource.component ?? resource.name };
            if (line.unknownBecause) {
                return { ...priced, monthlyUsd: null };
            }
            if (typeof usd !== "number") {
                return { ...priced, monthlyUsd: null, unknownBecause: `no price for "${line.price}" in ${lineRegion}` };
            }
            // A quantity the engine does not know yet (a preview's unknowns) is unknown too, never zero.
            if (!Number.isFinite(line.quantity.min) || !Number.isFinite(line.quantity.max)) {
                return { ...priced, monthlyUsd: null, unknownBecause: "its size is not known yet" };
            }
            return { ...priced, monthlyUsd: { min: cents(line.quantity.min * usd), max: cents(line.quantity.max * usd) }, ...(price?.approximate ? { approximate: price.approximate } : {}) };
        }));
    const byComponent: Record<string, ComponentCost> = {};
    for (const line of lines) {
        const component = (byComponent[line.component] ??= { min: 0, max: 0, unknown: [] });
        if (line.monthlyUsd) {
            byComponent[line.component] = { ...component, min: cents(component.min + line.monthlyUsd.min), max: cents(component.max + line.monthlyUsd.max) };
        } else {
            component.unknown.push(unknownText(line));
        }
    }
    return {
        region,
        pricesTaken: pricing.prices.taken,
        min: cents(lines.reduce((sum, line) => sum + (line.monthlyUsd?.min ?? 0), 0)),
        max: cents(lines.reduce((sum, line) => sum + (line.monthlyUsd?.max ?? 0), 0)),
        byComponent,
        unknown: lines.filter((line) => !line.monthlyUsd).map(unknownText),
        approximate: lines.filter((line) => line.monthlyUsd && line.approximate).map((line) => `${line.resource}: ${line.what} (${line.approximate})`),
        assumed: usage,
        notEstimated: pricing.notEstimated,
        lines,
    };
}

function unknownText(line: PricedLine): string {
    return `${line.resource}: ${line.what} (${line.unknownBecause})`;
}
