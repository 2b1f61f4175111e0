/** Shared helpers: evaluate each stack × cloud once and query what it would create. */
import assert from "node:assert/strict";
import type { PolicyResource } from "../../policy/rule.ts";
import { evaluateStack, type PlannedResource, type PlanOptions, type PlanReport } from "../../tools/offline/evaluate.ts";
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { stackValue, type StackName } from "./stack-config.ts";
import { projectRoot } from "./project.ts";

export const cloudNames = ["aws", "azure"] as const;
export type CloudName = (typeof cloudNames)[number];

const cache = new Map<string, Promise<PlanReport>>();

/** The plan of a checked-in stack file, evaluated once per test run. */
export function planOf(stack: StackName, cloud: CloudName): Promise<PlanReport> {
    const key = `${stack}/${cloud}`;
    if (!cache.has(key)) {
        cache.set(key, evaluateStack({ stack, cloud }));
    }
    return cache.get(key)!;
}

/** The workloads fixture: one workload of each part-1 pattern, as `platform:workloads`. */
export const workloadFixture = YAML.parse(readFileSync(path.join(projectRoot, "tests", "fixtures", "workloads", "all-patterns.yaml"), "utf8")) as Record<string, any>[];

/**
 * What the fixture's four workloads add to a month at most (prod on Azure: about $1,600 of Premium
 * Service Bus and Event Hubs), so its stacks budget for them as a team adding them would.
 */
const workloadFixtureBudgetUsd = 2000;

/** A checked-in stack file's plan with the workloads fixture added (and budgeted for), evaluated once per test run. */
export function planWithWorkloads(stack: StackName, cloud: CloudName): Promise<PlanReport> {
    const key = `${stack}/${cloud}/workloads`;
    if (!cache.has(key)) {
        const budget = stackValue(stack, "budget", (value) => (value["monthlyUsd"] += workloadFixtureBudgetUsd));
        cache.set(key, evaluateStack({ stack, cloud, configOverrides: { "platform:workloads": workloadFixture, "platform:budget": budget } }));
    }
    return cache.get(key)!;
}

/** A plan with some config values replaced; never cached. */
export function planWith(options: PlanOptions): Promise<PlanReport> {
    return evaluateStack(options);
}

export function resourcesOf(report: PlanReport, type: string): PlannedResource[] {
    return report.resources.filter((resource) => resource.type === type);
}

/** The single resource of `type` (and `name`, when given); fails the test otherwise. */
export function resourceOf(report: PlanReport, type: string, name?: string): PlannedResource {
    const matches = resourcesOf(report, type).filter((resource) => name === undefined || resource.name === name);
    assert.equal(matches.length, 1, `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`);
    return matches[0]!;
}

export function inputsOf(report: PlanReport, type: string, name?: string): Record<string, any> {
    return resourceOf(report, type, name).inputs;
}

/** The plan's resources as the policy rules see them. */
export function policyResources(report: PlanReport): PolicyResource[] {
    return report.resources.map(({ type, name, inputs }) => ({ type, name, props: inputs }));
}

/** The scopes the plan's Azure delete locks guard. */
export function lockedScopes(report: PlanReport): string[] {
    return resourcesOf(report, "azure-native:authorization:ManagementLockByScope").map((lock) => lock.inputs["scope"]);
}

/** Section 2 of the brief: what each environment must get. */
export const expected = {
    dev: { zones: 1, nodes: { vcpu: 2, memoryGiB: 8, min: 3, max: 5 }, natGateways: 1, protect: false, apiAccess: "public" },
    staging: { zones: 2, nodes: { vcpu: 4, memoryGiB: 16, min: 4, max: 8 }, natGateways: 1, protect: true, apiAccess: "restricted" },
    prod: { zones: 3, nodes: { vcpu: 8, memoryGiB: 32, min: 5, max: 15 }, natGateways: 3, protect: true, apiAccess: "restricted" },
} as const;
