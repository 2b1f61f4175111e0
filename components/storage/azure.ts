import * as storage from "@pulumi/azure-native/storage/index.js";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import type { NameRule } from "../../lib/naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import type { ObjectStorage, StorageArgs } from "./storage.ts";
import { deleteLock } from "../azure/lock.ts";
import { narrow } from "../narrow.ts";

/** Storage account names: globally unique, 3-24 lowercase letters and digits, no separators. */
const accountRule: NameRule = { maxLength: 24, allowed: /[a-z0-9]/, separator: "", lowercase: true };

/** The one blob container the platform writes to. */
export const containerName = "platform";

/**
 * A StorageV2 account (HTTPS only, TLS 1.2+, no public blobs, no shared keys) reachable
 * only through a private endpoint, with blob versioning, soft delete of blobs and
 * containers, a lifecycle policy for temporary blobs and old versions, optional
 * version-level immutability, and one private container. Zone-redundant (ZRS) when asked.
 * Outside dev a delete lock and Pulumi protect guard the account.
 */
export class AzureObjectStorage extends pulumi.ComponentResource implements ObjectStorage {
    readonly bucketName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    /** The storage account's ARM id: Event Hubs Capture writes archives there. */
    readonly accountId: pulumi.Output<string>;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:storage:AzureObjectStorage", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        const inAccount = { resourceGroupName: network.resourceGroupName };
        const parent = { parent: this };
        const stateful = { parent: this, protect: context.protectStateful };

        // Account names are global; a random suffix keeps same-named stacks of other tenants apart.
        const uniqueName = globalNames(`${name}-suffix`, this);
        const account = new storage.StorageAccount(`${name}-account`, {
            ...inAccount,
            location: network.location,
            accountName: uniqueName(["st", context.project, context.stack], accountRule),
            kind: "StorageV2",
            sku: { name: storageAccountSku(args) },
            accessTier: "Hot",
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: args.publicRead,
            // Entra ID only: no account keys or SAS tokens signed with them.
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
            allowCrossTenantReplication: false,
            // Public reads need the public endpoint; so does Event Hubs Capture, a trusted service that
            // reaches the account only through it, behind a firewall that admits no address. Otherwise
            // only the private endpoint answers.
            publicNetworkAccess: args.publicRead || args.eventArchives ? "Enabled" : "Disabled",
            networkRuleSet: { defaultAction: args.publicRead ? "Allow" : "Deny", bypass: "AzureServices" },
            // Platform-managed keys plus a second, infrastructure-level layer (only settable at creation).
            encryption: {
                keySource: "Microsoft.Storage",
                requireInfrastructureEncryption: true,
                services: { blob: { enabled: true, keyType: "Account" } },
            },
            // Unlocked policy, the counterpart of S3 governance mode: retention can still be shortened.
            immutableStorageWithVersioning: args.objectLockDays > 0
                ? { enabled: true, immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: args.objectLockDays, state: "Unlocked", allowProtectedAppendWrites: false } }
                : undefined,
            tags: context.tags,
        }, stateful);
        const inThisAccount = { ...inAccount, accountName: account.name };

        const blobService = new storage.BlobServiceProperties(`${name}-blob-service`, {
            ...inThisAccount,
            blobServicesName: "default",
            isVersioningEnabled: args.versioning,
            deleteRetentionPolicy: { enabled: true, days: args.softDeleteDays },
            containerDeleteRetentionPolicy: { enabled: true, days: args.softDeleteDays },
        }, parent);
        const container = new storage.BlobContainer(`${name}-container`, {
            ...inThisAccount,
            containerName,
            publicAccess: args.publicRead ? "Blob" : "None",
        }, { ...stateful, dependsOn: [blobService] });
        // Uncommitted blocks need no rule: Azure discards them after 7 days on its own.
        new storage.ManagementPolicy(`${name}-lifecycle`, {
            ...inThisAccount,
            managementPolicyName: "default",
            policy: { rules: managementRules(args) },
        }, { parent: this, dependsOn: [blobService] });

        privateEndpoint(`${name}-blob`, { network, targetId: account.id, groupId: "blob", dnsZone: "blob", tags: context.tags }, this);
        if (context.protectStateful) {
            // Locks are inherited, so this one also guards the container.
            deleteLock(`${name}-lock`, account.id, "the storage account", this);
        }

        this.bucketName = container.name;
        this.accountId = account.id;
        this.endpoint = pulumi.interpolate`${account.primaryEndpoints.apply((endpoints) => endpoints.blob)}${container.name}`;
        this.registerOutputs({ bucketName: this.bucketName, endpoint: this.endpoint });
    }
}

/** Lifecycle rules: temporary blobs expire; previous versions go after the soft-delete window. */
/**
 * The account's redundancy: zones (ZRS), the region's pair (GRS), or both (GZRS). A SKU change
 * between them is an in-place conversion (Azure Storage, "Change how a storage account is replicated").
 */
export function storageAccountSku(args: Pick<StorageArgs, "zoneRedundant" | "crossRegionReplication">): string {
    if (args.crossRegionReplication) {
        return args.zoneRedundant ? "Standard_GZRS" : "Standard_GRS";
    }
    return args.zoneRedundant ? "Standard_ZRS" : "Standard_LRS";
}

export function managementRules(args: Pick<StorageArgs, "versioning" | "temporaryPrefix" | "temporaryExpiryDays" | "softDeleteDays">) {
    const blobTypes = ["blockBlob", "appendBlob"];
    return [
        {
            name: "expire-temporary",
            type: "Lifecycle",
            enabled: true,
            definition: {
                // Lifecycle prefixes start with the container name.
                filters: { blobTypes, prefixMatch: [`${containerName}/${args.temporaryPrefix}`] },
                actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: args.temporaryExpiryDays } } },
            },
        },
        ...(args.versioning
            ? [{
                name: "expire-previous-versions",
                type: "Lifecycle",
                enabled: true,
                definition: {
                    filters: { blobTypes },
                    actions: { version: { delete: { daysAfterCreationGreaterThan: args.softDeleteDays } } },
                },
            }]
            : []),
    ];
}
