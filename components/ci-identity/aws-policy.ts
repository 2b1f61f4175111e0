/**
 * IAM documents of the CI roles. Pure: plain JSON, tested against the names the program
 * generates.
 *
 * Scoping, in order of preference: the exact names this program gives (`<project>-<stack>…`,
 * `platform/<stack>/…`, the cluster's name); the `stack` and `project` tags the provider puts
 * on everything it creates; the logical-name prefixes of roles and log groups Pulumi
 * autonames; and, where a service has no usable resource scope, the stack's region.
 */
import { clusterRolePolicies, nodeRolePolicies } from "../cluster/aws-iam.ts";

/** The audience AWS STS expects in GitHub's OIDC tokens. */
export const awsAudience = "sts.amazonaws.com";

/** AWS managed policies the program attaches to its roles; the deploy role may attach nothing else. */
export const attachablePolicies: readonly string[] = [
    ...clusterRolePolicies,
    ...nodeRolePolicies,
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
];

/**
 * Logical-name prefixes (the component names in `index.ts`) of the IAM roles and log groups
 * Pulumi autonames `<logical name>-<7 random characters>`. `iam:PassRole` cannot be limited
 * by tags, so these names are its only scope. A component that starts creating roles must be
 * added here; the CI identity test fails until it is.
 */
export const autonamedPrefixes: readonly string[] = ["network-", "cluster-", "kubernetes-bindings-"];

/** Service-linked roles the services of this program create on first use. */
const serviceLinkedRoles = [
    "eks.amazonaws.com",
    "eks-nodegroup.amazonaws.com",
    "autoscaling.amazonaws.com",
    "elasticache.amazonaws.com",
    "rds.amazonaws.com",
];

export interface AwsDeployScope {
    readonly partition: string;
    readonly account: string;
    readonly region: string;
    readonly project: string;
    readonly stack: string;
    /** `<project>-<stack>` as physical names spell it, e.g. `platform-dev`. */
    readonly prefix: string;
    readonly clusterName: string;
    /** The CI roles themselves: the deploy role may never change them (nor the GitHub provider). */
    readonly ciRoleNames: readonly string[];
}

type Statement = Record<string, unknown>;

