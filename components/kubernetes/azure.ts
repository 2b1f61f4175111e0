import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as network from "@pulumi/azure-native/network/index.js";
import * as pulumi from "@pulumi/pulumi";
import * as cognitiveservices from "@pulumi/azure-native/cognitiveservices/index.js";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as servicebus from "@pulumi/azure-native/servicebus/index.js";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql/index.js";
import * as eventhub from "@pulumi/azure-native/eventhub/index.js";
import type { EventBusTier, SchemaCompatibility } from "../../config/patterns.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import { AzureDatabase } from "../database/azure.ts";
import { entraTokenShell, eventHubsKafkaPort, schemaGroupCompatibility, type AzureEventBus, type SchemaGroup } from "../workload/azure-events.ts";
import { builtInRoles, subscriptionScope } from "../azure/roles.ts";
import { serviceAccountSubject, workloadIdentityAudience } from "../azure/identities.ts";
import { globalNames } from "../global-names.ts";
import { azureWorkloadCloud, type AzureWorkloadScope } from "../workload/azure.ts";
import type { NameRule } from "../../lib/naming.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { AzureDnsZone } from "../dns/azure.ts";
import { AzureNetwork } from "../network/azure.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";
import { AzureSecretStore } from "../secrets/azure.ts";
import { applicationSecrets } from "../secrets/catalog.ts";
import {
    addonServiceAccounts,
    type DnsBinding,
    type ExternalSecretsBinding,
    type GatewayServiceBinding,
    type KubernetesBindings,
    type KubernetesBindingsArgs,
    type ProvisionerCloudArgs,
    type ProvisionerCloudParts,
    type ServiceAccountRef,
    type WorkloadCloudArgs,
    type WorkloadCloudParts,
} from "./kubernetes.ts";
import { narrow } from "../narrow.ts";
import { emailActionGroup } from "../azure/action-group.ts";

/**
 * AKS bindings: a managed identity for External Secrets (in the stack's identities group, where
 * CI cannot add credentials), federated with its service account and allowed to read secrets
 * of this stack's vault only; developers' Entra groups (AKS
 * puts their object ids in the groups claim) with the right to fetch a kubeconfig;
 * zone-redundant Premium SSDs; a static, zone-redundant public IP for the gateway's load
 * balancer; identities for external-dns and cert-manager that may change the stack's zone only.
 * AKS runs its own metrics-server and cluster autoscaler.
 */
export class AzureKubernetesBindings extends pulumi.ComponentResource implements KubernetesBindings {
    readonly builtInAddons = ["metricsServer", "clusterAutoscaler"] as const;
    readonly kubeProxy = false;
    // Workload identity exchanges its token with Entra ID over HTTPS; nothing link-local.
    readonly credentialEndpoints = [];
    // ZRS replicates a disk across zones, so a volume survives the loss of its zone.
    readonly storageClass = { provisioner: "disk.csi.azure.com", parameters: { skuName: "Premium_ZRS" } };
    readonly gatewayService: GatewayServiceBinding;
    readonly dns?: DnsBinding | undefined;
    readonly externalSecrets?: ExternalSecretsBinding | undefined;
    readonly clusterAutoscalerValues = undefined;
    readonly developerGroups: pulumi.Input<string>[];
    /** Client id of the identity External Secrets runs as; undefined when the add-on is off. */
    readonly externalSecretsClientId?: pulumi.Output<string> | undefined;
    /** Object id of that identity, the principal of its Key Vault role assignment. */
    readonly externalSecretsPrincipalId?: pulumi.Output<string> | undefined;
    readonly kedaValues?: Record<string, unknown> | undefined;
    /** Event Hubs' Kafka endpoint, which workloads, provisioning jobs and KEDA reach through its private endpoint. */
    readonly eventBusPort = eventHubsKafkaPort;
    private readonly workloadScope: AzureWorkloadScope;
    private readonly federatedIdentity: (key: string, account: ServiceAccountRef, owner: pulumi.Resource) => ReturnType<AzureCluster["identities"]["create"]>;

