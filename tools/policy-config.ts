/**
 * `npm run policy-config`: writes policy/config/<environment>.json, the pack's settings
 * for `pulumi preview --policy-pack policy --policy-pack-config policy/config/<environment>.json`.
 * A test fails when the checked-in files drift from the rules.
 */
import { writeFileSync } from "node:fs";
import { policyPackConfig, policyConfigPath } from "../policy/config.ts";
import { environments } from "../policy/rule.ts";

for (const environment of environments) {
    writeFileSync(policyConfigPath(environment), `${JSON.stringify(policyPackConfig(environment), null, 2)}\n`);
}
