/**
 * Every secret the platform may store, who may read it (the store refuses a name that is not
 * here, and a workload may only name an application secret) and how long each lives
 * (`platform:rotation`). Pure.
 */
import { z } from "zod";
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

/** Key Vault raises `SecretNearExpiry` this many days before a secret expires; the AWS reminder fires alike. */
export const expiryWarningDays = 30;

const isoDate = z.iso.date({ error: (issue) => `"${String(issue.input)}" is not a date such as 2026-12-01` });

/** `platform:rotation`: how long secrets live before they are replaced. */
export const rotation = z.strictObject({
    /**
     * Days a generated password lives, 1 to 365: the first `up` after that rolls a new one, and
     * RDS rotates the admin secret it manages on the same schedule. @default 30
     */
    passwordDays: z.int().min(1).max(365).default(30),
    /** Days an API key may live from its `issued` date, 31 to 365 (longer than the warning). @default 90 */
    apiKeyMaxAgeDays: z.int().min(expiryWarningDays + 1).max(365).default(90),
    /** When each API key was issued (`openaiApiKey: 2026-12-01`): its secret expires `apiKeyMaxAgeDays` later. @default {} */
    apiKeysIssued: z.partialRecord(
        z.enum(Object.keys(apiKeyConfig) as [keyof typeof apiKeyConfig]),
        isoDate.refine((issued) => issued <= new Date().toISOString().slice(0, 10), { error: (issue) => `${String(issue.input)} is in the future` }),
    ).default({}),
}).default({ passwordDays: 30, apiKeyMaxAgeDays: 90, apiKeysIssued: {} });

export type RotationConfig = z.output<typeof rotation>;

const dayMs = 86_400_000;

/**
 * The first day (YYYY-MM-DD, UTC) of the rotation period `now` falls in; periods of `days`
 * count from 1970-01-01. A generated password keyed on it is replaced by the first `up` of
 * each new period, and by no other.
 */
export function rotationPeriod(now: Date, days: number): string {
    const start = Math.floor(now.getTime() / dayMs / days) * days;
    return new Date(start * dayMs).toISOString().slice(0, 10);
}

/** When an API key issued on `issued` (YYYY-MM-DD) expires: midnight UTC `maxAgeDays` later. */
export function apiKeyExpiry(issued: string, maxAgeDays: number): Date {
    return new Date(Date.parse(`${issued}T00:00:00Z`) + maxAgeDays * dayMs);
}

/** One warning per API key that has expired or enters the warning window, naming the key. */
export function apiKeyExpiryWarnings(config: RotationConfig, now: Date): string[] {
    return (Object.entries(config.apiKeysIssued) as [string, string][]).flatMap(([key, issued]) => {
        const expiry = apiKeyExpiry(issued, config.apiKeyMaxAgeDays);
        const daysLeft = Math.ceil((expiry.getTime() - now.getTime()) / dayMs);
        const at = expiry.toISOString().slice(0, 10);
        if (daysLeft <= 0) {
            return [`platform:rotation.apiKeysIssued.${key}: the key expired on ${at}; rotate it (docs/operations/secret-rotation.md) and set the new issue date`];
        }
        return daysLeft <= expiryWarningDays
            ? [`platform:rotation.apiKeysIssued.${key}: the key expires on ${at}, in ${daysLeft} days; rotate it (docs/operations/secret-rotation.md)`]
            : [];
    });
}
