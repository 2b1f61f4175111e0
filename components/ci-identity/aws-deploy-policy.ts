/**
 * The CI deploy role's permissions, four managed policies. Pure: plain JSON, tested
 * against the names the program generates.
 *
 * Scoping, in order of preference: the exact names this program gives (`<project>-<stack>…`,
 * `platform/<stack>/…`, the cluster's name, the configured repositories); the `stack` and
 * `project` tags the provider puts on everything it creates — `aws:RequestTag` where a
 * resource is created with its tags, `aws:ResourceTag` for everything done to it afterwards;
 * the logical-name prefixes of roles and log groups Pulumi autonames; and, where a service
 * has no usable resource scope, the stack's region.
 *
 * Roles: the deploy role may create and change roles only when they carry the stack's
 * workload permissions boundary (`iam:PermissionsBoundary`), which it can neither change nor
 * remove, and pass them only to the services the program hands roles to. Whatever it writes
 * into a role, that role can never do more than the platform's own roles need.
 */
import { clusterRolePolicies, ebsCsiDriverPolicy, nodeRolePolicies } from "../aws/managed-policies.ts";
import { passedToServices } from "../aws/iam.ts";
import { ciPolicyPrefix, dataBucketPattern, policyDocument, type AwsDeployScope } from "./aws-policy.ts";

/** AWS managed policies the program attaches to its roles; the deploy role may attach nothing else. */
export const attachablePolicies: readonly string[] = [...clusterRolePolicies, ...nodeRolePolicies, ebsCsiDriverPolicy];

/**
 * Logical-name prefixes (the component names in `index.ts`) of the IAM roles and log groups
 * Pulumi autonames `<logical name>-<7 random characters>`. A component that starts creating
 * roles must be added here; the CI identity test fails until it is.
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

/** Services that encrypt with the stack's keys on the deploy role's behalf (`kms:ViaService`). */
export const keyUsingServices: readonly string[] = ["secretsmanager", "rds", "elasticache", "s3", "eks"];

/**
 * EC2 creates of the program and the resource types they create. Each supports tags on
 * create (`TagSpecifications`, hence `aws:RequestTag`) per the Service Authorization
 * Reference, and the AWS provider sends the stack's tags with it.
 */
const ec2Creates: Record<string, string> = {
    CreateVpc: "vpc",
    CreateSubnet: "subnet",
    CreateRouteTable: "route-table",
    CreateInternetGateway: "internet-gateway",
    AllocateAddress: "elastic-ip",
    CreateNatGateway: "natgateway",
    CreateSecurityGroup: "security-group",
    CreateFlowLogs: "vpc-flow-log",
    CreateVpcEndpoint: "vpc-endpoint",
    CreateLaunchTemplate: "launch-template",
};

/** EC2 changes the program makes to resources it created (and so tagged). */
const ec2Changes = [
    "DeleteVpc", "ModifyVpcAttribute", "DeleteSubnet", "ModifySubnetAttribute", "DeleteRouteTable", "CreateRoute", "DeleteRoute", "ReplaceRoute",
    "AssociateRouteTable", "DisassociateRouteTable", "ReplaceRouteTableAssociation", "DeleteInternetGateway", "AttachInternetGateway",
    "DetachInternetGateway", "ReleaseAddress", "DisassociateAddress", "DeleteNatGateway", "DeleteSecurityGroup", "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "UpdateSecurityGroupRuleDescriptionsIngress",
    "UpdateSecurityGroupRuleDescriptionsEgress", "DeleteFlowLogs", "ModifyVpcEndpoint", "DeleteVpcEndpoints", "CreateLaunchTemplateVersion",
    "ModifyLaunchTemplate", "DeleteLaunchTemplate", "DeleteLaunchTemplateVersions", "CreateTags", "DeleteTags",
].map((action) => `ec2:${action}`);

/** The S3 bucket settings the storage component manages and the provider reads back; no object action. */
export const bucketActions: readonly string[] = [
    "CreateBucket", "DeleteBucket", "ListBucket", "ListBucketVersions", "GetBucketLocation", "GetBucketTagging", "PutBucketTagging", "GetBucketAcl",
    "GetBucketCORS", "GetBucketWebsite", "GetBucketLogging", "GetBucketRequestPayment", "GetAccelerateConfiguration", "GetReplicationConfiguration",
    "GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "GetBucketOwnershipControls", "PutBucketOwnershipControls", "GetEncryptionConfiguration",
    "PutEncryptionConfiguration", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "GetBucketVersioning", "PutBucketVersioning",
    "GetLifecycleConfiguration", "PutLifecycleConfiguration", "GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration",
].map((action) => `s3:${action}`);

