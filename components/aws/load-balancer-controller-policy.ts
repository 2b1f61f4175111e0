/**
 * The AWS Load Balancer Controller's IAM policy: the document the project publishes for each
 * release, with its ARNs in the stack's partition. Pure: plain JSON, no provider SDK.
 *
 * Kept as the upstream text, statement by statement and in upstream order, rather than
 * rewritten tighter: the controller is tested against this document, and a statement it lacks
 * shows up only as a failed reconcile on some Ingress or Service annotation.
 *
 * Source. Upstream file: kubernetes-sigs/aws-load-balancer-controller, docs/install/iam_policy.json,
 * tag v3.5.0. The index this was written from stores that file only up to commit
 * 2b150b977b79dcad119243f2e8f3625ea5bb7e81 (v2.12 development, early 2025; 16 statements). That
 * text is the base here, with the three changes upstream made between it and v3.x, so that the
 * statements below are those of v3.5.0:
 *   - statement 2: adds `ec2:DescribeIpamPools` and `ec2:DescribeRouteTables`, and no longer
 *     lists `elasticloadbalancing:ModifyIpPools` among the unconditioned reads;
 *   - statement 13: `elasticloadbalancing:ModifyIpPools` joins the modifications conditioned on
 *     the `elbv2.k8s.aws/cluster` resource tag;
 *   - statement 16: adds `elasticloadbalancing:SetRulePriorities`.
 * Evidence: IPAM pools in v2.12 (terraform-aws-modules/terraform-aws-iam#555,
 * terraform-aws-eks-pod-identity#33, which cites the fix kubernetes-sigs/aws-load-balancer-controller#4039);
 * `ec2:DescribeRouteTables` in v2.13 (terraform-aws-iam#573, eksctl-io/eksctl#8447, which cites the
 * v2.13.3 file); `SetRulePriorities` in the upstream file (awslabs/cdk-eks-blueprints#1155, for
 * ALB group.order). Three copies of the v3 file agree statement for statement with the result:
 * one vendored from tag v3.4.2 (aws-solutions-library-samples/global-capacity-orchestrator-on-aws,
 * gco/stacks/aws_load_balancer_controller_policy.py) and two from tag v3.5.0 (e.g.
 * openhelpdevops/devops_project5_microservices-e-commerce-eks,
 * modules/eks/policies/aws-load-balancer-controller-v3.5.0.json; another counts "16 statements,
 * 80 actions, 10 of them on Resource *", as here). SIGHUP's module-aws v5.3.0 release notes say
 * the policy did not change from v2.13.4 to v3.4.0.
 * Differences from the v3.5.0 file: none in content. `arn:aws:` becomes `arn:<partition>:`
 * (upstream ships separate copies per partition, differing only there), and the JSON is compact.
 * The tag itself was not read here: on an upgrade, diff this against the new tag's file.
 */

/**
 * The controller release the policy belongs to: chart `aws-load-balancer-controller` 3.5.0 from
 * https://aws.github.io/eks-charts, which ships the controller v3.5.0 (upstream tag `v3.5.0`).
 * Bump it only together with the statements below.
 */
export const loadBalancerControllerVersion = "3.5.0";

type Statement = Record<string, unknown>;

/** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, …: anything else would make every ARN below wrong. */
const partitionPattern = /^aws(-[a-z]+)*$/;

