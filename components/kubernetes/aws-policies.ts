/**
 * The IAM policies of the EKS add-ons' Pod Identity roles, each the documented minimum of its
 * add-on, scoped to this stack. Pure: plain JSON.
 */

/** Read-only access to exactly these secrets, decrypted through Secrets Manager only. */
export function externalSecretsPolicy(secretArns: readonly string[], keyArn: string, region: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [...secretArns] },
            {
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: keyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
            },
        ],
    });
}

/**
 * The cluster autoscaler's documented policy: discovery on everything, scaling only on the
 * Auto Scaling groups EKS tagged as owned by this cluster.
 */
export function clusterAutoscalerPolicy(clusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    });
}

/**
 * external-dns's documented Route 53 policy (external-dns AWS tutorial), with record changes
 * limited to the stack's zone; listing zones has no resource scope.
 */
export function externalDnsPolicy(zoneArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
                Resource: [zoneArn],
            },
            { Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
        ],
    });
}

/**
 * cert-manager's documented DNS-01 policy for Route 53, narrowed to TXT records named
 * `_acme-challenge.*` in the stack's zone; the issuer names the zone, so no zone lookup.
 */
export function certManagerDnsPolicy(zoneArn: string): string {
    const partition = zoneArn.split(":")[1];
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition}:route53:::change/*` },
            {
                Effect: "Allow",
                Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
                Resource: zoneArn,
                Condition: {
                    "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
                    "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
                },
            },
        ],
    });
}
