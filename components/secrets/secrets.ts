import type * as pulumi from "@pulumi/pulumi";
import { apiKeyConfig } from "../../config/data-services.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { Network } from "../network/network.ts";

/** Secrets supplied as config (`platform:openaiApiKey`, `platform:anthropicApiKey`). */
export type ApiKeyName = "openai-api-key" | "anthropic-api-key";

export interface SecretsArgs {
    readonly context: PlatformContext;
    readonly network: Network;
    /** Each API key's config secret, or undefined when the stack does not set it (a placeholder is stored). */
    readonly apiKeys: Record<ApiKeyName, pulumi.Output<string> | undefined>;
    /** Every secret the stack will store (`declaredSecretNames`); storing any other is an error. */
    readonly secretNames: readonly string[];
}

/** The stack's secrets store: Secrets Manager under a customer-managed KMS key, or a Key Vault. */
export interface SecretStore {
    /** KMS key ARN on AWS, Key Vault resource id on Azure. */
    readonly storeId: pulumi.Output<string>;
    /** Every secret the store will hold, known before any is stored: grants are made on these names. */
    readonly secretNames: readonly string[];
    /** Secret name → reference (Secrets Manager ARN, Key Vault secret URI) for the secrets created so far. */
    readonly secretRefs: Record<string, pulumi.Output<string>>;
    /** API keys the stack did not set; their secrets hold a placeholder until it does. */
    readonly placeholders: readonly ApiKeyName[];
    /**
     * Stores `value` (made a Pulumi secret) under `name`, as a child of `owner`, records its
     * reference in `secretRefs` and returns it. Data services store their credentials this way.
     */
    putSecret(owner: pulumi.Resource, name: string, value: pulumi.Input<string>): pulumi.Output<string>;
}

/** What a placeholder secret holds, so a consumer fails loudly instead of using an empty key. */
export function placeholderValue(name: ApiKeyName): string {
    const configKey = Object.entries(apiKeyConfig).find(([, secretName]) => secretName === name)![0];
    return `PLACEHOLDER: set with \`pulumi config set --secret platform:${configKey}\``;
}

/** Stores every API key in `store` (a placeholder where unset); returns the names still holding one. */
export function storeApiKeys(store: SecretStore & pulumi.Resource, apiKeys: SecretsArgs["apiKeys"]): ApiKeyName[] {
    const entries = Object.entries(apiKeys) as [ApiKeyName, pulumi.Output<string> | undefined][];
    for (const [name, value] of entries) {
        store.putSecret(store, name, value ?? placeholderValue(name));
    }
    return entries.filter(([, value]) => value === undefined).map(([name]) => name);
}