    constructor(name: string, args: KubernetesBindingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:AzureKubernetesBindings", name, {}, opts);
        const cluster = narrow(args.cluster, AzureCluster);
        const store = narrow(args.secrets, AzureSecretStore);
        const { identities } = cluster;
        const { groupObjectIds } = args.developers.azure;
        const parent = { parent: this };
        /** A managed identity only `account`'s tokens from this cluster may sign in as. */
        this.federatedIdentity = (key, account, owner) => {
            const identity = identities.create(key, owner);
            new managedidentity.FederatedIdentityCredential(key, {
                resourceGroupName: identities.resourceGroupName,
                resourceName: identity.name,
                issuer: cluster.oidcIssuerUrl,
                subject: serviceAccountSubject(account),
                audiences: [workloadIdentityAudience],
            }, { parent: owner });
            return identity;
        };
        const federatedIdentity = (key: string, account: ServiceAccountRef) => this.federatedIdentity(`${name}-${key}`, account, this);

        if (args.addons.externalSecrets) {
            const identity = federatedIdentity("external-secrets", addonServiceAccounts.externalSecrets);
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
                // Key Vault secrets carry the catalog's names as they are.
                remoteKey: (secret) => secret,
            };
        }

        const stackNetwork = narrow(args.network, AzureNetwork);
        // Reserved by the program, so the address outlives the Service and DNS can point at it.
        const address = new network.PublicIPAddress(`${name}-gateway-ip`, {
            resourceGroupName: stackNetwork.resourceGroupName,
            location: stackNetwork.location,
            publicIpAddressName: physicalName(["pip", args.context.project, args.context.stack, "gateway"], nameRules.display),
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
            zones: ["1", "2", "3"],
            tags: args.context.tags,
        }, { parent: this, protect: args.context.protectStateful });
        // The control plane joins the address to the load balancer it builds in the node resource group.
        identities.assign(`${name}-gateway-ip`, {
            principalId: cluster.controlPlanePrincipalId,
            principalType: "ServicePrincipal",
            role: builtInRoles.networkContributor,
            scope: address.id,
        }, parent);
        this.gatewayService = {
            annotations: {
                "service.beta.kubernetes.io/azure-load-balancer-resource-group": stackNetwork.resourceGroupName,
                "service.beta.kubernetes.io/azure-pip-name": address.name,
            },
            address: address.ipAddress.apply((ip) => ip ?? ""),
        };

        if (args.dns) {
            const zone = narrow(args.dns, AzureDnsZone);
            const zoneWriter = (key: string, account: ServiceAccountRef) => {
                const identity = federatedIdentity(key, account);
                identities.assign(`${name}-${key}-zone`, {
                    principalId: identity.principalId,
                    principalType: "ServicePrincipal",
                    role: builtInRoles.dnsZoneContributor,
                    scope: zone.zoneId,
                }, parent);
                return identity;
            };
            const externalDns = zoneWriter("external-dns", addonServiceAccounts.externalDns);
            // It lists the zones of the resource group before writing (external-dns Azure tutorial), which a zone-scoped role does not allow.
            identities.assign(`${name}-external-dns-zones`, {
                principalId: externalDns.principalId,
                principalType: "ServicePrincipal",
                role: builtInRoles.reader,
                scope: stackNetwork.resourceGroupId,
            }, parent);
            const certManager = zoneWriter("cert-manager", addonServiceAccounts.certManager);
            const subscriptionId = stackNetwork.resourceGroupId.apply((id) => subscriptionScope(id).split("/")[2]!);
            const workloadIdentity = { "azure.workload.identity/use": "true" };
            const configFile = "azure.json";
            this.dns = {
                externalDnsValues: {
                    provider: { name: "azure" },
                    serviceAccount: { annotations: { "azure.workload.identity/client-id": externalDns.clientId } },
                    podLabels: workloadIdentity,
                    extraVolumes: [{ name: "azure-config", secret: { secretName: "external-dns-azure" } }],
                    extraVolumeMounts: [{ name: "azure-config", mountPath: "/etc/kubernetes", readOnly: true }],
                },
                externalDnsConfig: {
                    secretName: "external-dns-azure",
                    fileName: configFile,
                    // Ids only, no credential: the pod signs in with its federated token.
                    contents: pulumi.all([externalDns.tenantId, subscriptionId, zone.resourceGroupName]).apply(([tenantId, subscription, resourceGroup]) =>
                        JSON.stringify({ tenantId, subscriptionId: subscription, resourceGroup, useWorkloadIdentityExtension: true })),
                },
                certManagerSolver: {
                    azureDNS: {
                        subscriptionID: subscriptionId,
                        resourceGroupName: zone.resourceGroupName,
                        hostedZoneName: zone.zoneName,
                        environment: "AzurePublicCloud",
                        managedIdentity: { clientID: certManager.clientId },
                    },
                },
                certManagerValues: { podLabels: workloadIdentity, serviceAccount: { labels: workloadIdentity } },
            };
        }

