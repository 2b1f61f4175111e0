import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import { nameRules } from "../../lib/naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import { requireDeclared } from "./catalog.ts";
import { storeApiKeys, type ApiKeyName, type SecretsArgs, type SecretStore } from "./secrets.ts";

/**
 * Key Vault with RBAC authorization, purge protection and 90-day soft delete, reachable
 * only through a private endpoint. No one reads it by default: the Kubernetes layer creates
 * the identity (Key Vault Secrets User on this vault) that External Secrets federates with.
 */
export class AzureSecretStore extends pulumi.ComponentResource implements SecretStore {
    readonly storeId: pulumi.Output<string>;
    readonly vaultName: pulumi.Output<string>;
    readonly vaultUri: pulumi.Output<string>;
    readonly secretNames: readonly string[];
    readonly secretRefs: Record<string, pulumi.Output<string>> = {};
    private readonly stored = new Map<string, keyvault.Secret>();
    readonly placeholders: readonly ApiKeyName[];
    private readonly network: AzureNetwork;
    private readonly baseName: string;
    private readonly protect: boolean;

    /** Narrows the cloud-agnostic store handed to an Azure component. */
    static from(candidate: SecretStore): AzureSecretStore {
        if (!(candidate instanceof AzureSecretStore)) {
            throw new Error("an Azure component needs the secrets store created by AzureSecretStore");
        }
        return candidate;
    }

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:secrets:AzureSecretStore", name, {}, opts);
        const { context } = args;
        this.network = AzureNetwork.from(args.network);
        this.baseName = name;
        this.protect = context.protectStateful;
        this.secretNames = args.secretNames;
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
        this.placeholders = storeApiKeys(this, args.apiKeys);
        this.registerOutputs({ storeId: this.storeId, vaultName: this.vaultName, vaultUri: this.vaultUri, secretRefs: this.secretRefs });
    }

    /** A stored secret, for a grant on it: ARM assigns roles only on a scope that exists. */
    secretResource(name: string): keyvault.Secret {
        const secret = this.stored.get(name);
        if (!secret) {
            throw new Error(`secret "${name}" is not stored yet; grant on it after the component that stores it`);
        }
        return secret;
    }

    putSecret(owner: pulumi.Resource, name: string, value: pulumi.Input<string>): pulumi.Output<string> {
        requireDeclared(this.secretNames, name);
        const secret = new keyvault.Secret(`${this.baseName}-${name}`, {
            resourceGroupName: this.network.resourceGroupName,
            vaultName: this.vaultName,
            secretName: name,
            properties: { value: pulumi.secret(value) },
        }, { parent: owner, protect: this.protect });
        this.stored.set(name, secret);
        // Built from the vault URI: the secret's own properties carry its value, so they are secret.
        const reference = pulumi.all([this.vaultUri, secret.id]).apply(([vaultUri]) => `${vaultUri}secrets/${name}`);
        this.secretRefs[name] = reference;
        return reference;
    }
}
