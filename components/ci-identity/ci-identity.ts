import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../cluster/cluster.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { CiConfig } from "../../config/schema.ts";
import type { Network } from "../network/network.ts";

/** The issuer of GitHub Actions' OIDC tokens. */
export const githubIssuer = "https://token.actions.githubusercontent.com";

/** `platform:ci` (keys, defaults and limits in `config/`) plus what the program wires. */
export interface CiIdentityArgs extends CiConfig {
    readonly context: PlatformContext;
    /** On Azure the identities' roles are scoped to the network's resource group. */
    readonly network: Network;
    /** The cluster the deploy identity administers and the preview identity reads. */
    readonly cluster: Cluster;
}

/** One `sub` claim an identity trusts, with a stable key for the resources that carry it. */
export interface TrustedSubject {
    readonly subject: string;
    /** Lower-case letters, digits and hyphens, unique per identity: `branch-main`, `pull-request`. */
    readonly key: string;
}

/** The subjects of each identity: deploy (environments) and preview (branches, pull requests). */
export interface TrustedSubjects {
    readonly deploy: readonly TrustedSubject[];
    /** Empty when neither branches nor pull requests may read: then no preview identity exists. */
    readonly preview: readonly TrustedSubject[];
}

/**
 * The CI identities as the workflow sees them, the same on every cloud: what to assume, the
 * audience to request the token for, and where the identities act.
 */
export interface CiIdentity {
    readonly issuer: string;
    /** Audience of the OIDC token the workflow requests. */
    readonly audience: string;
    /** The deploy identity: an IAM role ARN (AWS) or a managed identity's client id (Azure). */
    readonly deployId: pulumi.Output<string>;
    /** The read-only identity of previews and drift checks; undefined when nothing may read. */
    readonly previewId?: pulumi.Output<string> | undefined;
    /** The AWS account or the Azure subscription the identities act in. */
    readonly accountId: pulumi.Output<string>;
    /** Who issues the identities' credentials: the Entra tenant (Azure); the account itself (AWS). */
    readonly tenantId: pulumi.Output<string>;
    readonly subjects: TrustedSubjects;
}

/**
 * GitHub's `sub` claims for the configured repository, split by identity. Only jobs running
 * in a deploy environment (`environment:<name>`) reach the deploy identity, so the
 * environment's required reviewers are an approval the cloud enforces too. Jobs in a preview
 * environment, branch runs outside an environment (`ref:refs/heads/<branch>`) and, in dev,
 * pull requests (`pull_request`) only reach the read-only preview identity.
 */
export function trustedSubjects(args: Pick<CiIdentityArgs, "repository" | "branches" | "environments" | "previewEnvironments" | "pullRequests">): TrustedSubjects {
    const repo = `repo:${args.repository}`;
    const inEnvironment = (environment: string) => ({ subject: `${repo}:environment:${environment}`, key: subjectKey("environment", environment) });
    return {
        deploy: args.environments.map(inEnvironment),
        preview: [
            ...args.previewEnvironments.map(inEnvironment),
            ...args.branches.map((branch) => ({ subject: `${repo}:ref:refs/heads/${branch}`, key: subjectKey("branch", branch) })),
            ...(args.pullRequests ? [{ subject: `${repo}:pull_request`, key: "pull-request" }] : []),
        ],
    };
}

/** `feature/Login` → `branch-feature-login-<hash>`: a hash keeps names that normalize alike apart. */
export function subjectKey(kind: "branch" | "environment", value: string): string {
    const slug = value.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
    const exact = slug === value;
    return `${kind}-${exact ? slug : `${slug}-${createHash("sha256").update(value).digest("hex").slice(0, 6)}`}`;
}
