/**
 * The AWS Load Balancer Controller policy: upstream's v3.5.0 document, whose write access to
 * load balancers, target groups and security groups hangs on the `elbv2.k8s.aws/cluster` tag.
 */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { loadBalancerControllerPolicy, loadBalancerControllerVersion, upstreamLoadBalancerControllerPolicy } from "../../components/aws/load-balancer-controller-policy.ts";

type Statement = {
    Effect: string;
    Action: string[];
    NotAction?: unknown;
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
};

const clusterTag = "elbv2.k8s.aws/cluster";
const requestTag = `aws:RequestTag/${clusterTag}`;
const resourceTag = `aws:ResourceTag/${clusterTag}`;

const statementsOf = (partition: string): Statement[] => JSON.parse(upstreamLoadBalancerControllerPolicy(partition)).Statement;
const statements = statementsOf("aws");
const resources = (statement: Statement): string[] => [statement.Resource].flat();
const grants = (action: string) => statements.filter((statement) => statement.Effect === "Allow" && statement.Action.includes(action));
const onClusterTag = (statement: Statement) => JSON.stringify(statement.Condition ?? {}).includes(clusterTag);
const isMutating = (action: string) => /^(ec2|elasticloadbalancing):/.test(action) && !/:(Describe|Get)/.test(action);
/** Resources that are load balancers, target groups or security groups (or could be: `*`). */
const ownedKinds = (statement: Statement) => resources(statement).some((arn) => arn === "*" || /:(loadbalancer|targetgroup|security-group)\//.test(arn));

/** Changes to existing load balancers, target groups and security groups (upstream statements 8 and 13). */
const changesToOwned = [
    "ec2:DeleteSecurityGroup",
    "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType", "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
];

/** Writes upstream grants without the cluster tag, each for its reason. */
const upstreamUntagged = new Set([
    // Rules on the nodes' security groups, which the controller does not own, to admit load balancer traffic.
    "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
    // The tag is required of the CreateTags that comes with it (ec2:CreateAction).
    "ec2:CreateSecurityGroup",
    // Listeners and rules live inside a load balancer; their tags are not the cluster's.
    "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule",
    "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
    "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:SetWebAcl",
    "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
    // TargetGroupBindings may name target groups the controller did not create.
    "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
]);

describe("AWS Load Balancer Controller policy", () => {
    it("is upstream's v3.5.0 document: valid JSON, version 2012-10-17, 16 statements, 80 actions", () => {
        assert.equal(loadBalancerControllerVersion, "3.5.0");
        const document = JSON.parse(upstreamLoadBalancerControllerPolicy("aws"));
        assert.equal(document.Version, "2012-10-17");
        assert.equal(statements.length, 16);
        assert.equal(new Set(statements.flatMap((statement) => statement.Action)).size, 80);
        assert.equal(statements.filter((statement) => statement.Resource === "*").length, 10);
        assert.ok(statements.every((statement) => statement.Effect === "Allow" && Array.isArray(statement.Action) && statement.NotAction === undefined));
        // The v3 additions are in place (IPAM pools, route tables, rule priorities, capacity reservations, listener attributes).
        for (const action of [
            "ec2:DescribeIpamPools", "ec2:DescribeRouteTables", "ec2:GetSecurityGroupsForVpc", "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeCapacityReservation", "elasticloadbalancing:ModifyIpPools", "elasticloadbalancing:SetRulePriorities",
        ]) {
            assert.ok(grants(action).length > 0, `${action} missing`);
        }
    });

    it("grants no wildcard action and, in IAM, only the service-linked role and server-certificate reads", () => {
        for (const action of statements.flatMap((statement) => statement.Action)) {
            assert.ok(!action.includes("*"), `wildcard action ${action}`);
        }
        const iam = new Set(statements.flatMap((statement) => statement.Action).filter((action) => action.startsWith("iam:")));
        assert.deepEqual(iam, new Set(["iam:CreateServiceLinkedRole", "iam:ListServerCertificates", "iam:GetServerCertificate"]));
    });

    it("creates a service-linked role only for Elastic Load Balancing", () => {
        const granting = grants("iam:CreateServiceLinkedRole");
        assert.equal(granting.length, 1);
        assert.deepEqual(granting[0].Action, ["iam:CreateServiceLinkedRole"]);
        assert.deepEqual(granting[0].Condition, { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } });
    });

    it("creates load balancers and target groups only with the cluster tag", () => {
        for (const action of ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"]) {
            assert.ok(grants(action).length > 0);
            for (const statement of grants(action)) {
                assert.equal(statement.Condition?.Null?.[requestTag], "false", action);
            }
        }
        // A new security group gets its tags only in CreateSecurityGroup, and only with the cluster tag among them.
        const onCreate = grants("ec2:CreateTags").filter((statement) => statement.Condition?.StringEquals?.["ec2:CreateAction"] === "CreateSecurityGroup");
        assert.equal(onCreate.length, 1);
        assert.equal(onCreate[0].Condition?.Null?.[requestTag], "false");
    });

    it("changes and deletes only load balancers, target groups and security groups carrying the cluster tag", () => {
        for (const action of changesToOwned) {
            assert.ok(grants(action).length > 0, `${action} missing`);
            for (const statement of grants(action)) {
                assert.equal(statement.Condition?.Null?.[resourceTag], "false", action);
            }
        }
    });

    it("changes tags of load balancers, target groups and security groups only under the cluster tag, never the cluster tag itself", () => {
        const tagging = ["ec2:CreateTags", "ec2:DeleteTags", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"];
        for (const statement of statements.filter((statement) => statement.Action.some((action) => tagging.includes(action)) && ownedKinds(statement))) {
            assert.ok(onClusterTag(statement), JSON.stringify(statement));
            assert.ok(resources(statement).every((arn) => arn !== "*"), "tagging is scoped to resource ARNs");
            const removes = statement.Action.some((action) => action === "ec2:DeleteTags" || action === "elasticloadbalancing:RemoveTags");
            if (removes) {
                // Only on resources already tagged, and never a request that names the cluster tag.
                assert.equal(statement.Condition?.Null?.[resourceTag], "false");
                assert.equal(statement.Condition?.Null?.[requestTag], "true");
            }
        }
    });

    it("leaves without the cluster tag only the writes upstream does", () => {
        for (const statement of statements.filter((statement) => !onClusterTag(statement))) {
            for (const action of statement.Action.filter(isMutating)) {
                assert.ok(upstreamUntagged.has(action), `${action} granted without the ${clusterTag} tag`);
            }
            // Untagged tag changes are for listeners and rules only; untagged target changes only in target groups.
            if (statement.Action.filter(isMutating).some((action) => action.endsWith("Tags"))) {
                assert.ok(resources(statement).every((arn) => /:listener(-rule)?\//.test(arn)), JSON.stringify(statement.Resource));
            }
            if (statement.Action.some((action) => /RegisterTargets$/.test(action))) {
                assert.ok(resources(statement).every((arn) => arn.endsWith(":targetgroup/*/*")), JSON.stringify(statement.Resource));
            }
        }
    });

    it("puts every ARN in the given partition", () => {
        for (const partition of ["aws", "aws-cn", "aws-us-gov", "aws-iso-b"]) {
            const arns = statementsOf(partition).flatMap(resources).filter((resource) => resource !== "*");
            assert.equal(arns.length, 13);
            assert.ok(arns.every((arn) => arn.startsWith(`arn:${partition}:`)), `${partition}: ${arns.join(", ")}`);
        }
        const govCloud = upstreamLoadBalancerControllerPolicy("aws-us-gov");
        assert.ok(!govCloud.includes("arn:aws:"));
        // The partition is the only difference: the service name of the service-linked role stays elasticloadbalancing.amazonaws.com.
        assert.equal(govCloud.replaceAll("arn:aws-us-gov:", "arn:aws:"), upstreamLoadBalancerControllerPolicy("aws"));
        for (const invalid of ["", "arn:aws", "aws:", "gcp"]) {
            assert.throws(() => upstreamLoadBalancerControllerPolicy(invalid), /not an AWS partition/);
        }
    });
});

describe("the AWS Load Balancer Controller policy the platform grants", () => {
    const narrowed: Statement[] = JSON.parse(loadBalancerControllerPolicy("aws", "platform-prod")).Statement;
    const writesOnEverything = narrowed.filter((statement) => resources(statement).includes("*") && statement.Condition === undefined)
        .flatMap((statement) => statement.Action.filter((action) => !/:(Describe|Get|List)/.test(action)));

    it("keeps upstream's statements but the ALB-only one (certificates, Cognito, WAF, Shield)", () => {
        assert.equal(narrowed.length, statements.length - 1);
        assert.ok(!narrowed.some((statement) => statement.Action.some((action) => /^(wafv2|waf-regional|shield|cognito-idp|acm):/.test(action))));
    });

    it("conditions every write on every resource: on the cluster tag, or on the cluster's own security group", () => {
        assert.deepEqual(writesOnEverything, []);
        const nodeRules = narrowed.find((statement) => statement.Action.includes("ec2:AuthorizeSecurityGroupIngress") && !onClusterTag(statement));
        assert.deepEqual(nodeRules?.Condition, { StringEquals: { "aws:ResourceTag/kubernetes.io/cluster/platform-prod": "owned" } });
    });
});
