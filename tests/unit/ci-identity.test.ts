import assert from "node:assert/strict";
import { workloadBoundaryArn } from "../../components/aws/iam.ts";
import { deployPolicies } from "../../components/ci-identity/aws-deploy-policy.ts";
import { autonamedPatterns, type AwsDeployScope } from "../../components/ci-identity/aws-policy.ts";
import { assignmentCondition } from "../../components/ci-identity/azure.ts";
import { subjectKey, trustedSubjects } from "../../components/ci-identity/ci-identity.ts";
import { mockAccountId } from "../../tools/simulated-cloud/answers.ts";
import { list, type Statement } from "../support/iam.ts";

const repository = "acme/platform";

describe("CI identity: trusted subjects", () => {
    it("maps environments to the deploy identity, and branches and pull requests to the read-only one", () => {
        const subjects = trustedSubjects({ repository, branches: ["main", "release/2.x"], environments: ["prod"], previewEnvironments: ["prod-preview"], pullRequests: true });
        assert.deepEqual(subjects.deploy.map((entry) => entry.subject), ["repo:acme/platform:environment:prod"]);
        assert.deepEqual(subjects.preview.map((entry) => entry.subject), [
            "repo:acme/platform:environment:prod-preview",
            "repo:acme/platform:ref:refs/heads/main",
            "repo:acme/platform:ref:refs/heads/release/2.x",
            "repo:acme/platform:pull_request",
        ]);
        assert.deepEqual(trustedSubjects({ repository, branches: [], environments: ["prod"], previewEnvironments: [], pullRequests: false }).preview, []);
    });

    it("gives each subject a stable key that normalized names cannot share", () => {
        assert.equal(subjectKey("branch", "main"), "branch-main");
        assert.match(subjectKey("branch", "release/2.x"), /^branch-release-2-x-[0-9a-f]{6}$/);
        assert.notEqual(subjectKey("branch", "feature/a"), subjectKey("branch", "feature-a"));
        assert.notEqual(subjectKey("branch", "Main"), subjectKey("branch", "main"));
    });
});

describe("CI identity: Azure role-assignment condition", () => {
    it("constrains writes on the request and deletes on the assignment to the given roles, principal types and principals", () => {
        assert.equal(
            assignmentCondition(["r1", "r2"], ["ServicePrincipal", "Group"], ["p1", "p2"]),
            "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
                "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {r1, r2} AND " +
                "@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal', 'Group'} AND " +
                "@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {p1, p2})) AND " +
                "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR " +
                "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {r1, r2} AND " +
                "@Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal', 'Group'} AND " +
                "@Resource[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {p1, p2}))",
        );
    });

    it("refuses an empty set, which would match nothing or everything", () => {
        assert.throws(() => assignmentCondition(["r1"], ["Group"], []), /at least one of principals/);
        assert.throws(() => assignmentCondition([], ["Group"], ["p1"]), /at least one of roles/);
    });
});

