/**
 * IAM documents of the CI roles: GitHub's trust, the CI roles' permissions boundary and the
 * preview role's guard, plus the names and scope the deploy role's documents
 * (`aws-deploy-policy.ts`, `aws-deploy-access.ts`) share. Pure: plain JSON, tested against the names the program
 * generates.
 */
import type { AwsAccount } from "../aws/iam.ts";
import { clusterRolePolicies, ebsCsiDriverPolicy, nodeRolePolicies } from "../aws/managed-policies.ts";

/** The audience AWS STS expects in GitHub's OIDC tokens. */
export const awsAudience = "sts.amazonaws.com";

/** What the deploy role's documents are scoped to: the stack's account, names and resources. */
export interface AwsDeployScope extends AwsAccount {
    readonly region: string;
    readonly project: string;
    readonly stack: string;
    /** `<project>-<stack>` as physical names spell it, e.g. `platform-dev`. */
    readonly prefix: string;
    readonly clusterName: string;
    /** The CI roles themselves: the deploy role may never change them (nor the GitHub provider). */
    readonly ciRoleNames: readonly string[];
    /** ARN of the stack's workload permissions boundary (`workloadBoundaryArn`). */
    readonly boundaryArn: string;
    /** The ECR repositories the registry creates (configured names). */
    readonly repositories: readonly string[];
    /** The cluster's IAM OIDC provider once it exists; until then, any EKS issuer of the region. */
    readonly oidcProviderArn?: string | undefined;
    /** `aws.recoveryRegion`: where replicated backups and object replicas are made, if anywhere. */
    readonly recoveryRegion?: string | undefined;
}

export type Statement = Record<string, unknown>;

/** `<project>-<stack>-ci-`: the CI identity's managed policies, which the deploy role may not change. */
export function ciPolicyPrefix(scope: Pick<AwsDeployScope, "prefix">): string {
    return `${scope.prefix}-ci-`;
}

/** Name of one of the deploy role's managed policies, `<project>-<stack>-ci-deploy-<part>`. */
export function deployPolicyName(scope: Pick<AwsDeployScope, "prefix">, part: string): string {
    return `${ciPolicyPrefix(scope)}deploy-${part}`;
}

/** Name of the CI roles' permissions boundary, `<project>-<stack>-ci-boundary`. */
export function ciBoundaryName(scope: Pick<AwsDeployScope, "prefix">): string {
    return `${ciPolicyPrefix(scope)}boundary`;
}