        // Each queue a workload brings grants KEDA the depth reads on it (workload/azure.ts).
        const keda = args.addons.keda ? federatedIdentity("keda", addonServiceAccounts.keda) : undefined;
        if (keda) {
            this.kedaValues = { podIdentity: { azureWorkload: { enabled: true, clientId: keda.clientId, tenantId: keda.tenantId } } };
        }
        this.workloadScope = this.workloadServices(name, args, stackNetwork, keda);

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

    workloadCloud(name: string, args: WorkloadCloudArgs, parent: pulumi.Resource): WorkloadCloudParts {
        return azureWorkloadCloud(name, args, this.workloadScope, parent);
    }

    /**
     * The provisioning jobs' federated identity. With a database it is one of the server's Entra
     * administrators: the jobs sign in with its token, as Entra's role functions require.
     */
    provisionerCloud(name: string, args: ProvisionerCloudArgs, parent: pulumi.Resource): ProvisionerCloudParts {
        const identity = this.federatedIdentity(name, args.serviceAccount, parent);
        const database = args.database && narrow(args.database, AzureDatabase);
        const administrator = database
            ? new dbforpostgresql.AdministratorsMicrosoftEntra(name, {
                resourceGroupName: database.resourceGroupName,
                serverName: database.serverName,
                objectId: identity.principalId,
                principalName: identity.name,
                principalType: "ServicePrincipal",
                tenantId: identity.tenantId,
            }, { parent, dependsOn: [...database.settled] })
            : undefined;
        return {
            serviceAccountAnnotations: { "azure.workload.identity/client-id": identity.clientId, "azure.workload.identity/tenant-id": identity.tenantId },
            serviceAccountLabels: { "azure.workload.identity/use": "true" },
            podLabels: { "azure.workload.identity/use": "true" },
            databaseLogin: database
                ? { env: { PGUSER: identity.name }, signIn: entraTokenShell("PGPASSWORD", "https://ossrdbms-aad.database.windows.net/.default") }
                : undefined,
            identity: identity.principalId,
            ready: administrator ? [administrator] : [],
        };
    }

    /** What workloads share, each created when the first workload needs it: the Service Bus namespace, the alert action group, the Azure OpenAI account. */
    private workloadServices(name: string, args: KubernetesBindingsArgs, stackNetwork: AzureNetwork, keda: { principalId: pulumi.Output<string>; clientId: pulumi.Output<string> } | undefined): AzureWorkloadScope {
        const { context } = args;
        const cluster = narrow(args.cluster, AzureCluster);
        const inGroup = { resourceGroupName: stackNetwork.resourceGroupName, location: stackNetwork.location, tags: context.tags };
        const premium = context.environment === "prod";
        let namespace: servicebus.Namespace | undefined;
        let actionGroup: monitor.ActionGroup | undefined;
        let openAi: cognitiveservices.Account | undefined;
        let eventBus: AzureEventBus | undefined;
        let uniqueName: ((parts: readonly string[], rule: NameRule) => pulumi.Output<string>) | undefined;
        const globalName = (parts: readonly string[], rule: NameRule) => (uniqueName ??= globalNames(`${name}-workload-suffix`, this))(parts, rule);
        return {
            context,
            resourceGroupName: stackNetwork.resourceGroupName,
            location: stackNetwork.location,
            identities: cluster.identities,
            oidcIssuerUrl: cluster.oidcIssuerUrl,
            keda,
            lastModelDeployment: {},
            serviceBusNamespace: () => (namespace ??= new servicebus.Namespace(`${name}-service-bus`, {
                ...inGroup,
                namespaceName: globalName(["sb", context.project, context.stack], serviceBusNameRule),
                // Premium in prod: dedicated capacity, zone redundant.
                sku: premium ? { name: "Premium", tier: "Premium", capacity: 1 } : { name: "Standard", tier: "Standard" },
                zoneRedundant: premium,
                // Entra ID only: no shared access keys.
                disableLocalAuth: true,
                minimumTlsVersion: "1.2",
                // Not protected: it exists only while some workload has a queue, and must go with the last one.
            }, { parent: this })),
            actionGroupId: (emails) => (actionGroup ??= emailActionGroup(`${name}-workload-alerts`, {
                resourceGroupName: stackNetwork.resourceGroupName,
                shortName: "platform",
                emails,
                tags: context.tags,
            }, this)).id,
            openAiAccount: () => (openAi ??= new cognitiveservices.Account(`${name}-openai`, {
                ...inGroup,
                accountName: globalName(["oai", context.project, context.stack], openAiNameRule),
                kind: "OpenAI",
                sku: { name: "S0" },
                properties: {
                    // The custom subdomain is what Entra ID tokens are accepted on; keys are off.
                    customSubDomainName: globalName(["oai", context.project, context.stack], openAiNameRule),
                    disableLocalAuth: true,
                    publicNetworkAccess: "Enabled",
                },
            }, { parent: this })),
            eventBus: (storageAccountId, tier) =>
                (eventBus ??= this.eventBus(name, args, stackNetwork, { namespaceName: globalName(["evh", context.project, context.stack], nameRules.eventHubsNamespace), storageAccountId, tier })),
        };
    }

