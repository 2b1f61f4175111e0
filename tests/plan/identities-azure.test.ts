/**
 * "Identities that cannot escalate", Azure half: what the CI identities may grant and reach,
 * where the workload identities live, and how private the registry, the KMS vault and the
 * network's logs are, on the offline plans of staging and prod.
 */
import assert from "node:assert/strict";
import { builtInRoles } from "../../components/azure/roles.ts";
import { regionalSubnets } from "../../lib/addressing.ts";
import { runRules } from "../../policy/run.ts";
import { noPublicEndpoints } from "../../policy/rules/exposure.ts";
import { mockSubscriptionId } from "../../tools/simulated-cloud/answers.ts";
import type { PlanReport, PlannedResource } from "../../tools/offline/evaluate.ts";
import { inputsOf, planOf, planWith, planWithWorkloads, resourceOf, resourcesOf } from "../support/plans.ts";
import { stackValue } from "../support/stack-config.ts";

const assignment = "azure-native:authorization:RoleAssignment";
const identity = "azure-native:managedidentity:UserAssignedIdentity";
const roleDefinition = "azure-native:authorization:RoleDefinition";
const acr = "azure-native:containerregistry:Registry";
const subscription = `/subscriptions/${mockSubscriptionId}`;
const roleOf = (entry: PlannedResource) => String(entry.inputs["roleDefinitionId"]).split("/").pop();
const stacks = ["staging", "prod"] as const;
const cidrs = { staging: "10.20.0.0/16", prod: "10.30.0.0/16" };

/** The ARM id the simulated cloud gives a resource (`/subscriptions/…/providers/<type>/<name>`). */
function idOf(plan: PlanReport, type: string, name: string, armType: string, nameKey: string): string {
    const inputs = inputsOf(plan, type, name);
    return `${subscription}/resourceGroups/${inputs["resourceGroupName"]}/providers/${armType}/${inputs[nameKey]}`;
}

/** The role assignments the program makes outside the CI identities, but for the first deployer's one-off admin. */
function programGrants(plan: PlanReport): PlannedResource[] {
    return resourcesOf(plan, assignment).filter((entry) => entry.parent !== "ci-identity" && entry.name !== "cluster-deployer-admin");
}

function grantsTo(plan: PlanReport, principalId: string): PlannedResource[] {
    return resourcesOf(plan, assignment).filter((entry) => entry.inputs["principalId"] === principalId);
}

