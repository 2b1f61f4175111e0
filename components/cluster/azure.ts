import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as containerservice from "@pulumi/azure-native/containerservice/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import * as pulumi from "@pulumi/pulumi";
import { vaultProperties } from "../azure/key-vault.ts";
import { globalNames } from "../global-names.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";
import { clusterDnsServiceIp, clusterPodCidr, clusterServiceCidr } from "../../lib/addressing.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import { AzureIdentities } from "../azure/identities.ts";
import { vmSize } from "../../lib/sizing/azure.ts";
import { builtInRoleDefinition, builtInRoles } from "../azure/roles.ts";
import type { Cluster, ClusterArgs } from "./cluster.ts";
import { aksKubeconfig } from "./kubeconfig.ts";
import { deleteLock } from "../azure/lock.ts";
import { narrow } from "../narrow.ts";

/** AKS tiers: the Standard tier carries the 99.95 % SLA when the cluster spans zones. */
export const aksTiers = { free: "Free", standard: "Standard", sla: "Standard" } as const;

/** Control-plane log categories shipped to Log Analytics. */
export const aksControlPlaneLogCategories = [
    "kube-apiserver",
    "kube-audit-admin",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
    "guard",
];

/**
 * AKS with Entra ID and Azure RBAC (local accounts off), OIDC issuer and workload identity,
 * API Server VNet Integration (the API server in the network's delegated subnet, so nodes
 * reach it privately), a system pool and an autoscaled user pool across the network's zones,
 * Azure CNI overlay with Cilium, KMS encryption of Secrets with a purge-protected key in a
 * private Key Vault, and control-plane logs in Log Analytics. In staging and prod a delete
 * lock guards the cluster.
 *
 * The control-plane identity, like every workload identity, lives in the stack's identities
 * group (`identities`), out of the CI deploy identity's write reach.
 */
export class AzureCluster extends pulumi.ComponentResource implements Cluster {
    readonly clusterName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly kubernetesVersion: pulumi.Output<string>;
    readonly oidcIssuerUrl: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly nodeSku: string;
    /** Object id of the kubelet identity (image pulls). */
    readonly kubeletPrincipalId: pulumi.Output<string>;
    /** ARM id of the managed cluster, the scope of role assignments on it. */
    readonly clusterId: pulumi.Output<string>;
    /** The resource group the cluster lives in. */
    readonly resourceGroupName: pulumi.Output<string>;
    /** The stack's workload identities and the record of the roles the program grants. */
    readonly identities: AzureIdentities;
    /** The control plane's identity, which creates load balancers and joins public IPs for Services. */
    readonly controlPlanePrincipalId: pulumi.Output<string>;
    readonly workloadReady: pulumi.Resource[];
    /** The stack's Log Analytics workspace (retention `logRetentionDays`): control-plane and audit logs. */
    readonly logWorkspaceId: pulumi.Output<string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:AzureCluster", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        const settings = args.azure;
        const nodeSku = vmSize(args.nodes, settings.vmSize);
        const clusterName = physicalName([context.project, context.stack], nameRules.aksCluster);
        const inGroup = { resourceGroupName: network.resourceGroupName, location: network.location, tags: context.tags };
        const parent = { parent: this };
        const stateful = { parent: this, protect: context.protectStateful };

        const identities = new AzureIdentities(`${name}-identities`, { context, location: network.location }, this);
        const identity = identities.create(`${name}-control-plane`, this);
        // Every cluster update references the identity, which ARM checks as `assign/action` on it.
        identities.grantToDeploy({ purpose: "control-plane-identity", role: builtInRoles.managedIdentityOperator, scope: identity.id });
        const assignRole = (role: string, roleName: string, scope: pulumi.Input<string>) =>
            identities.assign(`${name}-${role}`, { principalId: identity.principalId, principalType: "ServicePrincipal", role: roleName, scope }, parent);

