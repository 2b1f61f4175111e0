/**
 * What a first real deployment would hit that the rest of the suite did not see: names the
 * clouds refuse, creation orders the clouds need, ports and scrapes that only fail live.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PlanReport } from "../../tools/offline/evaluate.ts";
import { projectRoot } from "../support/project.ts";
import { cloudNames, inputsOf, planOf, planWith, resourceOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

const release = "kubernetes:helm.sh/v3:Release";
const provider = "pulumi:providers:kubernetes";

function monitoringValues(plan: PlanReport): Record<string, any> {
    return inputsOf(plan, release, "kubernetes-kube-prometheus-stack")["values"];
}

describe("a first real deployment", () => {
    describe("any stack name Pulumi accepts gives names every cloud accepts", () => {
        // Pulumi's stack names: 1-100 of letters, digits, _ . - (validateStackName).
        const names = ["Prod_EU.2", "x", `Team.${"a".repeat(45)}_${"b".repeat(49)}`];
        const dir = mkdtempSync(path.join(tmpdir(), "stack-names-"));
        for (const name of names) {
            copyFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), path.join(dir, `Pulumi.${name}.yaml`));
            for (const cloud of cloudNames) {
                it(`${name.length > 20 ? `${name.slice(0, 20)}… (${name.length} characters)` : name} on ${cloud}`, async () => {
                    // The simulated cloud refuses any name its real API would (tools/simulated-cloud/constraints.ts).
                    const plan = await planWith({ stack: name, cloud, stackFileDir: dir });
                    assert.ok(plan.resources.length > 100);
                });
            }
        }
    });

    for (const stack of stacks) {
        describe(stack, () => {
            it("creates PostgreSQL servers only after their private DNS zone is linked to the VNet", async () => {
                const plan = await planOf(stack, "azure");
                const servers = plan.resources.filter((resource) => resource.type === "azure-native:dbforpostgresql:Server");
                assert.ok(servers.length >= 1);
                for (const server of servers) {
                    assert.ok(server.dependsOn.includes("network-dns-postgres"), `${server.name} waits for the zone's VirtualNetworkLink`);
                }
                assert.equal(resourceOf(plan, "azure-native:privatedns:VirtualNetworkLink", "network-dns-postgres").type, "azure-native:privatedns:VirtualNetworkLink");
            });

            it("deploys into the cluster only once worker nodes (and on EKS CoreDNS and the EBS driver) exist", async () => {
                const aws = resourceOf(await planOf(stack, "aws"), provider, "kubernetes-provider");
                assert.deepEqual(
                    ["cluster-nodes-workload", "cluster-nodes-coredns", "cluster-nodes-aws-ebs-csi-driver"].filter((name) => !aws.dependsOn.includes(name)),
                    [],
                );
                const azure = resourceOf(await planOf(stack, "azure"), provider, "kubernetes-provider");
                assert.deepEqual(["cluster-workload", "cluster-deployer-admin"].filter((name) => !azure.dependsOn.includes(name)), []);
            });

            it("opens Azure Managed Redis's OSS-cluster node ports from the nodes to the private endpoints", async () => {
                const plan = await planOf(stack, "azure");
                const rules = inputsOf(plan, "azure-native:network:NetworkSecurityGroup", "network-endpoints")["securityRules"];
                const fromNodes = rules.find((rule: { name: string }) => rule.name === "allow-services-from-nodes");
                assert.deepEqual(fromNodes.destinationPortRanges, ["443", "10000", "8500-8599"]);
            });

            for (const cloud of cloudNames) {
                it(`does not scrape control-plane parts ${cloud === "aws" ? "EKS" : "AKS"} never exposes`, async () => {
                    const values = monitoringValues(await planOf(stack, cloud));
                    for (const hidden of ["kubeControllerManager", "kubeScheduler", "kubeEtcd"]) {
                        assert.deepEqual(values[hidden], { enabled: false }, hidden);
                    }
                    // EKS runs kube-proxy; AKS's Cilium data plane replaces it.
                    assert.deepEqual(values["kubeProxy"], { enabled: cloud === "aws" });
                });
            }
        });
    }

    it("refuses two-year log retention on Azure, whose Log Analytics keeps at most 730 days", async () => {
        await assert.rejects(
            planWith({ stack: "prod", cloud: "azure", configOverrides: { "platform:logRetentionDays": 731 } }),
            /^PlanConfigError: invalid configuration: platform:logRetentionDays: 731 is more than Log Analytics keeps \(730 days\)/,
        );
        const aws = await planWith({ stack: "prod", cloud: "aws", configOverrides: { "platform:logRetentionDays": 731 } });
        assert.equal(inputsOf(aws, "aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane")["retentionInDays"], 731);
    });

    it("keeps a configured budget month inside the Budgets API's window", async () => {
        await assert.rejects(
            planWith({ stack: "dev", cloud: "aws", configOverrides: { "platform:budget": stackValue("dev", "budget", (budget) => (budget["startMonth"] = "2031-01")) } }),
            /platform:budget\.startMonth: 2031-01 must be between 2017-06 and \d{4}-\d{2} \(at most 12 months ahead\)/,
        );
    });
});
