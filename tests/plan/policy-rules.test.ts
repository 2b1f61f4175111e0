/** Each rule group over the checked-in stacks' plans, and over plans with one setting weakened. */
import assert from "node:assert/strict";
import type { Environment, Rule } from "../../policy/rule.ts";
import { costRules } from "../../policy/rules/cost.ts";
import { encryptionRules } from "../../policy/rules/encryption.ts";
import { exposureRules } from "../../policy/rules/exposure.ts";
import { externalSecretsApplicationOnly, identityRules } from "../../policy/rules/identity.ts";
import { kubernetesRules } from "../../policy/rules/kubernetes.ts";
import { resilienceRules } from "../../policy/rules/resilience.ts";
import { tagRules } from "../../policy/rules/tags.ts";
import { runRules, type PolicyViolation } from "../../policy/run.ts";
import type { PlanReport } from "../../tools/offline/evaluate.ts";
import { assertOne, changed } from "../support/policy.ts";
import { cloudNames, planOf, planWith, policyResources, type CloudName } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

/** What `rules` find in `plan`, with its environment's settings. */
const violationsOf = (rules: readonly Rule[], plan: PlanReport): PolicyViolation[] => runRules(rules, policyResources(plan), plan.environment as Environment);

const describeAll = (found: readonly Pick<PolicyViolation, "rule" | "name" | "message">[]) => found.map((violation) => `${violation.rule} ${violation.name}: ${violation.message}`).join("\n");

const exposureAndResilience = [...exposureRules, ...resilienceRules];

describe("policy: exposure and resilience on the checked-in stacks", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`${stack} on ${cloud} raises no mandatory violation`, async () => {
                const mandatory = violationsOf(exposureAndResilience, await planOf(stack, cloud)).filter((violation) => violation.enforcement === "mandatory");
                assert.deepEqual(mandatory.map((violation) => violation.message), []);
            });
        }
    }
});

describe("policy: exposure and resilience on weakened stacks", () => {
    const mandatoryOf = async (stack: string, cloud: string, overrides: Record<string, unknown>, rule: string) =>
        violationsOf(exposureAndResilience, await planWith({ stack, cloud, configOverrides: overrides })).filter((violation) => violation.enforcement === "mandatory" && violation.rule === rule).map((violation) => violation.message);

    for (const cloud of cloudNames) {
        it(`a public bucket in staging on ${cloud}`, async () => {
            const found = await mandatoryOf("staging", cloud, { "platform:storage": stackValue("staging", "storage", (storage) => (storage["publicRead"] = true)) }, "no-public-endpoints");
            assert.ok(found.length >= 2, found.join("\n"));
            assert.ok(found.every((message) => message.includes("platform:storage.publicRead")), found.join("\n"));
        });

        it(`prod without database HA on ${cloud}`, async () => {
            const found = await mandatoryOf("prod", cloud, { "platform:database": stackValue("prod", "database", (database) => (database["highAvailability"] = "none")) }, "high-availability");
            assertOne(found, /"database-(primary|server)"/, /platform:database\.highAvailability/);
        });

        it(`prod in one zone on ${cloud}`, async () => {
            const found = await mandatoryOf("prod", cloud, { "platform:network": stackValue("prod", "network", (network) => (network["zones"] = 1)) }, "high-availability");
            assert.ok(found.some((message) => /spans 1 zone; it needs at least 3/.test(message)), found.join("\n"));
            if (cloud === "aws") {
                assert.ok(found.some((message) => /has 1 NAT gateway/.test(message)), found.join("\n"));
            }
        });
    }

    it("prod without automated backups on aws", async () => {
        const database = stackValue("prod", "database", (value) => Object.assign(value, { backupRetentionDays: 0, readReplicas: 0, crossRegionBackups: false }));
        const found = await mandatoryOf("prod", "aws", { "platform:database": database }, "database-backups");
        assertOne(found, /RDS instance "database-primary" has automated backups off \(backupRetentionPeriod 0\)/);
    });
});

describe("policy: identity rules on the whole program", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`${stack} on ${cloud} violates none of them`, async () => {
                const report = await planOf(stack, cloud);
                const found = report.policy.filter((violation) => identityRules.some((rule) => rule.name === violation.rule));
                assert.deepEqual(found, [], describeAll(found));
            });
        }
    }
});

describe("policy: external-secrets-application-only", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`finds nothing in ${stack} on ${cloud}`, async () => {
                const plan = await planOf(stack, cloud);
                assert.deepEqual(externalSecretsApplicationOnly.checkStack(policyResources(plan), {}).map((violation) => violation.message), []);
            });
        }
    }
});

