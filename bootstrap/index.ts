/**
 * The bootstrap program: one stack per cloud account or subscription (`Pulumi.<cloud>.yaml`)
 * creates the state store and the secrets-provider key the platform's stacks use, and says
 * how to point them at it. Run it through `npm run bootstrap -- <aws|azure>`, which also
 * moves this stack's own state into the store it creates.
 */
import * as pulumi from "@pulumi/pulumi";
import { bootstrapNamespace, parseBootstrapConfig } from "../config/bootstrap.ts";
import { ConfigError } from "../config/errors.ts";
import { namespaceValues } from "../config/values.ts";
import { nextSteps as commands } from "../components/state-backend/layout.ts";
import { createStateBackend, type StateBackendArgs } from "../components/state-backend/index.ts";

const config = readConfig();
const project = pulumi.getProject();
const stack = pulumi.getStack();
const args: StateBackendArgs = {
    platform: config.platform,
    noncurrentVersionDays: config.noncurrentVersionDays,
    releasing: config.releasing,
    tags: { ...config.tags, project, stack, "managed-by": "pulumi" },
    self: { project, stack },
};

const backend = await createStateBackend("state", config, args);

export const cloud = config.cloud;
export const backendUrl = backend.backendUrl;
/**
 * Per platform stack, for `pulumi stack init <stack> --secrets-provider`: one key context (AWS) or
 * key (Azure) per stack, so one stack's CI identity cannot decrypt another stack's secrets.
 */
export const secretsProvider = backend.secretsProviders;
/** This stack's own, which tools/bootstrap.ts gives it when it moves the state into the store. */
export const bootstrapSecretsProvider = backend.ownSecretsProvider;
/** From an empty backend to the platform's stacks, in order. */
export const nextSteps = pulumi.all([backend.backendUrl, backend.secretsProviders]).apply(([url, providers]) => commands(url, providers));

/** The `platform-bootstrap:` values, validated; a bad one stops the program with one line naming the key. */
function readConfig() {
    try {
        return parseBootstrapConfig(namespaceValues(pulumi.runtime.allConfig(), bootstrapNamespace));
    } catch (error) {
        throw error instanceof ConfigError ? new pulumi.RunError(error.message) : error;
    }
}
