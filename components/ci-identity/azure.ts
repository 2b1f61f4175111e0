import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as pulumi from "@pulumi/pulumi";
import { builtInRoleDefinition, builtInRoles, subscriptionScope } from "../azure/roles.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { nameRules, physicalName, stackPrefix } from "../../lib/naming.ts";
import { AzureNetwork, networkWatcherGroup } from "../network/azure.ts";
import { githubIssuer, trustedSubjects, type CiIdentity, type CiIdentityArgs, type TrustedSubject, type TrustedSubjects } from "./ci-identity.ts";
import { narrow } from "../narrow.ts";

/** The audience Entra ID expects in federated tokens. */
export const azureAudience = "api://AzureADTokenExchange";

/** The roles the program itself assigns (cluster, registry, Kubernetes bindings): all CI may hand out. */
export const assignableRoles: readonly string[] = [
    builtInRoles.keyVaultSecretsUser,
    builtInRoles.keyVaultCryptoUser,
    builtInRoles.keyVaultContributor,
    builtInRoles.acrPull,
    builtInRoles.networkContributor,
    builtInRoles.aksClusterUser,
    builtInRoles.dnsZoneContributor,
    builtInRoles.reader,
    builtInRoles.serviceBusDataReceiver,
    builtInRoles.serviceBusDataOwner,
    builtInRoles.cognitiveServicesOpenAiUser,
    builtInRoles.eventHubsDataReceiver,
    builtInRoles.eventHubsDataSender,
    builtInRoles.schemaRegistryReader,
    builtInRoles.schemaRegistryContributor,
    builtInRoles.storageBlobDataContributor,
];

/** The program assigns roles to managed identities and developer groups, never to users. */
export const assignablePrincipalTypes: readonly string[] = ["ServicePrincipal", "Group"];

/**
 * Actions behind the invokes the program makes on every run that Reader lacks: the cache's
 * access keys (`listDatabaseKeys`), which the program stores as `redis-password`, and each
 * event hub's Listen key for KEDA's Kafka scaler (`listEventHubKeys`).
 */
export const previewInvokeActions = [
    "Microsoft.Cache/redisEnterprise/databases/listKeys/action",
    "Microsoft.EventHub/namespaces/eventhubs/authorizationRules/listKeys/action",
] as const;

/** Management locks: the program sets them in staging and prod, and Contributor cannot. */
export const lockActions: readonly string[] = ["read", "write", "delete"].map((verb) => `Microsoft.Authorization/locks/${verb}`);

/**
 * The reads among Reader's (every action ending in /read) that reach a registry's data: in
 * ACR's RBAC permissions mode `pull/read` pulls any image. The preview identity's reader role
 * leaves them out.
 */
export const registryDataReads: readonly string[] = ["pull", "quarantine", "metadata", "deleted"].map((what) => `Microsoft.ContainerRegistry/registries/${what}/read`);

/** What the deploy identity does with the VNet's flow log, which lives with the region's Network Watcher. */
export const flowLogActions: readonly string[] = [
    "Microsoft.Network/networkWatchers/read",
    ...["read", "write", "delete"].map((verb) => `Microsoft.Network/networkWatchers/flowLogs/${verb}`),
];

/**
 * An Azure ABAC condition (version 2.0) for Role Based Access Control Administrator: create
 * and delete only assignments of `roles` to the principals `principalIds`, of `principalTypes`.
 * Writes are checked on the request, deletes on the existing assignment, hence the two halves
 * ("Examples to delegate Azure role assignment management with conditions": constrain roles,
 * principal types and principals).
 */
export function assignmentCondition(roles: readonly string[], principalTypes: readonly string[], principalIds: readonly string[]): string {
    for (const [what, values] of [["roles", roles], ["principal types", principalTypes], ["principals", principalIds]] as const) {
        if (values.length === 0) {
            throw new Error(`a role-assignment condition needs at least one of ${what}`);
        }
    }
    const half = (action: "write" | "delete", source: "Request" | "Resource") => [
        `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'}))`,
        "OR",
        `(@${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roles.join(", ")}}`,
        "AND",
        `@${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {${principalTypes.map((type) => `'${type}'`).join(", ")}}`,
        "AND",
        `@${source}[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {${principalIds.join(", ")}}))`,
    ].join(" ");
    return `${half("write", "Request")} AND ${half("delete", "Resource")}`;
}