        // Key Vault names are global; a random suffix keeps same-named stacks of other tenants apart.
        const uniqueName = globalNames(`${name}-kms-suffix`, this);
        // Private: AKS reaches it through a private link of its own from the API server's subnet
        // (API Server VNet Integration is the only way AKS supports a private KMS vault).
        const vault = new keyvault.Vault(`${name}-kms`, {
            ...inGroup,
            vaultName: uniqueName(["kv", context.project, context.stack], nameRules.keyVault),
            properties: vaultProperties(identity.tenantId, "private"),
        }, stateful);
        // AKS's KMS docs: creating or updating keys in a private vault without a private endpoint isn't
        // supported. Like the secrets vault, one in the endpoints subnet, before the key.
        const endpoint = privateEndpoint(`${name}-kms`, { network, targetId: vault.id, groupId: "vault", dnsZone: "keyVault", tags: context.tags }, this);
        const key = new keyvault.Key(`${name}-kms`, {
            resourceGroupName: network.resourceGroupName,
            vaultName: vault.name,
            keyName: "kubernetes-secrets",
            properties: {
                kty: "RSA",
                keySize: 2048,
                rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } }] },
            },
        }, { ...stateful, dependsOn: [endpoint] });

        // AKS cannot check the identity's rights on a private vault: they must exist before the cluster.
        const roleAssignments = [
            assignRole("network", builtInRoles.networkContributor, network.networkId),
            assignRole("kms", builtInRoles.keyVaultCryptoUser, vault.id),
            assignRole("kms-private-link", builtInRoles.keyVaultContributor, vault.id),
        ];

        // Both pools: autoscaled Azure Linux nodes on managed disks, in every zone of the network.
        const poolSettings = {
            enableAutoScaling: true,
            availabilityZones: [...network.zones],
            vnetSubnetID: network.nodeSubnetIds[0],
            osType: "Linux",
            osSKU: "AzureLinux",
            osDiskType: "Managed",
            osDiskSizeGB: 128,
            upgradeSettings: { maxSurge: "33%" },
            // Cluster tags do not reach the pools' scale sets.
            tags: context.tags,
        };

        const cluster = new containerservice.ManagedCluster(`${name}-aks`, {
            ...inGroup,
            resourceName: clusterName,
            dnsPrefix: physicalName([context.project, context.stack], nameRules.aksDnsPrefix),
            nodeResourceGroup: physicalName(["rg", context.project, context.stack, "nodes"], nameRules.resourceGroup),
            kubernetesVersion: args.kubernetesVersion,
            sku: { name: "Base", tier: aksTiers[args.controlPlaneTier] },
            supportPlan: "KubernetesOfficial",
            identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
            agentPoolProfiles: [{
                name: "system",
                mode: "System",
                ...poolSettings,
                vmSize: vmSize(settings.systemNodes),
                count: settings.systemNodes.count,
                minCount: settings.systemNodes.count,
                maxCount: settings.systemNodes.count * 2,
                // Only critical add-ons run here; workloads go to the user pool.
                nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
            }],
            networkProfile: {
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                podCidr: clusterPodCidr,
                serviceCidr: clusterServiceCidr,
                dnsServiceIP: clusterDnsServiceIp,
                outboundType: "userAssignedNATGateway",
                loadBalancerSku: "standard",
            },
            aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [...settings.adminGroupObjectIds] },
            disableLocalAccounts: true,
            enableRBAC: true,
            apiServerAccessProfile: {
                // The API server sits behind an internal load balancer in its delegated subnet; public
                // access, where the stack keeps it, is limited as before.
                enableVnetIntegration: true,
                subnetId: network.apiServerSubnetId,
                ...apiServerAccess(args.apiAccess, args.authorizedCidrs, network.egressAddresses),
            },
            oidcIssuerProfile: { enabled: true },
            securityProfile: {
                workloadIdentity: { enabled: true },
                imageCleaner: { enabled: true, intervalHours: 168 },
                azureKeyVaultKms: { enabled: true, keyId: key.keyUriWithVersion, keyVaultNetworkAccess: "Private", keyVaultResourceId: vault.id },
            },
            autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
            autoScalerProfile: { balanceSimilarNodeGroups: "true", expander: "least-waste" },
        }, {
            ...stateful,
            dependsOn: roleAssignments,
            // The cluster autoscaler owns the system pool's live count.
            ignoreChanges: ["agentPoolProfiles[0].count"],
        });

        // Local accounts are off: whoever runs `up` needs an Azure RBAC role to create the Kubernetes layer.
        const deployer = authorization.getClientConfigOutput({ parent: this });
        const deployerAdmin = new authorization.RoleAssignment(`${name}-deployer-admin`, {
            principalId: deployer.objectId,
            roleDefinitionId: builtInRoleDefinition(cluster.id, builtInRoles.aksRbacClusterAdmin),
            scope: cluster.id,
            description: "Cluster admin for the principal that first deployed this stack (Pulumi's Kubernetes provider).",
        }, {
            parent: this,
            // Kept for whoever ran the first `up`; CI's identities get their own roles (ci-identity).
            ignoreChanges: ["principalId"],
        });

        const workloadPool = new containerservice.AgentPool(`${name}-workload`, {
            resourceGroupName: network.resourceGroupName,
            resourceName: cluster.name,
            agentPoolName: "workload",
            mode: "User",
            ...poolSettings,
            vmSize: nodeSku,
            count: args.nodes.count,
            minCount: args.nodes.min,
            maxCount: args.nodes.max,
            nodeLabels: { "platform/pool": "workload" },
        }, { parent: this, ignoreChanges: ["count"] }); // the cluster autoscaler owns the live count
        this.workloadReady = [workloadPool, deployerAdmin];

        const workspace = new operationalinsights.Workspace(`${name}-logs`, {
            ...inGroup,
            sku: { name: "PerGB2018" },
            retentionInDays: context.logRetentionDays,
        }, parent);
        new monitor.DiagnosticSetting(`${name}-control-plane`, {
            resourceUri: cluster.id,
            workspaceId: workspace.id,
            logAnalyticsDestinationType: "Dedicated",
            logs: aksControlPlaneLogCategories.map((category) => ({ category, enabled: true })),
        }, parent);
        this.logWorkspaceId = workspace.id;

        if (context.protectStateful) {
            deleteLock(`${name}-aks-lock`, cluster.id, "the cluster", this);
        }

        const credentials = containerservice.listManagedClusterUserCredentialsOutput({
            resourceGroupName: network.resourceGroupName,
            resourceName: cluster.name,
            format: "exec",
        }, parent);

        this.clusterName = cluster.name;
        this.clusterId = cluster.id;
        this.resourceGroupName = network.resourceGroupName;
        this.identities = identities;
        this.controlPlanePrincipalId = identity.principalId;
        this.endpoint = pulumi.all([cluster.fqdn, cluster.privateFQDN]).apply(([fqdn, privateFqdn]) => `https://${fqdn ?? privateFqdn}:443`);
        this.kubernetesVersion = cluster.kubernetesVersion.apply((version) => version ?? args.kubernetesVersion);
        this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((profile) => profile?.issuerURL ?? "");
        this.nodeSku = nodeSku;
        this.kubeletPrincipalId = cluster.identityProfile.apply((profile) => profile?.["kubeletidentity"]?.objectId ?? "");
        this.kubeconfig = pulumi.secret(pulumi.all([cluster.name, credentials.kubeconfigs]).apply(([clusterName, configs]) =>
            aksKubeconfig(clusterName, Buffer.from(configs[0]!.value, "base64").toString("utf8"))));
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            oidcIssuerUrl: this.oidcIssuerUrl,
            kubeletPrincipalId: this.kubeletPrincipalId,
            clusterId: this.clusterId,
            resourceGroupName: this.resourceGroupName,
            kubeconfig: this.kubeconfig,
        });
    }
}

/** How the API server takes connections from outside the VNet. */
function apiServerAccess(access: ClusterArgs["apiAccess"], authorizedCidrs: readonly string[], egressAddresses: pulumi.Output<string>[]) {
    switch (access) {
        case "public":
            return {};
        case "restricted":
            // Nodes use the API server's private address; anything else in the VNet that calls the public
            // name leaves through the NAT gateway, whose address AKS does not add by itself.
            return { authorizedIPRanges: pulumi.all(egressAddresses).apply((addresses) => [...authorizedCidrs, ...addresses.map((address) => `${address}/32`)]) };
        case "private":
            return { enablePrivateCluster: true, privateDNSZone: "system" };
    }
}
