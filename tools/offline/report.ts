/** Renders a plan report for people (a table) or machines (the JSON document). */
import { waiverText } from "../../policy/waivers.ts";
import { dollars, type CostEstimate } from "../../lib/cost/index.ts";
import { componentOf, type PlanReport } from "./evaluate.ts";

export function renderJson(report: PlanReport): string {
    const { stack, cloud, environment, resources, outputs, simulatedOutputs, policy, estimate, budget, warnings } = report;
    return JSON.stringify(
        { stack, cloud, environment, resources: resources.map(({ type, name, protect, inputs }) => ({ type, name, protect, inputs })), outputs, simulatedOutputs, policy, estimate, budget, warnings },
        null,
        2,
    );
}

export function renderTable(report: PlanReport): string {
    const rows = report.resources.map((resource) => ({
        name: `${"  ".repeat(resource.depth)}${resource.name}`,
        type: resource.protect ? `${resource.type} (protected)` : resource.type,
    }));
    const nameWidth = Math.max(4, ...rows.map((row) => row.name.length));
    const outputWidth = Math.max(...Object.keys(report.outputs).map((key) => key.length));
    return [
        `Stack ${report.stack}: ${report.cloud}, environment ${report.environment}, ${report.resources.length} resources to create`,
        "",
        ...renderSummary(report),
        "",
        ...renderCost(report),
        "",
        `${"NAME".padEnd(nameWidth)}  TYPE`,
        ...rows.map((row) => `${row.name.padEnd(nameWidth)}  ${row.type}`),
        "",
        "OUTPUTS (simulated: made up by the offline cloud; the real one decides them)",
        ...Object.entries(report.outputs).map(([key, value]) => `${key.padEnd(outputWidth)}  ${formatValue(value)}${report.simulatedOutputs.includes(key) ? "  (simulated)" : ""}`),
        "",
        ...renderPolicy(report),
        "",
        ...(report.warnings.length === 0 ? ["WARNINGS: none"] : ["WARNINGS", ...report.warnings]),
    ].join("\n");
}

/** What a person reads first: the shape of the environment, its sizes, its cost, the first `up`'s length, and the verdicts. */
function renderSummary(report: PlanReport): string[] {
    const rootOf = componentOf(report.resources);
    const perComponent = new Map<string, number>();
    for (const resource of report.resources.filter((candidate) => !candidate.type.startsWith("platform:") && !candidate.type.startsWith("pulumi:"))) {
        const root = rootOf(resource.name);
        perComponent.set(root, (perComponent.get(root) ?? 0) + 1);
    }
    const sizes = [["nodes", report.outputs["nodeSku"]], ["database", report.outputs["databaseSku"]], ["cache", report.outputs["cacheSku"]]]
        .filter(([, value]) => value !== undefined).map(([what, value]) => `${what} ${String(value)}`);
    const firstUp = report.estimate.firstUp;
    return [
        "SUMMARY",
        `resources     ${[...perComponent].map(([component, count]) => `${component} ${count}`).join(", ")}`,
        `sizes         ${sizes.join(", ")}`,
        `monthly cost  ${costSummary(report)}`,
        `first up      about ${Math.round(firstUp.seconds / 60)} min, mostly ${firstUp.chain.filter((step) => step.seconds >= 60).map((step) => step.name).join(" → ")} (--timeline)`,
        `policy        ${verdicts(report)}`,
        `warnings      ${report.warnings.length}`,
    ];
}

const span = (min: number, max: number) => (Math.round(min) === Math.round(max) ? dollars(max) : `${dollars(min)}–${dollars(max)}`);

/** `$502–$684 at minimum–maximum scale, budget $500: over at maximum scale; 3 prices unknown`. */
function costSummary(report: PlanReport): string {
    const cost = report.estimate.monthlyUsd;
    if (!cost) {
        return "not estimated: no price book for this cloud";
    }
    const budget = report.budget.monthlyUsd;
    const verdict = budget === null ? "no budget" : `budget ${dollars(budget)}${cost.min > budget ? ": over at minimum scale" : cost.max > budget ? ": over at maximum scale" : ""}`;
    const unknown = cost.unknown.length > 0 ? `; ${cost.unknown.length} price(s) unknown, left out` : "";
    return `${span(cost.min, cost.max)} at minimum–maximum scale, ${verdict}${unknown} (--cost)`;
}

