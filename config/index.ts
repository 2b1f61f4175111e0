/**
 * Reads the stack's `platform:` configuration from the Pulumi runtime, once, and validates
 * it. Everything else receives the typed result; nothing else reads Pulumi config.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "./context.ts";
import type { ApiKeyName } from "./data-services.ts";
import { placeholderWarnings } from "./placeholders.ts";
import { namespaceValues } from "./values.ts";
import { apiKeyExpiryWarnings, rotationPeriod } from "./secrets.ts";
import { addedTagKeys, apiKeyConfig, configNamespace, ConfigError, parsePlatformConfig, type PlatformConfig } from "./schema.ts";

export * from "./schema.ts";

/** The validated configuration plus the identity of the stack it came from. */
export interface StackConfig extends PlatformConfig {
    readonly project: string;
    readonly stack: string;
    /** Tags from the stack file plus the ones the platform always sets. */
    readonly tags: Record<string, string>;
    /** API keys from config secrets; undefined where the stack has not set one. */
    readonly apiKeys: Record<ApiKeyName, pulumi.Output<string> | undefined>;
}

/**
 * Throws a `pulumi.RunError` (printed without a stack trace) when the configuration is invalid.
 * Placeholder values (`placeholders.ts`) are logged as warnings, which the engine shows in
 * `pulumi preview` and `up`. The mock runtime has no engine; the offline plan reports them itself.
 */
export function loadConfig(): StackConfig {
    try {
        const config = readPlatformConfig();
        if (pulumi.runtime.getEngine()) {
            for (const warning of [...placeholderWarnings(config), ...apiKeyExpiryWarnings(config.rotation, new Date())]) {
                void pulumi.log.warn(warning);
            }
        }
        const project = pulumi.getProject();
        const stack = pulumi.getStack();
        const secrets = new pulumi.Config(configNamespace);
        const added: Record<(typeof addedTagKeys)[number], string> = { environment: config.environment, project, stack, "managed-by": "pulumi" };
        return {
            ...config,
            project,
            stack,
            apiKeys: Object.fromEntries(
                Object.entries(apiKeyConfig).map(([key, name]) => [name, secrets.getSecret(key)]),
            ) as StackConfig["apiKeys"],
            tags: { ...config.tags, ...added },
        };
    } catch (error) {
        if (error instanceof ConfigError) {
            throw new pulumi.RunError(error.message);
        }
        throw error;
    }
}

/** Validates the runtime's `platform:` values; throws a `ConfigError` naming the key. */
export function readPlatformConfig(): PlatformConfig {
    return parsePlatformConfig(namespaceValues(pulumi.runtime.allConfig(), configNamespace));
}

/** The slice of the configuration every component receives. */
export function platformContext(config: StackConfig): PlatformContext {
    return {
        project: config.project,
        stack: config.stack,
        environment: config.environment,
        tags: config.tags,
        protectStateful: config.environment !== "dev",
        logRetentionDays: config.logRetentionDays,
        passwordRotation: { days: config.rotation.passwordDays, period: rotationPeriod(new Date(), config.rotation.passwordDays) },
        aws: config.aws,
        azure: config.azure,
    };
}
