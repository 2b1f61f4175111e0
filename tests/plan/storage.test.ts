import assert from "node:assert/strict";
import { expected, inputsOf, lockedScopes, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

/** Section 2 of the brief and the stack files, per environment. */
const want = {
    dev: { versioning: false, zoneRedundant: false, softDeleteDays: 7, crossRegion: false },
    staging: { versioning: true, zoneRedundant: true, softDeleteDays: 14, crossRegion: false },
    prod: { versioning: true, zoneRedundant: true, softDeleteDays: 30, crossRegion: true },
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
                const name = inputsOf(plan, bucket, "storage-bucket")["bucket"];
                assert.match(name, new RegExp(`^platform-${stack}-data-[a-z0-9]{6}$`));
                assert.ok(name.length <= 63);
                assert.equal(plan.outputs["bucketName"], name);
                assert.equal(plan.outputs["bucketEndpoint"], `https://${name}.s3.eu-west-1.amazonaws.com`);
            });

            it("is never public: every public-access switch on, ACLs off", async () => {
                const plan = await planOf(stack, "aws");
                const name = inputsOf(plan, bucket, "storage-bucket")["bucket"];
                const block = inputsOf(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "storage-public-access");
                assert.deepEqual(
                    [block["bucket"], block["blockPublicAcls"], block["blockPublicPolicy"], block["ignorePublicAcls"], block["restrictPublicBuckets"]],
                    [name, true, true, true, true],
                );
                const ownership = inputsOf(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "storage-ownership");
                assert.deepEqual([ownership["bucket"], ownership["rule"]], [name, { objectOwnership: "BucketOwnerEnforced" }]);
            });

            it("encrypts at rest with the secrets store's KMS key and a bucket key", async () => {
                const plan = await planOf(stack, "aws");
                const encryption = inputsOf(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "storage-encryption");
                assert.equal(encryption["bucket"], inputsOf(plan, bucket, "storage-bucket")["bucket"]);
                assert.deepEqual(encryption["rules"], [{
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: plan.outputs["secretsStoreId"] },
                    bucketKeyEnabled: true,
                }]);
                resourceOf(plan, "aws:kms/key:Key", "secrets-key");
            });

            it("denies plain HTTP and TLS older than 1.2 on the bucket and its objects", async () => {
                const plan = await planOf(stack, "aws");
                const policy = JSON.parse(inputsOf(plan, "aws:s3/bucketPolicy:BucketPolicy", "storage-policy")["policy"]);
                // Bucket ARNs carry neither region nor account (S3's ARN format).
                const arn = `arn:aws:s3:::${inputsOf(plan, bucket, "storage-bucket")["bucket"]}`;
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
                const versioning = inputsOf(plan, "aws:s3/bucketVersioning:BucketVersioning", "storage-versioning");
                assert.equal(versioning["versioningConfiguration"].status, env.versioning ? "Enabled" : "Suspended");
                const rules = inputsOf(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "storage-lifecycle")["rules"];
                const noncurrent = rules.find((rule: any) => rule.noncurrentVersionExpiration);
                assert.deepEqual(noncurrent?.noncurrentVersionExpiration, env.versioning ? { noncurrentDays: env.softDeleteDays } : undefined);
            });

            it(`expires tmp/ after ${temporaryExpiryDays} days and abandoned uploads after 7`, async () => {
                const plan = await planOf(stack, "aws");
                const rules = inputsOf(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "storage-lifecycle")["rules"];
                assert.ok(rules.every((rule: any) => rule.status === "Enabled"));
                const temporary = rules.find((rule: any) => rule.filter?.prefix === "tmp/");
                assert.deepEqual(temporary.expiration, { days: temporaryExpiryDays });
                const uploads = rules.find((rule: any) => rule.abortIncompleteMultipartUpload);
                assert.deepEqual([uploads.filter, uploads.abortIncompleteMultipartUpload], [{}, { daysAfterInitiation: 7 }]);
            });

            it("has no Object Lock unless asked for", async () => {
                const plan = await planOf(stack, "aws");
                assert.equal(inputsOf(plan, bucket, "storage-bucket")["objectLockEnabled"], false);
                assert.equal(resourcesOf(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length, 0);
            });

            it(expected[stack].protect ? "is protected and cannot be force-destroyed" : "stays deletable, objects and all, in dev", async () => {
                const resource = resourceOf(await planOf(stack, "aws"), bucket, "storage-bucket");
                assert.equal(resource.protect, expected[stack].protect);
                assert.equal(resource.inputs["forceDestroy"], !expected[stack].protect);
            });
        });
    }

    it("turns on Object Lock at creation with a governance-mode default retention", async () => {
        const plan = await planWith({
            stack: "prod",
            cloud: "aws",
            configOverrides: { "platform:storage": stackValue("prod", "storage", (s) => Object.assign(s, { objectLockDays: 90, crossRegionReplication: false })) },
        });
        assert.equal(inputsOf(plan, bucket, "storage-bucket")["objectLockEnabled"], true);
        const lockConfiguration = inputsOf(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
        assert.deepEqual(lockConfiguration["rule"], { defaultRetention: { mode: "GOVERNANCE", days: 90 } });
    });

    it("replicates every version and delete marker of prod's bucket to a private bucket in the recovery region, under that region's key", async () => {
        const plan = await planOf("prod", "aws");
        const replica = inputsOf(plan, bucket, "storage-replica");
        assert.equal(replica["region"], "eu-central-1");
        assert.match(replica["bucket"], /^platform-prod-data-replica-[a-z0-9]{6}$/);
        assert.equal(resourceOf(plan, bucket, "storage-replica").protect, true);
        const block = inputsOf(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "storage-replica-public-access");
        assert.deepEqual([block["blockPublicAcls"], block["blockPublicPolicy"], block["ignorePublicAcls"], block["restrictPublicBuckets"], block["region"]], [true, true, true, true, "eu-central-1"]);
        const recoveryKey = inputsOf(plan, "aws:kms/key:Key", "secrets-recovery-key");
        assert.equal(recoveryKey["region"], "eu-central-1");
        const encryption = inputsOf(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "storage-replica-encryption");
        assert.match(encryption["rules"][0].applyServerSideEncryptionByDefault.kmsMasterKeyId, /^arn:aws:kms:eu-central-1:/);
        assert.equal(inputsOf(plan, "aws:s3/bucketVersioning:BucketVersioning", "storage-replica-versioning")["versioningConfiguration"].status, "Enabled");
        const tlsOnly = JSON.parse(inputsOf(plan, "aws:s3/bucketPolicy:BucketPolicy", "storage-replica-policy")["policy"]).Statement.map((statement: any) => statement.Sid);
        assert.deepEqual(tlsOnly, ["DenyInsecureTransport", "DenyOutdatedTls"]);

        const replication = inputsOf(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "storage-replication");
        assert.equal(replication["bucket"], inputsOf(plan, bucket, "storage-bucket")["bucket"]);
        const [rule] = replication["rules"];
        assert.deepEqual([rule.status, rule.filter, rule.deleteMarkerReplication, rule.sourceSelectionCriteria], ["Enabled", { prefix: "" }, { status: "Enabled" }, { sseKmsEncryptedObjects: { status: "Enabled" } }]);
        assert.equal(rule.destination.bucket, `arn:aws:s3:::${replica["bucket"]}`);
        assert.match(rule.destination.encryptionConfiguration.replicaKmsKeyId, /^arn:aws:kms:eu-central-1:/);
        assert.ok(resourceOf(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "storage-replication").dependsOn.includes("storage-versioning"), "S3 refuses replication before versioning");

        // The role: S3 of this account only, reads of the source's versions for replication, writes of replicas, each key through S3 in its region.
        const trust = JSON.parse(inputsOf(plan, "aws:iam/role:Role", "storage-replication")["assumeRolePolicy"]).Statement[0];
        assert.deepEqual([trust.Principal, trust.Condition], [{ Service: "s3.amazonaws.com" }, { StringEquals: { "aws:SourceAccount": "123456789012" } }]);
        const grants = JSON.parse(inputsOf(plan, "aws:iam/rolePolicy:RolePolicy", "storage-replication")["policy"]).Statement;
        assert.deepEqual(grants.map((statement: any) => [statement.Sid, statement.Action]), [
            ["SourceConfiguration", ["s3:GetReplicationConfiguration", "s3:ListBucket"]],
            ["SourceVersions", ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]],
            ["ReplicaWrites", ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]],
            ["SourceKey", "kms:Decrypt"],
            ["ReplicaKey", ["kms:Encrypt", "kms:GenerateDataKey"]],
        ]);
        assert.deepEqual(grants[3].Condition.StringEquals, { "kms:ViaService": "s3.eu-west-1.amazonaws.com" });
        assert.deepEqual(grants[4].Condition.StringEquals, { "kms:ViaService": "s3.eu-central-1.amazonaws.com" });
        assert.ok(!grants.some((statement: any) => [statement.Action].flat().some((action: string) => action === "s3:GetObject" || action.endsWith("*"))));
    });

    it("keeps dev and staging in one region", async () => {
        for (const stack of ["dev", "staging"] as const) {
            const plan = await planOf(stack, "aws");
            assert.deepEqual(resourcesOf(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig"), [], stack);
            assert.equal(resourcesOf(plan, bucket).length, 1, stack);
        }
    });

    it("refuses replication without versioning, or without a recovery region, before creating anything", async () => {
        await assert.rejects(
            planWith({ stack: "dev", cloud: "aws", configOverrides: { "platform:storage": stackValue("dev", "storage", (s) => (s["crossRegionReplication"] = true)) } }),
            /platform:storage\.crossRegionReplication: needs versioning/,
        );
        await assert.rejects(
            planWith({ stack: "staging", cloud: "aws", configOverrides: { "platform:storage": stackValue("staging", "storage", (s) => (s["crossRegionReplication"] = true)) } }),
            /platform:aws\.recoveryRegion: is required with storage\.crossRegionReplication/,
        );
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
            const sku = env.crossRegion ? "Standard_GZRS" : env.zoneRedundant ? "Standard_ZRS" : "Standard_LRS";

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
            configOverrides: { "platform:storage": stackValue("prod", "storage", (s) => Object.assign(s, { objectLockDays: 90, crossRegionReplication: false })) },
        });
        assert.deepEqual(inputsOf(plan, account, "storage-account")["immutableStorageWithVersioning"], {
            enabled: true,
            immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 90, state: "Unlocked", allowProtectedAppendWrites: false },
        });
    });
});
