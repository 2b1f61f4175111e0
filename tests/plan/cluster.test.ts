import assert from "node:assert/strict";
import { simulatedCall, simulatedResource } from "../../tools/simulated-cloud/answers.ts";
import { secretMask } from "../../tools/offline/evaluate.ts";
import { cloudNames, expected, inputsOf, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

const awsSkus = { dev: "m7i.large", staging: "m7i.xlarge", prod: "m7i.2xlarge" };
const azureSkus = { dev: "Standard_D2s_v5", staging: "Standard_D4s_v5", prod: "Standard_D8s_v5" };
const authorizedCidrs = ["203.0.113.0/24", "198.51.100.0/24"];

describe("cluster on AWS (EKS)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const want = expected[stack];

            it(`runs Kubernetes 1.36 across ${want.zones} zone(s) with secrets encrypted under a rotating KMS key`, async () => {
                const plan = await planOf(stack, "aws");
                const cluster = inputsOf(plan, "aws:eks/cluster:Cluster");
                assert.equal(cluster["version"], "1.36");
                // EKS needs control-plane subnets in two zones even when the nodes run in one.
                assert.equal(cluster["vpcConfig"].subnetIds.length, Math.max(2, want.zones));
                assert.deepEqual(cluster["encryptionConfig"].resources, ["secrets"]);
                assert.ok(cluster["encryptionConfig"].provider.keyArn.startsWith("arn:aws:kms:"));
                assert.equal(inputsOf(plan, "aws:kms/key:Key", "cluster-secrets")["enableKeyRotation"], true);
                assert.deepEqual(cluster["upgradePolicy"], { supportType: "STANDARD" });
            });

            it("ships every control-plane log and authenticates through access entries only", async () => {
                const plan = await planOf(stack, "aws");
                const cluster = inputsOf(plan, "aws:eks/cluster:Cluster");
                assert.deepEqual(cluster["enabledClusterLogTypes"], ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
                assert.equal(cluster["accessConfig"].authenticationMode, "API");
                assert.equal(inputsOf(plan, "aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane")["name"], `/aws/eks/platform-${stack}/cluster`);
            });

            it(`exposes the API endpoint as ${want.apiAccess}`, async () => {
                const plan = await planOf(stack, "aws");
                const vpcConfig = inputsOf(plan, "aws:eks/cluster:Cluster")["vpcConfig"];
                // Nodes reach the API through the private endpoint, so the NAT addresses need no place in the CIDRs.
                assert.equal(vpcConfig.endpointPrivateAccess, true);
                assert.equal(vpcConfig.endpointPublicAccess, true);
                assert.deepEqual(vpcConfig.publicAccessCidrs, want.apiAccess === "public" ? ["0.0.0.0/0"] : authorizedCidrs);
            });

            it("makes whoever creates the cluster its admin through an access entry, as the README says", async () => {
                const plan = await planOf(stack, "aws");
                assert.equal(inputsOf(plan, "aws:eks/cluster:Cluster")["accessConfig"].bootstrapClusterCreatorAdminPermissions, true);
            });

            it(`autoscales ${want.nodes.min}-${want.nodes.max} nodes of ${awsSkus[stack]} (${want.nodes.vcpu} vCPU, ${want.nodes.memoryGiB} GiB)`, async () => {
                const plan = await planOf(stack, "aws");
                const nodeGroup = resourceOf(plan, "aws:eks/nodeGroup:NodeGroup");
                assert.deepEqual(nodeGroup.inputs["instanceTypes"], [awsSkus[stack]]);
                assert.deepEqual(nodeGroup.inputs["scalingConfig"], { minSize: want.nodes.min, maxSize: want.nodes.max, desiredSize: want.nodes.min });
                assert.equal(nodeGroup.inputs["subnetIds"].length, want.zones);
                assert.ok(nodeGroup.ignoreChanges.includes("scalingConfig.desiredSize"), "the autoscaler owns the live count");
                assert.equal(plan.outputs["nodeSku"], awsSkus[stack]);
            });

            it("boots nodes with IMDSv2 only and encrypted root volumes", async () => {
                const plan = await planOf(stack, "aws");
                const template = inputsOf(plan, "aws:ec2/launchTemplate:LaunchTemplate");
                assert.equal(template["metadataOptions"].httpTokens, "required");
                assert.equal(template["metadataOptions"].httpPutResponseHopLimit, 1);
                assert.equal(template["blockDeviceMappings"][0].ebs.encrypted, "true");
            });

            it("federates workload identity through an IAM OIDC provider and Pod Identity", async () => {
                const plan = await planOf(stack, "aws");
                const provider = inputsOf(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "cluster-oidc");
                assert.equal(provider["url"], plan.outputs["oidcIssuerUrl"]);
                assert.deepEqual(provider["clientIdLists"], ["sts.amazonaws.com"]);
                const addons = resourcesOf(plan, "aws:eks/addon:Addon").map((addon) => addon.inputs["addonName"]).sort();
                assert.deepEqual(addons, ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
                const ebs = resourcesOf(plan, "aws:eks/addon:Addon").find((addon) => addon.inputs["addonName"] === "aws-ebs-csi-driver")!;
                assert.equal(ebs.inputs["podIdentityAssociations"][0].serviceAccount, "ebs-csi-controller-sa");
            });

            it(want.protect ? "is deletion-protected in the cloud and in Pulumi" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "aws");
                const cluster = resourceOf(plan, "aws:eks/cluster:Cluster");
                assert.equal(cluster.inputs["deletionProtection"], want.protect);
                assert.equal(cluster.protect, want.protect);
                assert.equal(resourceOf(plan, "aws:kms/key:Key", "cluster-secrets").protect, want.protect);
            });
        });
    }

    it("turns off the public endpoint when the API is private", async () => {
        const plan = await planWith({
            stack: "prod",
            cloud: "aws",
            configOverrides: { "platform:cluster": stackValue("prod", "cluster", (c) => ((c["apiAccess"] = "private"), delete c["authorizedCidrs"])) },
        });
        const vpcConfig = inputsOf(plan, "aws:eks/cluster:Cluster")["vpcConfig"];
        assert.equal(vpcConfig.endpointPublicAccess, false);
        assert.equal(vpcConfig.endpointPrivateAccess, true);
        assert.equal(vpcConfig.publicAccessCidrs, undefined);
    });

    it("grants configured admin roles cluster-admin through access entries, and uses the SKU override", async () => {
        const adminRole = "arn:aws:iam::123456789012:role/platform-admins";
        const plan = await planWith({
            stack: "dev",
            cloud: "aws",
            configOverrides: { "platform:cluster": stackValue("dev", "cluster", (c) => (c["aws"] = { adminRoleArns: [adminRole], instanceType: "m8g.large" })) },
        });
        assert.equal(inputsOf(plan, "aws:eks/accessEntry:AccessEntry", "cluster-admin-0")["principalArn"], adminRole);
        assert.match(inputsOf(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-admin-0")["policyArn"], /AmazonEKSClusterAdminPolicy$/);
        assert.deepEqual(inputsOf(plan, "aws:eks/nodeGroup:NodeGroup")["instanceTypes"], ["m8g.large"]);
    });
});

