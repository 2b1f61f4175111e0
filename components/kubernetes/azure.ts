import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as pulumi from "@pulumi/pulumi";
import { builtInRoles } from "../azure/roles.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { AzureSecretStore } from "../secrets/azure.ts";
import { applicationSecrets } from "../secrets/catalog.ts";
import {
    addonServiceAccounts,
    type ExternalSecretsBinding,
    type KubernetesBindings,
    type KubernetesBindingsArgs,
    type ServiceAccountRef,
} from "./kubernetes.ts";
import { narrow } from "../narrow.ts";

/** The audience Entra ID expects in federated Kubernetes service-account tokens. */
export const workloadIdentityAudience = "api://AzureADTokenExchange";

/** The `sub` claim of a service account's token: what a federated credential trusts. */
export function serviceAccountSubject(account: ServiceAccountRef): string {
    return `system:serviceaccount:${account.namespace}:${account.name}`;
}

/**
 * AKS bindings: a managed identity for External Secrets (in the stack's identities group, where
 * CI cannot add credentials), federated with its service account and allowed to read secrets
 * of this stack's vault only; developers' Entra groups (AKS
 * puts their object ids in the groups claim) with the right to fetch a kubeconfig;
 * zone-redundant Premium SSDs; the health-probe path ingress-nginx needs behind Azure's
 * load balancer. AKS runs its own metrics-server and cluster autoscaler.
 */
export class AzureKubernetesBindings extends pulumi.ComponentResource implements KubernetesBindings {
    readonly builtInAddons = ["metricsServer", "clusterAutoscaler"] as const;
    readonly kubeProxy = false;
    // Workload identity exchanges its token with Entra ID over HTTPS; nothing link-local.
    readonly credentialEndpoints = [];
    // ZRS replicates a disk across zones, so a volume survives the loss of its zone.
    readonly storageClass = { provisioner: "disk.csi.azure.com", parameters: { skuName: "Premium_ZRS" } };
    // The default probe requests `/`, which ingress-nginx answers 404 and the load balancer reads as down.
    readonly ingressServiceAnnotations = { "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz" };
    readonly externalSecrets?: ExternalSecretsBinding | undefined;
    readonly clusterAutoscalerValues = undefined;
    readonly developerGroups: pulumi.Input<string>[];
    /** Client id of the identity External Secrets runs as; undefined when the add-on is off. */
    readonly externalSecretsClientId?: pulumi.Output<string> | undefined;
    /** Object id of that identity, the principal of its Key Vault role assignment. */
    readonly externalSecretsPrincipalId?: pulumi.Output<string> | undefined;

    constructor(name: string, args: KubernetesBindingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:AzureKubernetesBindings", name, {}, opts);
        const cluster = narrow(args.cluster, AzureCluster);
        const store = narrow(args.secrets, AzureSecretStore);
        const { identities } = cluster;
        const { groupObjectIds } = args.developers.azure;
        const parent = { parent: this };

        if (args.addons.externalSecrets) {
            const account = addonServiceAccounts.externalSecrets;
            const identity = identities.create(`${name}-external-secrets`, this);
            // Secret by secret, the same application secrets the AWS binding grants; never admin credentials.
            for (const secret of applicationSecrets(args.storedSecrets)) {
                // ARM assigns roles only on a scope that exists, hence the wait for the secret.
                identities.assign(`${name}-external-secrets-${secret.name}`, {
                    principalId: identity.principalId,
                    principalType: "ServicePrincipal",
                    role: builtInRoles.keyVaultSecretsUser,
                    scope: pulumi.interpolate`${store.storeId}/secrets/${secret.name}`,
                }, { parent: this, dependsOn: [secret.resource] });
            }
            new managedidentity.FederatedIdentityCredential(`${name}-external-secrets`, {
                resourceGroupName: identities.resourceGroupName,
                resourceName: identity.name,
                issuer: cluster.oidcIssuerUrl,
                subject: serviceAccountSubject(account),
                audiences: [workloadIdentityAudience],
            }, parent);
            this.externalSecretsClientId = identity.clientId;
            this.externalSecretsPrincipalId = identity.principalId;
            this.externalSecrets = {
                serviceAccountAnnotations: {
                    "azure.workload.identity/client-id": identity.clientId,
                    "azure.workload.identity/tenant-id": identity.tenantId,
                },
                podLabels: { "azure.workload.identity/use": "true" },
                // No serviceAccountRef: a namespaced store may not name the operator's account, so
                // the operator signs in with its own federated token.
                storeProvider: { azurekv: { authType: "WorkloadIdentity", vaultUrl: store.vaultUri } },
            };
        }

        // Cluster User only lists the user kubeconfig; RoleBindings on the group ids decide the rest.
        groupObjectIds.forEach((groupId, index) =>
            identities.assign(`${name}-developer-${index}`, { principalId: groupId, principalType: "Group", role: builtInRoles.aksClusterUser, scope: cluster.clusterId }, parent));
        this.developerGroups = [...groupObjectIds];

        this.registerOutputs({
            externalSecretsClientId: this.externalSecretsClientId,
            externalSecretsPrincipalId: this.externalSecretsPrincipalId,
            developerGroups: this.developerGroups,
        });
    }
}
