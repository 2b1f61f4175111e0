import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicy, clusterAdminAccessPolicy } from "../cluster/aws-iam.ts";
import { AwsCluster } from "../cluster/aws.ts";
import { cloudSettings } from "../context.ts";
import { nameRules, physicalName } from "../naming.ts";
import { awsAudience, deployPolicy, githubTrustPolicy, previewGuardPolicy } from "./aws-policy.ts";
import { githubIssuer, trustedSubjects, type CiIdentity, type CiIdentityArgs, type TrustedSubject, type TrustedSubjects } from "./ci-identity.ts";

/** GitHub's tokens live minutes; a job gets one hour, the shortest session IAM allows. */
export const ciSessionSeconds = 3600;

export const clusterViewAccessPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/** `arn:aws:iam::123456789012:…` → its partition and account; no lookup call needed. */
function arnParts(arn: string): { partition: string; account: string } {
    const [, partition, , , account] = arn.split(":");
    if (!partition || !account) {
        throw new Error(`"${arn}" is not an ARN`);
    }
    return { partition, account };
}

/**
 * GitHub Actions on AWS: the account's GitHub OIDC provider (AWS validates GitHub's
 * certificate against its own trusted CAs, so no thumbprint), a deploy role trusted only by
 * the configured branches and environments, and — when pull requests may preview — a
 * separate `…-ci-preview` role with ReadOnlyAccess trusted only by the repository's pull
 * requests. Both carry an EKS access entry: cluster admin to deploy, view to preview.
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
        const cluster = AwsCluster.from(args.cluster);
        const subjects = trustedSubjects(args);
        const roleName = (purpose: string) => physicalName([context.project, context.stack, "ci", purpose], nameRules.iamRole);
        const prefix = physicalName([context.project, context.stack], nameRules.display);
        const parent = { parent: this };

        // IAM allows one provider per URL and account: a second stack in the account reuses the first one's.
        const providerArn = args.aws?.oidcProviderArn !== undefined
            ? pulumi.output(args.aws.oidcProviderArn)
            : new aws.iam.OpenIdConnectProvider(`${name}-github`, { url: githubIssuer, clientIdLists: [awsAudience] }, parent).arn;
        const parts = providerArn.apply(arnParts);

        const role = (purpose: string, trusted: readonly TrustedSubject[], description: string) =>
            new aws.iam.Role(`${name}-${purpose}`, {
                name: roleName(purpose),
                description,
                assumeRolePolicy: providerArn.apply((arn) => githubTrustPolicy(arn, trusted.map((entry) => entry.subject))),
                maxSessionDuration: ciSessionSeconds,
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
        new aws.iam.RolePolicy(`${name}-deploy`, {
            role: deploy.name,
            policy: pulumi.all([parts, cluster.clusterName]).apply(([{ partition, account }, clusterName]) =>
                deployPolicy({
                    partition,
                    account,
                    region,
                    project: context.project,
                    stack: context.stack,
                    prefix,
                    clusterName,
                    ciRoleNames: [roleName("deploy"), roleName("preview")],
                })),
        }, parent);
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
