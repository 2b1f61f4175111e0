/** Questions about the secrets catalog (`config/secrets.ts`). Pure. */
import { secretCatalog } from "../../config/secrets.ts";

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
