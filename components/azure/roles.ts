/** Built-in Azure role definitions the platform assigns, and their ids. No provider SDK. */
import * as pulumi from "@pulumi/pulumi";

export const builtInRoles = {
    /** Lets the AKS control plane manage load balancers and IPs in the node subnet. */
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    /** Lets the AKS control plane wrap and unwrap the KMS data-encryption keys. */
    keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    /** Lets workloads read secret values. */
    keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
    /** Lets the AKS control plane approve the private link AKS creates to a private KMS vault. */
    keyVaultContributor: "f25e0fa2-a7c8-4377-a976-54943a77a395",
    /** Lets kubelets pull images (honoured in the registry's RBAC permissions mode). */
    acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    /** Lets CI push (and pull) images (honoured in the registry's RBAC permissions mode). */
    acrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
    /** Lets CI reference a user-assigned identity from a resource (`assign/action`) without changing the identity. */
    managedIdentityOperator: "f1a07417-d97a-45cb-824c-7a7467783830",
    /** Lets users fetch the cluster's user kubeconfig; what they may do inside is RBAC's call. */
    aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    /** Lets external-dns and cert-manager change the records of the stack's zone, and CI delegate from a parent zone. */
    dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
    /** Lets CI manage every resource in a scope, but neither role assignments nor locks. */
    contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    /** Lets CI previews read a scope's resources, never their secrets or data. */
    reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    /** Lets CI create and delete role assignments; given only with a condition on the roles it may assign. */
    roleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    /** Lets CI manage every Kubernetes object of the cluster (Azure RBAC for Kubernetes). */
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    /** Lets CI previews read most Kubernetes objects, not Secrets, Roles or RoleBindings. */
    aksRbacReader: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    /** Lets a worker receive (and complete, abandon, dead-letter) its queue's messages. */
    serviceBusDataReceiver: "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    /** Lets KEDA read a queue's message count: the runtime-properties call is a management read Receiver lacks (KEDA azure-servicebus scaler docs). */
    serviceBusDataOwner: "090c5cfd-751d-490a-894a-3ce6f1109419",
    /** Lets a workload call the Azure OpenAI account's deployments, nothing else on it. */
    cognitiveServicesOpenAiUser: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    /** Lets an event_processor read its event hub (Kafka consume included). */
    eventHubsDataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    /** Lets an event_processor publish to its event hub. */
    eventHubsDataSender: "2b629674-e913-4c01-ae53-ef4638d8f975",
    /** Lets an event_processor read the schemas of its schema group. */
    schemaRegistryReader: "2c56ea50-c6b3-40a6-83c0-9d98858bc7d2",
    /** Lets the provisioning jobs register a workload's schema in its group. */
    schemaRegistryContributor: "5dffeca3-4936-4216-b2bc-10343a5abb25",
    /** Lets Event Hubs Capture (the namespace's identity) write archives to the stack's storage account. */
    storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
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

/** The id of built-in `role` in the subscription holding `resourceId` (any ARM id inside it). */
export function builtInRoleDefinition(resourceId: pulumi.Input<string>, role: string): pulumi.Output<string> {
    return pulumi.output(resourceId).apply((id) => roleDefinitionId(subscriptionScope(id), role));
}
