/** A workload's CloudWatch alarm, the same for its queues and its topic. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";

export interface WorkloadAlarm {
    /** `dead-letters`, `consumer-lag`: the alarm is `<project>-<stack>-<workload>-<role>`. */
    readonly role: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, pulumi.Input<string>>;
    /** Alarms at or above it, on the metric's maximum over five minutes. */
    readonly threshold: number;
    readonly description: string;
}

/** Alarms to the stack's alert topic, and tells it when the metric is fine again. */
export function workloadAlarm(name: string, scope: { readonly context: PlatformContext; readonly workload: string; readonly topicArn: pulumi.Input<string> }, alarm: WorkloadAlarm, parent: pulumi.Resource): aws.cloudwatch.MetricAlarm {
    const { context } = scope;
    return new aws.cloudwatch.MetricAlarm(`${name}-${alarm.role}`, {
        // `<project>-<stack>-…`: the deploy role's alarm rights are scoped to the prefix.
        name: physicalName([context.project, context.stack, scope.workload, alarm.role], nameRules.display),
        alarmDescription: alarm.description,
        namespace: alarm.namespace,
        metricName: alarm.metricName,
        dimensions: alarm.dimensions,
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        threshold: alarm.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // An idle queue, or a group that has not consumed yet, sends no data points: quiet, not broken.
        treatMissingData: "notBreaching",
        alarmActions: [scope.topicArn],
        okActions: [scope.topicArn],
        tags: context.tags,
    }, { parent });
}