/** What the program does with its secrets; no resource policy (it sets none). */
const secretActions = [
    "CreateSecret", "DeleteSecret", "RestoreSecret", "DescribeSecret", "GetResourcePolicy", "GetSecretValue", "PutSecretValue", "UpdateSecret",
    "UpdateSecretVersionStage", "ListSecretVersionIds", "TagResource", "UntagResource",
].map((action) => `secretsmanager:${action}`);

/** ARN builder and the conditions every deploy document uses. */
function scoped(scope: AwsDeployScope) {
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

/** The deploy role's four managed policies (IAM allows 6,144 characters each), by part. */
export const deployPolicyParts = ["platform", "data", "roles", "keys"] as const;
export type DeployPolicyPart = (typeof deployPolicyParts)[number];

/**
 * The deploy role's permissions: what `pulumi up`, `refresh` and `destroy` of this program
 * need, and no `"*"` action anywhere. Writes on `*` carry a condition; creates carry the
 * stack's request tags, changes its resource tags.
 */
export function deployPolicies(scope: AwsDeployScope): Record<DeployPolicyPart, string> {
    return { platform: platformPolicy(scope), data: dataPolicy(scope), roles: rolesPolicy(scope), keys: keysPolicy(scope) };
}

/** Network, cluster, logs and budget. */
function platformPolicy(scope: AwsDeployScope): string {
    const { prefix, clusterName } = scope;
    const { arn, ours, creatingOurs, inRegion } = scoped(scope);
    const ec2 = (resource: string) => arn("ec2", resource);

    return policyDocument([
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
            Sid: "NetworkCreate",
            Effect: "Allow",
            Action: Object.keys(ec2Creates).map((action) => `ec2:${action}`),
            Resource: [...new Set(Object.values(ec2Creates))].map((type) => ec2(`${type}/*`)),
            Condition: { StringEquals: creatingOurs },
        },
        {
            // The stack's VPC, subnets, addresses and route tables the creates above build in.
            Sid: "NetworkCreateIn",
            Effect: "Allow",
            Action: ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateNatGateway", "ec2:CreateSecurityGroup", "ec2:CreateFlowLogs", "ec2:CreateVpcEndpoint"],
            Resource: ["vpc", "subnet", "elastic-ip", "route-table", "security-group"].map((type) => ec2(`${type}/*`)),
            Condition: { StringEquals: ours },
        },
        {
            Sid: "NetworkTagOnCreate",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: ec2("*"),
            Condition: { StringEquals: { "ec2:CreateAction": Object.keys(ec2Creates), ...creatingOurs } },
        },
        { Sid: "Network", Effect: "Allow", Action: ec2Changes, Resource: ec2("*"), Condition: { StringEquals: ours } },
        {
            Sid: "Cluster",
            Effect: "Allow",
            Action: "eks:*",
            Resource: ["cluster", "nodegroup", "addon", "access-entry", "podidentityassociation"]
                .map((type) => arn("eks", type === "cluster" ? `cluster/${clusterName}` : `${type}/${clusterName}/*`)),
        },
        {
            Sid: "ServiceLinkedRoles",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: arn("iam", "role/aws-service-role/*", false),
            Condition: { StringEquals: { "iam:AWSServiceName": serviceLinkedRoles } },
        },
        {
            Sid: "Logs",
            Effect: "Allow",
            Action: [
                "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
                "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:UntagLogGroup",
            ],
            Resource: [`/aws/eks/${clusterName}/*`, `/aws/elasticache/${prefix}/*`, ...autonamedPrefixes.map((name) => `${name}*`)]
                .map((group) => arn("logs", `log-group:${group}`)),
        },
        {
            // ElastiCache's slow log is a vended delivery: these calls take no resource (Resource "*" only in
            // the Service Authorization Reference), and CloudWatch Logs writes its delivery resource policy.
            Sid: "LogDelivery",
            Effect: "Allow",
            Action: [
                "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
                "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
            ],
            Resource: "*",
            Condition: inRegion,
        },
        {
            Sid: "Budget",
            Effect: "Allow",
            Action: ["budgets:ViewBudget", "budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource", "budgets:ListTagsForResource"],
            Resource: arn("budgets", `budget/${prefix}`, false),
        },
    ]);
}

