/**
 * Identities that cannot escalate, on AWS: what the offline plans of staging and prod give
 * every role, key, bucket and endpoint (the items 1-5).
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { bucketActions } from "../../components/ci-identity/aws-deploy-policy.ts";
import { keyUsingServices, recoveryKeyServices } from "../../components/ci-identity/aws-policy.ts";
import { passedToServices } from "../../components/aws/iam.ts";
import { globMatches, isWriteAction } from "../../policy/rules/identity.ts";
import type { PlanReport, PlannedResource } from "../../tools/offline/evaluate.ts";
import { mockAccountId, simulatedResource } from "../../tools/simulated-cloud/answers.ts";
import { list, type Statement } from "../support/iam.ts";
import { inputsOf, planOf, resourcesOf } from "../support/plans.ts";

const role = "aws:iam/role:Role";
const managedPolicy = "aws:iam/policy:Policy";
const region = "eu-west-1";
const statementsIn = (document: string): Statement[] => JSON.parse(document).Statement;
const allows = (statement: Statement, action: string) =>
    statement.Effect === "Allow" && list(statement.Action).some((pattern) => globMatches(pattern, action, true));
const denies = (statement: Statement, action: string) =>
    statement.Effect === "Deny" && list(statement.Action).some((pattern) => globMatches(pattern, action, true));
const reaches = (statement: Statement, arn: string) =>
    statement.NotResource !== undefined
        ? !list(statement.NotResource).some((pattern) => globMatches(pattern, arn))
        : list(statement.Resource).some((pattern) => globMatches(pattern, arn));

/** The deploy role's managed policies, statement by statement. */
function deployStatements(plan: PlanReport): Statement[] {
    return resourcesOf(plan, managedPolicy).filter((policy) => policy.name.startsWith("ci-identity-deploy-")).flatMap((policy) => statementsIn(policy.inputs["policy"]));
}

function workloadBoundary(plan: PlanReport): PlannedResource {
    const [boundary] = resourcesOf(plan, managedPolicy).filter((policy) => policy.name === "network-workload-boundary");
    assert.ok(boundary, "the network creates the stack's workload boundary");
    return boundary;
}

const boundaryArn = (stack: string) => `arn:aws:iam::${mockAccountId}:policy/platform-${stack}-workload-boundary`;
const workloadRoles = (plan: PlanReport) => resourcesOf(plan, role).filter((entry) => entry.parent !== "ci-identity");
/** The ARN the simulated cloud gives the EKS cluster (the real one is `arn:aws:eks:<region>:<account>:cluster/<name>`). */
const clusterArn = (plan: PlanReport) => String(simulatedResource("aws:eks/cluster:Cluster", "cluster-eks", inputsOf(plan, "aws:eks/cluster:Cluster")).state["arn"]);

/** Actions each workload role needs, from the AWS managed policies the program attaches (AWS Managed Policy Reference). */
const managedPolicyNeeds: Record<string, string[]> = {
    AmazonEKSClusterPolicy: ["ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:RegisterTargets", "autoscaling:UpdateAutoScalingGroup", "kms:DescribeKey"],
    AmazonEKSWorkerNodePolicy: ["ec2:DescribeInstances", "eks:DescribeCluster", "eks-auth:AssumeRoleForPodIdentity"],
    AmazonEKS_CNI_Policy: ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:AttachNetworkInterface", "ec2:DeleteNetworkInterface"],
    AmazonEC2ContainerRegistryPullOnly: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    AmazonSSMManagedInstanceCore: ["ssm:UpdateInstanceInformation", "ssmmessages:OpenControlChannel", "ec2messages:GetMessages"],
    AmazonEBSCSIDriverPolicy: ["ec2:CreateVolume", "ec2:AttachVolume", "ec2:CreateSnapshot", "ec2:DeleteVolume"],
};