describe("cluster on Azure (AKS)", () => {
    const tiers = { dev: "Free", staging: "Standard", prod: "Standard" };

    for (const stack of stacks) {
        describe(stack, () => {
            const want = expected[stack];

            it(`runs Kubernetes 1.36 on the ${tiers[stack]} tier with Secrets encrypted by a purge-protected Key Vault key`, async () => {
                const plan = await planOf(stack, "azure");
                const cluster = inputsOf(plan, "azure-native:containerservice:ManagedCluster");
                assert.equal(cluster["kubernetesVersion"], "1.36");
                assert.deepEqual(cluster["sku"], { name: "Base", tier: tiers[stack] });
                const kms = cluster["securityProfile"].azureKeyVaultKms;
                assert.equal(kms.enabled, true);
                const vaultName = inputsOf(plan, "azure-native:keyvault:Key", "cluster-kms")["vaultName"];
                assert.match(vaultName, new RegExp(`^kv-platform-${stack}-[a-z0-9]{4}$`));
                assert.ok(kms.keyId.startsWith(`https://${vaultName}.vault.azure.net/keys/kubernetes-secrets/`), "the key of this stack's vault");
                const vault = inputsOf(plan, "azure-native:keyvault:Vault", "cluster-kms")["properties"];
                assert.equal(vault.enableRbacAuthorization, true);
                assert.equal(vault.enablePurgeProtection, true);
                assert.equal(vault.enableSoftDelete, true);
            });

            it("authenticates through Entra ID with Azure RBAC, local accounts off, workload identity on", async () => {
                const plan = await planOf(stack, "azure");
                const cluster = inputsOf(plan, "azure-native:containerservice:ManagedCluster");
                assert.equal(cluster["disableLocalAccounts"], true);
                assert.deepEqual({ managed: cluster["aadProfile"].managed, rbac: cluster["aadProfile"].enableAzureRBAC }, { managed: true, rbac: true });
                assert.equal(cluster["oidcIssuerProfile"].enabled, true);
                assert.equal(cluster["securityProfile"].workloadIdentity.enabled, true);
                assert.match(String(plan.outputs["oidcIssuerUrl"]), /^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\//);
            });

            it(`exposes the API endpoint as ${want.apiAccess}`, async () => {
                const plan = await planOf(stack, "azure");
                const access = inputsOf(plan, "azure-native:containerservice:ManagedCluster")["apiServerAccessProfile"];
                // Kubelets leave through the NAT gateway, whose address AKS does not allow by itself.
                const natAddress = inputsOf(plan, "azure-native:network:PublicIPAddress", "network-nat");
                assert.ok(natAddress);
                const egress = simulatedResource("azure-native:network:PublicIPAddress", "network-nat", natAddress).state["ipAddress"];
                // API Server VNet Integration on every stack: the API server sits in the network's delegated subnet.
                const vnetIntegration = { enableVnetIntegration: true, subnetId: `${plan.outputs["networkId"]}/subnets/apiserver` };
                assert.deepEqual(access, want.apiAccess === "public" ? vnetIntegration : { ...vnetIntegration, authorizedIPRanges: [...authorizedCidrs, `${String(egress)}/32`] });
            });

            it("makes the principal that runs the first up a Kubernetes admin, since local accounts are off", async () => {
                const plan = await planOf(stack, "azure");
                const admin = resourceOf(plan, "azure-native:authorization:RoleAssignment", "cluster-deployer-admin");
                assert.equal(admin.inputs["principalId"], simulatedCall("azure-native:authorization:getClientConfig", {})["objectId"]);
                assert.match(admin.inputs["roleDefinitionId"], /b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b$/, "Azure Kubernetes Service RBAC Cluster Admin");
                assert.match(admin.inputs["scope"], new RegExp(`/managedClusters/platform-${stack}$`));
                assert.ok(admin.ignoreChanges.includes("principalId"), "a later CI run must not move it to the CI identity");
            });

            it(`autoscales a user pool of ${want.nodes.min}-${want.nodes.max} ${azureSkus[stack]} nodes over ${want.zones} zone(s) beside a tainted system pool`, async () => {
                const plan = await planOf(stack, "azure");
                const pool = resourceOf(plan, "azure-native:containerservice:AgentPool");
                assert.equal(pool.inputs["mode"], "User");
                assert.equal(pool.inputs["vmSize"], azureSkus[stack]);
                assert.equal(pool.inputs["enableAutoScaling"], true);
                assert.deepEqual([pool.inputs["minCount"], pool.inputs["maxCount"], pool.inputs["count"]], [want.nodes.min, want.nodes.max, want.nodes.min]);
                assert.deepEqual(pool.inputs["availabilityZones"], ["1", "2", "3"].slice(0, want.zones));
                assert.ok(pool.ignoreChanges.includes("count"));
                // The autoscaler moves the system pool too: its count must not show as drift or be reset by `up`.
                assert.ok(resourceOf(plan, "azure-native:containerservice:ManagedCluster").ignoreChanges.includes("agentPoolProfiles[0].count"));
                const system = inputsOf(plan, "azure-native:containerservice:ManagedCluster")["agentPoolProfiles"][0];
                assert.equal(system.mode, "System");
                assert.deepEqual(system.nodeTaints, ["CriticalAddonsOnly=true:NoSchedule"]);
                assert.deepEqual(system.availabilityZones, ["1", "2", "3"].slice(0, want.zones));
                assert.equal(plan.outputs["nodeSku"], azureSkus[stack]);
            });

            it("uses Azure CNI overlay with Cilium and leaves through the network's NAT gateway", async () => {
                const plan = await planOf(stack, "azure");
                const network = inputsOf(plan, "azure-native:containerservice:ManagedCluster")["networkProfile"];
                assert.deepEqual(
                    [network.networkPlugin, network.networkPluginMode, network.networkPolicy, network.outboundType],
                    ["azure", "overlay", "cilium", "userAssignedNATGateway"],
                );
                assert.equal(network.serviceCidr, "172.20.0.0/16");
            });

            it("gives the control-plane identity only network and KMS roles, and ships control-plane logs", async () => {
                const plan = await planOf(stack, "azure");
                const assignments = resourcesOf(plan, "azure-native:authorization:RoleAssignment").filter((assignment) => assignment.parent === "cluster");
                const controlPlane = assignments.filter((assignment) => assignment.name !== "cluster-deployer-admin");
                // Network, KMS crypto, and the private link AKS creates to the private KMS vault.
                assert.deepEqual(controlPlane.map((assignment) => assignment.name).sort(), ["cluster-kms", "cluster-kms-private-link", "cluster-network"]);
                assert.ok(controlPlane.every((assignment) => assignment.inputs["principalType"] === "ServicePrincipal"));
                assert.equal(inputsOf(plan, "azure-native:authorization:RoleAssignment", "cluster-network")["scope"], plan.outputs["networkId"]);
                const logs = inputsOf(plan, "azure-native:monitor:DiagnosticSetting", "cluster-control-plane")["logs"].map((log: any) => log.category);
                assert.ok(["kube-apiserver", "kube-audit-admin", "guard"].every((category) => logs.includes(category)));
            });

            it(want.protect ? "is guarded by a delete lock and Pulumi protect" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "azure");
                assert.equal(resourceOf(plan, "azure-native:containerservice:ManagedCluster").protect, want.protect);
                assert.equal(resourceOf(plan, "azure-native:keyvault:Vault", "cluster-kms").protect, want.protect);
                const locks = resourcesOf(plan, "azure-native:authorization:ManagementLockByScope").filter((lock) => lock.parent === "cluster");
                assert.equal(locks.length, want.protect ? 1 : 0);
                if (want.protect) {
                    assert.equal(locks[0]!.inputs["level"], "CanNotDelete");
                }
            });
        });
    }

    it("makes the cluster private when the API is private", async () => {
        const plan = await planWith({
            stack: "prod",
            cloud: "azure",
            configOverrides: { "platform:cluster": stackValue("prod", "cluster", (c) => ((c["apiAccess"] = "private"), delete c["authorizedCidrs"])) },
        });
        const cluster = inputsOf(plan, "azure-native:containerservice:ManagedCluster");
        assert.deepEqual(cluster["apiServerAccessProfile"], {
            enableVnetIntegration: true,
            subnetId: `${plan.outputs["networkId"]}/subnets/apiserver`,
            enablePrivateCluster: true,
            privateDNSZone: "system",
        });
        assert.match(String(plan.outputs["clusterEndpoint"]), /privatelink/);
    });
});

