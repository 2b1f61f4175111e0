import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mockAccountId, mockSubscriptionId, simulatedResource } from "../../tools/simulated-cloud/answers.ts";
import { expected, inputsOf, lockedScopes, planOf, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks } from "../support/stack-config.ts";

/** Section 2 of the brief and the stack files, per environment. */
const want = {
    dev: { keepImages: 20, acrSku: "Standard" },
    staging: { keepImages: 50, acrSku: "Premium" },
    prod: { keepImages: 100, acrSku: "Premium" },
} as const;
const repositories = ["platform/api", "platform/worker"];

const ecrRepository = "aws:ecr/repository:Repository";
const acr = "azure-native:containerregistry:Registry";

/** The kubelet object id the simulated cloud gives the AKS cluster named `cluster` (mirrors tools/simulated-cloud/answers.ts). */
function mockKubeletObjectId(cluster: string): string {
    const text = createHash("sha256").update(`${cluster}/kubelet/0`).digest("hex").slice(0, 32);
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

describe("container registry on AWS (ECR)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];

            it("creates each repository with immutable tags, scan on push and KMS encryption", async () => {
                const plan = await planOf(stack, "aws");
                const created = resourcesOf(plan, ecrRepository);
                assert.deepEqual(created.map((repository) => repository.inputs["name"]), repositories);
                for (const { inputs } of created) {
                    assert.equal(inputs["imageTagMutability"], "IMMUTABLE");
                    assert.deepEqual(inputs["imageScanningConfiguration"], { scanOnPush: true });
                    assert.deepEqual(inputs["encryptionConfigurations"], [{ encryptionType: "KMS" }]);
                }
            });

            it(`expires untagged images after a day and keeps the newest ${env.keepImages} tagged ones`, async () => {
                const policies = resourcesOf(await planOf(stack, "aws"), "aws:ecr/lifecyclePolicy:LifecyclePolicy");
                assert.deepEqual(policies.map((policy) => policy.inputs["repository"]), repositories);
                for (const policy of policies) {
                    const rules = JSON.parse(policy.inputs["policy"]).rules;
                    assert.deepEqual(rules.map((rule: any) => rule.selection), [
                        { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                        { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: env.keepImages },
                    ]);
                    assert.ok(rules.every((rule: any) => rule.action.type === "expire"));
                }
            });

            it("lets only the cluster's node role pull", async () => {
                const plan = await planOf(stack, "aws");
                // An autonamed role's ARN, as the simulated cloud (like IAM) gives it.
                const nodeRoleArn = simulatedResource("aws:iam/role:Role", "cluster-nodes-role", inputsOf(plan, "aws:iam/role:Role", "cluster-nodes-role")).state["arn"];
                assert.match(String(nodeRoleArn), new RegExp(`^arn:aws:iam::${mockAccountId}:role/cluster-nodes-role-[0-9a-f]{7}$`));
                for (const policy of resourcesOf(plan, "aws:ecr/repositoryPolicy:RepositoryPolicy")) {
                    const statements = JSON.parse(policy.inputs["policy"]).Statement;
                    assert.deepEqual(statements, [{
                        Sid: "ClusterNodesPull",
                        Effect: "Allow",
                        Principal: { AWS: nodeRoleArn },
                        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                    }]);
                }
            });

            it("exports the registry host and one URL per repository", async () => {
                const plan = await planOf(stack, "aws");
                const host = `${mockAccountId}.dkr.ecr.eu-west-1.amazonaws.com`;
                assert.equal(plan.outputs["registryUrl"], host);
                assert.deepEqual(plan.outputs["repositoryUrls"], repositories.map((repository) => `${host}/${repository}`));
            });

            it(expected[stack].protect ? "protects repositories and refuses to delete them with images" : "stays deletable in dev", async () => {
                for (const repository of resourcesOf(await planOf(stack, "aws"), ecrRepository)) {
                    assert.equal(repository.protect, expected[stack].protect);
                    assert.equal(repository.inputs["forceDelete"], !expected[stack].protect);
                }
            });
        });
    }
});

