import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** An SNS topic under the stack's data key that e-mails `emails` (each address confirms its subscription once). */
export function emailTopic(
    logicalName: string,
    args: { readonly name: string; readonly keyArn: pulumi.Input<string>; readonly emails: readonly string[]; readonly tags: Record<string, string> },
    parent: pulumi.Resource,
): aws.sns.Topic {
    const topic = new aws.sns.Topic(logicalName, { name: args.name, kmsMasterKeyId: args.keyArn, tags: args.tags }, { parent });
    args.emails.forEach((endpoint, index) => new aws.sns.TopicSubscription(`${logicalName}-${index}`, { topic: topic.arn, protocol: "email", endpoint }, { parent }));
    return topic;
}
