/** Renders a plan report for people (a table) or machines (the JSON document). */
import { waiverText } from "../../policy/waivers.ts";
import type { PlanReport } from "./evaluate.ts";

export function renderJson(report: PlanReport): string {
    const { stack, cloud, environment, resources, outputs, policy, estimate, warnings } = report;
    return JSON.stringify(
        { stack, cloud, environment, resources: resources.map(({ type, name, protect, inputs }) => ({ type, name, protect, inputs })), outputs, policy, estimate, warnings },
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
        `${"NAME".padEnd(nameWidth)}  TYPE`,
        ...rows.map((row) => `${row.name.padEnd(nameWidth)}  ${row.type}`),
        "",
        "OUTPUTS",
        ...Object.entries(report.outputs).map(([key, value]) => `${key.padEnd(outputWidth)}  ${formatValue(value)}`),
        "",
        ...renderPolicy(report),
        "",
        ...(report.warnings.length === 0 ? ["WARNINGS: none"] : ["WARNINGS", ...report.warnings]),
    ].join("\n");
}

/** What a person reads first: the shape of the environment, its sizes, the first `up`'s length, and the verdicts. */
function renderSummary(report: PlanReport): string[] {
    const parents = new Map(report.resources.map((resource) => [resource.name, resource.parent]));
    const rootOf = (name: string): string => {
        const parent = parents.get(name);
        return parent === undefined ? name : rootOf(parent);
    };
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
        `first up      about ${Math.round(firstUp.seconds / 60)} min, mostly ${firstUp.chain.filter((step) => step.seconds >= 60).map((step) => step.name).join(" → ")} (--timeline)`,
        `policy        ${verdicts(report)}`,
        `warnings      ${report.warnings.length}`,
    ];
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
