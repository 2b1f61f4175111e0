import type * as pulumi from "@pulumi/pulumi";

/**
 * Every vault's settings: Azure RBAC rather than access policies, 90 days of soft delete and purge
 * protection (a deleted key or secret cannot be destroyed before then). A private vault answers
 * only on private endpoints; a public one (the state backend's, which CI runners reach) relies on
 * RBAC alone.
 */
export function vaultProperties(tenantId: pulumi.Input<string>, access: "private" | "public") {
    return {
        tenantId,
        sku: { family: "A" as const, name: "standard" as const },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        ...(access === "private"
            ? { publicNetworkAccess: "disabled", networkAcls: { defaultAction: "Deny" as const, bypass: "AzureServices" as const } }
            : { publicNetworkAccess: "Enabled" }),
    };
}
