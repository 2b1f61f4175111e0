/**
 * The deploy role's rights over what workloads bring (workload/aws.ts): their queues, the
 * stack's alert topic and alarms, all named `<project>-<stack>-…`, and pushes to the workloads'
 * build caches, the only repositories CI writes images to. Pure: plain JSON.
 */
import { policyDocument, scoped, type AwsDeployScope } from "./aws-policy.ts";

/** What CI's `docker buildx --cache-to/--cache-from type=registry` does to a repository (ECR User Guide, "Pushing an image"). */
export const cachePushActions = [
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
];

export function workloadsPolicy(scope: AwsDeployScope): string {
    const { prefix } = scope;
    const { arn } = scoped(scope);
    const caches = scope.buildCaches.map((name) => arn("ecr", `repository/${name}`));
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
        ...(caches.length > 0
            ? [
                { Sid: "BuildCacheLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                { Sid: "BuildCachePush", Effect: "Allow", Action: cachePushActions, Resource: caches },
            ]
            : []),
    ]);
}
