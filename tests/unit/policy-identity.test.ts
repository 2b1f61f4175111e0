import assert from "node:assert/strict";
import type { PolicyResource } from "../../policy/rule.ts";
import { runRules } from "../../policy/run.ts";
import {
    ciDeployReadsNoData,
    externalSecretsApplicationOnly,
    isAccountWide,
    noUnconditionedAccountWideWrites,
    roleBoundary,
    taggingNeedsResourceTags,
} from "../../policy/rules/identity.ts";
import { assertOne, messages, resource } from "../support/policy.ts";

const account = "123456789012";


const document = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const rolePolicy = (name: string, role: string, ...statements: object[]) => resource("aws:iam/rolePolicy:RolePolicy", name, { role, policy: document(...statements) });
const managedPolicy = (name: string, physical: string, ...statements: object[]) => resource("aws:iam/policy:Policy", name, { name: physical, policy: document(...statements) });
const role = (name: string, props: Record<string, any> = {}) => resource("aws:iam/role:Role", name, { assumeRolePolicy: document(), ...props });
const attachment = (name: string, roleName: string, physical: string) =>
    resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, { role: roleName, policyArn: `arn:aws:iam::${account}:policy/${physical}` });
const ours = { "aws:ResourceTag/stack": "prod", "aws:ResourceTag/project": "platform" };
const creatingOurs = { "aws:RequestTag/stack": "prod", "aws:RequestTag/project": "platform" };
const bucket = resource("aws:s3/bucket:Bucket", "storage-bucket", { bucket: "platform-prod-data-a1b2c3" });

describe("policy: iam-role-permissions-boundary", () => {
    it("passes a role with a permissions boundary", () => {
        assert.deepEqual(messages(roleBoundary, [role("cluster-nodes-role", { permissionsBoundary: `arn:aws:iam::${account}:policy/platform-prod-workload-boundary` })]), []);
    });

    it("reports a role without one, or with an empty one", () => {
        assertOne(messages(roleBoundary, [role("network-flow-logs")]), /IAM role "network-flow-logs" has no permissionsBoundary/);
        assertOne(messages(roleBoundary, [role("cluster-control-plane", { permissionsBoundary: "" })]), /"cluster-control-plane"/);
    });

    it("is mandatory in every environment", () => {
        for (const environment of ["dev", "staging", "prod"] as const) {
            assert.deepEqual(runRules([roleBoundary], [role("x")], environment).map((violation) => violation.enforcement), ["mandatory"]);
        }
    });
});

