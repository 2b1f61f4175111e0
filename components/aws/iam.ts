/**
 * IAM names and documents every AWS component shares: the stack's permissions boundary,
 * service trust policies with their confused-deputy conditions, and ARN parsing. Pure: plain
 * JSON, no provider SDK.
 *
 * Every IAM role the program creates for a workload (the EKS control plane, the nodes, the
 * EBS CSI driver, the flow logs, External Secrets, the cluster autoscaler) carries the
 * stack's workload boundary, so whatever policy is later put on such a role — by the CI
 * deploy role, which may only create and change roles that carry it — it can never do more
 * than the platform's own roles need, and never anything in IAM, Organizations, the account
 * settings or another role.
 */

/** The account and partition of an ARN; no lookup call needed. */
export interface AwsAccount {
    readonly partition: string;
    readonly account: string;
}

/** `arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1` → `{ partition: "aws", account: "123456789012" }`. */
export function arnParts(arn: string): AwsAccount {
    const [prefix, partition, , , account] = arn.split(":");
    if (prefix !== "arn" || !partition || !account) {
        throw new Error(`"${arn}" is not an ARN with an account`);
    }
    return { partition, account };
}

export const awsManagedPolicy = (name: string, partition = "aws") => `arn:${partition}:iam::aws:policy/${name}`;

/** `<project>-<stack>-workload-boundary`: the stack's permissions boundary, a customer managed policy. */
export function workloadBoundaryName(scope: { readonly project: string; readonly stack: string }): string {
    return `${scope.project}-${scope.stack}-workload-boundary`;
}

export function workloadBoundaryArn(scope: AwsAccount & { readonly project: string; readonly stack: string }): string {
    return `arn:${scope.partition}:iam::${scope.account}:policy/${workloadBoundaryName(scope)}`;
}

type Statement = Record<string, unknown>;
type Conditions = Record<string, Record<string, string | string[]>>;

function document(statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * Trust letting an AWS service assume a role. `sts:TagSession` too where the service passes
 * session tags (EKS and Pod Identity do); `conditions` pin the caller to this account and
 * resource (confused-deputy protection).
 */
export function serviceTrustPolicy(service: string, options: { readonly tagSession?: boolean; readonly conditions?: Conditions } = {}): string {
    const action = options.tagSession === false ? "sts:AssumeRole" : ["sts:AssumeRole", "sts:TagSession"];
    return document([{ Effect: "Allow", Principal: { Service: service }, Action: action, ...(options.conditions ? { Condition: options.conditions } : {}) }]);
}

/**
 * Trust of a role a service assumes for this account's resources only (confused-deputy
 * protection by `aws:SourceAccount`): RDS Proxy's, Firehose's. No session tags.
 */
export function sameAccountServiceTrustPolicy(service: string, scope: AwsAccount): string {
    return serviceTrustPolicy(service, { tagSession: false, conditions: { StringEquals: { "aws:SourceAccount": scope.account } } });
}

/**
 * Trust of an EKS Pod Identity role: the Pod Identity service, only for this account and only
 * for associations of this cluster. EKS documents the session tags Pod Identity sets
 * (`eks-cluster-arn`, `kubernetes-namespace`, …) as the keys that restrict the clusters a role
 * serves (EKS User Guide, "Create IAM role with trust policy required by EKS Pod Identity");
 * it documents no `aws:SourceArn` for this principal, and a condition on a key the request
 * lacks would refuse every pod.
 */
export function podIdentityTrustPolicy(clusterArn: string): string {
    return serviceTrustPolicy("pods.eks.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": arnParts(clusterArn).account, "aws:RequestTag/eks-cluster-arn": clusterArn } },
    });
}

/**
 * Trust of the VPC flow-log delivery role: the flow-logs service, only for flow logs of this
 * account and region (Amazon VPC User Guide, "IAM role for publishing flow logs to CloudWatch
 * Logs", which recommends both keys).
 */
