import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import { Provider } from "@pulumi/azure-native/provider.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as storage from "@pulumi/azure-native/storage/index.js";
import * as pulumi from "@pulumi/pulumi";
import { vaultProperties } from "../azure/key-vault.ts";
import type { BootstrapConfig } from "../../config/bootstrap.ts";
import { nameRules, physicalName, type NameRule } from "../../lib/naming.ts";
import { deleteLock } from "../azure/lock.ts";
import { builtInRoleDefinition, builtInRoles } from "../azure/roles.ts";
import { globalNames } from "../global-names.ts";
import { keyDecryptDataActions, stateAccessCondition, stateReaderDataActions, stateWriterDataActions } from "./azure-roles.ts";
import { azblobBackendUrl, azureKeyVaultSecretsProvider } from "./layout.ts";
import type { StateBackend, StateBackendArgs } from "./state-backend.ts";

/** Storage account names: globally unique, 3-24 lowercase letters and digits, no separators. */
const accountRule: NameRule = { maxLength: 24, allowed: /[a-z0-9]/, separator: "", lowercase: true };
/** Key Vault key names: 1-127 letters, digits and hyphens. */
const keyRule: NameRule = { maxLength: 127, allowed: /[a-z0-9-]/, separator: "-", lowercase: true };

/** The container the DIY backend writes `.pulumi/` into. */
export const stateContainerName = "state";

export interface AzureStateBackendArgs extends StateBackendArgs {
    readonly azure: NonNullable<BootstrapConfig["azure"]>;
}

export function azureProvider(settings: NonNullable<BootstrapConfig["azure"]>): Provider {
    return new Provider("azure-native", { location: settings.location });
}

/**
 * A subscription's state store on Azure: a resource group; a StorageV2 account (HTTPS and
 * TLS 1.2+ only, no shared keys, no public blobs, infrastructure encryption, zone-redundant)
 * with blob versioning, blob and container soft delete, a lifecycle rule for old versions
 * and one private `state` container; a Key Vault (RBAC, purge protection, 90-day soft
 * delete) with one RSA key per stack, rotated yearly by Key Vault. Public endpoints stay on:
 * GitHub-hosted runners have no fixed address; only Entra ID tokens get in.
 *
 * Grants: the identity running the bootstrap gets Storage Blob Data Contributor on the
 * container and Key Vault Crypto User on the vault (to move the state in and `stack init`);
 * each stack in `ciPrincipals` gets, for its deploy and preview identities, a custom role
 * on the container conditioned to that stack's files, and decrypt on that stack's key only.
 * Account, container, vault and keys are protected, and delete locks guard account and vault.
 */
export class AzureStateBackend extends pulumi.ComponentResource implements StateBackend {
    readonly backendUrl: pulumi.Output<string>;
    readonly secretsProviders: pulumi.Output<Record<string, string>>;
    readonly ownSecretsProvider: pulumi.Output<string>;

