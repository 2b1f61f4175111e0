import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clusterAdminAccessPolicy } from "../aws/managed-policies.ts";
import { AwsCluster } from "../cluster/aws.ts";
import { cloudSettings } from "../../config/context.ts";
import { nameRules, physicalName, stackPrefix } from "../../lib/naming.ts";
import { AwsNetwork } from "../network/aws.ts";
import { arnParts, awsManagedPolicy } from "../aws/iam.ts";
import { deployPolicies, deployPolicyParts } from "./aws-deploy-policy.ts";
import { awsAudience, ciBoundaryName, ciBoundaryPolicy, deployPolicyName, githubTrustPolicy, previewGuardPolicy } from "./aws-policy.ts";
import { githubIssuer, trustedSubjects, type CiIdentity, type CiIdentityArgs, type TrustedSubject, type TrustedSubjects } from "./ci-identity.ts";
import { narrow } from "../narrow.ts";

/** GitHub's tokens live minutes; a job gets one hour, the shortest session IAM allows. */
export const ciSessionSeconds = 3600;

export const clusterViewAccessPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/**
 * GitHub Actions on AWS: the account's GitHub OIDC provider (AWS validates GitHub's
 * certificate against its own trusted CAs, so no thumbprint), a deploy role trusted only by
 * the configured branches and environments, and — when pull requests may preview — a
 * separate `…-ci-preview` role with ReadOnlyAccess trusted only by the repository's pull
 * requests. Both carry an EKS access entry: cluster admin to deploy, view to preview, and the
 * CI guardrail boundary (`ciBoundaryPolicy`). The deploy role's permissions are four managed
 * policies (`deployPolicies`): it manages roles only under the stack's workload boundary.
 * Sessions last at most an hour and no access key exists. Not `protect`ed: identities hold
 * no data and are recreated by the next `pulumi up`.
 */
export class AwsCiIdentity extends pulumi.ComponentResource implements CiIdentity {
    readonly issuer = githubIssuer;
    readonly audience = awsAudience;
    readonly deployId: pulumi.Output<string>;
    readonly previewId?: pulumi.Output<string> | undefined;
    readonly accountId: pulumi.Output<string>;
    readonly tenantId: pulumi.Output<string>;
    readonly subjects: TrustedSubjects;

    constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ci-identity:AwsCiIdentity", name, {}, opts);
        const { context } = args;
        const { region } = cloudSettings(context, "aws");
        const cluster = narrow(args.cluster, AwsCluster);
        const network = narrow(args.network, AwsNetwork);
        const subjects = trustedSubjects(args);
        const roleName = (purpose: string) => physicalName([context.project, context.stack, "ci", purpose], nameRules.iamRole);
        const prefix = stackPrefix(context);
        const parent = { parent: this };

        // IAM allows one provider per URL and account: a second stack in the account reuses the first one's.
        const providerArn = args.aws?.oidcProviderArn !== undefined
            ? pulumi.output(args.aws.oidcProviderArn)
            : new aws.iam.OpenIdConnectProvider(`${name}-github`, { url: githubIssuer, clientIdLists: [awsAudience] }, parent).arn;
        const parts = providerArn.apply(arnParts);
        const ciRoleNames = [roleName("deploy"), roleName("preview")];

        const boundary = new aws.iam.Policy(`${name}-boundary`, {
            name: ciBoundaryName({ prefix }),
            description: `Permissions boundary of the CI roles of ${context.project}/${context.stack}`,
            policy: parts.apply(({ partition, account }) => ciBoundaryPolicy({ partition, account, ciRoleNames })),
        }, parent);
        const role = (purpose: string, trusted: readonly TrustedSubject[], description: string) =>
            new aws.iam.Role(`${name}-${purpose}`, {
                name: roleName(purpose),
                description,
                assumeRolePolicy: providerArn.apply((arn) => githubTrustPolicy(arn, trusted.map((entry) => entry.subject))),
                maxSessionDuration: ciSessionSeconds,
                permissionsBoundary: boundary.arn,
            }, parent);
        const clusterAccess = (purpose: string, principalArn: pulumi.Output<string>, policyArn: string) => {
            const entry = new aws.eks.AccessEntry(`${name}-${purpose}`, { clusterName: cluster.clusterName, principalArn, type: "STANDARD" }, parent);
            new aws.eks.AccessPolicyAssociation(`${name}-${purpose}`, {
                clusterName: cluster.clusterName,
                principalArn,
                policyArn,
                accessScope: { type: "cluster" },
            }, { parent: this, dependsOn: [entry] });
        };

        const deploy = role("deploy", subjects.deploy, `Deploys ${context.project}/${context.stack} from GitHub Actions`);
        // The registry is created before the CI identity (index.ts), so its repositories are known here.
        const repositories = cluster.imageRepositories;
        const documents = pulumi.all([parts, cluster.clusterName, network.workloadBoundaryArn, cluster.oidcProviderArn])
            .apply(([{ partition, account }, clusterName, boundaryArn, oidcProviderArn]) => deployPolicies({
                partition,
                account,
                region,
                project: context.project,
                stack: context.stack,
                prefix,
                clusterName,
                ciRoleNames,
                boundaryArn,
                repositories,
                oidcProviderArn,
                recoveryRegion: context.aws?.recoveryRegion,
            }));
        for (const part of deployPolicyParts) {
            const policy = new aws.iam.Policy(`${name}-deploy-${part}`, {
                name: deployPolicyName({ prefix }, part),
                description: `Deploys ${context.project}/${context.stack} from GitHub Actions: ${part}`,
                policy: documents.apply((all) => all[part]),
            }, parent);
            new aws.iam.RolePolicyAttachment(`${name}-deploy-${part}`, { role: deploy.name, policyArn: policy.arn }, parent);
        }
        clusterAccess("deploy", deploy.arn, clusterAdminAccessPolicy);

        if (subjects.preview.length > 0) {
            const preview = role("preview", subjects.preview, `Previews ${context.project}/${context.stack} for pull requests; read-only`);
            new aws.iam.RolePolicyAttachment(`${name}-preview`, { role: preview.name, policyArn: awsManagedPolicy("ReadOnlyAccess") }, parent);
            new aws.iam.RolePolicy(`${name}-preview`, {
                role: preview.name,
                policy: parts.apply(({ partition }) => previewGuardPolicy({ partition, prefix })),
            }, parent);
            clusterAccess("preview", preview.arn, clusterViewAccessPolicy);
            this.previewId = preview.arn;
        }

        this.deployId = deploy.arn;
        this.accountId = parts.apply((value) => value.account);
        // IAM identities belong to the account; there is no separate directory.
        this.tenantId = this.accountId;
        this.subjects = subjects;
        this.registerOutputs({
            deployId: this.deployId,
            previewId: this.previewId,
            accountId: this.accountId,
            tenantId: this.tenantId,
        });
    }
}
