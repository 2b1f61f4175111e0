import assert from "node:assert/strict";
import { maxServedStacks, parseBootstrapConfig } from "../../config/bootstrap.ts";
import { ciRoleArn, partitionOf, stateBucketPolicy, stateKeyPolicy, stateObjectGrants, type AwsStateScope } from "../../components/state-backend/aws-policy.ts";
import { stateAccessCondition, stateWriterDataActions } from "../../components/state-backend/azure-roles.ts";
import { awsKmsSecretsProvider, azblobBackendUrl, azureKeyVaultSecretsProvider, nextSteps, s3BackendUrl, stackFiles } from "../../components/state-backend/layout.ts";
import { BootstrapInputError, parseBootstrapArgs } from "../../tools/bootstrap/args.ts";
import { forgetStore, foreignStacks, recordBackendUrl, storeLocation, storeRootVariable } from "../../tools/bootstrap/store.ts";

const scope: AwsStateScope = { partition: "aws", account: "123456789012", region: "eu-west-1", bucketArn: "arn:aws:s3:::platform-state-abc123", project: "platform", stacks: ["dev", "prod"] };
type Statement = { Sid: string; Effect: string; Principal: unknown; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> };
const statements = (policy: string) => (JSON.parse(policy) as { Statement: Statement[] }).Statement;
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
/** The Allow statements that name `roleArn` in their aws:PrincipalArn condition. */
const grantsTo = (policy: string, roleArn: string) => statements(policy).filter((statement) =>
    statement.Effect === "Allow" && list((statement.Condition?.["ArnEquals"]?.["aws:PrincipalArn"] ?? []) as string[]).includes(roleArn));
const role = (stack: string, purpose: "deploy" | "preview") => ciRoleArn(scope, stack, purpose);
const bucket = (key: string) => `${scope.bucketArn}/${key}`;

describe("bootstrap: the state bucket's policy", () => {
    const policy = stateBucketPolicy(scope);

    it("names the CI roles the platform creates, which do not exist yet, through a condition on their ARN", () => {
        assert.equal(role("dev", "deploy"), "arn:aws:iam::123456789012:role/platform-dev-ci-deploy");
        for (const statement of statements(policy).filter((entry) => entry.Effect === "Allow")) {
            assert.equal(statement.Principal, "*");
            assert.equal(statement.Condition?.["StringEquals"]?.["aws:PrincipalAccount"], scope.account, statement.Sid);
        }
    });

    it("grants no wildcard action", () => {
        for (const statement of statements(policy).filter((entry) => entry.Effect === "Allow")) {
            assert.ok(list(statement.Action).every((action) => !action.includes("*")), statement.Sid);
        }
    });

    it("lets a preview role list the bucket and read only meta.yaml and its own stack's checkpoint", () => {
        const grants = grantsTo(policy, role("dev", "preview"));
        assert.deepEqual(grants.map((grant) => [grant.Action, grant.Resource]), [
            ["s3:ListBucket", scope.bucketArn],
            ["s3:GetObject", [bucket(".pulumi/meta.yaml"), bucket(".pulumi/stacks/platform/dev.*")]],
        ]);
    });

    it("lets a deploy role write its own stack's checkpoint, history, backups and locks, and delete only locks", () => {
        const grants = grantsTo(policy, role("prod", "deploy"));
        assert.deepEqual(grants.map((grant) => [grant.Action, grant.Resource]), [
            ["s3:ListBucket", scope.bucketArn],
            ["s3:GetObject", [bucket(".pulumi/meta.yaml"), bucket(".pulumi/stacks/platform/prod.*"), bucket(".pulumi/locks/platform/prod/*")]],
            [["s3:PutObject", "s3:AbortMultipartUpload"], [bucket(".pulumi/stacks/platform/prod.*"), bucket(".pulumi/history/platform/prod/*"), bucket(".pulumi/backups/platform/prod/*"), bucket(".pulumi/locks/platform/prod/*")]],
            ["s3:DeleteObject", [bucket(".pulumi/locks/platform/prod/*")]],
        ]);
        assert.ok(!JSON.stringify(grants).includes("/dev"), "nothing of another stack");
    });

    it("keeps every other stack's CI roles, whatever IAM allows them (ReadOnlyAccess), out of a stack's files", () => {
        const deny = statements(policy).find((statement) => statement.Sid === "DevStateIsItsOwn")!;
        assert.equal(deny.Effect, "Deny");
        assert.deepEqual(deny.Resource, [".pulumi/stacks/platform/dev.*", ".pulumi/history/platform/dev/*", ".pulumi/backups/platform/dev/*", ".pulumi/locks/platform/dev/*"].map(bucket));
        assert.deepEqual(deny.Condition, {
            // Administrators' and developers' roles (`platform-developers`) are not CI roles.
            ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/platform-*-ci-deploy", "arn:aws:iam::123456789012:role/platform-*-ci-preview"] },
            ArnNotEquals: { "aws:PrincipalArn": [role("dev", "deploy"), role("dev", "preview")] },
        });
    });

    it("refuses plain HTTP and TLS below 1.2 to everyone", () => {
        const denies = statements(policy).filter((statement) => statement.Effect === "Deny" && statement.Principal === "*" && statement.Action === "s3:*");
        assert.deepEqual(denies.map((deny) => deny.Condition), [{ Bool: { "aws:SecureTransport": "false" } }, { NumericLessThan: { "s3:TlsVersion": "1.2" } }]);
    });

    it("stays within S3's 20 KB bucket policy limit for the most stacks a store serves", () => {
        const many = stateBucketPolicy({ ...scope, project: "a-forty-character-platform-project-name1", stacks: Array.from({ length: maxServedStacks }, (_, index) => `environment-number-${index}`) });
        assert.ok(many.length < 20_480, `${many.length} bytes`);
    });
});

