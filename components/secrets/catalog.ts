/**
 * Every secret the platform may store and who may read it. The store refuses a name that
 * is not here, so no secret reaches the store without an audience. Pure.
 */
import { apiKeyConfig } from "../../config/data-services.ts";

/** Who may read a secret: workloads (through External Secrets), or only administrators. */
export type SecretAudience = "application" | "admin";

/** The secrets the platform stores, by name. */
export const secretCatalog: Readonly<Record<string, SecretAudience>> = {
    ...Object.fromEntries(Object.values(apiKeyConfig).map((name) => [name, "application"])),
    "postgres-admin-password": "admin",
    "postgres-app-password": "application",
    "redis-password": "application",
    "grafana-admin-password": "admin",
};

/** Of `stored`, the secrets workloads may read; admin credentials are never among them. */
export function applicationSecrets<Secret extends { readonly name: string }>(stored: readonly Secret[]): Secret[] {
    return stored.filter((secret) => secretCatalog[secret.name] === "application");
}

/** Every admin credential the platform may store: never for workloads. */
export function adminSecretNames(): string[] {
    return Object.entries(secretCatalog).filter(([, audience]) => audience === "admin").map(([name]) => name);
}

/** Refuses a secret without an audience: no grant could say whether workloads may read it. */
export function requireCatalogued(name: string): void {
    if (!secretCatalog[name]) {
        throw new Error(`secret "${name}" is not in components/secrets/catalog.ts; add it with its audience`);
    }
}