describe("CI identity: AWS deploy policy document", () => {
    const scope: AwsDeployScope = {
        partition: "aws", account: mockAccountId, region: "eu-west-1", project: "platform", stack: "dev",
        prefix: "platform-dev", clusterName: "platform-dev", ciRoleNames: ["platform-dev-ci-deploy", "platform-dev-ci-preview"],
        boundaryArn: workloadBoundaryArn({ partition: "aws", account: mockAccountId, project: "platform", stack: "dev" }),
        repositories: ["platform/api", "platform/worker"],
    };
    const documents = Object.values(deployPolicies(scope));
    const statements: Statement[] = documents.flatMap((document) => JSON.parse(document).Statement);
    const allows = statements.filter((statement) => statement.Effect === "Allow");

    it("fits IAM's 6,144-character budget for each managed policy, within the 10 a role may have attached", () => {
        assert.ok(documents.length < 10);
        for (const document of documents) {
            assert.ok(document.replace(/\s/g, "").length < 6_144, document.slice(0, 80));
        }
    });

    it("never allows a wildcard action, nor a service-wide action on every resource", () => {
        for (const statement of allows) {
            assert.ok(!list(statement.Action).includes("*"), `${statement.Sid} allows "*"`);
            if (list(statement.Resource).includes("*")) {
                const unscoped = list(statement.Action).filter((action) => action.endsWith(":*"));
                assert.deepEqual(unscoped, [], `${statement.Sid} allows ${unscoped.join(", ")} on "*"`);
            }
        }
    });

    it("writes IAM only on the program's autonamed roles and the region's EKS OIDC providers", () => {
        const iamWrites = allows.filter((statement) =>
            list(statement.Action).some((action) => action.startsWith("iam:") && !/^iam:(Get|List)/.test(action) && action !== "iam:CreateServiceLinkedRole"));
        const roles = autonamedPatterns(scope).map((pattern) => `arn:aws:iam::${mockAccountId}:role/${pattern}`);
        for (const statement of iamWrites) {
            const resources = list(statement.Resource);
            assert.ok(
                resources.every((resource) => roles.includes(resource)) ||
                    String(resources) === `arn:aws:iam::${mockAccountId}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/*`,
                `${statement.Sid} writes IAM on ${resources.join(", ")}`,
            );
            if (list(statement.Action).some((action) => action !== "iam:PassRole") && resources.every((resource) => roles.includes(resource))) {
                assert.ok(statement.Condition, `${statement.Sid} is not limited to this stack's tagged roles`);
            }
        }
        const attach = allows.find((statement) => list(statement.Action).includes("iam:AttachRolePolicy"))!;
        assert.equal(attach.Condition!["StringEquals"]["iam:PermissionsBoundary"], scope.boundaryArn);
        assert.ok(!attach.Condition!["ArnEquals"]["iam:PolicyARN"].some((arn: string) => /AdministratorAccess|IAMFullAccess|PowerUser/.test(arn)));
    });

    it("pushes images only to the stack's build caches, and manages only the stack's queues, alert topic and alarms, all by name prefix", () => {
        const workloads = JSON.parse(deployPolicies(scope).workload).Statement as Statement[];
        const pushes = statements.filter((statement) => list(statement.Action).includes("ecr:PutImage"));
        assert.deepEqual(pushes.map((statement) => list(statement.Resource)), [[`arn:aws:ecr:eu-west-1:${mockAccountId}:repository/platform-dev/build-cache/*`]]);
        const resources = Object.fromEntries(workloads.map((statement) => [statement.Sid, statement.Resource]));
        assert.equal(resources["WorkloadQueues"], `arn:aws:sqs:eu-west-1:${mockAccountId}:platform-dev-*`);
        assert.equal(resources["WorkloadAlertTopic"], `arn:aws:sns:eu-west-1:${mockAccountId}:platform-dev-*`);
        assert.equal(resources["WorkloadAlarms"], `arn:aws:cloudwatch:eu-west-1:${mockAccountId}:alarm:platform-dev-*`);
        // Adding or removing a workload must not touch the deploy role's own policies, which it may not change.
        assert.ok(!JSON.stringify(deployPolicies(scope)).includes("orders"));
    });

    it("denies changes to the CI identity itself and any role chaining", () => {
        const denied = statements.find((statement) => statement.Sid === "DenyCiIdentityChanges")!;
        assert.equal(denied.Effect, "Deny");
        assert.deepEqual(list(denied.Resource), [
            `arn:aws:iam::${mockAccountId}:role/platform-dev-ci-deploy`,
            `arn:aws:iam::${mockAccountId}:role/platform-dev-ci-preview`,
            `arn:aws:iam::${mockAccountId}:oidc-provider/token.actions.githubusercontent.com`,
        ]);
        assert.ok(["iam:Put*", "iam:Attach*", "iam:Update*", "iam:PassRole"].every((action) => list(denied.Action).includes(action)));
        assert.deepEqual(statements.find((statement) => statement.Sid === "DenyRoleChaining"), { Sid: "DenyRoleChaining", Effect: "Deny", Action: ["sts:AssumeRole"], Resource: "*" });
    });
});
