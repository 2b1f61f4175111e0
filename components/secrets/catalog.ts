/**
 * Every secret a stack's store will hold, known from its configuration before any is
 * stored, so grants on them never depend on the order components run in. Pure.
 */
import { apiKeyConfig } from "../../config/data-services.ts";

/** Who may read a secret: workloads (through External Secrets), or only administrators. */
export type SecretAudience = "application" | "admin";

interface SecretEntry {
    readonly audience: SecretAudience;
    /** Stored only when this add-on is on; always when unset. */
    readonly addon?: "monitoring";
}

/** The secrets the platform stores, by name. */
export const secretCatalog: Readonly<Record<string, SecretEntry>> = {
    ...Object.fromEntries(Object.values(apiKeyConfig).map((name) => [name, { audience: "application" }])),
    "postgres-admin-password": { audience: "admin" },
    "postgres-app-password": { audience: "application" },
    "redis-password": { audience: "application" },
    "grafana-admin-password": { audience: "admin", addon: "monitoring" },
};

/** The names a stack's store will hold: every entry whose add-on, if any, is on. */
export function declaredSecretNames(addons: { readonly monitoring: boolean }): string[] {
    return Object.entries(secretCatalog).filter(([, entry]) => !entry.addon || addons[entry.addon]).map(([name]) => name);
}

/** Of `declared`, the secrets workloads may read; admin credentials are never among them. */
export function applicationSecretNames(declared: readonly string[]): string[] {
    return declared.filter((name) => secretCatalog[name]?.audience === "application");
}

/** Every admin credential the platform may store: never for workloads. */
export function adminSecretNames(): string[] {
    return Object.entries(secretCatalog).filter(([, entry]) => entry.audience === "admin").map(([name]) => name);
}

/** Refuses a secret the store did not declare: a grant made on the declared set would miss it. */
export function requireDeclared(declared: readonly string[], name: string): void {
    if (!declared.includes(name)) {
        throw new Error(`secret "${name}" is not declared in components/secrets/catalog.ts; declare it so grants on the store include it`);
    }
}