    /**
     * The stack's Event Hubs namespace: Standard, or Premium where the pattern says so (prod),
     * reached only through its private endpoint, TLS 1.2; its own identity may write Capture
     * archives to the stack's storage account. Not protected: it exists only while some
     * workload has a topic.
     */
    private eventBus(
        name: string,
        args: KubernetesBindingsArgs,
        stackNetwork: AzureNetwork,
        settings: { readonly namespaceName: pulumi.Output<string>; readonly storageAccountId: pulumi.Input<string>; readonly tier: EventBusTier },
    ): AzureEventBus {
        const { context } = args;
        const { namespaceName, storageAccountId } = settings;
        const cluster = narrow(args.cluster, AzureCluster);
        const tier = settings.tier === "premium" ? "Premium" : "Standard";
        const namespace = new eventhub.Namespace(`${name}-event-hubs`, {
            resourceGroupName: stackNetwork.resourceGroupName,
            location: stackNetwork.location,
            namespaceName,
            sku: { name: tier, tier, capacity: 1 },
            identity: { type: "SystemAssigned" },
            minimumTlsVersion: "1.2",
            publicNetworkAccess: "Disabled",
            zoneRedundant: true,
            // Shared keys stay possible for KEDA's Kafka scaler alone (azure-events.ts); workloads sign in with Entra.
            disableLocalAuth: false,
            tags: context.tags,
        }, { parent: this });
        privateEndpoint(`${name}-event-hubs`, { network: stackNetwork, targetId: namespace.id, groupId: "namespace", dnsZone: "eventHubs", tags: context.tags }, this);
        const captureAccess = cluster.identities.assign(`${name}-event-hubs-capture`, {
            principalId: namespace.identity.apply((identity) => identity?.principalId ?? ""),
            principalType: "ServicePrincipal",
            role: builtInRoles.storageBlobDataContributor,
            scope: storageAccountId,
        }, { parent: this });
        const groups = new Map<string, SchemaGroup>();
        return {
            namespace,
            captureAccess,
            schemaGroup: (workload: string, compatibility: SchemaCompatibility, provisioner: pulumi.Input<string> | undefined) => {
                // Standard allows one schema group per namespace (Event Hubs quotas).
                const groupName = tier === "Premium" ? workload : "events";
                const existing = groups.get(groupName);
                if (existing) {
                    return existing;
                }
                const group = new eventhub.SchemaRegistry(`${name}-schemas-${groupName}`, {
                    resourceGroupName: stackNetwork.resourceGroupName,
                    namespaceName: namespace.name,
                    schemaGroupName: groupName,
                    schemaCompatibility: schemaGroupCompatibility[compatibility],
                    schemaType: "Avro",
                }, { parent: this });
                const registrar = provisioner
                    ? [cluster.identities.assign(`${name}-schemas-${groupName}-registrar`, {
                        principalId: provisioner,
                        principalType: "ServicePrincipal",
                        role: builtInRoles.schemaRegistryContributor,
                        scope: group.id,
                    }, { parent: this })]
                    : [];
                const created = { group, registrar };
                groups.set(groupName, created);
                return created;
            },
        };
    }
}

/** Service Bus namespaces: globally unique, 6-50 letters, digits and hyphens, starting with a letter. */
const serviceBusNameRule: NameRule = { maxLength: 50, allowed: /[a-z0-9-]/, separator: "-", lowercase: true };
/** Cognitive Services accounts and their subdomains: 2-64 letters, digits and hyphens. */
const openAiNameRule: NameRule = { maxLength: 64, allowed: /[a-z0-9-]/, separator: "-", lowercase: true };
