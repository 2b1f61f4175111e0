/** Built-in Azure role definitions the cluster assigns. Pure: no provider SDK. */

export const builtInRoles = {
    /** Lets the AKS control plane manage load balancers and IPs in the node subnet. */
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    /** Lets the AKS control plane wrap and unwrap the KMS data-encryption keys. */
    keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    /** Lets workloads read secret values. */
    keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
    /** Lets kubelets pull images. */
    acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    /** Lets users fetch the cluster's user kubeconfig; what they may do inside is RBAC's call. */
    aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
} as const;

/** `/subscriptions/<id>/resourceGroups/<name>` → `/subscriptions/<id>`: no lookup call needed. */
export function subscriptionScope(resourceGroupId: string): string {
    const match = /^\/subscriptions\/[^/]+/i.exec(resourceGroupId);
    if (!match) {
        throw new Error(`"${resourceGroupId}" is not a resource group id`);
    }
    return match[0];
}

export function roleDefinitionId(subscription: string, role: string): string {
    return `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}
