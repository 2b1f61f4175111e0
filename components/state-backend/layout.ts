/**
 * Where Pulumi's DIY backend keeps a stack's files, and the URLs and commands that point a
 * platform stack at the store. Pure: no provider SDK.
 *
 * The layout is the project-scoped one (`.pulumi/meta.yaml` version 1), which the backend
 * picks for an empty store; checked against pulumi/pkg/v3@v3.259.0/backend/diy: store.go
 * (`StackBasePath`, `HistoryDir`, `BackupDir`), lock.go (`lockPath`), stack_tags.go
 * (`stackTagsPath`) and meta.go.
 */

export const metaFile = ".pulumi/meta.yaml";

/** A stack's files in the store, as key prefixes. */
export interface StackFiles {
    /**
     * `.pulumi/stacks/<project>/<stack>.`: the checkpoint (`.json`, or `.json.gz` / `.json.zst`
     * when compressed), its `.bak` copy, and the stack's tags (`.pulumi-tags`).
     */
    readonly checkpoint: string;
    /** `.pulumi/history/<project>/<stack>/`: one `.history.json` and `.checkpoint.json` per update. */
    readonly history: string;
    /** `.pulumi/backups/<project>/<stack>/`: a copy of the checkpoint after every update. */
    readonly backups: string;
    /** `.pulumi/locks/<project>/<stack>/`: `<lock id>.json` while an update runs. */
    readonly locks: string;
}

export function stackFiles(project: string, stack: string): StackFiles {
    return {
        checkpoint: `.pulumi/stacks/${project}/${stack}.`,
        history: `.pulumi/history/${project}/${stack}/`,
        backups: `.pulumi/backups/${project}/${stack}/`,
        locks: `.pulumi/locks/${project}/${stack}/`,
    };
}

/** `s3://<bucket>?region=<region>`: the region saves the SDK a lookup and pins the endpoint. */
export function s3BackendUrl(bucket: string, region: string): string {
    return `s3://${bucket}?region=${region}`;
}

/**
 * `azblob://<container>?storage_account=<account>`. With no AZURE_STORAGE_KEY, SAS token or
 * connection string in the environment, gocloud's azureblob opener signs in with
 * DefaultAzureCredential (`az login`, or the federated token in CI): the account refuses
 * shared keys anyway (gocloud.dev blob/azureblob/azureblob.go, `NewDefaultClient`).
 */
export function azblobBackendUrl(container: string, account: string): string {
    return `azblob://${container}?storage_account=${account}`;
}

/** The KMS encryption context that ties a stack's data key to that stack (`kms:EncryptionContext:stack`). */
export const encryptionContextKey = "stack";

export function encryptionContext(project: string, stack: string): string {
    return `${project}/${stack}`;
}

/**
 * `awskms://alias/<name>?region=<region>&context_stack=<project>/<stack>`: gocloud's awskms
 * keeper passes every `context_` parameter as KMS encryption context on Encrypt and Decrypt
 * (gocloud.dev secrets/awskms/kms.go), so the key policy can grant each stack its own data key only.
 */
export function awsKmsSecretsProvider(aliasName: string, region: string, project: string, stack: string): string {
    return `awskms://${aliasName}?region=${region}&context_${encryptionContextKey}=${encryptionContext(project, stack)}`;
}

/**
 * `https://<vault>.vault.azure.net/keys/<key>/<version>` → `azurekeyvault://…/keys/<key>/<version>`.
 * Pinned to the version: without one the keeper decrypts with the key's latest version, which
 * a rotation changes, and the stack's data key would no longer open (gocloud.dev
 * secrets/azurekeyvault/akv.go decrypts with the URL's version).
 */
export function azureKeyVaultSecretsProvider(keyUriWithVersion: string): string {
    const match = /^https:\/\/([^/]+)\/keys\/([^/]+)\/([^/]+)$/.exec(keyUriWithVersion);
    if (!match) {
        throw new Error(`"${keyUriWithVersion}" is not a versioned Key Vault key URI`);
    }
    return `azurekeyvault://${match[1]}/keys/${match[2]}/${match[3]}`;
}

/** Single-quoted for a POSIX shell: the URLs hold `?` and `&`. */
function quoted(value: string): string {
    return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** The commands that point the platform project at the store, one per line, in order. */
export function nextSteps(backendUrl: string, secretsProviders: Record<string, string>): string[] {
    return [
        `pulumi login ${quoted(backendUrl)}`,
        ...Object.entries(secretsProviders).map(([stack, provider]) => `pulumi stack init ${stack} --secrets-provider ${quoted(provider)}`),
    ];
}
