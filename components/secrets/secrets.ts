import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import { apiKeyConfig, type ApiKeyName } from "../../config/data-services.ts";
import type { StackConfig } from "../../config/index.ts";
import { apiKeyExpiry } from "../../config/secrets.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { Network } from "../network/network.ts";

/**
 * The API keys' config secrets (undefined where unset: a placeholder is stored) and their
 * issue dates, plus what the program wires: the cluster's log workspace takes the audit log
 * on Azure, and `alertEmails` hear of keys about to expire.
 */
export interface SecretsArgs extends Pick<StackConfig, "apiKeys" | "rotation"> {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly cluster: Cluster;
    readonly alertEmails: readonly string[];
}

/**
 * A secret a component produced; the program hands every one of them to `SecretStore.store`.
 * `name` must be in `catalog.ts`, which says who may read it.
 */
export interface SecretValue {
    readonly name: string;
    readonly value: pulumi.Input<string>;
    /** The component the secret belongs to: the stored secret is its child, so the secret's URN never moves. */
    readonly owner: pulumi.Resource;
}

/** A secret in the store, for the grants on it and the `secretRefs` output. */
export interface StoredSecret {
    readonly name: string;
    /** Secrets Manager ARN / Key Vault secret URI. */
    readonly ref: pulumi.Output<string>;
    /** The cloud resource: a grant that needs the secret to exist waits for it. */
    readonly resource: pulumi.Resource;
}

/** The stack's secrets store: Secrets Manager under a customer-managed KMS key, or a Key Vault. */
export interface SecretStore {
    /** KMS key ARN on AWS, Key Vault resource id on Azure. */
    readonly storeId: pulumi.Output<string>;
    /** The API keys from config, placeholders where unset; the program stores them with the rest. */
    readonly apiKeys: readonly SecretValue[];
    /** API keys the stack did not set; their secrets hold a placeholder until it does. */
    readonly placeholders: readonly ApiKeyName[];
    /** Secret name → reference (Secrets Manager ARN, Key Vault secret URI) of everything stored. */
    readonly secretRefs: Record<string, pulumi.Output<string>>;
    /** Stores each value (made a Pulumi secret) under its name and returns them, stored. */
    store(values: readonly SecretValue[]): StoredSecret[];
}

/** What a placeholder secret holds, so a consumer fails loudly instead of using an empty key. */
export function placeholderValue(name: ApiKeyName): string {
    const configKey = Object.entries(apiKeyConfig).find(([, secretName]) => secretName === name)![0];
    return `PLACEHOLDER: set with \`pulumi config set --secret platform:${configKey}\``;
}

/** The API keys as values owned by `store`, a placeholder where unset. */
export function apiKeyValues(store: pulumi.Resource, apiKeys: SecretsArgs["apiKeys"]): SecretValue[] {
    return (Object.entries(apiKeys) as [ApiKeyName, pulumi.Output<string> | undefined][])
        .map(([name, value]) => ({ name, value: value ?? placeholderValue(name), owner: store }));
}

/** When each set API key with an issue date expires, by secret name. */
export function apiKeyExpiries(args: Pick<SecretsArgs, "apiKeys" | "rotation">): Map<string, Date> {
    return new Map((Object.entries(args.rotation.apiKeysIssued) as [keyof typeof apiKeyConfig, string][])
        .filter(([key]) => args.apiKeys[apiKeyConfig[key]] !== undefined)
        .map(([key, issued]) => [apiKeyConfig[key], apiKeyExpiry(issued, args.rotation.apiKeyMaxAgeDays)]));
}

/** The API keys the stack has not set. */
export function unsetApiKeys(apiKeys: SecretsArgs["apiKeys"]): ApiKeyName[] {
    return (Object.entries(apiKeys) as [ApiKeyName, unknown][]).filter(([, value]) => value === undefined).map(([name]) => name);
}
