/** Renders a plan report for people (a table) or machines (the JSON document). */
import { waiverText } from "../../policy/waivers.ts";
import type { PlanReport } from "./evaluate.ts";

export function renderJson(report: PlanReport): string {
    const { stack, cloud, environment, resources, outputs, policy, warnings } = report;
    return JSON.stringify(
        { stack, cloud, environment, resources: resources.map(({ type, name, protect, inputs }) => ({ type, name, protect, inputs })), outputs, policy, warnings },
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
        "",
        ...renderPolicy(report),
        "",
        ...(report.warnings.length === 0 ? ["WARNINGS: none"] : ["WARNINGS", ...report.warnings]),
    ].join("\n");
}

function renderPolicy(report: PlanReport): string[] {
    if (report.policy.length === 0) {
        return [`POLICY: no violations (${report.environment} enforcement)`];
    }
    const mandatory = report.policy.filter((violation) => violation.enforcement === "mandatory").length;
    const waived = report.policy.filter((violation) => violation.enforcement === "waived").length;
    return [
        `POLICY: ${mandatory} mandatory, ${report.policy.length - mandatory - waived} advisory, ${waived} waived (${report.environment} enforcement)`,
        ...report.policy.map((violation) =>
            `${violation.enforcement.toUpperCase().padEnd(9)}  ${violation.severity.padEnd(8)}  ${violation.rule}: ${violation.message}`
            + ("waiver" in violation ? ` [${waiverText(violation.waiver)}]` : "")),
    ];
}

function formatValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
