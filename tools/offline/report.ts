/** Renders a plan report for people (a table) or machines (the JSON document). */
import type { PlanReport } from "./evaluate.ts";

export function renderJson(report: PlanReport): string {
    const { stack, cloud, environment, resources, outputs } = report;
    return JSON.stringify(
        { stack, cloud, environment, resources: resources.map(({ type, name, protect, inputs }) => ({ type, name, protect, inputs })), outputs },
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
        `${"NAME".padEnd(nameWidth)}  TYPE`,
        ...rows.map((row) => `${row.name.padEnd(nameWidth)}  ${row.type}`),
        "",
        "OUTPUTS",
        ...Object.entries(report.outputs).map(([key, value]) => `${key.padEnd(outputWidth)}  ${formatValue(value)}`),
    ].join("\n");
}

function formatValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