/** The estimate by component, what it leaves out and what it assumes. */
function renderCost(report: PlanReport): string[] {
    const cost = report.estimate.monthlyUsd;
    if (!cost) {
        return ["MONTHLY COST: not estimated (no price book for this cloud)"];
    }
    const components = Object.entries(cost.byComponent).sort(([, a], [, b]) => b.max - a.max);
    const width = Math.max(...components.map(([component]) => component.length));
    return [
        `MONTHLY COST (USD, ${cost.region} list prices gathered ${cost.pricesTaken}; ${cost.approximate.length} lines at approximate prices, see --cost)`,
        ...components.map(([component, share]) => `${component.padEnd(width)}  ${span(share.min, share.max)}${share.unknown.length > 0 ? ` + unknown: ${share.unknown.join("; ")}` : ""}`),
        `${"total".padEnd(width)}  ${span(cost.min, cost.max)}${report.budget.monthlyUsd === null ? "" : ` (budget ${dollars(report.budget.monthlyUsd)})`}`,
        `assumed: ${assumptions(cost)}`,
        `not estimated: ${cost.notEstimated.join(", ")}`,
    ];
}

function assumptions(cost: CostEstimate): string {
    const usage = cost.assumed;
    return [
        `${usage.objectStorageGiB} GiB of objects`, `${usage.registryGiB} GiB of images`, `${usage.logIngestionGiB} GiB of logs a month`,
        `${usage.natProcessedGiB} GiB through NAT`, `${usage.loadBalancerProcessedGiB} GiB through the load balancer`,
        `${usage.queueMillionRequests} M queue requests`, `${usage.eventBusGiB} GiB of events in ${usage.eventBusPartitions} partitions`,
    ].join(", ") + " (lib/cost/assumed-usage.json)";
}

/** Every priced line: what, how much, at which price and why it is approximate or unknown. */
export function renderCostLines(report: PlanReport): string {
    const cost = report.estimate.monthlyUsd;
    if (!cost) {
        return `No cost estimate for ${report.stack} on ${report.cloud}: no price book for this cloud`;
    }
    return [
        `Monthly cost of ${report.stack} on ${report.cloud}: ${span(cost.min, cost.max)} at minimum–maximum scale (lib/cost/prices/${report.cloud}.json, ${cost.region}, gathered ${cost.pricesTaken})`,
        ...cost.lines.map((line) => {
            const amount = line.monthlyUsd ? span(line.monthlyUsd.min, line.monthlyUsd.max) : "unknown";
            const note = line.monthlyUsd ? (line.approximate ? `  ≈ ${line.approximate}` : "") : `  (${line.unknownBecause})`;
            return `  ${amount.padStart(13)}  ${line.component} / ${line.resource}: ${line.what} [${line.price}]${note}`;
        }),
    ].join("\n");
}

/** The first `up`'s longest chain: each step, how long it takes and when it is done. */
export function renderTimeline(report: PlanReport): string {
    const { seconds, chain } = report.estimate.firstUp;
    const minutes = (value: number) => `${(value / 60).toFixed(1)} min`;
    return [
        `First up of ${report.stack} on ${report.cloud}: about ${minutes(seconds)}, the longest chain of the dependency graph (tools/offline/creation-times.json)`,
        ...chain.map((step) => `  done at ${minutes(step.doneAt).padStart(9)}  +${minutes(step.seconds).padStart(9)}  ${step.name} (${step.type})`),
    ].join("\n");
}

/** `N mandatory, N advisory, N waived`. */
function verdicts(report: PlanReport): string {
    const count = (enforcement: string) => report.policy.filter((violation) => violation.enforcement === enforcement).length;
    return `${count("mandatory")} mandatory, ${count("advisory")} advisory, ${count("waived")} waived`;
}

function renderPolicy(report: PlanReport): string[] {
    if (report.policy.length === 0) {
        return [`POLICY: no violations (${report.environment} enforcement)`];
    }
    return [
        `POLICY: ${verdicts(report)} (${report.environment} enforcement)`,
        ...report.policy.map((violation) =>
            `${violation.enforcement.toUpperCase().padEnd(9)}  ${violation.severity.padEnd(8)}  ${violation.rule}: ${violation.message}`
            + ("waiver" in violation ? ` [${waiverText(violation.waiver)}]` : "")),
    ];
}

function formatValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