/**
 * GitHub Actions on Azure: user-assigned managed identities per purpose, each with one
 * federated credential per trusted subject (issuer GitHub, audience AzureADTokenExchange),
 * in a resource group of their own — the deploy identity is Contributor on the stack's
 * group, and could otherwise add credentials to itself (the workload identities keep out of
 * its reach the same way, in the stack's identities group).
 *
 * - deploy: Contributor and a conditioned Role Based Access Control Administrator on the
 *   stack's resource group, a custom lock role there where locks exist, AKS RBAC Cluster
 *   Admin on the cluster, Reader on its own group and on the identities group (so `refresh`
 *   can read them), and what the components declare outside the group (`grantToDeploy`:
 *   Managed Identity Operator on the control-plane identity, AcrPush on the registry), plus a
 *   custom role for the VNet's flow log on the region's Network Watcher.
 * - preview (pull requests): a custom reader role on the stack's group (Reader without the
 *   registry's data reads: in ACR's RBAC mode Reader pulls images), Reader on the identities
 *   group and the Network Watcher, AKS Cluster User and AKS RBAC Reader on the cluster.
 *
 * The condition names the roles, principal types and principals the program assigns, read
 * from the cluster's grant record: this component must be created after every other.
 *
 * No client secret or certificate exists. Not `protect`ed: identities hold no data.
 */
export class AzureCiIdentity extends pulumi.ComponentResource implements CiIdentity {
    readonly issuer = githubIssuer;
    readonly audience = azureAudience;
    readonly deployId: pulumi.Output<string>;
    readonly previewId?: pulumi.Output<string> | undefined;
    readonly accountId: pulumi.Output<string>;
    readonly tenantId: pulumi.Output<string>;
    readonly subjects: TrustedSubjects;

    constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ci-identity:AzureCiIdentity", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        const cluster = narrow(args.cluster, AzureCluster);
        const subjects = trustedSubjects(args);
        const granted = cluster.identities.ledger();
        const unlisted = granted.roles.filter((role) => !assignableRoles.includes(role));
        if (unlisted.length > 0) {
            throw new Error(`the program assigns ${unlisted.join(", ")}, which CI may not: add them to assignableRoles`);
        }
        const subscription = network.resourceGroupId.apply(subscriptionScope);
        const watcherGroupId = pulumi.interpolate`${subscription}/resourceGroups/${networkWatcherGroup}`;
        const tags = context.tags;
        const parent = { parent: this };

        const group = new resources.ResourceGroup(`${name}-rg`, {
            resourceGroupName: physicalName(["rg", context.project, context.stack, "ci"], nameRules.resourceGroup),
            location: network.location,
            tags,
        }, parent);

        const identity = (purpose: string, trusted: readonly TrustedSubject[]) => {
            const created = new managedidentity.UserAssignedIdentity(`${name}-${purpose}`, {
                resourceGroupName: group.name,
                resourceName: physicalName([context.project, context.stack, "ci", purpose], nameRules.display),
                location: network.location,
                tags,
            }, parent);
            // Azure refuses concurrent credential writes on one identity: each waits for the previous one.
            trusted.reduce<pulumi.Resource | undefined>((previous, { subject, key }) =>
                new managedidentity.FederatedIdentityCredential(`${name}-${purpose}-${key}`, {
                    resourceGroupName: group.name,
                    resourceName: created.name,
                    federatedIdentityCredentialResourceName: `github-${key}`,
                    issuer: githubIssuer,
                    subject,
                    audiences: [azureAudience],
                }, { parent: this, dependsOn: previous ? [previous] : [] }), undefined);
            return created;
        };
        const assign = (
            role: string,
            principal: managedidentity.UserAssignedIdentity,
            definition: pulumi.Input<string>,
            scope: pulumi.Input<string>,
            condition?: pulumi.Input<string>,
        ) =>
            new authorization.RoleAssignment(`${name}-${role}`, {
                principalId: principal.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: definition,
                scope,
                ...(condition ? { condition, conditionVersion: "2.0" } : {}),
            }, parent);
        const builtIn = (role: string) => builtInRoleDefinition(network.resourceGroupId, role);
        // Custom role names are unique per tenant: the stack and subscription keep them apart.
        const customRole = (role: string, title: string, description: string, permissions: { actions: readonly string[]; notActions?: readonly string[] }, scope: pulumi.Input<string> = network.resourceGroupId) =>
            new authorization.RoleDefinition(`${name}-${role}`, {
                scope,
                roleName: subscription.apply((id) => `${stackPrefix(context)} ${title} (${id.split("/")[2]})`),
                description,
                roleType: "CustomRole",
                permissions: [{ actions: [...permissions.actions], notActions: [...(permissions.notActions ?? [])] }],
                assignableScopes: [scope],
            }, parent);

