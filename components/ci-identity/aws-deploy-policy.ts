/**
 * The CI deploy role's permissions, seven managed policies. Pure: plain JSON, tested
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
import { keysPolicy, oidcProviderPolicy, rolesPolicy } from "./aws-deploy-access.ts";
import { operationsPolicy } from "./aws-deploy-operations.ts";
import { workloadsPolicy } from "./aws-deploy-workloads.ts";
import { autonamedPatterns, dataBucketPattern, policyDocument, scoped, type AwsDeployScope } from "./aws-policy.ts";

/** Service-linked roles the services of this program create on first use. */
const serviceLinkedRoles = [
    "eks.amazonaws.com",
    "eks-nodegroup.amazonaws.com",
    "autoscaling.amazonaws.com",
    "elasticache.amazonaws.com",
    "rds.amazonaws.com",
];

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
    "PutReplicationConfiguration",
].map((action) => `s3:${action}`);

/** What the program does with its secrets; no resource policy (it sets none). */
const secretActions = [
    "CreateSecret", "DeleteSecret", "RestoreSecret", "DescribeSecret", "GetResourcePolicy", "GetSecretValue", "PutSecretValue", "UpdateSecret",
    "UpdateSecretVersionStage", "ListSecretVersionIds", "TagResource", "UntagResource",
].map((action) => `secretsmanager:${action}`);

/** The deploy role's managed policies (IAM allows 6,144 characters each, and ten per role), by part. */
export const deployPolicyParts = ["platform", "data", "roles", "oidc", "keys", "workload", "ops"] as const;
export type DeployPolicyPart = (typeof deployPolicyParts)[number];

/**
 * The deploy role's permissions: what `pulumi up`, `refresh` and `destroy` of this program
 * need, and no `"*"` action anywhere. Writes on `*` carry a condition; creates carry the
 * stack's request tags, changes its resource tags.
 */
export function deployPolicies(scope: AwsDeployScope): Record<DeployPolicyPart, string> {
    return {
        platform: platformPolicy(scope), data: dataPolicy(scope), roles: rolesPolicy(scope), oidc: oidcProviderPolicy(scope), keys: keysPolicy(scope),
        workload: workloadsPolicy(scope), ops: operationsPolicy(scope),
    };
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
            Resource: [`/aws/eks/${clusterName}/*`, `/aws/elasticache/${prefix}/*`, ...autonamedPatterns(scope)]
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
            // Route 53 takes no resource or tag condition on CreateHostedZone; it is a global service, answered in us-east-1.
            Sid: "DnsZoneCreate",
            Effect: "Allow",
            Action: ["route53:CreateHostedZone", "route53:GetChange", "route53:ListHostedZones", "route53:ListHostedZonesByName"],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
        },
        {
            // Zones have no tag conditions either: any zone of the account, which is why the stack's zone is protected outside dev.
            Sid: "DnsZone",
            Effect: "Allow",
            Action: [
                "route53:GetHostedZone", "route53:DeleteHostedZone", "route53:UpdateHostedZoneComment", "route53:ChangeTagsForResource",
                "route53:ListTagsForResource", "route53:ListResourceRecordSets", "route53:GetDNSSEC",
            ],
            Resource: `arn:${scope.partition}:route53:::hostedzone/*`,
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
            Action: ["rds:CreateDBInstance", "rds:CreateDBInstanceReadReplica", "rds:CreateDBParameterGroup", "rds:CreateDBSubnetGroup", "rds:CreateDBProxy", "rds:AddTagsToResource"],
            Resource: rds([`db:${prefix}-*`, "pg:*", "subgrp:*", "db-proxy:*"]),
            Condition: { StringEquals: creatingOurs },
        },
        { Sid: "Database", Effect: "Allow", Action: "rds:*", Resource: rds([`db:${prefix}-*`, "pg:*", "subgrp:*", `snapshot:${prefix}-*`, "db-proxy:*"]), Condition: { StringEquals: ours } },
        {
            // A proxy's target group carries no tags of its own; its proxy's (above) decide.
            Sid: "DatabaseProxyTargets",
            Effect: "Allow",
            Action: ["rds:ModifyDBProxyTargetGroup", "rds:RegisterDBProxyTargets", "rds:DeregisterDBProxyTargets", "rds:DescribeDBProxyTargetGroups", "rds:DescribeDBProxyTargets"],
            Resource: rds(["target-group:*"]),
        },
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
