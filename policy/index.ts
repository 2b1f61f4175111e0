/**
 * The platform's policy pack: `pulumi preview --policy-pack policy [--policy-pack-config
 * policy/config/<environment>.json]`. Each rule in `rules/` becomes one policy; without a
 * config file every rule runs with prod's enforcement and thresholds.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack.ts";

new PolicyPack("platform", { policies });