    constructor(name: string, args: AzureStateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:state-backend:AzureStateBackend", name, {}, opts);
        const { project, stacks } = args.platform;
        const parent = { parent: this };
        const guarded = { parent: this, protect: !args.releasing };
        const tags = args.tags;

        const { tenantId, objectId: deployerId } = authorization.getClientConfigOutput({ parent: this });
        const group = new resources.ResourceGroup(`${name}-group`, {
            resourceGroupName: physicalName(["rg", project, "state"], nameRules.resourceGroup),
            location: args.azure.location,
            tags,
        }, parent);
        const inGroup = { resourceGroupName: group.name, location: group.location, tags };
        const uniqueName = globalNames(`${name}-suffix`, this);

        const account = new storage.StorageAccount(`${name}-account`, {
            ...inGroup,
            accountName: uniqueName(["st", project, "state"], accountRule),
            kind: "StorageV2",
            sku: { name: "Standard_ZRS" },
            accessTier: "Hot",
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: false,
            // Entra ID only: no account keys or SAS tokens signed with them.
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
            allowCrossTenantReplication: false,
            // A second, infrastructure-level encryption layer (only settable at creation).
            encryption: {
                keySource: "Microsoft.Storage",
                requireInfrastructureEncryption: true,
                services: { blob: { enabled: true, keyType: "Account" } },
            },
        }, guarded);
        const inAccount = { resourceGroupName: group.name, accountName: account.name };
        const retentionDays = args.noncurrentVersionDays;
        const blobService = new storage.BlobServiceProperties(`${name}-blob-service`, {
            ...inAccount,
            blobServicesName: "default",
            isVersioningEnabled: true,
            deleteRetentionPolicy: { enabled: true, days: retentionDays },
            containerDeleteRetentionPolicy: { enabled: true, days: retentionDays },
        }, parent);
        const container = new storage.BlobContainer(`${name}-container`, {
            ...inAccount,
            containerName: stateContainerName,
            publicAccess: "None",
        }, { ...guarded, dependsOn: [blobService] });
        new storage.ManagementPolicy(`${name}-lifecycle`, {
            ...inAccount,
            managementPolicyName: "default",
            policy: {
                rules: [{
                    name: "expire-previous-versions",
                    type: "Lifecycle",
                    enabled: true,
                    definition: { filters: { blobTypes: ["blockBlob"] }, actions: { version: { delete: { daysAfterCreationGreaterThan: retentionDays } } } },
                }],
            },
        }, { parent: this, dependsOn: [blobService] });

        const vault = new keyvault.Vault(`${name}-vault`, {
            ...inGroup,
            vaultName: uniqueName(["kv", project, "state"], nameRules.keyVault),
            properties: vaultProperties(tenantId, "public"),
        }, guarded);
        // One key per stack: a role assignment on a key is the only way to keep stacks out of each other's secrets.
        const key = (stack: { project: string; stack: string }) => new keyvault.Key(`${name}-key-${stack.project === project ? stack.stack : "self"}`, {
            resourceGroupName: group.name,
            vaultName: vault.name,
            keyName: physicalName([stack.project, stack.stack], keyRule),
            properties: {
                kty: "RSA",
                keySize: 3072,
                keyOps: ["encrypt", "decrypt"],
                // New versions yearly, without expiry: stacks keep decrypting with the version their URL pins.
                rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P1Y" } }] },
            },
            tags,
        }, guarded);
        const stackKeys = Object.fromEntries(stacks.map((stack) => [stack, key({ project, stack })]));
        const ownKey = key(args.self);

        const assign = (role: string, principalId: pulumi.Input<string>, roleDefinitionId: pulumi.Input<string>, scope: pulumi.Input<string>, condition?: string) =>
            new authorization.RoleAssignment(`${name}-${role}`, {
                principalId,
                roleDefinitionId,
                scope,
                ...(condition ? { condition, conditionVersion: "2.0" } : {}),
            }, parent);
        // Whoever runs the bootstrap moves its state in and runs `stack init`; data actions are not part of Owner.
        assign("deployer-state", deployerId, builtInRoleDefinition(group.id, builtInRoles.storageBlobDataContributor), container.id);
        assign("deployer-keys", deployerId, builtInRoleDefinition(group.id, builtInRoles.keyVaultCryptoUser), vault.id);

        const principals = Object.entries(args.azure.ciPrincipals);
        if (principals.length > 0) {
            // Custom role names are unique per tenant: the storage account's name keeps bootstraps apart. A custom role's
            // assignable scopes are management groups, subscriptions or resource groups (Azure RBAC, "Azure custom roles"):
            // it is defined on the group; its assignments below narrow it to the container or one stack's key.
            const customRole = (role: string, title: string, dataActions: readonly string[]) =>
                new authorization.RoleDefinition(`${name}-${role}`, {
                    scope: group.id,
                    roleName: account.name.apply((accountName) => `${project} ${title} (${accountName})`),
                    description: `${title} of ${project}'s Pulumi stacks; assignments narrow it to one stack`,
                    roleType: "CustomRole",
                    permissions: [{ actions: [], dataActions: [...dataActions] }],
                    assignableScopes: [group.id],
                }, parent);
            const writer = customRole("writer-role", "state writer", stateWriterDataActions);
            const reader = customRole("reader-role", "state reader", stateReaderDataActions);
            const decrypt = customRole("decrypt-role", "secrets decrypt", keyDecryptDataActions);
            for (const [stack, ids] of principals) {
                const stackKey = stackKeys[stack]!;
                assign(`${stack}-deploy-state`, ids.deploy, writer.id, container.id, stateAccessCondition(project, stack, "deploy"));
                assign(`${stack}-deploy-key`, ids.deploy, decrypt.id, stackKey.id);
                if (ids.preview) {
                    assign(`${stack}-preview-state`, ids.preview, reader.id, container.id, stateAccessCondition(project, stack, "preview"));
                    assign(`${stack}-preview-key`, ids.preview, decrypt.id, stackKey.id);
                }
            }
        }
        if (!args.releasing) {
            // Locks are inherited: the account's guards the container, the vault's the keys.
            deleteLock(`${name}-account-lock`, account.id, "the state store", this);
            deleteLock(`${name}-vault-lock`, vault.id, "the secrets-provider keys", this);
        }

        const provider = (created: keyvault.Key) => created.keyUriWithVersion.apply(azureKeyVaultSecretsProvider);
        this.backendUrl = pulumi.all([container.name, account.name]).apply(([containerName, accountName]) => azblobBackendUrl(containerName, accountName));
        this.secretsProviders = pulumi.all(Object.fromEntries(Object.entries(stackKeys).map(([stack, created]) => [stack, provider(created)])));
        this.ownSecretsProvider = provider(ownKey);
        this.registerOutputs({ backendUrl: this.backendUrl, secretsProviders: this.secretsProviders, ownSecretsProvider: this.ownSecretsProvider });
    }
}
