/**
 * The deploy role's rights over what workloads bring (workload/aws.ts, aws-events.ts): their
 * queues, the stack's alert topic and alarms, the event bus (MSK Serverless), its schema
 * registry and the archive streams, all named `<project>-<stack>-…`, and the build caches under
 * `<project>-<stack>/build-cache/`, the only repositories CI pushes to. By name prefix, so
 * adding or removing a workload never changes the deploy role's own policies (which it may
 * not). Pure: plain JSON.
 */
import { buildCachePrefix } from "../../config/workloads.ts";
import { policyDocument, scoped, type AwsDeployScope } from "./aws-policy.ts";

/** What CI's `docker buildx --cache-to/--cache-from type=registry` does to a repository (ECR User Guide, "Pushing an image"). */
export const cachePushActions = [
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
];

export function workloadsPolicy(scope: AwsDeployScope): string {
    const { prefix } = scope;
    const { arn, ours, creatingOurs } = scoped(scope);
    const caches = arn("ecr", `repository/${buildCachePrefix(prefix)}*`);
    return policyDocument([
        {
            Sid: "WorkloadQueues",
            Effect: "Allow",
            Action: [
                "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:GetQueueUrl",
                "sqs:ListQueueTags", "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListDeadLetterSourceQueues",
            ],
            Resource: arn("sqs", `${prefix}-*`),
        },
        {
            // The topic and its subscriptions, whose ARNs start with the topic's.
            Sid: "WorkloadAlertTopic",
            Effect: "Allow",
            Action: [
                "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource",
                "sns:ListTagsForResource", "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
                "sns:ListSubscriptionsByTopic",
            ],
            Resource: arn("sns", `${prefix}-*`),
        },
        {
            Sid: "WorkloadAlarms",
            Effect: "Allow",
            Action: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"],
            Resource: arn("cloudwatch", `alarm:${prefix}-*`),
        },
        {
            // The stack's cluster `<prefix>-events`; MSK names topics and groups under it.
            Sid: "WorkloadEventBus",
            Effect: "Allow",
            Action: [
                "kafka:CreateClusterV2", "kafka:DeleteCluster", "kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers",
                "kafka:TagResource", "kafka:UntagResource", "kafka:ListTagsForResource", "kafka:PutClusterPolicy", "kafka:GetClusterPolicy", "kafka:DeleteClusterPolicy",
            ],
            Resource: arn("kafka", `cluster/${prefix}-events/*`),
        },
        {
            Sid: "WorkloadSchemas",
            Effect: "Allow",
            Action: [
                "glue:CreateRegistry", "glue:DeleteRegistry", "glue:GetRegistry", "glue:UpdateRegistry", "glue:CreateSchema", "glue:DeleteSchema",
                "glue:GetSchema", "glue:UpdateSchema", "glue:RegisterSchemaVersion", "glue:GetSchemaVersion", "glue:GetSchemaByDefinition",
                "glue:ListSchemaVersions", "glue:TagResource", "glue:UntagResource", "glue:GetTags",
            ],
            Resource: [arn("glue", `registry/${prefix}`), arn("glue", `schema/${prefix}/*`)],
        },
        {
            Sid: "WorkloadArchiveStreams",
            Effect: "Allow",
            Action: [
                "firehose:CreateDeliveryStream", "firehose:DeleteDeliveryStream", "firehose:DescribeDeliveryStream", "firehose:UpdateDestination",
                "firehose:TagDeliveryStream", "firehose:UntagDeliveryStream", "firehose:ListTagsForDeliveryStream",
            ],
            Resource: arn("firehose", `deliverystream/${prefix}-*`),
        },
        { Sid: "BuildCacheCreate", Effect: "Allow", Action: ["ecr:CreateRepository", "ecr:TagResource"], Resource: caches, Condition: { StringEquals: creatingOurs } },
        {
            Sid: "BuildCacheRepositories",
            Effect: "Allow",
            Action: [
                "ecr:DeleteRepository", "ecr:ListTagsForResource", "ecr:TagResource", "ecr:UntagResource", "ecr:GetLifecyclePolicy",
                "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy", "ecr:PutImageTagMutability", "ecr:PutImageScanningConfiguration",
            ],
            Resource: caches,
            Condition: { StringEquals: ours },
        },
        { Sid: "BuildCacheLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "BuildCachePush", Effect: "Allow", Action: cachePushActions, Resource: caches },
    ]);
}