        const deploy = identity("deploy", subjects.deploy);
        assign("deploy-contributor", deploy, builtIn(builtInRoles.contributor), network.resourceGroupId);
        // Only the program's roles, to the program's principals: never to itself, another identity or any group.
        assign("deploy-role-assignments", deploy, builtIn(builtInRoles.roleBasedAccessControlAdministrator), network.resourceGroupId,
            granted.principalIds.apply((ids) => assignmentCondition(assignableRoles, assignablePrincipalTypes, ids)));
        assign("deploy-cluster", deploy, builtIn(builtInRoles.aksRbacClusterAdmin), cluster.clusterId);
        assign("deploy-ci-reader", deploy, builtIn(builtInRoles.reader), group.id);
        // Sees the workload identities; cannot change them or add credentials to them.
        assign("deploy-identities-reader", deploy, builtIn(builtInRoles.reader), cluster.identities.resourceGroupId);
        for (const grant of granted.deployGrants) {
            assign(`deploy-${grant.purpose}`, deploy, builtIn(grant.role), grant.scope);
        }
        const flowLogs = customRole("flow-logs", "CI flow logs", `Lets CI manage the VNet flow log of ${context.project}/${context.stack}`,
            { actions: flowLogActions }, watcherGroupId);
        assign("deploy-flow-logs", deploy, flowLogs.id, network.networkWatcherId);
        if (context.protectStateful) {
            const locks = customRole("locks", "CI locks", `Lets CI manage the management locks of ${context.project}/${context.stack}`, { actions: lockActions });
            assign("deploy-locks", deploy, locks.id, network.resourceGroupId);
        }

        if (subjects.preview.length > 0) {
            const preview = identity("preview", subjects.preview);
            // Reader pulls images in ACR's RBAC mode: the same reads without the registry's data.
            const reader = customRole("preview-reader", "CI preview reader",
                `Lets CI previews of ${context.project}/${context.stack} read its resources, not its images`, { actions: ["*/read"], notActions: registryDataReads });
            assign("preview-reader", preview, reader.id, network.resourceGroupId);
            // Reader cannot call the invokes every preview makes; exactly those actions, nothing that writes.
            const invokes = customRole("preview-invokes", "CI preview invokes",
                `Lets CI previews of ${context.project}/${context.stack} make the program's read-only invokes`, { actions: previewInvokeActions });
            assign("preview-invokes", preview, invokes.id, network.resourceGroupId);
            assign("preview-identities-reader", preview, builtIn(builtInRoles.reader), cluster.identities.resourceGroupId);
            assign("preview-flow-logs-reader", preview, builtIn(builtInRoles.reader), network.networkWatcherId);
            // Cluster User lists the kubeconfig the program builds; RBAC Reader is all it may do inside.
            assign("preview-cluster-user", preview, builtIn(builtInRoles.aksClusterUser), cluster.clusterId);
            assign("preview-cluster-reader", preview, builtIn(builtInRoles.aksRbacReader), cluster.clusterId);
            this.previewId = preview.clientId;
        }

        this.deployId = deploy.clientId;
        this.accountId = subscription.apply((id) => id.split("/")[2]!);
        this.tenantId = deploy.tenantId;
        this.subjects = subjects;
        this.registerOutputs({
            deployId: this.deployId,
            previewId: this.previewId,
            accountId: this.accountId,
            tenantId: this.tenantId,
        });
    }
}
