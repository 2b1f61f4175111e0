/**
 * What each platform stack's CI identities may do with the Azure store: custom roles with
 * only the data actions the DIY backend and the Key Vault keeper use, and ABAC conditions
 * (version 2.0) that pin blob reads and writes to the stack's own files. No provider SDK.
 *
 * Blob actions: reading (and listing) is `blobs/read`, writing and copying a blob is
 * `blobs/write` (block uploads `add/action`), deleting a lock is `blobs/delete`. The Key Vault
 * keeper calls Decrypt (RSA-OAEP-256) once per run; Encrypt only at `stack init`, an
 * administrator's (gocloud.dev secrets/azurekeyvault/akv.go; pkg/secrets/cloud/manager.go).
 */
import { stateObjectGrants } from "./aws-policy.ts";

const blobs = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";

export const stateReaderDataActions = [`${blobs}/read`] as const;
export const stateWriterDataActions = [`${blobs}/read`, `${blobs}/write`, `${blobs}/add/action`, `${blobs}/delete`] as const;
export const keyDecryptDataActions = ["Microsoft.KeyVault/vaults/keys/decrypt/action"] as const;

/** A blob path (no container) matching one of `patterns`: `x*` is a prefix, anything else exact. */
function pathMatches(patterns: readonly string[]): string {
    const path = `@Resource[${blobs}:path]`;
    return patterns
        .map((pattern) => (pattern.endsWith("*") ? `${path} StringStartsWith '${pattern.slice(0, -1)}'` : `${path} StringEquals '${pattern}'`))
        .join(" OR ");
}

/** `actions` are refused unless the blob's path matches `patterns`; listing (a read sub-operation without a blob) is left alone. */
function onlyOn(actions: readonly string[], patterns: readonly string[], exceptList = false): string {
    const requested = actions.map((action) => `ActionMatches{'${action}'}`).join(" OR ");
    const gate = exceptList ? `(${requested}) AND NOT SubOperationMatches{'Blob.List'}` : requested;
    return `((!(${gate})) OR (${pathMatches(patterns)}))`;
}

/** The condition on a stack's CI role assignment at the container: the same files as on AWS (`stateObjectGrants`). */
export function stateAccessCondition(project: string, stack: string, purpose: "deploy" | "preview"): string {
    const grants = stateObjectGrants(project, stack);
    if (purpose === "preview") {
        return onlyOn([`${blobs}/read`], grants.preview.read, true);
    }
    return [
        onlyOn([`${blobs}/read`], grants.deploy.read, true),
        onlyOn([`${blobs}/write`, `${blobs}/add/action`], grants.deploy.write),
        onlyOn([`${blobs}/delete`], grants.deploy.delete),
    ].join(" AND ");
}
