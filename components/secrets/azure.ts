import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import { nameRules } from "../../lib/naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import type { ApiKeyName } from "../../config/data-services.ts";
import { requireCatalogued } from "./catalog.ts";
import { apiKeyValues, unsetApiKeys, type SecretsArgs, type SecretStore, type SecretValue, type StoredSecret } from "./secrets.ts";
import { narrow } from "../narrow.ts";

/**
 * Key Vault with RBAC authorization, purge protection and 90-day soft delete, reachable
 * only through a private endpoint. No one reads it by default: the Kubernetes layer creates
 * the identity (Key Vault Secrets User on this vault) that External Secrets federates with.
 */
export class AzureSecretStore extends pulumi.ComponentResource implements SecretStore {
    readonly storeId: pulumi.Output<string>;
    readonly vaultName: pulumi.Output<string>;
    readonly vaultUri: pulumi.Output<string>;
    readonly apiKeys: readonly SecretValue[];
    readonly secretRefs: Record<string, pulumi.Output<string>> = {};
    readonly placeholders: readonly ApiKeyName[];
    private readonly network: AzureNetwork;
    private readonly baseName: string;
    private readonly protect: boolean;

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:secrets:AzureSecretStore", name, {}, opts);
        const { context } = args;
        this.network = narrow(args.network, AzureNetwork);
        this.baseName = name;
        this.protect = context.protectStateful;
        const inGroup = { resourceGroupName: this.network.resourceGroupName, location: this.network.location, tags: context.tags };

        // The tenant the deployment authenticates to; the vault trusts tokens from it.
        const { tenantId } = authorization.getClientConfigOutput({ parent: this });
        // Key Vault names are global; a random suffix keeps same-named stacks of other tenants apart.
        const uniqueName = globalNames(`${name}-suffix`, this);
        const vault = new keyvault.Vault(`${name}-vault`, {
            ...inGroup,
            vaultName: uniqueName(["kv", context.project, context.stack], nameRules.keyVault),
            properties: {
                tenantId,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
                enablePurgeProtection: true,
                publicNetworkAccess: "disabled",
                networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
            },
        }, { parent: this, protect: this.protect });
        privateEndpoint(`${name}-vault`, { network: this.network, targetId: vault.id, groupId: "vault", dnsZone: "keyVault", tags: context.tags }, this);

        this.storeId = vault.id;
        this.vaultName = vault.name;
        this.vaultUri = vault.properties.apply((properties) => properties.vaultUri);
        this.apiKeys = apiKeyValues(this, args.apiKeys);
        this.placeholders = unsetApiKeys(args.apiKeys);
        this.registerOutputs({ storeId: this.storeId, vaultName: this.vaultName, vaultUri: this.vaultUri, secretRefs: this.secretRefs });
    }

    store(values: readonly SecretValue[]): StoredSecret[] {
        return values.map(({ name, value, owner }) => {
            requireCatalogued(name);
            const secret = new keyvault.Secret(`${this.baseName}-${name}`, {
                resourceGroupName: this.network.resourceGroupName,
                vaultName: this.vaultName,
                secretName: name,
                properties: { value: pulumi.secret(value) },
            }, { parent: owner, protect: this.protect });
            // Built from the vault URI: the secret's own properties carry its value, so they are secret.
            const ref = pulumi.all([this.vaultUri, secret.id]).apply(([vaultUri]) => `${vaultUri}secrets/${name}`);
            this.secretRefs[name] = ref;
            return { name, ref, resource: secret };
        });
    }
}