describe("bootstrap: the secrets key's policy", () => {
    const policy = stateKeyPolicy(scope);

    it("lets each stack's roles decrypt only their own stack's data key, and nothing encrypt", () => {
        for (const purpose of ["deploy", "preview"] as const) {
            const own = grantsTo(policy, role("dev", purpose)).filter((grant) => grant.Condition?.["StringEquals"]?.["kms:EncryptionContext:stack"]);
            assert.deepEqual(own.map((grant) => [grant.Action, grant.Condition?.["StringEquals"]?.["kms:EncryptionContext:stack"]]), [["kms:Decrypt", "platform/dev"]]);
        }
        assert.ok(!policy.includes("kms:Encrypt\""), "stack init is an administrator's");
    });

    it("lets CI use the key for the bucket's encryption only through S3: preview decrypts, deploy also generates data keys", () => {
        const viaS3 = (roleArn: string) => grantsTo(policy, roleArn).filter((grant) => grant.Condition?.["StringEquals"]?.["kms:ViaService"] === "s3.eu-west-1.amazonaws.com");
        assert.deepEqual(viaS3(role("dev", "preview")).map((grant) => grant.Action), ["kms:Decrypt"]);
        assert.deepEqual(viaS3(role("dev", "deploy")).map((grant) => grant.Action), ["kms:Decrypt", "kms:GenerateDataKey"]);
        for (const grant of viaS3(role("dev", "deploy"))) {
            assert.equal(grant.Condition?.["StringEquals"]?.["kms:EncryptionContext:aws:s3:arn"], scope.bucketArn);
        }
    });

    it("grants CI no wildcard action; the account administers the key through IAM", () => {
        const ci = statements(policy).filter((statement) => statement.Principal === "*");
        assert.ok(ci.every((statement) => list(statement.Action).every((action) => !action.includes("*"))));
        assert.deepEqual(statements(policy)[0]?.Principal, { AWS: "arn:aws:iam::123456789012:root" });
    });
});

