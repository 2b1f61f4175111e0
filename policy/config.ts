/**
 * The pack's per-environment settings, in the format of `--policy-pack-config`: each rule's
 * enforcement level and thresholds. `policy/config/<environment>.json` holds them for
 * `pulumi preview`; without a config file the pack applies prod's (the strictest) settings.
 */
import { fileURLToPath } from "node:url";
import type { PolicyPackConfig } from "@pulumi/policy";
import type { Environment } from "./rule.ts";
import { rules } from "./rules/index.ts";

export function policyPackConfig(environment: Environment): PolicyPackConfig {
    return Object.fromEntries(rules.map((rule) => [
        rule.name,
        { enforcementLevel: rule.enforcement[environment], ...rule.config?.byEnvironment[environment] },
    ]));
}

/** Where the checked-in settings for `environment` live. */
export function policyConfigPath(environment: Environment): string {
    return fileURLToPath(new URL(`./config/${environment}.json`, import.meta.url));
}
