/**
 * Every secret the platform may store and who may read it: the store refuses a name that is
 * not here, and a workload may only name an application secret. Pure.
 */
import { apiKeyConfig } from "./data-services.ts";

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

/** Names of the secrets workloads may read. */
export const applicationSecretNames = Object.entries(secretCatalog).filter(([, audience]) => audience === "application").map(([name]) => name);
