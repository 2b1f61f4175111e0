/** Every rule of the pack, in report order. */
import type { Rule } from "../rule.ts";
import { costRules } from "./cost.ts";
import { edgeRules } from "./edge.ts";
import { encryptionRules } from "./encryption.ts";
import { exposureRules } from "./exposure.ts";
import { identityRules } from "./identity.ts";
import { kubernetesRules } from "./kubernetes.ts";
import { resilienceRules } from "./resilience.ts";
import { tagRules } from "./tags.ts";
import { workloadRules } from "./workloads.ts";

export const rules: readonly Rule[] = [
    ...tagRules,
    ...encryptionRules,
    ...exposureRules,
    ...identityRules,
    ...resilienceRules,
    ...kubernetesRules,
    ...workloadRules,
    ...edgeRules,
    ...costRules,
];
