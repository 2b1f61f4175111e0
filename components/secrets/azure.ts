import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as eventgrid from "@pulumi/azure-native/eventgrid/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as pulumi from "@pulumi/pulumi";
import { vaultProperties } from "../azure/key-vault.ts";
import { globalNames } from "../global-names.ts";
import { nameRules } from "../../lib/naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import type { ApiKeyName } from "../../config/data-services.ts";
import { requireCatalogued } from "./catalog.ts";
import { apiKeyExpiries, apiKeyValues, unsetApiKeys, type SecretsArgs, type SecretStore, type SecretValue, type StoredSecret } from "./secrets.ts";
import { narrow } from "../narrow.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { emailActionGroup } from "../azure/action-group.ts";

/** Key Vault's `exp` attribute: seconds since 1970 (Key Vault REST, SecretAttributes). */
function expiresAttribute(expiry: Date | undefined): { expires: number } | undefined {
    return expiry && { expires: Math.floor(expiry.getTime() / 1000) };
}

/**
 * Key Vault with RBAC authorization, purge protection and 90-day soft delete, reachable
 * only through a private endpoint. No one reads it by default: the Kubernetes layer creates
 * the identity (Key Vault Secrets User on this vault) that External Secrets federates with.
 * Its audit log (every secret read) goes to the stack's Log Analytics workspace; an API key
 * with an issue date expires, and Key Vault's near-expiry event (30 days before) alerts by
 * e-mail through Event Grid and Azure Monitor.
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
    private readonly expiries: Map<string, Date>;

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:secrets:AzureSecretStore", name, {}, opts);
        const { context } = args;
        this.network = narrow(args.network, AzureNetwork);
        this.baseName = name;
        this.protect = context.protectStateful;
        this.expiries = apiKeyExpiries(args);
        const inGroup = { resourceGroupName: this.network.resourceGroupName, location: this.network.location, tags: context.tags };

        // The tenant the deployment authenticates to; the vault trusts tokens from it.
        const { tenantId } = authorization.getClientConfigOutput({ parent: this });
        // Key Vault names are global; a random suffix keeps same-named stacks of other tenants apart.
        const uniqueName = globalNames(`${name}-suffix`, this);
        const vault = new keyvault.Vault(`${name}-vault`, {
            ...inGroup,
            vaultName: uniqueName(["kv", context.project, context.stack], nameRules.keyVault),
            properties: vaultProperties(tenantId, "private"),
        }, { parent: this, protect: this.protect });
        privateEndpoint(`${name}-vault`, { network: this.network, targetId: vault.id, groupId: "vault", dnsZone: "keyVault", tags: context.tags }, this);
        // `audit` holds AuditEvent: SecretGet and every other data-plane call, with the caller (Key Vault, "Logging").
        new monitor.DiagnosticSetting(`${name}-vault-audit`, {
            resourceUri: vault.id,
            workspaceId: narrow(args.cluster, AzureCluster).logWorkspaceId,
            logAnalyticsDestinationType: "Dedicated",
            logs: [{ categoryGroup: "audit", enabled: true }],
        }, { parent: this });
        if (this.expiries.size > 0) {
            this.alertOnExpiry(name, vault, args.alertEmails, inGroup);
        }

        this.storeId = vault.id;
        this.vaultName = vault.name;
        this.vaultUri = vault.properties.apply((properties) => properties.vaultUri);
        this.apiKeys = apiKeyValues(this, args.apiKeys);
        this.placeholders = unsetApiKeys(args.apiKeys);
        this.registerOutputs({ storeId: this.storeId, vaultName: this.vaultName, vaultUri: this.vaultUri, secretRefs: this.secretRefs });
    }

    /** Key Vault's near-expiry and expired events, as Azure Monitor alerts to an action group that e-mails `emails`. */
    private alertOnExpiry(name: string, vault: keyvault.Vault, emails: readonly string[], inGroup: { resourceGroupName: pulumi.Input<string>; location: pulumi.Input<string>; tags: Record<string, string> }): void {
        const actionGroup = emailActionGroup(`${name}-expiry`, { resourceGroupName: inGroup.resourceGroupName, shortName: "secrets", emails, tags: inGroup.tags }, this);
        const topic = new eventgrid.SystemTopic(`${name}-vault-events`, {
            ...inGroup,
            source: vault.id,
            topicType: "Microsoft.KeyVault.vaults",
        }, { parent: this });
        new eventgrid.SystemTopicEventSubscription(`${name}-expiry`, {
            resourceGroupName: inGroup.resourceGroupName,
            systemTopicName: topic.name,
            eventSubscriptionName: "secret-expiry",
            filter: { includedEventTypes: ["Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"] },
            // The only schema Azure Monitor alerts take as an Event Grid destination.
            eventDeliverySchema: "CloudEventSchemaV1_0",
            destination: {
                endpointType: "MonitorAlert",
                severity: "Sev2",
                actionGroups: [actionGroup.id],
                description: "A secret of the stack's Key Vault expires within 30 days or has expired: docs/operations/secret-rotation.md",
            },
        }, { parent: this });
    }

    store(values: readonly SecretValue[]): StoredSecret[] {
        return values.map(({ name, value, owner }) => {
            requireCatalogued(name);
            const secret = new keyvault.Secret(`${this.baseName}-${name}`, {
                resourceGroupName: this.network.resourceGroupName,
                vaultName: this.vaultName,
                secretName: name,
                properties: { value: pulumi.secret(value), attributes: expiresAttribute(this.expiries.get(name)) },
            }, { parent: owner, protect: this.protect });
            // Built from the vault URI: the secret's own properties carry its value, so they are secret.
            const ref = pulumi.all([this.vaultUri, secret.id]).apply(([vaultUri]) => `${vaultUri}secrets/${name}`);
            this.secretRefs[name] = ref;
            return { name, ref, resource: secret };
        });
    }
}
