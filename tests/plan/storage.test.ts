import assert from "node:assert/strict";
import { expected, inputsOf, lockedScopes, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

/** Section 2 of the brief and the stack files, per environment. */
const want = {
    dev: { versioning: false, zoneRedundant: false, softDeleteDays: 7 },
    staging: { versioning: true, zoneRedundant: true, softDeleteDays: 14 },
    prod: { versioning: true, zoneRedundant: true, softDeleteDays: 30 },
} as const;
const temporaryExpiryDays = 7;

const bucket = "aws:s3/bucket:Bucket";
const account = "azure-native:storage:StorageAccount";

describe("object storage on AWS (S3)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];

            it("names a globally unique bucket and exports its name and HTTPS endpoint", async () => {
                const plan = await planOf(stack, "aws");
                const name = inputsOf(plan, bucket)["bucket"];
                assert.match(name, new RegExp(`^platform-${stack}-data-[a-z0-9]{6}$`));
                assert.ok(name.length <= 63);
                assert.equal(plan.outputs["bucketName"], name);
                assert.equal(plan.outputs["bucketEndpoint"], `https://${name}.s3.eu-west-1.amazonaws.com`);
            });

            it("is never public: every public-access switch on, ACLs off", async () => {
                const plan = await planOf(stack, "aws");
                const name = inputsOf(plan, bucket)["bucket"];
                const block = inputsOf(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
                assert.deepEqual(
                    [block["bucket"], block["blockPublicAcls"], block["blockPublicPolicy"], block["ignorePublicAcls"], block["restrictPublicBuckets"]],
                    [name, true, true, true, true],
                );
                const ownership = inputsOf(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls");
                assert.deepEqual([ownership["bucket"], ownership["rule"]], [name, { objectOwnership: "BucketOwnerEnforced" }]);
            });

            it("encrypts at rest with the secrets store's KMS key and a bucket key", async () => {
                const plan = await planOf(stack, "aws");
                const encryption = inputsOf(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
                assert.equal(encryption["bucket"], inputsOf(plan, bucket)["bucket"]);
                assert.deepEqual(encryption["rules"], [{
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: plan.outputs["secretsStoreId"] },
                    bucketKeyEnabled: true,
                }]);
                resourceOf(plan, "aws:kms/key:Key", "secrets-key");
            });

            it("denies plain HTTP and TLS older than 1.2 on the bucket and its objects", async () => {
                const plan = await planOf(stack, "aws");
                const policy = JSON.parse(inputsOf(plan, "aws:s3/bucketPolicy:BucketPolicy")["policy"]);
                // Bucket ARNs carry neither region nor account (S3's ARN format).
                const arn = `arn:aws:s3:::${inputsOf(plan, "aws:s3/bucket:Bucket")["bucket"]}`;
                const denies = policy.Statement.filter((statement: any) => statement.Effect === "Deny" && statement.Principal === "*");
                assert.equal(denies.length, 2);
                assert.ok(denies.every((statement: any) => statement.Action === "s3:*" && String(statement.Resource) === String([arn, `${arn}/*`])));
                assert.deepEqual(denies.map((statement: any) => statement.Condition), [
                    { Bool: { "aws:SecureTransport": "false" } },
                    { NumericLessThan: { "s3:TlsVersion": "1.2" } },
                ]);
                assert.equal(policy.Statement.some((statement: any) => statement.Effect === "Allow"), false);
            });

            it(env.versioning ? `keeps versions, expiring old ones after ${env.softDeleteDays} days` : "leaves versioning off", async () => {
                const plan = await planOf(stack, "aws");
                const versioning = inputsOf(plan, "aws:s3/bucketVersioning:BucketVersioning");
                assert.equal(versioning["versioningConfiguration"].status, env.versioning ? "Enabled" : "Suspended");
                const rules = inputsOf(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"];
                const noncurrent = rules.find((rule: any) => rule.noncurrentVersionExpiration);
                assert.deepEqual(noncurrent?.noncurrentVersionExpiration, env.versioning ? { noncurrentDays: env.softDeleteDays } : undefined);
            });

            it(`expires tmp/ after ${temporaryExpiryDays} days and abandoned uploads after 7`, async () => {
                const plan = await planOf(stack, "aws");
                const rules = inputsOf(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"];
                assert.ok(rules.every((rule: any) => rule.status === "Enabled"));
                const temporary = rules.find((rule: any) => rule.filter?.prefix === "tmp/");
                assert.deepEqual(temporary.expiration, { days: temporaryExpiryDays });
                const uploads = rules.find((rule: any) => rule.abortIncompleteMultipartUpload);
                assert.deepEqual([uploads.filter, uploads.abortIncompleteMultipartUpload], [{}, { daysAfterInitiation: 7 }]);
            });

            it("has no Object Lock unless asked for", async () => {
                const plan = await planOf(stack, "aws");
                assert.equal(inputsOf(plan, bucket)["objectLockEnabled"], false);
                assert.equal(resourcesOf(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length, 0);
            });

            it(expected[stack].protect ? "is protected and cannot be force-destroyed" : "stays deletable, objects and all, in dev", async () => {
                const resource = resourceOf(await planOf(stack, "aws"), bucket);
                assert.equal(resource.protect, expected[stack].protect);
                assert.equal(resource.inputs["forceDestroy"], !expected[stack].protect);
            });
        });
    }

    it("turns on Object Lock at creation with a governance-mode default retention", async () => {
        const plan = await planWith({
            stack: "prod",
            cloud: "aws",
            configOverrides: { "platform:storage": stackValue("prod", "storage", (s) => (s["objectLockDays"] = 90)) },
        });
        assert.equal(inputsOf(plan, bucket)["objectLockEnabled"], true);
        const lockConfiguration = inputsOf(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
        assert.deepEqual(lockConfiguration["rule"], { defaultRetention: { mode: "GOVERNANCE", days: 90 } });
    });

    it("refuses Object Lock without versioning before creating anything", async () => {
        await assert.rejects(
            planWith({
                stack: "dev",
                cloud: "aws",
                configOverrides: { "platform:storage": stackValue("dev", "storage", (s) => (s["objectLockDays"] = 30)) },
            }),
            /platform:storage\.objectLockDays: needs versioning/,
        );
    });
});

describe("object storage on Azure (Blob Storage)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];
            const sku = env.zoneRedundant ? "Standard_ZRS" : "Standard_LRS";

            it(`is a StorageV2 account on ${sku} with a globally unique name`, async () => {
                const plan = await planOf(stack, "azure");
                const storage = inputsOf(plan, account, "storage-account");
                assert.match(storage["accountName"], new RegExp(`^stplatform${stack}[a-z0-9]{4}$`));
                assert.ok(storage["accountName"].length <= 24);
                assert.deepEqual([storage["kind"], storage["sku"], storage["accessTier"]], ["StorageV2", { name: sku }, "Hot"]);
            });

            it("takes HTTPS with TLS 1.2+ and Entra ID only, encrypts twice at rest, and is never public", async () => {
                const storage = inputsOf(await planOf(stack, "azure"), account, "storage-account");
                assert.deepEqual(
                    [storage["enableHttpsTrafficOnly"], storage["minimumTlsVersion"], storage["allowSharedKeyAccess"], storage["allowBlobPublicAccess"]],
                    [true, "TLS1_2", false, false],
                );
                assert.equal(storage["publicNetworkAccess"], "Disabled");
                assert.deepEqual(storage["networkRuleSet"], { defaultAction: "Deny", bypass: "AzureServices" });
                assert.equal(storage["encryption"].requireInfrastructureEncryption, true);
                assert.equal(storage["encryption"].services.blob.enabled, true);
            });

            it("is reached through a private endpoint registered in the blob DNS zone", async () => {
                const plan = await planOf(stack, "azure");
                const endpoint = inputsOf(plan, "azure-native:network:PrivateEndpoint", "storage-blob");
                const connection = endpoint["privateLinkServiceConnections"][0];
                assert.deepEqual(connection.groupIds, ["blob"]);
                assert.match(connection.privateLinkServiceId, new RegExp(`/storageAccounts/${inputsOf(plan, account, "storage-account")["accountName"]}$`));
                assert.match(endpoint["subnet"].id, /\/subnets\/endpoints$/);
                const zones = inputsOf(plan, "azure-native:network:PrivateDnsZoneGroup", "storage-blob")["privateDnsZoneConfigs"];
                assert.match(zones[0].privateDnsZoneId, /privatelink\.blob\.core\.windows\.net$/);
            });

            it(`exports the private container "platform" and its URL`, async () => {
                const plan = await planOf(stack, "azure");
                const container = inputsOf(plan, "azure-native:storage:BlobContainer");
                assert.deepEqual([container["containerName"], container["publicAccess"]], ["platform", "None"]);
                assert.equal(plan.outputs["bucketName"], "platform");
                assert.equal(plan.outputs["bucketEndpoint"], `https://${inputsOf(plan, account, "storage-account")["accountName"]}.blob.core.windows.net/platform`);
            });

            it(`${env.versioning ? "versions blobs and " : ""}keeps deleted blobs and containers ${env.softDeleteDays} days`, async () => {
                const service = inputsOf(await planOf(stack, "azure"), "azure-native:storage:BlobServiceProperties");
                assert.equal(service["isVersioningEnabled"], env.versioning);
                assert.deepEqual(service["deleteRetentionPolicy"], { enabled: true, days: env.softDeleteDays });
                assert.deepEqual(service["containerDeleteRetentionPolicy"], { enabled: true, days: env.softDeleteDays });
            });

            it(`deletes tmp/ blobs after ${temporaryExpiryDays} days${env.versioning ? ` and previous versions after ${env.softDeleteDays}` : ""}`, async () => {
                const policy = inputsOf(await planOf(stack, "azure"), "azure-native:storage:ManagementPolicy");
                assert.equal(policy["managementPolicyName"], "default");
                const rules = policy["policy"].rules;
                const temporary = rules.find((rule: any) => rule.definition.actions.baseBlob);
                assert.deepEqual(temporary.definition.filters.prefixMatch, ["platform/tmp/"]);
                assert.deepEqual(temporary.definition.actions.baseBlob.delete, { daysAfterModificationGreaterThan: temporaryExpiryDays });
                const versions = rules.find((rule: any) => rule.definition.actions.version);
                assert.deepEqual(versions?.definition.actions.version.delete, env.versioning ? { daysAfterCreationGreaterThan: env.softDeleteDays } : undefined);
            });

            it("has no immutability policy unless asked for", async () => {
                assert.equal(inputsOf(await planOf(stack, "azure"), account, "storage-account")["immutableStorageWithVersioning"], undefined);
            });

            it(expected[stack].protect ? "is guarded by a delete lock and Pulumi protect" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "azure");
                const storage = resourceOf(plan, account, "storage-account");
                assert.equal(storage.protect, expected[stack].protect);
                assert.equal(resourceOf(plan, "azure-native:storage:BlobContainer").protect, expected[stack].protect);
                const accountId = inputsOf(plan, "azure-native:network:PrivateEndpoint", "storage-blob")["privateLinkServiceConnections"][0].privateLinkServiceId;
                assert.equal(lockedScopes(plan).includes(accountId), expected[stack].protect);
            });
        });
    }

    it("makes versions immutable for objectLockDays with an unlocked account policy", async () => {
        const plan = await planWith({
            stack: "prod",
            cloud: "azure",
            configOverrides: { "platform:storage": stackValue("prod", "storage", (s) => (s["objectLockDays"] = 90)) },
        });
        assert.deepEqual(inputsOf(plan, account, "storage-account")["immutableStorageWithVersioning"], {
            enabled: true,
            immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 90, state: "Unlocked", allowProtectedAppendWrites: false },
        });
    });
});
