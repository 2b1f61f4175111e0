/**
 * The pack's per-environment settings, in the format of `--policy-pack-config`: each rule's
 * enforcement level, thresholds and waivers (`policy/waivers.yaml`). `policy/config/<environment>.json`
 * holds them for `pulumi preview`; without a config file the pack applies prod's (the strictest)
 * settings and no waiver.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PolicyPackConfig } from "@pulumi/policy";
import YAML from "yaml";
import { namespaceValues } from "../config/values.ts";
import type { Enforcement, Environment } from "./rule.ts";
import { budgetEstimateRule } from "./rules/cost.ts";
import { rules } from "./rules/index.ts";
import { parseWaivers, waivedViolationsPolicy, type Waiver } from "./waivers.ts";

/** `policy/waivers.yaml`, validated on `today`. */
export function loadWaivers(today: Date = new Date(), file: string = fileURLToPath(new URL("./waivers.yaml", import.meta.url))): Waiver[] {
    return parseWaivers(YAML.parse(readFileSync(file, "utf8")), rules.map((rule) => rule.name), today);
}

/** Enforcement levels a stack file sets over its environment's: `platform:budget.enforceEstimate` decides budget-estimate's. */
export function stackEnforcement(stackConfig: Readonly<Record<string, string>>): Record<string, Enforcement> {
    const budget = namespaceValues(stackConfig, "platform")["budget"] as { enforceEstimate?: unknown } | undefined;
    return typeof budget?.enforceEstimate === "boolean" ? { [budgetEstimateRule]: budget.enforceEstimate ? "mandatory" : "advisory" } : {};
}

export function policyPackConfig(environment: Environment, waivers: readonly Waiver[] = loadWaivers()): PolicyPackConfig {
    return {
        ...Object.fromEntries(rules.map((rule) => [
            rule.name,
            { enforcementLevel: rule.enforcement[environment], ...rule.config?.byEnvironment[environment], waivers: waivers.filter((entry) => entry.rule === rule.name) },
        ])),
        // Reports what the waivers covered: advisory, so it informs and never fails.
        [waivedViolationsPolicy]: { enforcementLevel: "advisory" },
    };
}

/** Where the checked-in settings for `environment` live. */
export function policyConfigPath(environment: Environment): string {
    return fileURLToPath(new URL(`./config/${environment}.json`, import.meta.url));
}