function document(statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * Trust for GitHub Actions: the GitHub provider as principal, the STS audience, and `sub`
 * equal to one of `subjects` — no wildcard, so no other repository, branch or event matches.
 */
export function githubTrustPolicy(providerArn: string, subjects: readonly string[]): string {
    const host = "token.actions.githubusercontent.com";
    return document([{
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
 * The deploy role's permissions: what `pulumi up`, `refresh` and `destroy` of this program
 * need, and no `"*"` action anywhere.
 *
 * Limit that remains: a role that may write inline policies of the roles it manages can give
 * those roles more than it has itself, and code running as them (a pod, a node) could use
 * it. The sts:AssumeRole deny closes the direct path; closing the rest needs a permissions
 * boundary on every role the program creates (`iam:PermissionsBoundary` conditions here).
 */
export function deployPolicy(scope: AwsDeployScope): string {
    const { partition, account, region, prefix, clusterName } = scope;
    const arn = (service: string, resource: string, inRegion = true) =>
        `arn:${partition}:${service}:${inRegion ? region : ""}:${account}:${resource}`;
    const ours = { "aws:ResourceTag/stack": scope.stack, "aws:ResourceTag/project": scope.project };
    const creatingOurs = { "aws:RequestTag/stack": scope.stack, "aws:RequestTag/project": scope.project };
    const inRegion = { StringEquals: { "aws:RequestedRegion": region } };
    const autonamedRoles = autonamedPrefixes.map((name) => arn("iam", `role/${name}*`, false));
    const bucket = dataBucketPattern(scope);

    return document([
        {
            Sid: "Read",
            Effect: "Allow",
            Action: [
                "ec2:Describe*", "eks:Describe*", "eks:List*", "rds:Describe*", "rds:ListTagsForResource",
                "elasticache:Describe*", "elasticache:ListTagsForResource", "autoscaling:Describe*", "logs:Describe*",
                "logs:ListTagsForResource", "logs:ListTagsLogGroup", "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys",
                "secretsmanager:ListSecrets", "ecr:DescribeRepositories", "iam:Get*", "iam:List*",
            ],
            Resource: "*",
        },
        {
            Sid: "Network",
            Effect: "Allow",
            Action: [
                "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:CreateSubnet", "ec2:DeleteSubnet",
                "ec2:ModifySubnetAttribute", "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:DeleteRoute",
                "ec2:ReplaceRoute", "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation",
                "ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
                "ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress", "ec2:CreateNatGateway", "ec2:DeleteNatGateway",
                "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroup*", "ec2:RevokeSecurityGroup*",
                "ec2:ModifySecurityGroupRules", "ec2:UpdateSecurityGroupRuleDescriptions*", "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs",
                "ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:CreateLaunchTemplate",
                "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate",
                "ec2:DeleteLaunchTemplateVersions", "ec2:CreateTags", "ec2:DeleteTags",
            ],
            Resource: "*",
            Condition: inRegion,
        },
        {
            Sid: "Cluster",
            Effect: "Allow",
            Action: "eks:*",
            Resource: ["cluster", "nodegroup", "addon", "access-entry", "podidentityassociation"]
                .map((type) => arn("eks", type === "cluster" ? `cluster/${clusterName}` : `${type}/${clusterName}/*`)),
        },
        {
            Sid: "Database",
            Effect: "Allow",
            Action: "rds:*",
            Resource: [`db:${prefix}-*`, `snapshot:${prefix}-*`, "pg:*", "subgrp:*", "og:*"].map((resource) => arn("rds", resource)),
        },
        {
            Sid: "Cache",
            Effect: "Allow",
            Action: "elasticache:*",
            Resource: [`replicationgroup:${prefix}*`, `cluster:${prefix}*`, `snapshot:${prefix}*`, "parametergroup:*", "subnetgroup:*", "user:*", "usergroup:*"]
                .map((resource) => arn("elasticache", resource)),
        },
        {
            // Bucket settings, and deleting objects so a dev bucket can be destroyed; never reading them.
            Sid: "Storage",
            Effect: "Allow",
            Action: ["s3:*"],
            Resource: bucket,
        },
        { Sid: "StorageEmpty", Effect: "Allow", Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: `${bucket}/*` },
        {
            Sid: "SecretValues",
            Effect: "Allow",
            Action: "secretsmanager:*",
            Resource: arn("secretsmanager", `secret:${scope.project}/${scope.stack}/*`),
        },
        // Creating with tags also takes the tagging action; the tags must name this stack.
        { Sid: "KeysCreate", Effect: "Allow", Action: ["kms:CreateKey", "kms:TagResource"], Resource: "*", Condition: { StringEquals: creatingOurs } },
        {
            Sid: "Keys",
            Effect: "Allow",
            Action: [
                "kms:Get*", "kms:ListResourceTags", "kms:ListGrants", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:DisableKeyRotation",
                "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:UpdateKeyDescription",
                "kms:CreateGrant", "kms:RetireGrant", "kms:RevokeGrant", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
            ],
            Resource: arn("kms", "key/*"),
            Condition: { StringEquals: ours },
        },
        {
            // Alias calls authorize the alias and its key; key tags cannot be checked here, the alias name can.
            Sid: "KeyAliases",
            Effect: "Allow",
            Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            Resource: [arn("kms", `alias/${prefix}-*`), arn("kms", "key/*")],
        },
        {
            // ECR encrypts with the AWS managed key through a grant; only an AWS service can use it.
            Sid: "ServiceGrants",
            Effect: "Allow",
            Action: ["kms:CreateGrant", "kms:RetireGrant"],
            Resource: arn("kms", "key/*"),
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
        {
            Sid: "Registry",
            Effect: "Allow",
            Action: [
                "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:ListTagsForResource", "ecr:TagResource", "ecr:UntagResource",
                "ecr:*LifecyclePolicy", "ecr:*RepositoryPolicy", "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
            ],
            Resource: arn("ecr", "repository/*"),
        },
        {
            Sid: "Logs",
            Effect: "Allow",
            Action: [
                "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
                "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:UntagLogGroup",
                "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
            ],
            Resource: [`/aws/eks/${clusterName}/*`, `/aws/elasticache/${prefix}/*`, ...autonamedPrefixes.map((name) => `${name}*`)]
                .map((group) => arn("logs", `log-group:${group}`)),
        },
        {
            // ElastiCache's slow log is a vended delivery; these calls take no resource.
            Sid: "LogDelivery",
            Effect: "Allow",
            Action: ["logs:*LogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies"],
            Resource: "*",
            Condition: inRegion,
        },
        {
            Sid: "Budget",
            Effect: "Allow",
            Action: ["budgets:ViewBudget", "budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource", "budgets:ListTagsForResource"],
            Resource: arn("budgets", `budget/${prefix}`, false),
        },
        {
            Sid: "RolesCreate",
            Effect: "Allow",
            Action: ["iam:CreateRole", "iam:TagRole"],
            Resource: autonamedRoles,
            Condition: { StringEquals: creatingOurs },
        },
        {
            Sid: "Roles",
            Effect: "Allow",
            Action: [
                "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:TagRole", "iam:UntagRole",
            ],
            Resource: autonamedRoles,
            Condition: { StringEquals: ours },
        },
        {
            Sid: "RolePolicies",
            Effect: "Allow",
            Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            Resource: autonamedRoles,
            Condition: { StringEquals: ours, ArnEquals: { "iam:PolicyARN": [...attachablePolicies] } },
        },
        // PassRole ignores resource tags: the role names are its scope.
        { Sid: "PassRoles", Effect: "Allow", Action: "iam:PassRole", Resource: autonamedRoles },
        {
            Sid: "ClusterOidcProvider",
            Effect: "Allow",
            Action: [
                "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
            ],
            Resource: arn("iam", `oidc-provider/oidc.eks.${region}.amazonaws.com/id/*`, false),
        },
        {
            Sid: "ServiceLinkedRoles",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: "*",
            Condition: { StringEquals: { "iam:AWSServiceName": serviceLinkedRoles } },
        },
        {
            // CI cannot widen its own access: changes to the CI identity are applied by an administrator.
            Sid: "DenyCiIdentityChanges",
            Effect: "Deny",
            Action: ["iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:PassRole", "iam:Put*", "iam:Remove*", "iam:Tag*", "iam:Untag*", "iam:Update*"],
            Resource: [
                ...scope.ciRoleNames.map((name) => arn("iam", `role/${name}`, false)),
                arn("iam", "oidc-provider/token.actions.githubusercontent.com", false),
            ],
        },
        // No hopping into a role it manages, whatever that role's trust policy says.
        { Sid: "DenyRoleChaining", Effect: "Deny", Action: ["sts:AssumeRole"], Resource: "*" },
    ]);
}

/**
 * Guard on the preview role, which also carries AWS's ReadOnlyAccess: pull-request code runs
 * with it, so it may read configuration but not this stack's data, secret values, parameter
 * values, log contents or image layers. The Pulumi state backend is deliberately not denied.
 */
export function previewGuardPolicy(scope: Pick<AwsDeployScope, "partition" | "prefix">): string {
    return document([
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