/** Upstream's document, unchanged but for the partition: the base `loadBalancerControllerPolicy` narrows. */
export function upstreamLoadBalancerControllerPolicy(partition: string): string {
    if (!partitionPattern.test(partition)) {
        throw new Error(`"${partition}" is not an AWS partition`);
    }
    const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:*:*:${resource}`;
    const securityGroups = `arn:${partition}:ec2:*:*:security-group/*`;
    const loadBalancersAndTargetGroups = [elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")];
    const statements: Statement[] = [
        {
            // 1. Elastic Load Balancing's service-linked role, created on an account's first load balancer.
            Effect: "Allow",
            Action: ["iam:CreateServiceLinkedRole"],
            Resource: "*",
            Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
        {
            // 2. Discovery (subnets, security groups, targets, existing load balancers): reads, no resource-level permissions.
            Effect: "Allow",
            Action: [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc",
                "ec2:DescribeIpamPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeCapacityReservation",
            ],
            Resource: "*",
        },
        {
            // 3. What annotations name: certificates (ACM, IAM), Cognito clients, WAF web ACLs, Shield protection.
            Effect: "Allow",
            Action: [
                "cognito-idp:DescribeUserPoolClient",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "iam:ListServerCertificates",
                "iam:GetServerCertificate",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
                "shield:CreateProtection",
                "shield:DeleteProtection",
            ],
            Resource: "*",
        },
        {
            // 4. Rules on security groups the controller does not own (the nodes'), to admit load balancer traffic.
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: "*",
        },
        {
            // 5. A new security group; statement 6 makes it carry the cluster tag from the start.
            Effect: "Allow",
            Action: ["ec2:CreateSecurityGroup"],
            Resource: "*",
        },
        {
            // 6. Tags in CreateSecurityGroup only with the cluster tag among them.
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: securityGroups,
            Condition: {
                StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            // 7. Later tag changes only on the cluster's security groups, and never to the cluster tag itself.
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags"],
            Resource: securityGroups,
            Condition: {
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            // 8. Rules on, and deletion of, the cluster's own security groups.
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
            Resource: "*",
            Condition: { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
        },
        {
            // 9. Load balancers and target groups only when created with the cluster tag.
            Effect: "Allow",
            Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            Resource: "*",
            Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } },
        },
        {
            // 10. Listeners and rules, which live inside a load balancer.
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            Resource: "*",
        },
        {
            // 11. Tag changes only on the cluster's load balancers and target groups, never to the cluster tag itself.
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: loadBalancersAndTargetGroups,
            Condition: {
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            // 12. Tags of listeners and rules.
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: [elb("listener/net/*/*/*"), elb("listener/app/*/*/*"), elb("listener-rule/net/*/*/*"), elb("listener-rule/app/*/*/*")],
        },
        {
            // 13. Changes to and deletion of the cluster's own load balancers and target groups.
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            Resource: "*",
            Condition: { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
        },
        {
            // 14. Tagging on creation (tag-on-create needs AddTags), only with the cluster tag.
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags"],
            Resource: loadBalancersAndTargetGroups,
            Condition: {
                StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            // 15. Targets (pods, nodes) in and out of any target group: a TargetGroupBinding may name one the controller did not create.
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: elb("targetgroup/*/*"),
        },
        {
            // 16. Listener and rule changes, web ACLs, certificates and rule order (group.order).
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:SetWebAcl",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            Resource: "*",
        },
    ];
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

const clusterTagged = { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } };

/**
 * The policy the platform gives the controller: upstream's, narrowed to what the gateway's NLB
 * needs and to this cluster. Upstream's statement 3 (ACM and IAM certificates, Cognito, WAF,
 * Shield) serves only ALB Ingress annotations and TLS at the load balancer, neither of which
 * the platform uses (TLS ends at the gateway), so it goes. The writes upstream leaves on every
 * resource get the condition the controller's own tagging already satisfies: security groups it
 * creates carry `elbv2.k8s.aws/cluster` from the start (statement 6), and it tags the listeners
 * and rules it creates (its `ListenerRulesTagging` feature, on by default since v2.5). Ingress
 * rules on groups it does not own are limited to the cluster's security group, which EKS tags
 * `kubernetes.io/cluster/<name>: owned`; the nodes run in it.
 */
export function loadBalancerControllerPolicy(partition: string, clusterName: string): string {
    const upstream = JSON.parse(upstreamLoadBalancerControllerPolicy(partition)).Statement as Statement[];
    const actions = (statement: Statement) => statement["Action"] as string[];
    const has = (statement: Statement, action: string) => actions(statement).includes(action);
    const narrowed = upstream
        .filter((statement) => !has(statement, "wafv2:AssociateWebACL"))
        .map((statement): Statement => {
            if (statement["Condition"] !== undefined || statement["Resource"] !== "*") {
                return statement;
            }
            if (has(statement, "ec2:AuthorizeSecurityGroupIngress")) {
                return { ...statement, Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: "owned" } } };
            }
            if (has(statement, "ec2:CreateSecurityGroup")) {
                return { ...statement, Condition: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } } };
            }
            if (has(statement, "elasticloadbalancing:CreateListener") || has(statement, "elasticloadbalancing:ModifyListener")) {
                return { ...statement, Condition: clusterTagged };
            }
            return statement;
        });
    return JSON.stringify({ Version: "2012-10-17", Statement: narrowed });
}