describe("policy: tagging-needs-resource-tags", () => {
    const keys = `arn:aws:kms:eu-west-1:${account}:key/*`;
    const roles = `arn:aws:iam::${account}:role/cluster-*`;

    it("passes tagging conditioned on the resource's stack tags, and tagging of one named resource", () => {
        assert.deepEqual(messages(taggingNeedsResourceTags, [
            rolePolicy("ci-identity-deploy", "platform-prod-ci-deploy",
                { Sid: "KeyTags", Effect: "Allow", Action: "kms:TagResource", Resource: keys, Condition: { StringEquals: ours, StringEqualsIfExists: creatingOurs } },
                { Sid: "RoleTags", Effect: "Allow", Action: ["iam:TagRole", "iam:UntagRole"], Resource: roles, Condition: { StringEquals: ours } },
                { Sid: "OneKey", Effect: "Allow", Action: "kms:TagResource", Resource: `arn:aws:kms:eu-west-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
                { Sid: "CreateKeys", Effect: "Allow", Action: "kms:CreateKey", Resource: "*", Condition: { StringEquals: creatingOurs } },
                { Sid: "DenyTags", Effect: "Deny", Action: "kms:TagResource", Resource: "*" }),
        ]), []);
    });

    it("reports kms:TagResource on every key conditioned only on the request's tags", () => {
        assertOne(
            messages(taggingNeedsResourceTags, [rolePolicy("ci-identity-deploy", "platform-prod-ci-deploy",
                { Sid: "KeysCreate", Effect: "Allow", Action: ["kms:CreateKey", "kms:TagResource"], Resource: "*", Condition: { StringEquals: creatingOurs } })]),
            /role policy "ci-identity-deploy" allows kms:TagResource on \* without an aws:ResourceTag condition \(statement KeysCreate\)/,
        );
    });

    it("reports iam:TagRole on a role-name wildcard, and wildcard actions that include it, in managed policies too", () => {
        assertOne(
            messages(taggingNeedsResourceTags, [managedPolicy("ops", "platform-prod-ops", { Sid: "RolesCreate", Effect: "Allow", Action: ["iam:CreateRole", "iam:TagRole"], Resource: roles })]),
            /IAM policy "ops" allows iam:TagRole on arn:aws:iam::123456789012:role\/cluster-\*/,
        );
        assertOne(messages(taggingNeedsResourceTags, [rolePolicy("admin", "ops", { Effect: "Allow", Action: "kms:*", Resource: keys })]), /kms:TagResource/);
        assertOne(messages(taggingNeedsResourceTags, [rolePolicy("admin", "ops", { Effect: "Allow", NotAction: "s3:*", Resource: "*" })]), /kms:TagResource, iam:TagRole/);
    });

    it("does not read a managed policy that serves only as a permissions boundary", () => {
        const boundary = managedPolicy("ci-identity-boundary", "platform-prod-ci-boundary", { Effect: "Allow", Action: "*", Resource: "*" });
        const bounded = role("ci-identity-deploy", { permissionsBoundary: `arn:aws:iam::${account}:policy/platform-prod-ci-boundary` });
        assert.deepEqual(messages(taggingNeedsResourceTags, [boundary, bounded]), []);
        // Attached to a role, the same document grants, and is read.
        assert.equal(messages(taggingNeedsResourceTags, [boundary, bounded, attachment("grant", "ops", "platform-prod-ci-boundary")]).length, 1);
    });
});

describe("policy: ci-deploy-reads-no-data", () => {
    const data = "arn:aws:s3:::platform-prod-data-*";

    it("passes bucket settings and object deletes on the data bucket, and reads by other roles", () => {
        assert.deepEqual(messages(ciDeployReadsNoData, [
            bucket,
            managedPolicy("ci-identity-deploy-data", "platform-prod-ci-deploy-data",
                { Sid: "Storage", Effect: "Allow", Action: ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:ListBucket"], Resource: data },
                { Sid: "StorageEmpty", Effect: "Allow", Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: `${data}/*` },
                { Sid: "DenyDataObjects", Effect: "Deny", Action: "s3:GetObject*", Resource: `${data}/*` }),
            rolePolicy("app", "platform-prod-app", { Effect: "Allow", Action: "s3:GetObject", Resource: `${data}/*` }),
        ]), []);
    });

    it("reports s3:* on the bucket pattern, which also matches its objects", () => {
        assertOne(
            messages(ciDeployReadsNoData, [bucket, rolePolicy("ci-identity-deploy", "platform-prod-ci-deploy", { Sid: "Storage", Effect: "Allow", Action: ["s3:*"], Resource: data })]),
            /role policy "ci-identity-deploy" lets the CI deploy role read data: s3:GetObject, s3:GetObjectVersion on arn:aws:s3:::platform-prod-data-a1b2c3\/\* through s3:\* on arn:aws:s3:::platform-prod-data-\* \(statement Storage\)/,
        );
    });

    it("reports s3:GetObject on every resource, in a managed policy attached to the deploy role", () => {
        const reads = managedPolicy("extra", "platform-prod-extra", { Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
        assertOne(messages(ciDeployReadsNoData, [bucket, reads, attachment("extra", "platform-prod-ci-deploy", "platform-prod-extra")]), /IAM policy "extra" lets the CI deploy role read data: s3:GetObject /);
        // The same policy on another role is not a CI deploy policy.
        assert.deepEqual(messages(ciDeployReadsNoData, [bucket, reads, attachment("extra", "platform-prod-app", "platform-prod-extra")]), []);
    });
});

describe("policy: no-unconditioned-account-wide-writes", () => {
    it("passes reads on *, writes narrowed to the stack, named resources, and region-only log deliveries", () => {
        assert.deepEqual(messages(noUnconditionedAccountWideWrites, [
            rolePolicy("ci-identity-deploy", "platform-prod-ci-deploy",
                { Sid: "Read", Effect: "Allow", Action: ["ec2:Describe*", "iam:Get*", "iam:List*", "kms:DescribeKey"], Resource: "*" },
                { Sid: "NetworkCreate", Effect: "Allow", Action: "ec2:CreateVpc", Resource: `arn:aws:ec2:eu-west-1:${account}:vpc/*`, Condition: { StringEquals: creatingOurs } },
                { Sid: "Network", Effect: "Allow", Action: "ec2:DeleteVpc", Resource: `arn:aws:ec2:eu-west-1:${account}:*`, Condition: { StringEquals: ours } },
                { Sid: "Database", Effect: "Allow", Action: "rds:*", Resource: `arn:aws:rds:eu-west-1:${account}:db:platform-prod-*` },
                { Sid: "Defaults", Effect: "Allow", Action: "rds:CreateDBInstance", Resource: `arn:aws:rds:eu-west-1:${account}:og:default:*` },
                { Sid: "LogDelivery", Effect: "Allow", Action: ["logs:CreateLogDelivery", "logs:PutResourcePolicy"], Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } },
                { Sid: "DenyChaining", Effect: "Deny", Action: "sts:AssumeRole", Resource: "*" }),
        ]), []);
    });

    it("reports a write on * without a condition", () => {
        assertOne(
            messages(noUnconditionedAccountWideWrites, [rolePolicy("pods", "platform-prod-pods", { Sid: "Scale", Effect: "Allow", Action: ["autoscaling:Describe*", "autoscaling:SetDesiredCapacity"], Resource: "*" })]),
            /role policy "pods" allows autoscaling:SetDesiredCapacity on \* without a condition that narrows it to the stack \(statement Scale\)/,
        );
    });

    it("reports a region condition as no narrowing, and every resource of a type as account-wide", () => {
        assertOne(
            messages(noUnconditionedAccountWideWrites, [managedPolicy("deploy", "platform-prod-ci-deploy-platform",
                { Sid: "Network", Effect: "Allow", Action: ["ec2:CreateVpc", "ec2:AuthorizeSecurityGroupIngress"], Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } })]),
            /allows ec2:CreateVpc, ec2:AuthorizeSecurityGroupIngress on \*/,
        );
        const typeWide = messages(noUnconditionedAccountWideWrites, [rolePolicy("deploy", "platform-prod-ci-deploy",
            { Sid: "Database", Effect: "Allow", Action: "rds:*", Resource: [`arn:aws:rds:eu-west-1:${account}:db:platform-prod-*`, `arn:aws:rds:eu-west-1:${account}:pg:*`] },
            { Sid: "Registry", Effect: "Allow", Action: ["ecr:SetRepositoryPolicy"], Resource: `arn:aws:ecr:eu-west-1:${account}:repository/*` })]);
        assert.equal(typeWide.length, 2, typeWide.join("\n"));
        assert.match(typeWide[0]!, /rds:\* on arn:aws:rds:eu-west-1:123456789012:pg:\* /);
        assert.match(typeWide[1]!, /ecr:SetRepositoryPolicy on arn:aws:ecr:eu-west-1:123456789012:repository\/\*/);
    });

    it("tells account-wide resources from named ones", () => {
        assert.deepEqual(
            ["*", `arn:aws:ec2:eu-west-1:${account}:*`, `arn:aws:elasticache:eu-west-1:${account}:user:*`, `arn:aws:kms:eu-west-1:${account}:key/*`, "arn:aws:s3:::*"].map(isAccountWide),
            [true, true, true, true, true],
        );
        assert.deepEqual(
            [`arn:aws:logs:eu-west-1:${account}:log-group:network-flow-logs-1:*`, `arn:aws:rds:eu-west-1:${account}:og:default:*`, "arn:aws:s3:::platform-prod-data-*", `arn:aws:iam::${account}:role/cluster-*`]
                .map(isAccountWide),
            [false, false, false, false],
        );
    });
});

describe("policy: external-secrets-application-only", () => {
    const rule = externalSecretsApplicationOnly;
    const check = (resources: PolicyResource[]) => rule.checkStack(resources, {}).map((violation) => violation.message);
    const esoPolicy = (resources: string[]) => ({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "kubernetes-bindings-external-secrets",
        props: { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: resources }] }) },
    });
    const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/prod/${name}-??????`;
    const vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-platform-prod";
    const assignment = (scope: string) => ({
        type: "azure-native:authorization:RoleAssignment",
        name: "kubernetes-bindings-external-secrets-x",
        props: { scope, roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6" },
    });

    it("passes grants on application secrets, named one by one", () => {
        assert.deepEqual(check([esoPolicy(["openai-api-key", "redis-password"].map(secretArn)), assignment(`${vault}/secrets/redis-password`)]), []);
    });

    it("reports an admin credential, a wildcard over the stack's secrets, or the whole vault", () => {
        assert.match(check([esoPolicy([secretArn("postgres-admin-password")])])[0]!, /lets External Secrets read admin credentials: postgres-admin-password/);
        assert.match(check([esoPolicy(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/prod/*"])])[0]!, /postgres-admin-password, grafana-admin-password/);
        assert.match(check([assignment(vault)])[0]!, /every secret of the vault/);
        assert.match(check([assignment(`${vault}/secrets/grafana-admin-password`)])[0]!, /the admin credential grafana-admin-password/);
    });
});