/** The values a condition compares `attribute` with, for each of its halves (write on the request, delete on the assignment). */
function conditionValues(condition: string, attribute: string): string[][] {
    const pattern = new RegExp(`@(Request|Resource)\\[Microsoft\\.Authorization/roleAssignments:${attribute}\\] ForAnyOfAnyValues:\\w+ \\{([^}]*)\\}`, "g");
    return [...condition.matchAll(pattern)].map((match) => match[2]!.split(", ").map((value) => value.replace(/'/g, "")).sort());
}

describe("Azure identities that cannot escalate", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const stackGroup = `${subscription}/resourceGroups/rg-platform-${stack}`;
            const identitiesGroup = `${stackGroup}-identities`;
            const watcher = `${subscription}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope`;
            const principalOf = (plan: PlanReport, name: string) => inputsOf(plan, assignment, name)["principalId"];

            describe("1. the deploy identity's role assignments", () => {
                it("may assign roles only to the principals the program grants roles to, on writes and deletes", async () => {
                    const plan = await planOf(stack, "azure");
                    const condition = inputsOf(plan, assignment, "ci-identity-deploy-role-assignments")["condition"];
                    const grantees = [...new Set(programGrants(plan).map((entry) => String(entry.inputs["principalId"])))].sort();
                    // The control plane, the kubelets, External Secrets, the developers' group, and the edge's
                    // external-dns and cert-manager (DNS Zone Contributor on the zone).
                    const externalSecrets = [...new Set(resourcesOf(plan, assignment)
                        .filter((entry) => entry.name.startsWith("kubernetes-bindings-external-secrets-")).map((entry) => String(entry.inputs["principalId"])))];
                    assert.equal(externalSecrets.length, 1, "External Secrets reads every secret as one identity");
                    const expected = [
                        ...["cluster-kms", "registry-pull", "kubernetes-bindings-developer-0", "kubernetes-bindings-external-dns-zone", "kubernetes-bindings-cert-manager-zone"]
                            .map((name) => String(principalOf(plan, name))),
                        ...externalSecrets,
                    ];
                    assert.equal(new Set(expected).size, 6, expected.join(", "));
                    assert.deepEqual(grantees, [...expected].sort());
                    assert.deepEqual(conditionValues(condition, "PrincipalId"), [grantees, grantees]);
                    for (const own of [principalOf(plan, "ci-identity-deploy-contributor"), principalOf(plan, "ci-identity-preview-reader")]) {
                        assert.ok(!condition.includes(own), "never to a CI identity");
                    }
                });

                it("keeps the role and principal-type constraints on both halves", async () => {
                    const plan = await planOf(stack, "azure");
                    const condition = inputsOf(plan, assignment, "ci-identity-deploy-role-assignments")["condition"];
                    // The roles the platform grants here, and those only workloads are granted (none in the stack
                    // file): Service Bus Data Receiver (a worker's queue), Data Owner (KEDA reads its depth), OpenAI User,
                    // Event Hubs Data Receiver and Sender, Schema Registry Reader and Contributor, Storage Blob Data Contributor (Capture).
                    const workloadRoles = [
                        builtInRoles.serviceBusDataReceiver, builtInRoles.serviceBusDataOwner, builtInRoles.cognitiveServicesOpenAiUser,
                        builtInRoles.eventHubsDataReceiver, builtInRoles.eventHubsDataSender, builtInRoles.schemaRegistryReader,
                        builtInRoles.schemaRegistryContributor, builtInRoles.storageBlobDataContributor,
                    ];
                    assert.deepEqual(workloadRoles.filter((role) => programGrants(plan).some((entry) => roleOf(entry) === role)), []);
                    const roles = [...new Set([...programGrants(plan).map(roleOf), ...workloadRoles])].sort();
                    assert.deepEqual(conditionValues(condition, "RoleDefinitionId"), [roles, roles]);
                    // With workloads, those are exactly the roles the program grants, and the condition is unchanged.
                    const withWorkloads = await planWithWorkloads(stack, "azure");
                    assert.deepEqual([...new Set(programGrants(withWorkloads).map(roleOf))].sort(), roles);
                    const workloadCondition = inputsOf(withWorkloads, assignment, "ci-identity-deploy-role-assignments")["condition"];
                    assert.deepEqual(conditionValues(workloadCondition, "RoleDefinitionId"), [roles, roles]);
                    assert.deepEqual(conditionValues(condition, "PrincipalType"), [["Group", "ServicePrincipal"], ["Group", "ServicePrincipal"]]);
                    assert.match(condition, /ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/write'\}/);
                    assert.match(condition, /ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/delete'\}/);
                });
            });

            describe("2. workload identities out of the deploy identity's reach", () => {
                it("keeps the control-plane and External Secrets identities, and the federated credential, in the stack's identities group", async () => {
                    const plan = await planOf(stack, "azure");
                    const group = inputsOf(plan, "azure-native:resources:ResourceGroup", "cluster-identities");
                    assert.deepEqual([group["resourceGroupName"], group["location"], group["tags"].stack], [`rg-platform-${stack}-identities`, "westeurope", stack]);
                    for (const name of ["cluster-control-plane", "kubernetes-bindings-external-secrets", "kubernetes-bindings-cert-manager", "kubernetes-bindings-external-dns", "kubernetes-bindings-keda"]) {
                        assert.equal(inputsOf(plan, identity, name)["resourceGroupName"], `rg-platform-${stack}-identities`, name);
                    }
                    for (const name of ["kubernetes-bindings-external-secrets", "kubernetes-bindings-cert-manager", "kubernetes-bindings-external-dns", "kubernetes-bindings-keda"]) {
                        const credential = inputsOf(plan, "azure-native:managedidentity:FederatedIdentityCredential", name);
                        assert.equal(credential["resourceGroupName"], `rg-platform-${stack}-identities`, name);
                    }
                    // No identity is left where the deploy identity is Contributor.
                    assert.deepEqual(resourcesOf(plan, identity).filter((entry) => entry.inputs["resourceGroupName"] === `rg-platform-${stack}`), []);
                });

                it("lets the deploy identity read the identities and reference the control plane's, nothing more", async () => {
                    const plan = await planOf(stack, "azure");
                    const deploy = principalOf(plan, "ci-identity-deploy-contributor");
                    const there = grantsTo(plan, deploy).filter((entry) => String(entry.inputs["scope"]).startsWith(identitiesGroup));
                    // ARM checks `assign/action` on the identity whenever the cluster (which references it) is updated.
                    const controlPlane = inputsOf(plan, "azure-native:containerservice:ManagedCluster")["identity"].userAssignedIdentities[0];
                    assert.match(controlPlane, new RegExp(`^${identitiesGroup}/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/`));
                    assert.deepEqual(there.map((entry) => [roleOf(entry), entry.inputs["scope"]]).sort(), [
                        [builtInRoles.reader, identitiesGroup],
                        [builtInRoles.managedIdentityOperator, controlPlane],
                    ].sort());
                    const contributors = ["b24988ac-6180-42a0-ab88-20f7382dd24c", "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"]; // Contributor, Managed Identity Contributor, Owner
                    assert.deepEqual(there.filter((entry) => contributors.includes(roleOf(entry)!)), []);
                });
            });

            describe("3. the registry", () => {
                it("gives the preview identity no image pull: a reader role without the registry's data reads, nothing on the registry", async () => {
                    const plan = await planOf(stack, "azure");
                    const preview = principalOf(plan, "ci-identity-preview-reader");
                    const pulling = [builtInRoles.reader, builtInRoles.contributor, builtInRoles.acrPull, builtInRoles.acrPush, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"];
                    const onStack = grantsTo(plan, preview).filter((entry) => String(entry.inputs["scope"]).startsWith(`${stackGroup}/`) || entry.inputs["scope"] === stackGroup);
                    assert.deepEqual(onStack.filter((entry) => pulling.includes(roleOf(entry)!)).map((entry) => entry.name), []);
                    const reader = inputsOf(plan, roleDefinition, "ci-identity-preview-reader")["permissions"][0];
                    assert.deepEqual(reader.actions, ["*/read"]);
                    assert.ok(reader.notActions.includes("Microsoft.ContainerRegistry/registries/pull/read"));
                    assert.equal(reader.dataActions, undefined);
                });

                it("lets the deploy identity push to the registry and the kubelets pull from it", async () => {
                    const plan = await planOf(stack, "azure");
                    const registry = idOf(plan, acr, "registry-acr", "Microsoft.ContainerRegistry/registries", "registryName");
                    const push = inputsOf(plan, assignment, "ci-identity-deploy-push");
                    assert.deepEqual([push["principalId"], roleOf(resourceOf(plan, assignment, "ci-identity-deploy-push")), push["scope"]],
                        [principalOf(plan, "ci-identity-deploy-contributor"), builtInRoles.acrPush, registry]);
                    const pull = resourceOf(plan, assignment, "registry-pull");
                    assert.deepEqual([roleOf(pull), pull.inputs["scope"]], [builtInRoles.acrPull, registry]);
                });

                it("is private outside dev once it is Premium: public access off, a private endpoint in the endpoints subnet", async () => {
                    // Staging's stack file still sets Standard, which cannot take a private endpoint: the schema should require Premium.
                    const plan = stack === "prod"
                        ? await planOf(stack, "azure")
                        : await planWith({ stack, cloud: "azure", configOverrides: { "platform:registry": stackValue(stack, "registry", (registry) => (registry["azure"] = { sku: "Premium" })) } });
                    assert.equal(inputsOf(plan, acr)["sku"].name, "Premium");
                    assert.equal(inputsOf(plan, acr)["publicNetworkAccess"], "Disabled");
                    assert.equal(inputsOf(plan, acr)["networkRuleBypassOptions"], "AzureServices", "image import still reaches it");
                    const endpoint = inputsOf(plan, "azure-native:network:PrivateEndpoint", "registry-acr");
                    assert.deepEqual(endpoint["privateLinkServiceConnections"][0].groupIds, ["registry"]);
                    assert.equal(endpoint["subnet"].id, (plan.outputs["endpointSubnetIds"] as string[])[0]);
                    assert.match(inputsOf(plan, "azure-native:network:PrivateDnsZoneGroup", "registry-acr")["privateDnsZoneConfigs"][0].privateDnsZoneId, /privatelink\.azurecr\.io$/);
                });
            });

            describe("4. the AKS API server and KMS vault", () => {
                it("projects the API server into a delegated subnet carved from free space", async () => {
                    const plan = await planOf(stack, "azure");
                    const subnet = inputsOf(plan, "azure-native:network:Subnet", "network-apiserver");
                    assert.equal(subnet["addressPrefix"], regionalSubnets(cidrs[stack]).apiServer);
                    assert.ok(Number(subnet["addressPrefix"].split("/")[1]) <= 28, "at least a /28");
                    assert.deepEqual(subnet["delegations"], [{ name: "aks", serviceName: "Microsoft.ContainerService/managedClusters" }]);
                    const access = inputsOf(plan, "azure-native:containerservice:ManagedCluster")["apiServerAccessProfile"];
                    assert.deepEqual([access.enableVnetIntegration, access.subnetId], [true, `${plan.outputs["networkId"]}/subnets/apiserver`]);
                    // Nodes reach the API server on 443 and 4443; Azure's load balancer probes it on 9988.
                    const rules = inputsOf(plan, "azure-native:network:NetworkSecurityGroup", "network-apiserver")["securityRules"];
                    assert.deepEqual(rules.map((rule: any) => [rule.sourceAddressPrefix, rule.destinationPortRanges]), [
                        [regionalSubnets(cidrs[stack]).nodes, ["443", "4443"]],
                        ["AzureLoadBalancer", ["9988"]],
                    ]);
                });

                it("encrypts Secrets with a key in a private vault that AKS reaches privately", async () => {
                    const plan = await planOf(stack, "azure");
                    const vault = inputsOf(plan, "azure-native:keyvault:Vault", "cluster-kms");
                    assert.equal(vault["properties"].publicNetworkAccess, "disabled");
                    assert.deepEqual(vault["properties"].networkAcls, { defaultAction: "Deny", bypass: "AzureServices" });
                    const kms = inputsOf(plan, "azure-native:containerservice:ManagedCluster")["securityProfile"].azureKeyVaultKms;
                    const vaultId = idOf(plan, "azure-native:keyvault:Vault", "cluster-kms", "Microsoft.KeyVault/vaults", "vaultName");
                    assert.deepEqual([kms.keyVaultNetworkAccess, kms.keyVaultResourceId], ["Private", vaultId]);
                    // AKS creates its own private link to the vault: the control plane needs Key Vault Contributor there, before the cluster.
                    const link = resourceOf(plan, assignment, "cluster-kms-private-link");
                    assert.deepEqual([roleOf(link), link.inputs["scope"]], [builtInRoles.keyVaultContributor, vaultId]);
                    assert.ok(resourceOf(plan, "azure-native:containerservice:ManagedCluster").dependsOn.includes("cluster-kms-private-link"));
                });

                it("no longer exempts the KMS vault from no-public-endpoints", async () => {
                    const plan = await planOf(stack, "azure");
                    assert.deepEqual(plan.policy.filter((violation) => violation.rule === "no-public-endpoints"), []);
                    // The same plan with the KMS vault and AKS's access to it public again.
                    const reopened = plan.resources.map(({ type, name, inputs }) => {
                        if (type === "azure-native:keyvault:Vault" && name === "cluster-kms") {
                            return { type, name, props: { ...inputs, properties: { ...inputs["properties"], publicNetworkAccess: "enabled" } } };
                        }
                        if (type === "azure-native:containerservice:ManagedCluster") {
                            const security = inputs["securityProfile"];
                            return { type, name, props: { ...inputs, securityProfile: { ...security, azureKeyVaultKms: { ...security.azureKeyVaultKms, keyVaultNetworkAccess: "Public" } } } };
                        }
                        return { type, name, props: inputs };
                    });
                    const found = runRules([noPublicEndpoints], reopened, stack);
                    assert.deepEqual(found.map((violation) => [violation.name, violation.enforcement]), [["cluster-kms", "mandatory"]]);
                });
            });

            describe("5. VNet flow logs", () => {
                it(`logs every flow of the VNet for ${stack === "prod" ? 365 : 90} days through the region's Network Watcher`, async () => {
                    const plan = await planOf(stack, "azure");
                    const flowLog = resourceOf(plan, "azure-native:network:FlowLog");
                    const account = idOf(plan, "azure-native:storage:StorageAccount", "network-flow-logs", "Microsoft.Storage/storageAccounts", "accountName");
                    assert.deepEqual(
                        [flowLog.inputs["resourceGroupName"], flowLog.inputs["networkWatcherName"], flowLog.inputs["location"], flowLog.inputs["enabled"]],
                        ["NetworkWatcherRG", "NetworkWatcher_westeurope", "westeurope", true],
                    );
                    assert.deepEqual([flowLog.inputs["targetResourceId"], flowLog.inputs["storageId"]], [plan.outputs["networkId"], account]);
                    assert.deepEqual(flowLog.inputs["retentionPolicy"], { enabled: true, days: stack === "prod" ? 365 : 90 });
                    assert.equal(flowLog.inputs["tags"].stack, stack);
                });

                it("writes to a standard account in the VNet's region that takes no other traffic from the internet", async () => {
                    const plan = await planOf(stack, "azure");
                    const account = inputsOf(plan, "azure-native:storage:StorageAccount", "network-flow-logs");
                    assert.deepEqual([account["location"], account["kind"], account["sku"].name], ["westeurope", "StorageV2", "Standard_LRS"]);
                    assert.deepEqual([account["allowBlobPublicAccess"], account["enableHttpsTrafficOnly"], account["minimumTlsVersion"]], [false, true, "TLS1_2"]);
                    assert.deepEqual(account["networkRuleSet"], { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] });
                });

                it("lets the deploy identity manage the flow log and the preview identity read it, on the Network Watcher only", async () => {
                    const plan = await planOf(stack, "azure");
                    const deploy = resourceOf(plan, assignment, "ci-identity-deploy-flow-logs");
                    assert.equal(deploy.inputs["scope"], watcher);
                    const role = inputsOf(plan, roleDefinition, "ci-identity-flow-logs");
                    assert.deepEqual(role["assignableScopes"], [`${subscription}/resourceGroups/NetworkWatcherRG`]);
                    assert.ok(role["permissions"][0].actions.every((action: string) => action.startsWith("Microsoft.Network/networkWatchers/")));
                    const preview = resourceOf(plan, assignment, "ci-identity-preview-flow-logs-reader");
                    assert.deepEqual([roleOf(preview), preview.inputs["scope"]], [builtInRoles.reader, watcher]);
                });
            });
        });
    }
});

describe("Azure registry tier outside dev", () => {
    it("refuses a non-Premium registry in staging, which could not be private", async () => {
        await assert.rejects(
            planWith({ stack: "staging", cloud: "azure", configOverrides: { "platform:registry": stackValue("staging", "registry", (registry) => (registry["azure"] = { sku: "Standard" })) } }),
            /platform:registry\.azure\.sku: must be "Premium" outside dev/,
        );
        // AWS ignores the Azure tier.
        await planWith({ stack: "staging", cloud: "aws", configOverrides: { "platform:registry": stackValue("staging", "registry", (registry) => (registry["azure"] = { sku: "Standard" })) } });
    });

    it("keeps the staging registry private now that its stack file is Premium", async () => {
        const registry = inputsOf(await planOf("staging", "azure"), "azure-native:containerregistry:Registry");
        assert.deepEqual([registry["sku"], registry["publicNetworkAccess"]], [{ name: "Premium" }, "Disabled"]);
    });
});
