/**
 * Where the bootstrap stack's state lives, and the stack file entries that say so. Pure:
 * no Automation API.
 *
 * On the first run the store does not exist yet, so the state starts in a file backend
 * (`bootstrap/.state`, gitignored) and moves into the store once it exists. The store's URL
 * holds a random suffix chosen at creation, and the state that knows it is in the store, so
 * the tool records it in the stack file (`platform-bootstrap:backendUrl`, not secret): the
 * file is checked in, and the next run, by anyone, starts from it. Pulumi records the store's
 * secrets provider in the same file (`secretsprovider`, `encryptedkey`).
 */
import path from "node:path";
import YAML from "yaml";
import { bootstrapKey } from "../../config/bootstrap.ts";

/**
 * Test seam, recognised only here: a folder that stands in for the cloud's object stores, for
 * the end-to-end tests, which reach no cloud. `s3://<bucket>?…` maps to
 * `file://<folder>/<bucket>` and `azblob://<container>?storage_account=<account>` to
 * `file://<folder>/<account>/<container>`; the DIY backend writes the same `.pulumi/` layout
 * under either. Unreachable KMS and Key Vault are replaced by the passphrase provider
 * (PULUMI_CONFIG_PASSPHRASE), so the seam never touches a cloud key.
 */
export const storeRootVariable = "PLATFORM_BOOTSTRAP_STORE_ROOT";

export const localStateDir = ".state";

/** The URL the engine logs in to for `backendUrl`: the URL itself, or its stand-in under the seam. */
export function storeLocation(backendUrl: string, env: NodeJS.ProcessEnv): string {
    const root = env[storeRootVariable];
    if (!root) {
        return backendUrl;
    }
    const url = new URL(backendUrl);
    const container = url.hostname;
    if (url.protocol === "s3:") {
        return `file://${path.join(root, container)}`;
    }
    const account = url.searchParams.get("storage_account");
    if (url.protocol === "azblob:" && account) {
        return `file://${path.join(root, account, container)}`;
    }
    throw new Error(`${backendUrl} is neither an s3:// nor an azblob://…?storage_account= URL`);
}

/** The secrets provider to give the stack in the store: the cloud key, or the passphrase under the seam. */
export function storeSecretsProvider(cloudProvider: string, env: NodeJS.ProcessEnv): string {
    return env[storeRootVariable] ? "passphrase" : cloudProvider;
}

const backendUrlKey = bootstrapKey(["backendUrl"]);
const releasingKey = bootstrapKey(["releasing"]);

/** The stack file with the store's URL recorded, comments kept. */
export function recordBackendUrl(stackFileText: string, backendUrl: string): string {
    const document = YAML.parseDocument(stackFileText);
    document.setIn(["config", backendUrlKey], backendUrl);
    return document.toString();
}

/** The stack file as it was before the first run: no store, no secrets provider, no release switch. */
export function forgetStore(stackFileText: string): string {
    const document = YAML.parseDocument(stackFileText);
    for (const key of ["secretsprovider", "encryptedkey", "encryptionsalt"]) {
        document.delete(key);
    }
    document.deleteIn(["config", backendUrlKey]);
    document.deleteIn(["config", releasingKey]);
    return document.toString();
}

/** The `secretsprovider` Pulumi recorded in the stack file, if any. */
export function recordedSecretsProvider(stackFileText: string): string | undefined {
    const value = (YAML.parse(stackFileText) as Record<string, unknown> | null)?.["secretsprovider"];
    return typeof value === "string" ? value : undefined;
}

/**
 * Stacks of projects other than `ownProject` among `pulumi stack ls --all` names: the
 * current project's stacks are listed bare (`aws`), others qualified (`organization/platform/dev`).
 */
export function foreignStacks(names: readonly string[], ownProject: string): string[] {
    return names.filter((name) => {
        const parts = name.split("/");
        return parts.length > 1 && parts[parts.length - 2] !== ownProject;
    });
}
