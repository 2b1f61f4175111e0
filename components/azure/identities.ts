/**
 * The stack's Azure workload identities and the record of every role the program grants.
 * Shared by the Azure components that create identities or assign roles (cluster, Kubernetes
 * bindings, registry) and read by the CI identity, which is created last.
 */
import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as pulumi from "@pulumi/pulumi";
import { builtInRoleDefinition } from "./roles.ts";
import type { PlatformContext } from "../../config/context.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";

/** The audience Entra ID expects in federated Kubernetes service-account tokens. */
export const workloadIdentityAudience = "api://AzureADTokenExchange";

/** The `sub` claim of a service account's token: what a federated credential trusts. */
export function serviceAccountSubject(account: { readonly namespace: string; readonly name: string }): string {
    return `system:serviceaccount:${account.namespace}:${account.name}`;
}

/** The principal kinds the program grants roles to: managed identities and Entra groups, never users. */
export type GrantedPrincipalType = "ServicePrincipal" | "Group";

/** One role assignment the program makes to a workload, a developer group or the cluster. */
export interface WorkloadGrant {
    readonly principalId: pulumi.Input<string>;
    readonly principalType: GrantedPrincipalType;
    /** Id (GUID) of a built-in role, from `builtInRoles`. */
    readonly role: string;
    /** ARM id the role applies to; it also names the subscription of the role definition. */
    readonly scope: pulumi.Input<string>;
}

/** A right the CI deploy identity needs beyond Contributor on the stack's group, on a scope outside it. */
export interface DeployGrant {
    /** Lower-case words: the CI identity names the assignment `<ci>-deploy-<purpose>`. */
    readonly purpose: string;
    /** Id (GUID) of a built-in role. */
    readonly role: string;
    readonly scope: pulumi.Input<string>;
}

/** What the CI identity reads once every other component exists. */
export interface GrantLedger {
    /** Object ids of every principal the program assigns roles to, sorted and distinct. */
    readonly principalIds: pulumi.Output<string[]>;
    /** The principal types among them. */
    readonly principalTypes: readonly GrantedPrincipalType[];
    /** The built-in roles the program assigns. */
    readonly roles: readonly string[];
    readonly deployGrants: readonly DeployGrant[];
}

/**
 * A resource group of the stack's own for workload identities (`rg-<project>-<stack>-identities`),
 * apart from the stack's group where the CI deploy identity is Contributor: Contributor there
 * includes `federatedIdentityCredentials/write`, which would let CI federate any identity it
 * can write with a token it controls. CI gets only Reader here (and Managed Identity Operator
 * on the identities ARM resources reference), so creating or changing these identities is an
 * administrator's run, like the CI identities in `rg-…-ci`.
 *
 * Every role assignment to a workload goes through `assign`, which also records the
 * principal and role: the CI deploy identity may re-create exactly those assignments, and its
 * Role Based Access Control Administrator condition is built from this record.
 */
export class AzureIdentities {
    readonly resourceGroupName: pulumi.Output<string>;
    readonly resourceGroupId: pulumi.Output<string>;
    private readonly location: string;
    private readonly tags: Record<string, string>;
    private readonly principals: { readonly id: pulumi.Output<string>; readonly type: GrantedPrincipalType }[] = [];
    private readonly roles = new Set<string>();
    private readonly deployGrants: DeployGrant[] = [];
    private closed = false;

    constructor(name: string, args: { readonly context: PlatformContext; readonly location: string }, owner: pulumi.Resource) {
        const { context, location } = args;
        const group = new resources.ResourceGroup(name, {
            resourceGroupName: physicalName(["rg", context.project, context.stack, "identities"], nameRules.resourceGroup),
            location,
            tags: context.tags,
        }, { parent: owner });
        this.resourceGroupName = group.name;
        this.resourceGroupId = group.id;
        this.location = location;
        this.tags = context.tags;
    }

    /** A user-assigned identity in the identities group, named by Azure after `name`. */
    create(name: string, owner: pulumi.Resource): managedidentity.UserAssignedIdentity {
        return new managedidentity.UserAssignedIdentity(name, {
            resourceGroupName: this.resourceGroupName,
            location: this.location,
            tags: this.tags,
        }, { parent: owner });
    }

    /** A role assignment, recorded for the CI identity's condition. */
    assign(name: string, grant: WorkloadGrant, opts: pulumi.CustomResourceOptions): authorization.RoleAssignment {
        this.requireOpen(name);
        this.principals.push({ id: pulumi.output(grant.principalId), type: grant.principalType });
        this.roles.add(grant.role);
        return new authorization.RoleAssignment(name, {
            principalId: grant.principalId,
            principalType: grant.principalType,
            roleDefinitionId: builtInRoleDefinition(grant.scope, grant.role),
            scope: grant.scope,
        }, opts);
    }

    /** Declares a right the CI deploy identity needs on a scope outside the stack's group. */
    grantToDeploy(grant: DeployGrant): void {
        this.requireOpen(`deploy-${grant.purpose}`);
        this.deployGrants.push(grant);
    }

    /**
     * The record, for the CI identity. Closes it: an assignment recorded later would be missing
     * from the condition, so it throws instead.
     */
    ledger(): GrantLedger {
        this.closed = true;
        return {
            principalIds: pulumi.all(this.principals.map((principal) => principal.id)).apply((ids) => [...new Set(ids)].sort()),
            principalTypes: [...new Set(this.principals.map((principal) => principal.type))].sort(),
            roles: [...this.roles].sort(),
            deployGrants: [...this.deployGrants],
        };
    }

    private requireOpen(what: string): void {
        if (this.closed) {
            throw new Error(`${what} is granted after the CI identity read the grants; create the CI identity last`);
        }
    }
}