for (const stack of ["staging", "prod"] as const) {
    describe(`identities on AWS, ${stack}`, () => {
        describe("item 1: roles the deploy role can mint stay inside the stack's workload boundary", () => {
            it("creates the boundary as a managed policy named after the stack, denying IAM, Organizations, account settings and role chaining", async () => {
                const plan = await planOf(stack, "aws");
                const boundary = workloadBoundary(plan);
                assert.equal(boundary.inputs["name"], `platform-${stack}-workload-boundary`);
                const statements = statementsIn(boundary.inputs["policy"]);
                for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole", "iam:CreateAccessKey", "organizations:LeaveOrganization", "account:PutAlternateContact", "sts:AssumeRole"]) {
                    assert.ok(statements.some((statement) => denies(statement, action) && reaches(statement, `arn:aws:iam::${mockAccountId}:role/anything`)), `the boundary denies ${action}`);
                }
                // What the roles' own policies grant, and nothing from other services.
                assert.ok(!statements.some((statement) => allows(statement, "s3:GetObject") || allows(statement, "iam:CreateRole") || allows(statement, "sts:AssumeRole")));
                assert.ok(statements.filter((statement) => statement.Effect === "Allow").every((statement) => !list(statement.Action).some((action) => action === "*" || action.endsWith(":*"))));
            });

            it("allows every action the workload roles' own policies grant", async () => {
                const plan = await planOf(stack, "aws");
                const boundary = statementsIn(workloadBoundary(plan).inputs["policy"]);
                const needed = [
                    ...resourcesOf(plan, "aws:iam/rolePolicy:RolePolicy").filter((policy) => policy.parent !== "ci-identity")
                        .flatMap((policy) => statementsIn(policy.inputs["policy"]).filter((statement) => statement.Effect === "Allow").flatMap((statement) => list(statement.Action))),
                    ...Object.values(managedPolicyNeeds).flat(),
                ];
                for (const action of needed) {
                    assert.ok(boundary.some((statement) => allows(statement, action)) && !boundary.some((statement) => denies(statement, action) && list(statement.Resource).includes("*")),
                        `the boundary lets ${action} through`);
                }
            });

            it("puts the workload boundary on every workload role and a boundary on the CI roles", async () => {
                const plan = await planOf(stack, "aws");
                assert.deepEqual(workloadRoles(plan).map((entry) => entry.name).sort(), [
                    // database-proxy: RDS Proxy's, with platform:database.pooling (on in staging and prod).
                    "cluster-control-plane", "cluster-nodes-ebs-csi", "cluster-nodes-role", "database-proxy", "kubernetes-bindings-cert-manager",
                    "kubernetes-bindings-cluster-autoscaler", "kubernetes-bindings-external-dns", "kubernetes-bindings-external-secrets", "kubernetes-bindings-keda",
                    "kubernetes-bindings-load-balancer-controller", "network-flow-logs",
                    // S3 replication's, with platform:storage.crossRegionReplication (on in prod).
                    ...(stack === "prod" ? ["storage-replication"] : []),
                ]);
                for (const entry of workloadRoles(plan)) {
                    assert.equal(entry.inputs["permissionsBoundary"], boundaryArn(stack), entry.name);
                }
                for (const entry of resourcesOf(plan, role).filter((candidate) => candidate.parent === "ci-identity")) {
                    assert.equal(entry.inputs["permissionsBoundary"], `arn:aws:iam::${mockAccountId}:policy/platform-${stack}-ci-boundary`, entry.name);
                }
            });

            it("lets the deploy role create and change roles only with that boundary, and never drop or swap it", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary"]) {
                    const granting = statements.filter((statement) => allows(statement, action));
                    assert.ok(granting.length > 0, action);
                    for (const statement of granting) {
                        assert.equal(statement.Condition?.["StringEquals"]?.["iam:PermissionsBoundary"], boundaryArn(stack), `${action} in ${statement.Sid}`);
                    }
                }
                assert.ok(statements.some((statement) => denies(statement, "iam:DeleteRolePermissionsBoundary") && list(statement.Resource).includes("*") && !statement.Condition));
                const swap = statements.find((statement) => denies(statement, "iam:PutRolePermissionsBoundary"))!;
                assert.deepEqual(swap.Condition, { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn(stack) } });
                assert.ok(denies(swap, "iam:CreateRole"));
            });

            it("may neither rewrite nor delete the boundary", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                for (const action of ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]) {
                    assert.ok(statements.some((statement) => denies(statement, action) && reaches(statement, boundaryArn(stack))), action);
                }
            });

            it("passes roles only to the services the program hands roles to", async () => {
                const plan = await planOf(stack, "aws");
                const passing = deployStatements(plan).filter((statement) => allows(statement, "iam:PassRole"));
                assert.equal(passing.length, 1);
                const services: string[] = passing[0]!.Condition!["StringEquals"]!["iam:PassedToService"];
                assert.deepEqual(services, [...passedToServices]);
                for (const entry of workloadRoles(plan)) {
                    const trusted = statementsIn(entry.inputs["assumeRolePolicy"]).flatMap((statement) => list(statement.Principal?.Service));
                    assert.ok(trusted.every((service) => services.includes(service)), `${entry.name} trusts ${trusted.join(", ")}`);
                }
            });

            it("manages exactly the cluster's OIDC provider, and creates providers only for the region's EKS issuers", async () => {
                const plan = await planOf(stack, "aws");
                const issuer = String(inputsOf(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "cluster-oidc")["url"]).replace(/^https:\/\//, "");
                const statements = deployStatements(plan);
                const manage = statements.find((statement) => allows(statement, "iam:DeleteOpenIDConnectProvider"))!;
                assert.deepEqual(list(manage.Resource), [`arn:aws:iam::${mockAccountId}:oidc-provider/${issuer}`]);
                const create = statements.find((statement) => allows(statement, "iam:CreateOpenIDConnectProvider"))!;
                assert.deepEqual(list(create.Resource), [`arn:aws:iam::${mockAccountId}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/*`]);
                assert.ok(!statements.some((statement) => statement.Effect === "Allow" && list(statement.Resource).some((arn) => arn.endsWith(":oidc-provider/*"))));
            });
        });

        describe("item 2: no KMS key (or role) can be claimed by tagging", () => {
            it("gives both keys a policy that makes the account their administrator, and admits CloudWatch to the data key only for this account's alarms", async () => {
                const plan = await planOf(stack, "aws");
                const accountAdministers = {
                    Sid: "AccountAdministersKey",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${mockAccountId}:root` },
                    Action: "kms:*",
                    Resource: "*",
                };
                // The data key encrypts the workload alert topic, to which CloudWatch publishes alarms:
                // it may only decrypt and make data keys, only for this account, and no one else is named.
                const cloudWatchPublishes = {
                    Sid: "CloudWatchAlarmsPublishEncrypted",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": mockAccountId }, ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:*:${mockAccountId}:alarm:*` } },
                };
                assert.deepEqual(statementsIn(inputsOf(plan, "aws:kms/key:Key", "secrets-key")["policy"]), [accountAdministers, cloudWatchPublishes], "secrets-key");
                assert.deepEqual(statementsIn(inputsOf(plan, "aws:kms/key:Key", "cluster-secrets")["policy"]), [accountAdministers], "cluster-secrets");
            });

            it("never lets the deploy role change a key policy, and uses data keys only through the stack's services", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                assert.ok(!statements.some((statement) => allows(statement, "kms:PutKeyPolicy")));
                for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"]) {
                    const granting = statements.filter((statement) => allows(statement, action));
                    assert.ok(granting.length > 0, action);
                    for (const statement of granting) {
                        // In prod also RDS and S3 in the recovery region, where the backups' and objects' copies are written.
                        const recovery = stack === "prod" ? recoveryKeyServices.map((service) => `${service}.eu-central-1.amazonaws.com`) : [];
                        assert.deepEqual(statement.Condition?.["StringEquals"]?.["kms:ViaService"], [...keyUsingServices.map((service) => `${service}.${region}.amazonaws.com`), ...recovery]);
                    }
                }
            });

            it("tags and untags only keys and roles already the stack's, and creates them with the stack's tags", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                const ours = { "aws:ResourceTag/stack": stack, "aws:ResourceTag/project": "platform" };
                const creatingOurs = { "aws:RequestTag/stack": stack, "aws:RequestTag/project": "platform" };
                for (const action of ["kms:TagResource", "kms:UntagResource", "iam:TagRole", "iam:UntagRole"]) {
                    const granting = statements.filter((statement) => allows(statement, action));
                    assert.ok(granting.length > 0, action);
                    for (const statement of granting) {
                        assert.deepEqual(statement.Condition?.["StringEquals"], ours, `${action} in ${statement.Sid}`);
                        if (action.includes(":Tag")) {
                            assert.deepEqual(statement.Condition?.["StringEqualsIfExists"], creatingOurs, `${action} in ${statement.Sid}`);
                        } else {
                            assert.deepEqual(statement.Condition?.["ForAllValues:StringNotEquals"], { "aws:TagKeys": ["stack", "project"] });
                        }
                    }
                }
                for (const action of ["kms:CreateKey", "iam:CreateRole"]) {
                    assert.ok(statements.filter((statement) => allows(statement, action)).every((statement) =>
                        Object.entries(creatingOurs).every(([key, value]) => statement.Condition?.["StringEquals"]?.[key] === value)), action);
                }
            });
        });

        describe("item 3: the deploy role cannot read the data bucket or open the secrets", () => {
            it("manages only the bucket's settings and is denied its objects", async () => {
                const plan = await planOf(stack, "aws");
                const statements = deployStatements(plan);
                // The data bucket and its replica in the recovery region.
                for (const bucket of resourcesOf(plan, "aws:s3/bucket:Bucket").map((entry) => String(entry.inputs["bucket"]))) {
                    const object = `arn:aws:s3:::${bucket}/reports/2026.csv`;
                    for (const action of ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl"]) {
                        assert.ok(!statements.some((statement) => allows(statement, action) && reaches(statement, object)), `${action} on ${bucket} is not allowed`);
                        assert.ok(statements.some((statement) => denies(statement, action) && reaches(statement, object)), `${action} on ${bucket} is denied`);
                    }
                }
                assert.ok(!statements.some((statement) => statement.Effect === "Allow" && list(statement.Action).some((action) => action === "s3:*" || action === "*")));
                const storage = statements.find((statement) => statement.Sid === "Storage")!;
                assert.deepEqual(list(storage.Action), [...bucketActions]);
                assert.ok(bucketActions.every((action) => !/^s3:(Get|Put|Delete|Restore)Object/.test(action)));
            });

            it("cannot change the secrets' resource policies, nor use a wildcard on them", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                for (const action of ["secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"]) {
                    assert.ok(!statements.some((statement) => allows(statement, action)), action);
                }
                assert.ok(!statements.some((statement) => list(statement.Action).includes("secretsmanager:*")));
            });
        });

        describe("item 4: no account-wide deploy grant", () => {
            it("allows no write on every resource without a condition", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                const unconditioned = statements.filter((statement) =>
                    statement.Effect === "Allow" && list(statement.Resource).includes("*") && !statement.Condition && list(statement.Action).some(isWriteAction));
                assert.deepEqual(unconditioned.map((statement) => statement.Sid), []);
            });

            it("creates EC2 resources with the stack's tags and changes only resources carrying them", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                const ec2Writes = statements.filter((statement) => statement.Effect === "Allow" && list(statement.Action).some((action) => action.startsWith("ec2:") && isWriteAction(action)));
                assert.ok(ec2Writes.length >= 3);
                for (const statement of ec2Writes) {
                    const keys = Object.keys(statement.Condition?.["StringEquals"] ?? {});
                    assert.ok(keys.includes("aws:ResourceTag/stack") || keys.includes("aws:RequestTag/stack"), `${statement.Sid} is conditioned on the stack's tags`);
                }
                for (const action of ["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteVpc", "ec2:CreateRoute"]) {
                    for (const statement of statements.filter((candidate) => allows(candidate, action))) {
                        assert.equal(statement.Condition?.["StringEquals"]?.["aws:ResourceTag/stack"], stack, `${action} in ${statement.Sid}`);
                    }
                }
            });

            it("names the stack's repositories (its build caches by their prefix), tags its database and cache resources, and leaves out ElastiCache users", async () => {
                const statements = deployStatements(await planOf(stack, "aws"));
                const ecr = statements.filter((statement) => list(statement.Action).some((action) => action.startsWith("ecr:") && isWriteAction(action)));
                const configured = ["platform/api", "platform/worker"].map((name) => `arn:aws:ecr:${region}:${mockAccountId}:repository/${name}`);
                const buildCaches = [`arn:aws:ecr:${region}:${mockAccountId}:repository/platform-${stack}/build-cache/*`];
                for (const statement of ecr) {
                    assert.ok([configured, buildCaches].some((expected) => isDeepStrictEqual(list(statement.Resource), expected)), `${statement.Sid}: ${list(statement.Resource).join(", ")}`);
                }
                const wide = statements.filter((statement) => statement.Effect === "Allow" && list(statement.Resource).some((arn) => /:(pg|subgrp|parametergroup|subnetgroup):\*$/.test(arn)));
                for (const statement of wide) {
                    assert.ok(Object.keys(statement.Condition?.["StringEquals"] ?? {}).some((key) => /^aws:(Resource|Request)Tag\/stack$/.test(key)), statement.Sid);
                }
                assert.ok(!statements.some((statement) => list(statement.Resource).some((arn) => /:(user|usergroup|og):\*$/.test(arn))));
                const delivery = statements.find((statement) => allows(statement, "logs:PutResourcePolicy"))!;
                assert.deepEqual(delivery.Condition, { StringEquals: { "aws:RequestedRegion": region } });
            });
        });

        describe("item 5: services assume the stack's roles only for its own resources", () => {
            it("lets Pod Identity hand out the add-on roles only for this account's cluster", async () => {
                const plan = await planOf(stack, "aws");
                const podRoles = workloadRoles(plan).filter((entry) => entry.inputs["assumeRolePolicy"].includes("pods.eks.amazonaws.com"));
                assert.deepEqual(podRoles.map((entry) => entry.name).sort(), [
                    "cluster-nodes-ebs-csi", "kubernetes-bindings-cert-manager", "kubernetes-bindings-cluster-autoscaler", "kubernetes-bindings-external-dns",
                    "kubernetes-bindings-external-secrets", "kubernetes-bindings-keda", "kubernetes-bindings-load-balancer-controller",
                ]);
                for (const entry of podRoles) {
                    assert.deepEqual(statementsIn(entry.inputs["assumeRolePolicy"]), [{
                        Effect: "Allow",
                        Principal: { Service: "pods.eks.amazonaws.com" },
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                        Condition: { StringEquals: { "aws:SourceAccount": mockAccountId, "aws:RequestTag/eks-cluster-arn": clusterArn(plan) } },
                    }], entry.name);
                }
            });

            it("lets the flow-logs service assume its role only for this account's flow logs", async () => {
                const plan = await planOf(stack, "aws");
                assert.deepEqual(statementsIn(inputsOf(plan, role, "network-flow-logs")["assumeRolePolicy"]), [{
                    Effect: "Allow",
                    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": mockAccountId },
                        ArnLike: { "aws:SourceArn": `arn:aws:ec2:${region}:${mockAccountId}:vpc-flow-log/*` },
                    },
                }]);
            });

            it("lets the S3 gateway endpoint reach only this account's buckets and the AWS-owned ones nodes read", async () => {
                const plan = await planOf(stack, "aws");
                const statements = statementsIn(inputsOf(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3")["policy"]);
                assert.ok(statements.every((statement) => statement.Effect === "Allow" && statement.Principal === "*"));
                const wide = statements.filter((statement) => list(statement.Action).includes("s3:*"));
                assert.deepEqual(wide.map((statement) => statement.Condition), [{ StringEquals: { "aws:ResourceAccount": mockAccountId } }]);
                const owned = statements.filter((statement) => !statement.Condition);
                assert.deepEqual(owned.map((statement) => statement.Action), ["s3:GetObject"]);
                assert.deepEqual(list(owned[0]!.Resource), [
                    `arn:aws:s3:::prod-${region}-starport-layer-bucket/*`,
                    `arn:aws:s3:::al2023-repos-${region}-de612dc2/*`,
                    `arn:aws:s3:::prod-registry-k8s-io-${region}/*`,
                ]);
            });
        });
    });
}