export function flowLogsTrustPolicy(scope: AwsAccount & { readonly region: string }): string {
    return serviceTrustPolicy("vpc-flow-logs.amazonaws.com", {
        tagSession: false,
        conditions: {
            StringEquals: { "aws:SourceAccount": scope.account },
            ArnLike: { "aws:SourceArn": `arn:${scope.partition}:ec2:${scope.region}:${scope.account}:vpc-flow-log/*` },
        },
    });
}

/**
 * The services the program hands its roles to (`iam:PassedToService`): EKS (control plane and
 * managed node group), EC2 (the nodes' instance profile), EKS Pod Identity, VPC flow logs, RDS
 * Proxy and Firehose.
 * Every role's trusted service must be one of them; a test holds the code to it.
 */
export const passedToServices: readonly string[] = [
    "eks.amazonaws.com", "ec2.amazonaws.com", "pods.eks.amazonaws.com", "vpc-flow-logs.amazonaws.com",
    // RDS Proxy's role (database/aws.ts) and the archive streams' (workload/aws-events.ts).
    "rds.amazonaws.com", "firehose.amazonaws.com",
    // S3 replication's role (storage/aws.ts) and the secret expiry reminders' (secrets/aws.ts).
    "s3.amazonaws.com", "scheduler.amazonaws.com",
];

export interface WorkloadBoundaryScope extends AwsAccount {
    readonly region: string;
    readonly project: string;
    readonly stack: string;
    readonly clusterName: string;
}

/**
 * The stack's permissions boundary: the union of what the platform's roles need, each part
 * taken from the policy that grants it (AWS managed policies: AmazonEKSClusterPolicy,
 * AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryPullOnly,
 * AmazonSSMManagedInstanceCore, AmazonEBSCSIDriverPolicy; the program's own: flow logs,
 * External Secrets, cluster autoscaler, the AWS Load Balancer Controller, external-dns and
 * cert-manager's DNS-01 solver), in this region (Route 53, a global service, excepted); and explicit denies of IAM (but for
 * the load balancer service-linked role EKS creates), Organizations, account settings and role
 * chaining. A boundary grants nothing: each role still gets only its own policies.
 */