describe("container registry on Azure (ACR)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];
            const premium = env.acrSku === "Premium";

            it(`is a ${env.acrSku} registry with the admin user and anonymous pull off`, async () => {
                const plan = await planOf(stack, "azure");
                const registry = inputsOf(plan, acr);
                assert.match(registry["registryName"], new RegExp(`^acrplatform${stack}[a-z0-9]{4}$`));
                assert.deepEqual(registry["sku"], { name: env.acrSku });
                assert.deepEqual([registry["adminUserEnabled"], registry["anonymousPullEnabled"]], [false, false]);
                assert.equal(registry["networkRuleBypassOptions"], "AzureServices");
            });

            it(premium ? "retains untagged manifests 7 days, spans zones and has a private endpoint" : "uses no Premium-only feature", async () => {
                const plan = await planOf(stack, "azure");
                const registry = inputsOf(plan, acr);
                assert.deepEqual(registry["policies"], premium ? { retentionPolicy: { status: "enabled", days: 7 } } : undefined);
                assert.equal(registry["zoneRedundancy"], premium && expected[stack].zones > 1 ? "Enabled" : "Disabled");
                const endpoints = resourcesOf(plan, "azure-native:network:PrivateEndpoint")
                    .filter((endpoint) => endpoint.inputs["privateLinkServiceConnections"][0].groupIds[0] === "registry");
                assert.equal(endpoints.length, premium ? 1 : 0);
            });

            it("grants AcrPull on the registry to the kubelet identity only", async () => {
                const plan = await planOf(stack, "azure");
                const pull = inputsOf(plan, "azure-native:authorization:RoleAssignment", "registry-pull");
                assert.match(pull["roleDefinitionId"], /\/roleDefinitions\/7f951dda-4ed3-4680-a7ca-43fe172d538d$/);
                const registryId = `/subscriptions/${mockSubscriptionId}/resourceGroups/rg-platform-${stack}/providers/Microsoft.ContainerRegistry/registries/${inputsOf(plan, acr)["registryName"]}`;
                assert.equal(pull["scope"], registryId);
                const cluster = resourceOf(plan, "azure-native:containerservice:ManagedCluster");
                assert.deepEqual([pull["principalId"], pull["principalType"]], [mockKubeletObjectId(cluster.name), "ServicePrincipal"]);
            });

            it(`purges daily down to the newest ${env.keepImages} tags per repository, untagged manifests too`, async () => {
                const plan = await planOf(stack, "azure");
                const task = inputsOf(plan, "azure-native:containerregistry:Task");
                assert.equal(task["registryName"], inputsOf(plan, acr)["registryName"]);
                assert.equal(task["step"].type, "EncodedTask");
                const yaml = Buffer.from(task["step"].encodedTaskContent, "base64").toString("utf8");
                assert.match(yaml, /^version: v1\.1\.0\n/);
                assert.match(yaml, new RegExp(`- cmd: acr purge --filter 'platform/api:\\.\\*' --filter 'platform/worker:\\.\\*' --ago 0d --keep ${env.keepImages} --untagged\\n`));
                assert.deepEqual(task["trigger"].timerTriggers, [{ name: "daily", schedule: "0 3 * * *", status: "Enabled" }]);
                assert.equal(task["status"], "Enabled");
            });

            it("exports the login server and one URL per repository", async () => {
                const plan = await planOf(stack, "azure");
                const host = `${inputsOf(plan, acr)["registryName"]}.azurecr.io`;
                assert.equal(plan.outputs["registryUrl"], host);
                assert.deepEqual(plan.outputs["repositoryUrls"], repositories.map((repository) => `${host}/${repository}`));
            });

            it(expected[stack].protect ? "is guarded by a delete lock and Pulumi protect" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "azure");
                assert.equal(resourceOf(plan, acr).protect, expected[stack].protect);
                const scope = inputsOf(plan, "azure-native:authorization:RoleAssignment", "registry-pull")["scope"];
                assert.equal(lockedScopes(plan).includes(scope), expected[stack].protect);
            });
        });
    }
});