describe("bootstrap: Azure grants", () => {
    it("conditions a deploy identity's blob writes and deletes to its own stack's files", () => {
        const condition = stateAccessCondition("platform", "dev", "deploy");
        assert.match(condition, /ActionMatches\{'Microsoft\.Storage\/storageAccounts\/blobServices\/containers\/blobs\/write'\}/);
        assert.match(condition, /StringStartsWith '\.pulumi\/history\/platform\/dev\/'/);
        assert.match(condition, /StringEquals '\.pulumi\/meta\.yaml'/);
        assert.doesNotMatch(condition, /prod|staging/);
        assert.equal(condition.split("(").length, condition.split(")").length, "balanced parentheses");
    });

    it("lets a preview identity only read, and leaves listing to the role", () => {
        const condition = stateAccessCondition("platform", "dev", "preview");
        assert.doesNotMatch(condition, /write|delete/);
        assert.match(condition, /NOT SubOperationMatches\{'Blob\.List'\}/);
        assert.ok(stateWriterDataActions.every((action) => !action.includes("*")));
    });
});

describe("bootstrap: layout, URLs and commands", () => {
    it("follows the DIY backend's project-scoped layout", () => {
        assert.deepEqual(stackFiles("platform", "dev"), {
            checkpoint: ".pulumi/stacks/platform/dev.",
            history: ".pulumi/history/platform/dev/",
            backups: ".pulumi/backups/platform/dev/",
            locks: ".pulumi/locks/platform/dev/",
        });
        assert.deepEqual(stateObjectGrants("platform", "dev").preview, { read: [".pulumi/meta.yaml", ".pulumi/stacks/platform/dev.*"] });
    });

    it("formats backend URLs, secrets providers and quoted commands", () => {
        assert.equal(s3BackendUrl("platform-state-abc123", "eu-west-1"), "s3://platform-state-abc123?region=eu-west-1");
        assert.equal(azblobBackendUrl("state", "stplatformstateab12"), "azblob://state?storage_account=stplatformstateab12");
        const kms = awsKmsSecretsProvider("alias/platform-state", "eu-west-1", "platform", "dev");
        assert.equal(kms, "awskms://alias/platform-state?region=eu-west-1&context_stack=platform/dev");
        assert.equal(azureKeyVaultSecretsProvider("https://kv-platform-state-ab12.vault.azure.net/keys/platform-dev/0123abcd"), "azurekeyvault://kv-platform-state-ab12.vault.azure.net/keys/platform-dev/0123abcd");
        assert.throws(() => azureKeyVaultSecretsProvider("https://kv.vault.azure.net/keys/platform-dev"), /not a versioned Key Vault key URI/);
        assert.deepEqual(nextSteps("s3://b?region=eu-west-1", { dev: kms }), [
            "pulumi login 's3://b?region=eu-west-1'",
            `pulumi stack init dev --secrets-provider '${kms}'`,
        ]);
        assert.equal(partitionOf("cn-north-1"), "aws-cn");
        assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
        assert.equal(partitionOf("eu-west-1"), "aws");
    });

    it("maps a store to a folder only under the test seam, keeping one folder per bucket or account", () => {
        assert.equal(storeLocation("s3://b?region=eu-west-1", {}), "s3://b?region=eu-west-1");
        assert.equal(storeLocation("s3://b?region=eu-west-1", { [storeRootVariable]: "/tmp/stores" }), "file:///tmp/stores/b");
        assert.equal(storeLocation("azblob://state?storage_account=st1", { [storeRootVariable]: "/tmp/stores" }), "file:///tmp/stores/st1/state");
    });

    it("records the store in the stack file, keeping comments, and forgets it again", () => {
        const original = "# one stack per account\nconfig:\n  platform-bootstrap:cloud: aws\n";
        const recorded = recordBackendUrl(original, "s3://b?region=eu-west-1");
        assert.match(recorded, /^# one stack per account$/m);
        assert.match(recorded, /platform-bootstrap:backendUrl: s3:\/\/b\?region=eu-west-1/);
        assert.equal(forgetStore(`${recorded}secretsprovider: awskms://x\nencryptedkey: abc\n`), original);
    });

    it("tells platform stacks from the bootstrap's own in a store's listing", () => {
        assert.deepEqual(foreignStacks(["aws", "organization/platform/dev", "organization/platform-bootstrap/azure"], "platform-bootstrap"), ["organization/platform/dev"]);
    });
});

describe("bootstrap: arguments and configuration", () => {
    it("parses the cloud and --destroy, and names a bad argument", () => {
        assert.deepEqual(parseBootstrapArgs(["azure", "--destroy"]), { cloud: "azure", destroy: true });
        assert.throws(() => parseBootstrapArgs(["gcp"]), (error: Error) => error instanceof BootstrapInputError && /^cloud "gcp" must be one of aws, azure;/.test(error.message));
        assert.throws(() => parseBootstrapArgs(["aws", "--yes"]), /^BootstrapInputError: unknown option --yes;|unknown option --yes/);
    });

    const valid = { cloud: "aws", aws: { region: "eu-west-1", accountId: "123456789012" }, tags: { owner: "a", "cost-center": "b" } };
    it("applies the defaults", () => {
        const config = parseBootstrapConfig(valid);
        assert.deepEqual(config.platform, { project: "platform", stacks: ["dev", "staging", "prod"] });
        assert.equal(config.noncurrentVersionDays, 90);
        assert.equal(config.releasing, false);
    });

    const refusals: [string, Record<string, unknown>, string][] = [
        ["a missing account id", { ...valid, aws: { region: "eu-west-1" } }, "platform-bootstrap:aws.accountId: is required"],
        ["a short account id", { ...valid, aws: { region: "eu-west-1", accountId: "1234" } }, `platform-bootstrap:aws.accountId: "1234" is not a 12-digit AWS account id`],
        ["no azure settings on azure", { ...valid, cloud: "azure" }, `platform-bootstrap:azure: is required when cloud is "azure"`],
        ["a stack name with a dot", { ...valid, platform: { stacks: ["dev.eu"] } }, `platform-bootstrap:platform.stacks.0: "dev.eu" is not a stack name`],
        ["too many stacks", { ...valid, platform: { stacks: Array.from({ length: 6 }, (_, index) => `s${index}`) } }, "platform-bootstrap:platform.stacks: must list at most 5 stacks"],
        ["too many noncurrent days", { ...valid, noncurrentVersionDays: 400 }, "platform-bootstrap:noncurrentVersionDays: must be at most 365, got 400"],
        ["a principal that is not a GUID", { ...valid, cloud: "azure", azure: { location: "westeurope", ciPrincipals: { dev: { deploy: "me" } } } }, `platform-bootstrap:azure.ciPrincipals.dev.deploy: "me" is not an object id`],
        ["principals of an unserved stack", { ...valid, cloud: "azure", azure: { location: "westeurope", ciPrincipals: { qa: { deploy: "00000000-0000-0000-0000-000000000001" } } } }, "platform-bootstrap:azure.ciPrincipals.qa: is not one of platform.stacks"],
        ["a missing required tag", { ...valid, tags: { owner: "a" } }, "platform-bootstrap:tags.cost-center: is required"],
        ["an unknown key", { ...valid, region: "eu-west-1" }, "platform-bootstrap:region: unknown key"],
    ];
    for (const [what, raw, message] of refusals) {
        it(`refuses ${what}, naming the key on one line`, () => {
            assert.throws(() => parseBootstrapConfig(raw), (error: Error) => {
                assert.ok(error.message.includes(message), error.message);
                assert.ok(!error.message.includes("\n"));
                return true;
            });
        });
    }
});