/** Database, cache, bucket, secrets and registry. */
function dataPolicy(scope: AwsDeployScope): string {
    const { prefix } = scope;
    const { arn, ours, creatingOurs } = scoped(scope);
    const bucket = dataBucketPattern(scope);
    const rds = (resources: string[]) => resources.map((resource) => arn("rds", resource));
    const cache = (resources: string[]) => resources.map((resource) => arn("elasticache", resource));
    const repositories = scope.repositories.map((name) => arn("ecr", `repository/${name}`));

    return policyDocument([
        {
            Sid: "DatabaseCreate",
            Effect: "Allow",
            Action: ["rds:CreateDBInstance", "rds:CreateDBInstanceReadReplica", "rds:CreateDBParameterGroup", "rds:CreateDBSubnetGroup", "rds:AddTagsToResource"],
            Resource: rds([`db:${prefix}-*`, "pg:*", "subgrp:*"]),
            Condition: { StringEquals: creatingOurs },
        },
        { Sid: "Database", Effect: "Allow", Action: "rds:*", Resource: rds([`db:${prefix}-*`, "pg:*", "subgrp:*", `snapshot:${prefix}-*`]), Condition: { StringEquals: ours } },
        {
            // Untagged by the program, so named: AWS's default option group, and the final snapshot DeleteDBInstance takes.
            Sid: "DatabaseByName",
            Effect: "Allow",
            Action: ["rds:CreateDBInstance", "rds:CreateDBInstanceReadReplica", "rds:CreateDBSnapshot", "rds:AddTagsToResource"],
            Resource: rds(["og:default:*", `snapshot:${prefix}-*`]),
        },
        {
            Sid: "CacheCreate",
            Effect: "Allow",
            Action: ["elasticache:CreateReplicationGroup", "elasticache:CreateCacheParameterGroup", "elasticache:CreateCacheSubnetGroup", "elasticache:AddTagsToResource"],
            Resource: cache([`replicationgroup:${prefix}*`, `cluster:${prefix}*`, "parametergroup:*", "subnetgroup:*"]),
            Condition: { StringEquals: creatingOurs },
        },
        {
            Sid: "Cache",
            Effect: "Allow",
            Action: "elasticache:*",
            Resource: cache([`replicationgroup:${prefix}*`, `cluster:${prefix}*`, `snapshot:${prefix}*`, "parametergroup:*", "subnetgroup:*"]),
            Condition: { StringEquals: ours },
        },
        {
            // AWS's default parameter groups are untagged; the final snapshot is named after the group.
            Sid: "CacheByName",
            Effect: "Allow",
            Action: ["elasticache:CreateReplicationGroup", "elasticache:CreateSnapshot", "elasticache:AddTagsToResource"],
            Resource: cache(["parametergroup:default.*", `snapshot:${prefix}*`]),
        },
        // Bucket settings only: the pattern also matches object ARNs, so no object action is listed.
        { Sid: "Storage", Effect: "Allow", Action: [...bucketActions], Resource: bucket },
        // Deleting objects, so a dev bucket can be destroyed; never reading them.
        { Sid: "StorageEmpty", Effect: "Allow", Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: `${bucket}/*` },
        { Sid: "SecretValues", Effect: "Allow", Action: secretActions, Resource: arn("secretsmanager", `secret:${scope.project}/${scope.stack}/*`) },
        {
            Sid: "RegistryCreate",
            Effect: "Allow",
            Action: ["ecr:CreateRepository", "ecr:TagResource"],
            Resource: repositories,
            Condition: { StringEquals: creatingOurs },
        },
        {
            Sid: "Registry",
            Effect: "Allow",
            Action: [
                "ecr:DeleteRepository", "ecr:ListTagsForResource", "ecr:TagResource", "ecr:UntagResource", "ecr:GetLifecyclePolicy",
                "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:SetRepositoryPolicy",
                "ecr:DeleteRepositoryPolicy", "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
            ],
            Resource: repositories,
            Condition: { StringEquals: ours },
        },
        // Explicit, whatever else the role is ever given: the data bucket's objects are never read.
        { Sid: "DenyDataObjects", Effect: "Deny", Action: ["s3:GetObject*"], Resource: `${bucket}/*` },
    ]);
}

/**
 * The stack's roles (only with its permissions boundary), the roles it passes and the
 * cluster's OIDC provider — and the denies that keep it from widening any of that.
 */
