/** The bootstrap program planned offline on both clouds: what an account gets, and how it is guarded. */
import assert from "node:assert/strict";
import { planBootstrap, BootstrapPlanError, type BootstrapPlan } from "../../tools/bootstrap/plan.ts";
import type { PlannedResource } from "../../tools/offline/evaluate.ts";

const principals = { dev: { deploy: "22222222-2222-2222-2222-222222222222", preview: "33333333-3333-3333-3333-333333333333" } };

function only(plan: BootstrapPlan, type: string, name?: string): PlannedResource {
    const matches = plan.resources.filter((resource) => resource.type === type && (name === undefined || resource.name === name));
    assert.equal(matches.length, 1, `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`);
    return matches[0]!;
}

describe("bootstrap plan: AWS", function () {
    this.timeout(60_000);
    let plan: BootstrapPlan;
    before(async () => {
        plan = await planBootstrap("aws");
    });

    it("creates one protected, versioned bucket that is never public, owner-enforced and encrypted with the protected, rotating key", () => {
        const bucket = only(plan, "aws:s3/bucket:Bucket");
        assert.equal(bucket.protect, true);
        assert.equal(bucket.inputs["forceDestroy"], false);
        assert.deepEqual(only(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs, {
            bucket: bucket.inputs["bucket"], blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        });
        assert.equal(only(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs["rule"].objectOwnership, "BucketOwnerEnforced");
        assert.equal(only(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"].status, "Enabled");
        const key = only(plan, "aws:kms/key:Key");
        assert.equal(key.protect, true);
        assert.equal(key.inputs["enableKeyRotation"], true);
        const [rule] = only(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs["rules"];
        assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        assert.match(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId, /^arn:aws:kms:eu-west-1:123456789012:key\//);
        assert.equal(rule.bucketKeyEnabled, true);
        assert.equal(only(plan, "aws:kms/alias:Alias").inputs["name"], "alias/platform-state");
    });

    it("expires noncurrent versions after the configured days and aborts abandoned uploads", () => {
        const rules = only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"];
        assert.equal(rules.find((entry: { id: string }) => entry.id === "expire-noncurrent-versions").noncurrentVersionExpiration.noncurrentDays, 90);
        assert.equal(rules.find((entry: { id: string }) => entry.id === "abort-incomplete-uploads").abortIncompleteMultipartUpload.daysAfterInitiation, 7);
    });

    it("puts the policies on the bucket and key it created, and pins the provider to the account", () => {
        const policy = JSON.parse(only(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"]);
        const bucketArn = `arn:aws:s3:::${only(plan, "aws:s3/bucket:Bucket").inputs["bucket"]}`;
        assert.ok(policy.Statement.every((statement: { Resource: string | string[] }) => [statement.Resource].flat().every((resource) => resource.startsWith(bucketArn))));
        const keyPolicy = JSON.parse(only(plan, "aws:kms/key:Key").inputs["policy"]);
        assert.ok(keyPolicy.Statement.some((statement: { Sid: string }) => statement.Sid === "ProdDecryptsItsSecrets"));
        assert.deepEqual(JSON.parse(only(plan, "pulumi:providers:aws").inputs["allowedAccountIds"]), ["123456789012"]);
    });

    it("exports the backend URL, one secrets provider per stack and the commands to use them", () => {
        assert.match(String(plan.outputs["backendUrl"]), /^s3:\/\/platform-state-[a-z0-9]{6}\?region=eu-west-1$/);
        assert.deepEqual(Object.keys(plan.outputs["secretsProvider"] as object), ["dev", "staging", "prod"]);
        assert.equal((plan.outputs["nextSteps"] as string[]).length, 4);
        assert.equal(plan.outputs["bootstrapSecretsProvider"], "awskms://alias/platform-state?region=eu-west-1&context_stack=platform-bootstrap/aws");
    });

    it("lifts protection only when releasing", async () => {
        const released = await planBootstrap("aws", { "platform-bootstrap:releasing": true });
        assert.equal(released.resources.filter((resource) => resource.protect).length, 0);
        assert.equal(only(released, "aws:s3/bucket:Bucket").inputs["forceDestroy"], true);
    });

    it("refuses bad configuration with one line naming the key", async () => {
        await assert.rejects(planBootstrap("aws", { "platform-bootstrap:noncurrentVersionDays": 0 }), (error: Error) =>
            error instanceof BootstrapPlanError && /platform-bootstrap:noncurrentVersionDays: must be at least 1, got 0/.test(error.message) && !error.message.includes("\n"));
    });
});

describe("bootstrap plan: Azure", function () {
    this.timeout(60_000);
    let plan: BootstrapPlan;
    before(async () => {
        plan = await planBootstrap("azure", { "platform-bootstrap:azure": { location: "westeurope", ciPrincipals: principals } });
    });

    it("creates a protected StorageV2 account with Entra-only, TLS 1.2, HTTPS-only access and infrastructure encryption", () => {
        const account = only(plan, "azure-native:storage:StorageAccount");
        assert.equal(account.protect, true);
        assert.match(account.inputs["accountName"], /^[a-z0-9]{3,24}$/);
        assert.equal(account.inputs["kind"], "StorageV2");
        assert.equal(account.inputs["allowSharedKeyAccess"], false);
        assert.equal(account.inputs["allowBlobPublicAccess"], false);
        assert.equal(account.inputs["minimumTlsVersion"], "TLS1_2");
        assert.equal(account.inputs["enableHttpsTrafficOnly"], true);
        assert.equal(account.inputs["encryption"].requireInfrastructureEncryption, true);
        const service = only(plan, "azure-native:storage:BlobServiceProperties").inputs;
        assert.equal(service["isVersioningEnabled"], true);
        assert.deepEqual(service["deleteRetentionPolicy"], { enabled: true, days: 90 });
        assert.deepEqual(service["containerDeleteRetentionPolicy"], { enabled: true, days: 90 });
        const container = only(plan, "azure-native:storage:BlobContainer");
        assert.equal(container.protect, true);
        assert.equal(container.inputs["publicAccess"], "None");
    });

    it("creates a protected Key Vault with RBAC, purge protection and soft delete, and one pinned RSA key per stack", () => {
        const vault = only(plan, "azure-native:keyvault:Vault");
        assert.equal(vault.protect, true);
        assert.match(vault.inputs["vaultName"], /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/);
        assert.deepEqual(
            [vault.inputs["properties"].enableRbacAuthorization, vault.inputs["properties"].enablePurgeProtection, vault.inputs["properties"].enableSoftDelete],
            [true, true, true],
        );
        const keys = plan.resources.filter((resource) => resource.type === "azure-native:keyvault:Key");
        assert.deepEqual(keys.map((key) => key.inputs["keyName"]).sort(), ["platform-bootstrap-azure", "platform-dev", "platform-prod", "platform-staging"]);
        assert.ok(keys.every((key) => key.protect && key.inputs["properties"].kty === "RSA"));
        assert.match(String((plan.outputs["secretsProvider"] as Record<string, string>)["dev"]), /^azurekeyvault:\/\/kv-platform-state-[a-z0-9]{4}\.vault\.azure\.net\/keys\/platform-dev\/[0-9a-f]{32}$/);
        assert.match(String(plan.outputs["backendUrl"]), /^azblob:\/\/state\?storage_account=stplatformstate[a-z0-9]{4}$/);
    });

    it("locks the account and the vault against deletion", () => {
        const locks = plan.resources.filter((resource) => resource.type === "azure-native:authorization:ManagementLockByScope");
        assert.deepEqual(locks.map((lock) => lock.inputs["level"]), ["CanNotDelete", "CanNotDelete"]);
    });

    it("grants a configured stack's CI identities their own files and key only, through custom data-action roles", () => {
        const assignments = plan.resources.filter((resource) => resource.type === "azure-native:authorization:RoleAssignment" && resource.name.startsWith("state-dev-"));
        assert.deepEqual(assignments.map((assignment) => assignment.name).sort(), ["state-dev-deploy-key", "state-dev-deploy-state", "state-dev-preview-key", "state-dev-preview-state"]);
        const state = assignments.find((assignment) => assignment.name === "state-dev-deploy-state")!;
        assert.equal(state.inputs["principalId"], principals.dev.deploy);
        assert.equal(state.inputs["conditionVersion"], "2.0");
        assert.match(state.inputs["condition"], /\.pulumi\/stacks\/platform\/dev\./);
        const roles = plan.resources.filter((resource) => resource.type === "azure-native:authorization:RoleDefinition");
        for (const role of roles) {
            assert.deepEqual(role.inputs["permissions"][0].actions, []);
            assert.ok(role.inputs["permissions"][0].dataActions.every((action: string) => !action.includes("*")));
        }
        const key = assignments.find((assignment) => assignment.name === "state-dev-preview-key")!;
        assert.match(key.inputs["scope"], /\/keys\/platform-dev$/);
    });

    it("grants no CI identity before its object ids are configured", async () => {
        const bare = await planBootstrap("azure");
        assert.deepEqual(bare.resources.filter((resource) => resource.type === "azure-native:authorization:RoleAssignment").map((resource) => resource.name).sort(), ["state-deployer-keys", "state-deployer-state"]);
    });
});