describe("cluster outputs", () => {
    it("hands out a kubeconfig for the EKS endpoint that fetches tokens with the AWS CLI", async () => {
        const plan = await planWith({ stack: "dev", cloud: "aws", revealSecrets: true });
        const kubeconfig = JSON.parse(String(plan.outputs["kubeconfig"]));
        assert.equal(kubeconfig.clusters[0].cluster.server, plan.outputs["clusterEndpoint"]);
        assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), ["eks", "get-token", "--cluster-name", "platform-dev"]);
        assert.deepEqual(plan.secretOutputs, ["kubeconfig"]);
    });

    it("hands out a kubeconfig for the AKS endpoint whose kubelogin never waits for a browser", async () => {
        const plan = await planWith({ stack: "dev", cloud: "azure", revealSecrets: true });
        const kubeconfig = JSON.parse(String(plan.outputs["kubeconfig"]));
        // The server and CA come from the credentials AKS issued (the simulated ones use --login devicecode).
        assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/platform-dev-[0-9a-f]{8}\.hcp\.westeurope\.azmk8s\.io:443$/);
        assert.equal(kubeconfig.clusters[0].cluster["certificate-authority-data"], Buffer.from("mock CA of platform-dev").toString("base64"));
        const exec = kubeconfig.users[0].user.exec;
        assert.equal(exec.command, "kubelogin");
        assert.equal(exec.interactiveMode, "Never");
        assert.ok(!exec.args.includes("devicecode") && !exec.args.includes("interactive"), "no login that needs a person");
        // AAD_LOGIN_METHOD (workloadidentity in CI) overrides this flag; a person's az login is the default.
        assert.deepEqual(exec.args.slice(-2), ["--login", "azurecli"]);
        assert.deepEqual(exec.args.slice(0, 5), ["get-token", "--environment", "AzurePublicCloud", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]);
        assert.deepEqual(plan.secretOutputs, ["kubeconfig"]);
    });

    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`exports the same names on ${cloud} for ${stack}, with the kubeconfig as a secret`, async () => {
                const plan = await planOf(stack, cloud);
                assert.equal(plan.outputs["kubeconfig"], secretMask);
                assert.equal(plan.outputs["clusterName"], `platform-${stack}`);
                assert.equal(plan.outputs["kubernetesVersion"], "1.36");
                assert.match(String(plan.outputs["clusterEndpoint"]), /^https:\/\//);
                assert.match(String(plan.outputs["oidcIssuerUrl"]), /^https:\/\//);
            });
        }
    }
});
