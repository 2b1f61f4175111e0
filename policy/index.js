/**
 * The platform's policy pack: `pulumi preview --policy-pack policy [--policy-pack-config
 * policy/config/<environment>.json]`. Each rule in `rules/` becomes one policy; without a
 * config file every rule runs with prod's enforcement and thresholds.
 *
 * JavaScript on purpose: the engine's policy runner compiles a `.ts` entry with its bundled
 * ts-node, which rejects `.ts` imports; from a `.js` entry Node loads the rules with its own
 * type stripping, as it runs the program.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack.ts";

new PolicyPack("platform", { policies });
