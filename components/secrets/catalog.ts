/**
 * Every secret a stack's store will hold, known from its configuration before any is
 * stored, so grants on them never depend on the order components run in. Pure.
 */
import { apiKeyConfig } from "../../config/data-services.ts";

/** The secrets each part of the platform stores, by name. */
export const platformSecrets = {
    apiKeys: Object.values(apiKeyConfig),
    database: ["postgres-admin-password", "postgres-app-password"],
    cache: ["redis-password"],
    monitoring: ["grafana-admin-password"],
} as const;

/** The names a stack's store will hold: the data services' always, Grafana's with monitoring. */
export function declaredSecretNames(addons: { readonly monitoring: boolean }): string[] {
    return [
        ...platformSecrets.apiKeys,
        ...platformSecrets.database,
        ...platformSecrets.cache,
        ...(addons.monitoring ? platformSecrets.monitoring : []),
    ];
}

/** Refuses a secret the store did not declare: a grant made on the declared set would miss it. */
export function requireDeclared(declared: readonly string[], name: string): void {
    if (!declared.includes(name)) {
        throw new Error(`secret "${name}" is not declared in components/secrets/catalog.ts; declare it so grants on the store include it`);
    }
}
