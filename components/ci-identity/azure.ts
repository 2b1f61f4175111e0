import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as pulumi from "@pulumi/pulumi";
import { builtInRoleDefinition, builtInRoles, subscriptionScope } from "../cluster/azure-roles.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { nameRules, physicalName } from "../naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { githubIssuer, trustedSubjects, type CiIdentity, type CiIdentityArgs, type TrustedSubject, type TrustedSubjects } from "./ci-identity.ts";

/** The audience Entra ID expects in federated tokens. */
export const azureAudience = "api://AzureADTokenExchange";

/** The roles the program itself assigns (cluster, registry, Kubernetes bindings): all CI may hand out. */
export const assignableRoles: readonly string[] = [
    builtInRoles.keyVaultSecretsUser,
    builtInRoles.keyVaultCryptoUser,
    builtInRoles.acrPull,
    builtInRoles.networkContributor,
    builtInRoles.aksClusterUser,
];

/** The program assigns roles to managed identities and developer groups, never to users. */
export const assignablePrincipalTypes: readonly string[] = ["ServicePrincipal", "Group"];

/** Management locks: the program sets them in staging and prod, and Contributor cannot. */
/**
 * Actions behind the invokes the program makes on every run that Reader lacks: the cache's
 * access keys (`listDatabaseKeys`), which the program stores as `redis-password`.
 */
export const previewInvokeActions = ["Microsoft.Cache/redisEnterprise/databases/listKeys/action"] as const;

export const lockActions: readonly string[] = ["read", "write", "delete"].map((verb) => `Microsoft.Authorization/locks/${verb}`);

/**
 * An Azure ABAC condition (version 2.0) for Role Based Access Control Administrator: create
 * and delete only assignments of `roles` to principals of `principalTypes`. Writes are
 * checked on the request, deletes on the existing assignment, hence the two halves.
 */
export function assignmentCondition(roles: readonly string[], principalTypes: readonly string[]): string {
    const half = (action: "write" | "delete", source: "Request" | "Resource") => [
        `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'}))`,
        "OR",
        `(@${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roles.join(", ")}}`,
        "AND",
        `@${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {${principalTypes.map((type) => `'${type}'`).join(", ")}}))`,
    ].join(" ");
    return `${half("write", "Request")} AND ${half("delete", "Resource")}`;
}

/**
 * GitHub Actions on Azure: user-assigned managed identities per purpose, each with one
 * federated credential per trusted subject (issuer GitHub, audience AzureADTokenExchange),
 * in a resource group of their own — the deploy identity is Contributor on the stack's
 * group, and could otherwise add credentials to itself.
 *
 * - deploy: Contributor and a conditioned Role Based Access Control Administrator on the
 *   stack's resource group, a custom lock role there where locks exist, AKS RBAC Cluster
 *   Admin on the cluster, and Reader on its own group (so `refresh` can read it).
 * - preview (pull requests): Reader on the stack's group, AKS Cluster User and AKS RBAC
 *   Reader on the cluster.
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
        const network = AzureNetwork.from(args.network);
        const cluster = AzureCluster.from(args.cluster);
        const subjects = trustedSubjects(args);
        const subscription = network.resourceGroupId.apply(subscriptionScope);
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
            condition?: string,
        ) =>
            new authorization.RoleAssignment(`${name}-${role}`, {
                principalId: principal.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: definition,
                scope,
                ...(condition ? { condition, conditionVersion: "2.0" } : {}),
            }, parent);
        const builtIn = (role: string) => builtInRoleDefinition(network.resourceGroupId, role);

        const deploy = identity("deploy", subjects.deploy);
        assign("deploy-contributor", deploy, builtIn(builtInRoles.contributor), network.resourceGroupId);
        assign("deploy-role-assignments", deploy, builtIn(builtInRoles.roleBasedAccessControlAdministrator), network.resourceGroupId,
            assignmentCondition(assignableRoles, assignablePrincipalTypes));
        assign("deploy-cluster", deploy, builtIn(builtInRoles.aksRbacClusterAdmin), cluster.clusterId);
        assign("deploy-ci-reader", deploy, builtIn(builtInRoles.reader), group.id);
        // Custom role names are unique per tenant: the stack and subscription keep them apart.
        const customRole = (role: string, title: string, description: string, actions: readonly string[]) =>
            new authorization.RoleDefinition(`${name}-${role}`, {
                scope: network.resourceGroupId,
                roleName: subscription.apply((id) => `${physicalName([context.project, context.stack], nameRules.display)} ${title} (${id.split("/")[2]})`),
                description,
                roleType: "CustomRole",
                permissions: [{ actions: [...actions], notActions: [] }],
                assignableScopes: [network.resourceGroupId],
            }, parent);
        if (context.protectStateful) {
            const locks = customRole("locks", "CI locks", `Lets CI manage the management locks of ${context.project}/${context.stack}`, lockActions);
            assign("deploy-locks", deploy, locks.id, network.resourceGroupId);
        }

        if (subjects.preview.length > 0) {
            const preview = identity("preview", subjects.preview);
            assign("preview-reader", preview, builtIn(builtInRoles.reader), network.resourceGroupId);
            // Reader cannot call the invokes every preview makes; exactly those actions, nothing that writes.
            const invokes = customRole("preview-invokes", "CI preview invokes",
                `Lets CI previews of ${context.project}/${context.stack} make the program's read-only invokes`, previewInvokeActions);
            assign("preview-invokes", preview, invokes.id, network.resourceGroupId);
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