export function workloadBoundaryPolicy(scope: WorkloadBoundaryScope): string {
    const { partition, account, region } = scope;
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
    const inRegion = { StringEquals: { "aws:RequestedRegion": region } };
    const ours = { "aws:ResourceTag/stack": scope.stack, "aws:ResourceTag/project": scope.project };
    const elbServiceLinkedRole = `arn:${partition}:iam::${account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`;
    return document([
        {
            Sid: "Read",
            Effect: "Allow",
            Action: [
                "autoscaling:Describe*", "ec2:Describe*", "ec2:GetInstanceTypesFromInstanceRequirements", "elasticloadbalancing:Describe*",
                "kms:DescribeKey", "ecr:GetAuthorizationToken",
            ],
            Resource: "*",
            Condition: inRegion,
        },
        {
            // Control plane (load balancers, volumes, security groups), VPC CNI, EBS CSI driver, cluster autoscaler.
            // `*ach…`: Attach and Detach; `*ssign…`: Assign and Unassign.
            Sid: "ClusterInfrastructure",
            Effect: "Allow",
            Action: [
                "autoscaling:UpdateAutoScalingGroup", "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup",
                "ec2:*achVolume", "ec2:CreateVolume", "ec2:DeleteVolume", "ec2:ModifyVolume", "ec2:CopyVolumes",
                "ec2:CreateSnapshot", "ec2:DeleteSnapshot", "ec2:LockSnapshot", "ec2:EnableFastSnapshotRestores", "ec2:CreateTags", "ec2:DeleteTags",
                "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
                "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ModifyInstanceAttribute", "ec2:CreateNetworkInterface", "ec2:*achNetworkInterface",
                "ec2:DeleteNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute", "ec2:*ssignPrivateIpAddresses",
                "elasticloadbalancing:AddTags", "elasticloadbalancing:Create*", "elasticloadbalancing:Delete*",
                // Register*/Deregister*: instances (classic) and targets.
                "elasticloadbalancing:Modify*", "elasticloadbalancing:*Register*", "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
                "elasticloadbalancing:AttachLoadBalancerToSubnets", "elasticloadbalancing:DetachLoadBalancerFromSubnets", "elasticloadbalancing:ConfigureHealthCheck",
                "elasticloadbalancing:Set*",
                // The AWS Load Balancer Controller beyond the control plane's rights (its Set* calls are above).
                "elasticloadbalancing:RemoveTags", "elasticloadbalancing:*ListenerCertificates", "ec2:GetSecurityGroupsForVpc", "ec2:GetCoipPoolUsage",
            ],
            Resource: "*",
            Condition: inRegion,
        },
        {
            // external-dns and cert-manager: records of hosted zones (each role's own policy names its zone), change
            // status and the zone list. Any zone and any change: naming them by `hostedzone/*` bounds nothing more.
            Sid: "Dns",
            Effect: "Allow",
            Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources", "route53:GetChange", "route53:ListHostedZones"],
            Resource: "*",
        },
        {
            // Nodes: images, Pod Identity's credential exchange, Session Manager instead of SSH.
            Sid: "Nodes",
            Effect: "Allow",
            Action: [
                "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:BatchImportUpstreamImage",
                "ssm:DescribeAssociation", "ssm:DescribeDocument", "ssm:GetDeployablePatchSnapshotForInstance",
                "ssm:GetDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations",
                "ssm:PutComplianceItems", "ssm:PutInventory", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
                // Session Manager's channels and messages: AmazonSSMManagedInstanceCore's actions, by pattern.
                "ssm:UpdateInstanceInformation", "ssmmessages:*Channel", "ec2messages:*Message*", "ec2messages:GetEndpoint", "ec2messages:SendReply",
            ],
            Resource: "*",
            Condition: inRegion,
        },
        {
            // Nodes join this cluster and exchange pod tokens; the autoscaler reads its node groups.
            Sid: "Cluster",
            Effect: "Allow",
            Action: ["eks:DescribeCluster", "eks:DescribeNodegroup", "eks-auth:AssumeRoleForPodIdentity"],
            Resource: [arn("eks", `cluster/${scope.clusterName}`), arn("eks", `nodegroup/${scope.clusterName}/*`)],
        },
        {
            // Workloads (workload/aws.ts): the stack's queues, each role's own policy naming its own; KEDA reads their depth.
            // The secret expiry reminders' role publishes to the stack's topic (secrets/aws.ts).
            Sid: "WorkloadQueues",
            Effect: "Allow",
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage", "sns:Publish"],
            Resource: [arn("sqs", `${scope.project}-${scope.stack}-*`), arn("sns", `${scope.project}-${scope.stack}-*`)],
        },
        {
            // Workloads' model calls, cross-region inference profiles included; each role's own policy lists its models.
            Sid: "WorkloadModels",
            Effect: "Allow",
            Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            Resource: [`arn:${partition}:bedrock:*::foundation-model/*`, arn("bedrock", "inference-profile/*")],
        },
        {
            // Workloads' data and events (workload/aws.ts, aws-events.ts): database logins through IAM, the stack's
            // Kafka cluster (topics and groups are under its name), Firehose reading it for archives.
            Sid: "WorkloadData",
            Effect: "Allow",
            Action: ["rds-db:connect", "kafka-cluster:Connect", "kafka-cluster:*Topic*", "kafka-cluster:*Group", "kafka-cluster:*Data", "kafka-cluster:WriteDataIdempotently", "kafka:GetBootstrapBrokers", "kafka:DescribeCluster*"],
            Resource: [arn("rds-db", "dbuser:*/*"), arn("kafka", `*/${scope.project}-${scope.stack}-events/*`)],
        },
        // Schema reads: a version read by id names no registry.
        { Sid: "WorkloadSchemas", Effect: "Allow", Action: ["glue:GetSchema*", "glue:GetRegistry", "glue:ListSchemaVersions"], Resource: "*", Condition: inRegion },
        {
            Sid: "EventArchives",
            Effect: "Allow",
            // Writes only: no role CI can mint reads the stack's data. Replication's reads serve S3's replication alone
            // (storage/aws.ts; S3 User Guide, "Setting up permissions for live replication").
            Action: [
                "s3:PutObject", "s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:ListBucket*", "s3:GetReplicationConfiguration",
                "s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:Replicate*",
            ],
            Resource: `arn:${partition}:s3:::${scope.project}-${scope.stack}-*`,
            // Bucket ARNs name no account: only this account's buckets of that name.
            Condition: { StringEquals: { "aws:ResourceAccount": account } },
        },
        {
            Sid: "FlowLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: arn("logs", "log-group:*"),
        },
        {
            // The stack's secrets, and the admin secret RDS manages (`rds!db-…`), which provisioning jobs read.
            Sid: "StackSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resource: [arn("secretsmanager", `secret:${scope.project}/${scope.stack}/*`), arn("secretsmanager", "secret:rds!db-*")],
        },
        {
            // The stack's keys (EKS envelope encryption, secrets, the recovery region's copies), and EBS's AWS managed key through EC2.
            Sid: "StackKeys",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant", "kms:ListGrants"],
            Resource: `arn:${partition}:kms:*:${account}:key/*`,
            Condition: { StringEquals: ours },
        },
        {
            Sid: "VolumeKeys",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant"],
            Resource: arn("kms", "key/*"),
            Condition: { StringEquals: { "kms:ViaService": `ec2.${region}.amazonaws.com` } },
        },
        {
            // The control plane creates the load balancers' service-linked role on first use.
            Sid: "LoadBalancerServiceLinkedRole",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: elbServiceLinkedRole,
            Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
        { Sid: "DenyIam", Effect: "Deny", Action: "iam:*", NotResource: elbServiceLinkedRole },
        {
            Sid: "DenyEscalation",
            Effect: "Deny",
            Action: ["organizations:*", "account:*", "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoot", "sts:GetFederationToken"],
            Resource: "*",
        },
    ]);
}

/**
 * Key policy of the stack's KMS keys: the account administers and uses the key, which lets IAM
 * policies decide who may (KMS Developer Guide, "Default key policy": "Allows access to the
 * AWS account and enables IAM policies"). The services that encrypt with the keys (EKS,
 * Secrets Manager, RDS, ElastiCache, S3) act for the calling principal, through its IAM
 * permissions and grants, so they need no statement of their own; no log group uses the keys.
 */
export function accountKeyPolicy(scope: AwsAccount): string {
    return document([accountAdministersKey(scope)]);
}

function accountAdministersKey(scope: AwsAccount): Statement {
    return { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:${scope.partition}:iam::${scope.account}:root` }, Action: "kms:*", Resource: "*" };
}

/**
 * The data key's policy: `accountKeyPolicy`, and CloudWatch, which publishes alarms of this
 * account to the encrypted workload alert topic (SNS Developer Guide, "Configure AWS KMS
 * permissions for AWS services": an AWS managed key cannot admit it).
 */
export function dataKeyPolicy(scope: AwsAccount): string {
    return document([
        accountAdministersKey(scope),
        {
            Sid: "CloudWatchAlarmsPublishEncrypted",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            // Only this account's alarms.
            Condition: { StringEquals: { "aws:SourceAccount": scope.account }, ArnLike: { "aws:SourceArn": `arn:${scope.partition}:cloudwatch:*:${scope.account}:alarm:*` } },
        },
    ]);
}