/** An IAM policy document of `statements`, as IAM takes it. */
export function policyDocument(statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * Trust for GitHub Actions: the GitHub provider as principal, the STS audience, and `sub`
 * equal to one of `subjects` — no wildcard, so no other repository, branch or event matches.
 */
export function githubTrustPolicy(providerArn: string, subjects: readonly string[]): string {
    const host = "token.actions.githubusercontent.com";
    return policyDocument([{
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${host}:aud`]: awsAudience, [`${host}:sub`]: [...subjects] } },
    }]);
}

/** The S3 bucket(s) of this stack: `<project>-<stack>-data-<suffix>`. */
export function dataBucketPattern(scope: Pick<AwsDeployScope, "partition" | "prefix">): string {
    return `arn:${scope.partition}:s3:::${scope.prefix}-data-*`;
}

/**
 * Permissions boundary of the CI roles. They reach more than the workload boundary allows
 * (the deploy role builds the whole stack, and an administrator grants both the state
 * backend and secrets key outside it), so theirs is a guardrail rather than a list: whatever
 * an administrator ever attaches to them, they cannot mint long-lived credentials, administer
 * the account or organization, or change the CI identity itself. A boundary grants nothing.
 */
export function ciBoundaryPolicy(scope: Pick<AwsDeployScope, "partition" | "account" | "ciRoleNames">): string {
    return policyDocument([
        { Sid: "UpToTheRolesOwnPolicies", Effect: "Allow", Action: "*", Resource: "*" },
        {
            Sid: "DenyLongLivedCredentials",
            Effect: "Deny",
            Action: [
                "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential",
                "iam:UploadSSHPublicKey", "iam:UploadSigningCertificate", "sts:GetFederationToken",
            ],
            Resource: "*",
        },
        { Sid: "DenyAccountAdministration", Effect: "Deny", Action: ["organizations:*", "account:*"], Resource: "*" },
        {
            Sid: "DenyCiIdentityChanges",
            Effect: "Deny",
            Action: ["iam:Attach*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Tag*", "iam:Untag*", "iam:Update*"],
            Resource: scope.ciRoleNames.map((name) => `arn:${scope.partition}:iam::${scope.account}:role/${name}`),
        },
    ]);
}

/**
 * Guard on the preview role, which also carries AWS's ReadOnlyAccess: pull-request code runs
 * with it, so it may read configuration but not this stack's data, secret values, parameter
 * values, log contents or image layers. The Pulumi state backend is deliberately not denied.
 */
export function previewGuardPolicy(scope: Pick<AwsDeployScope, "partition" | "prefix">): string {
    return policyDocument([
        { Sid: "DenyDataObjects", Effect: "Deny", Action: "s3:GetObject*", Resource: `${dataBucketPattern(scope)}/*` },
        {
            Sid: "DenyValues",
            Effect: "Deny",
            Action: [
                "secretsmanager:GetSecretValue", "ssm:GetParameter*", "logs:GetLogEvents", "logs:FilterLogEvents",
                "logs:StartQuery", "logs:StartLiveTail", "logs:GetLogRecord", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            ],
            Resource: "*",
        },
    ]);
}

/** AWS managed policies the program attaches to its roles; the deploy role may attach nothing else. */
export const attachablePolicies: readonly string[] = [...clusterRolePolicies, ...nodeRolePolicies, ebsCsiDriverPolicy];

/**
 * Logical-name prefixes (the component names in `index.ts`) of the IAM roles and log groups
 * Pulumi autonamed `<logical name>-<7 random characters>` before `pulumi:autonaming` (Pulumi.yaml)
 * named them `<project>-<stack>-<logical name>`; stacks keep the names they have. A component
 * that starts creating roles must be added here; the CI identity test fails until it is.
 */
export const autonamedPrefixes: readonly string[] = ["network-", "cluster-", "database-", "kubernetes-bindings-", "workload-"];

/** Name patterns of the roles and log groups Pulumi names: the older random-suffix names and `<project>-<stack>-…`. */
export function autonamedPatterns(scope: Pick<AwsDeployScope, "prefix">): string[] {
    return [...autonamedPrefixes.map((name) => `${name}*`), `${scope.prefix}-*`];
}

/** Services that encrypt with the stack's keys on the deploy role's behalf (`kms:ViaService`). */
export const keyUsingServices: readonly string[] = ["secretsmanager", "rds", "elasticache", "s3", "eks"];

/** Services that write the stack's copies in `aws.recoveryRegion` under that region's key: replicated backups and objects. */
export const recoveryKeyServices: readonly string[] = ["rds", "s3"];

/** `kms:ViaService` values of the deploy role's data key use: the stack's region, and the recovery region's copies. */
export function keyViaServices(scope: Pick<AwsDeployScope, "region" | "recoveryRegion">): string[] {
    const via = (services: readonly string[], region: string) => services.map((service) => `${service}.${region}.amazonaws.com`);
    return [...via(keyUsingServices, scope.region), ...(scope.recoveryRegion ? via(recoveryKeyServices, scope.recoveryRegion) : [])];
}

/** ARN builder and the conditions every deploy document uses. */
export function scoped(scope: AwsDeployScope) {
    const { partition, account, region } = scope;
    return {
        arn: (service: string, resource: string, inRegion = true) => `arn:${partition}:${service}:${inRegion ? region : ""}:${account}:${resource}`,
        ours: { "aws:ResourceTag/stack": scope.stack, "aws:ResourceTag/project": scope.project },
        creatingOurs: { "aws:RequestTag/stack": scope.stack, "aws:RequestTag/project": scope.project },
        /** A tag request may not strip the stack's ownership tags. */
        keepsOwnership: { "ForAllValues:StringNotEquals": { "aws:TagKeys": ["stack", "project"] } },
        inRegion: { StringEquals: { "aws:RequestedRegion": region } },
    };
}