describe("policy: tags and encryption rules", () => {
    describe("on the checked-in stacks", () => {
        const ours = [...tagRules, ...encryptionRules];
        for (const stack of stacks) {
            for (const cloud of cloudNames) {
                it(`raises no mandatory violation for ${stack} on ${cloud}`, async () => {
                    const plan = await planOf(stack, cloud);
                    const mandatory = violationsOf(ours, plan).filter((violation) => violation.enforcement === "mandatory");
                    assert.deepEqual(mandatory.map((violation) => `${violation.rule} ${violation.name}: ${violation.message}`), []);
                });
            }
        }

        it("catches weakened copies of the real plans", async () => {
            const aws = changed(policyResources(await planOf("prod", "aws"))
                .filter(({ type }) => type !== "aws:s3/bucketPolicy:BucketPolicy"), "aws:ec2/vpc:Vpc", "network-vpc", (props) => {
                props["tags"] = { ...props["tags"], owner: "" };
            });
            assert.deepEqual(runRules(ours, aws, "prod").map((violation) => `${violation.rule} ${violation.name}`),
                ["required-tags network-vpc", "tls-in-transit storage-bucket", "tls-in-transit storage-replica"]);
            const azure = changed(policyResources(await planOf("prod", "azure")),
                "azure-native:keyvault:Vault", "secrets-vault", (props) => {
                    props["properties"].softDeleteRetentionInDays = 7;
                });
            assert.deepEqual(runRules(ours, azure, "prod").map((violation) => `${violation.rule} ${violation.name}`), ["key-vault-purge-protection secrets-vault"]);
        });
    });
});

const kubernetesAndCost = [...kubernetesRules, ...costRules];

describe("policy: kubernetes and cost rules on the checked-in stacks", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`${stack} on ${cloud} raises no mandatory violation`, async () => {
                const report = await planOf(stack, cloud);
                const types = new Set(report.resources.map((planned) => planned.type));
                // The rules must have something to look at, or passing means nothing.
                for (const type of ["kubernetes:helm.sh/v3:Release", "kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy"]) {
                    assert.ok(types.has(type), type);
                }
                assert.ok(types.has(cloud === "aws" ? "aws:eks/nodeGroup:NodeGroup" : "azure-native:containerservice:AgentPool"));
                const mandatory = violationsOf(kubernetesAndCost, report).filter((violation) => violation.enforcement === "mandatory");
                assert.deepEqual(mandatory, [], describeAll(mandatory));
            });
        }
    }

    /** The checked-in stack with other node-pool settings. */
    function withNodes(stack: string, cloud: CloudName, nodes: Record<string, number>): Promise<PlanReport> {
        return planWith({ stack, cloud, configOverrides: { "platform:cluster": stackValue(stack, "cluster", (cluster) => (cluster["nodes"] = nodes)) } });
    }

    for (const cloud of cloudNames) {
        it(`flags a tiny prod on ${cloud}: one 2 vCPU node, at most two`, async () => {
            const found = violationsOf(kubernetesAndCost, await withNodes("prod", cloud, { vcpu: 2, memoryGiB: 4, min: 1, max: 2, count: 1 }));
            assert.deepEqual(found.map((violation) => [violation.rule, violation.enforcement]), [["capacity-floor", "mandatory"], ["capacity-floor", "mandatory"]], describeAll(found));
            assert.match(found[0]!.message, /\(2 vCPU\); at least 4 vCPU per node/);
            assert.match(found[1]!.message, /keep 1 node\(s\) at minimum/);
        });

        it(`flags an oversized dev on ${cloud}: 32 vCPU nodes, up to 40`, async () => {
            const found = violationsOf(kubernetesAndCost, await withNodes("dev", cloud, { vcpu: 32, memoryGiB: 128, min: 3, max: 40 }));
            assert.deepEqual(
                found.map((violation) => [violation.rule, violation.enforcement]),
                [["cost-ceilings", "mandatory"], ["cost-ceilings", "mandatory"], ["budget-estimate", "advisory"]],
                describeAll(found),
            );
            assert.match(found[0]!.message, /\(32 vCPU\); the ceiling is 4 vCPU per node/);
            assert.match(found[1]!.message, /node pools scale to 4\d nodes in total .*the ceiling is 10/);
            assert.match(found[2]!.message, /at maximum scale the stack is estimated at \$[\d,]+ a month .* over its budget of \$500 .*; 1 price\(s\) unknown and left out$/);
        });
    }
});