function rolesPolicy(scope: AwsDeployScope): string {
    const { arn, ours, creatingOurs, keepsOwnership } = scoped(scope);
    const roles = autonamedPrefixes.map((name) => arn("iam", `role/${name}*`, false));
    const withBoundary = { "iam:PermissionsBoundary": scope.boundaryArn };
    const issuers = arn("iam", `oidc-provider/oidc.eks.${scope.region}.amazonaws.com/id/*`, false);

    return policyDocument([
        {
            Sid: "RolesCreate",
            Effect: "Allow",
            Action: "iam:CreateRole",
            Resource: roles,
            Condition: { StringEquals: { ...withBoundary, ...creatingOurs } },
        },
        {
            Sid: "RolePolicies",
            Effect: "Allow",
            Action: ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"],
            Resource: roles,
            Condition: { StringEquals: { ...withBoundary, ...ours } },
        },
        {
            Sid: "RoleAttachments",
            Effect: "Allow",
            Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            Resource: roles,
            Condition: { StringEquals: { ...withBoundary, ...ours }, ArnEquals: { "iam:PolicyARN": [...attachablePolicies] } },
        },
        {
            // IAM has no iam:PermissionsBoundary key for these: the stack's tags and role names scope them.
            Sid: "Roles",
            Effect: "Allow",
            Action: ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy"],
            Resource: roles,
            Condition: { StringEquals: ours },
        },
        // Tags decide what the statements above reach, so only roles already the stack's may be (un)tagged. CreateRole's
        // own tags are authorized as iam:TagRole on the new role too: should IAM not see the request's tags as the new
        // role's, a new role is created by an administrator's `up`, as the boundary is.
        { Sid: "RoleTags", Effect: "Allow", Action: "iam:TagRole", Resource: roles, Condition: { StringEquals: ours, StringEqualsIfExists: creatingOurs } },
        { Sid: "RoleUntags", Effect: "Allow", Action: "iam:UntagRole", Resource: roles, Condition: { StringEquals: ours, ...keepsOwnership } },
        // PassRole ignores resource tags: the role names and the receiving services are its scope.
        { Sid: "PassRoles", Effect: "Allow", Action: "iam:PassRole", Resource: roles, Condition: { StringEquals: { "iam:PassedToService": [...passedToServices] } } },
        {
            Sid: "ClusterOidcProviderCreate",
            Effect: "Allow",
            Action: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
            Resource: issuers,
            Condition: { StringEquals: creatingOurs },
        },
        {
            Sid: "ClusterOidcProvider",
            Effect: "Allow",
            Action: [
                "iam:DeleteOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
            ],
            Resource: scope.oidcProviderArn ?? issuers,
        },
        { Sid: "DenyBoundaryRemoval", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
        {
            Sid: "DenyOtherBoundaries",
            Effect: "Deny",
            Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
            Condition: { StringNotEquals: withBoundary },
        },
        {
            // The boundaries and the CI identity's own policies are an administrator's: CI may neither rewrite nor delete them.
            Sid: "DenyPolicyChanges",
            Effect: "Deny",
            Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
            Resource: [scope.boundaryArn, arn("iam", `policy/${ciPolicyPrefix(scope)}*`, false)],
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

/** The stack's KMS keys: administration without the key policy, tags only on its own keys, data keys only through its services. */
function keysPolicy(scope: AwsDeployScope): string {
    const { arn, ours, creatingOurs, keepsOwnership } = scoped(scope);
    const keys = arn("kms", "key/*");

    return policyDocument([
        // Keys are created with their tags (CreateKey's Tags, aws:RequestTag). KMS authorizes those as kms:TagResource
        // too, which the deploy role has only on keys already the stack's; KMS documents that tag-on-create needs that
        // permission on every key ("Controlling access to tags"), which is exactly the takeover closed here, so a key
        // KMS would refuse on those grounds is created by an administrator's `up`.
        { Sid: "KeysCreate", Effect: "Allow", Action: "kms:CreateKey", Resource: "*", Condition: { StringEquals: creatingOurs } },
        // Tags decide what the key statements reach, so only keys already the stack's may be (un)tagged.
        { Sid: "KeyTags", Effect: "Allow", Action: "kms:TagResource", Resource: keys, Condition: { StringEquals: ours, StringEqualsIfExists: creatingOurs } },
        { Sid: "KeyUntags", Effect: "Allow", Action: "kms:UntagResource", Resource: keys, Condition: { StringEquals: ours, ...keepsOwnership } },
        {
            // No kms:PutKeyPolicy: key policies are an administrator's.
            Sid: "Keys",
            Effect: "Allow",
            Action: [
                "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ListGrants", "kms:EnableKeyRotation", "kms:DisableKeyRotation",
                "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:UpdateKeyDescription", "kms:CreateGrant", "kms:RetireGrant", "kms:RevokeGrant",
            ],
            Resource: keys,
            Condition: { StringEquals: ours },
        },
        {
            // Data keys only through the services that store the stack's data.
            Sid: "KeyUse",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            Resource: keys,
            Condition: { StringEquals: { ...ours, "kms:ViaService": keyUsingServices.map((service) => `${service}.${scope.region}.amazonaws.com`) } },
        },
        {
            // Alias calls authorize the alias and its key: the alias by name, the key by the stack's tags.
            Sid: "KeyAliases",
            Effect: "Allow",
            Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            Resource: arn("kms", `alias/${scope.prefix}-*`),
        },
        { Sid: "KeyAliasTargets", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], Resource: keys, Condition: { StringEquals: ours } },
        {
            // ECR encrypts with the AWS managed key through a grant; only ECR, for its own resource.
            Sid: "RegistryKeyGrants",
            Effect: "Allow",
            Action: ["kms:CreateGrant", "kms:RetireGrant"],
            Resource: keys,
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" }, StringEquals: { "kms:ViaService": `ecr.${scope.region}.amazonaws.com` } },
        },
    ]);
}
