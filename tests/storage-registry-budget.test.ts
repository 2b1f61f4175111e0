import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mockAccountId, mockSubscriptionId, simulatedResource } from "../tools/offline/mocks.ts";
import type { PlanReport } from "../tools/offline/evaluate.ts";
import { expected, inputsOf, planOf, planWith, resourceOf, resourcesOf, stacks } from "./support/plans.ts";
import { stackValue } from "./support/stack-config.ts";

/** Section 2 of the brief and the stack files, per environment. */
const want = {
    dev: { versioning: false, zoneRedundant: false, softDeleteDays: 7, keepImages: 20, acrSku: "Standard", budgetUsd: 500 },
    staging: { versioning: true, zoneRedundant: true, softDeleteDays: 14, keepImages: 50, acrSku: "Premium", budgetUsd: 2000 },
    prod: { versioning: true, zoneRedundant: true, softDeleteDays: 30, keepImages: 100, acrSku: "Premium", budgetUsd: 10000 },
} as const;
const repositories = ["platform/api", "platform/worker"];
const alertEmails = ["platform-team@example.com"];
const temporaryExpiryDays = 7;

const bucket = "aws:s3/bucket:Bucket";
const ecrRepository = "aws:ecr/repository:Repository";
const account = "azure-native:storage:StorageAccount";
const acr = "azure-native:containerregistry:Registry";
const lock = "azure-native:authorization:ManagementLockByScope";

function lockedScopes(plan: PlanReport): string[] {
    return resourcesOf(plan, lock).map((resource) => resource.inputs["scope"]);
}

/** The kubelet object id the offline mocks give the AKS cluster named `cluster` (mirrors tools/offline/mocks.ts). */
function mockKubeletObjectId(cluster: string): string {
    const text = createHash("sha256").update(`${cluster}/kubelet/0`).digest("hex").slice(0, 32);
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

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

describe("container registry on AWS (ECR)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];

            it("creates each repository with immutable tags, scan on push and KMS encryption", async () => {
                const plan = await planOf(stack, "aws");
                const created = resourcesOf(plan, ecrRepository);
                assert.deepEqual(created.map((repository) => repository.inputs["name"]), repositories);
                for (const { inputs } of created) {
                    assert.equal(inputs["imageTagMutability"], "IMMUTABLE");
                    assert.deepEqual(inputs["imageScanningConfiguration"], { scanOnPush: true });
                    assert.deepEqual(inputs["encryptionConfigurations"], [{ encryptionType: "KMS" }]);
                }
            });

            it(`expires untagged images after a day and keeps the newest ${env.keepImages} tagged ones`, async () => {
                const policies = resourcesOf(await planOf(stack, "aws"), "aws:ecr/lifecyclePolicy:LifecyclePolicy");
                assert.deepEqual(policies.map((policy) => policy.inputs["repository"]), repositories);
                for (const policy of policies) {
                    const rules = JSON.parse(policy.inputs["policy"]).rules;
                    assert.deepEqual(rules.map((rule: any) => rule.selection), [
                        { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                        { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: env.keepImages },
                    ]);
                    assert.ok(rules.every((rule: any) => rule.action.type === "expire"));
                }
            });

            it("lets only the cluster's node role pull", async () => {
                const plan = await planOf(stack, "aws");
                // An autonamed role's ARN, as the simulated cloud (like IAM) gives it.
                const nodeRoleArn = simulatedResource("aws:iam/role:Role", "cluster-nodes-role", inputsOf(plan, "aws:iam/role:Role", "cluster-nodes-role")).state["arn"];
                assert.match(String(nodeRoleArn), new RegExp(`^arn:aws:iam::${mockAccountId}:role/cluster-nodes-role-[0-9a-f]{7}$`));
                for (const policy of resourcesOf(plan, "aws:ecr/repositoryPolicy:RepositoryPolicy")) {
                    const statements = JSON.parse(policy.inputs["policy"]).Statement;
                    assert.deepEqual(statements, [{
                        Sid: "ClusterNodesPull",
                        Effect: "Allow",
                        Principal: { AWS: nodeRoleArn },
                        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                    }]);
                }
            });

            it("exports the registry host and one URL per repository", async () => {
                const plan = await planOf(stack, "aws");
                const host = `${mockAccountId}.dkr.ecr.eu-west-1.amazonaws.com`;
                assert.equal(plan.outputs["registryUrl"], host);
                assert.deepEqual(plan.outputs["repositoryUrls"], repositories.map((repository) => `${host}/${repository}`));
            });

            it(expected[stack].protect ? "protects repositories and refuses to delete them with images" : "stays deletable in dev", async () => {
                for (const repository of resourcesOf(await planOf(stack, "aws"), ecrRepository)) {
                    assert.equal(repository.protect, expected[stack].protect);
                    assert.equal(repository.inputs["forceDelete"], !expected[stack].protect);
                }
            });
        });
    }
});

describe("container registry on Azure (ACR)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];
            const premium = env.acrSku === "Premium";

            it(`is a ${env.acrSku} registry with the admin user and anonymous pull off`, async () => {
                const plan = await planOf(stack, "azure");
                const registry = inputsOf(plan, acr);
                assert.match(registry["registryName"], new RegExp(`^acrplatform${stack}[a-z0-9]{4}$`));
                assert.deepEqual(registry["sku"], { name: env.acrSku });
                assert.deepEqual([registry["adminUserEnabled"], registry["anonymousPullEnabled"]], [false, false]);
                assert.equal(registry["networkRuleBypassOptions"], "AzureServices");
            });

            it(premium ? "retains untagged manifests 7 days, spans zones and has a private endpoint" : "uses no Premium-only feature", async () => {
                const plan = await planOf(stack, "azure");
                const registry = inputsOf(plan, acr);
                assert.deepEqual(registry["policies"], premium ? { retentionPolicy: { status: "enabled", days: 7 } } : undefined);
                assert.equal(registry["zoneRedundancy"], premium && expected[stack].zones > 1 ? "Enabled" : "Disabled");
                const endpoints = resourcesOf(plan, "azure-native:network:PrivateEndpoint")
                    .filter((endpoint) => endpoint.inputs["privateLinkServiceConnections"][0].groupIds[0] === "registry");
                assert.equal(endpoints.length, premium ? 1 : 0);
            });

            it("grants AcrPull on the registry to the kubelet identity only", async () => {
                const plan = await planOf(stack, "azure");
                const pull = inputsOf(plan, "azure-native:authorization:RoleAssignment", "registry-pull");
                assert.match(pull["roleDefinitionId"], /\/roleDefinitions\/7f951dda-4ed3-4680-a7ca-43fe172d538d$/);
                const registryId = `/subscriptions/${mockSubscriptionId}/resourceGroups/rg-platform-${stack}/providers/Microsoft.ContainerRegistry/registries/${inputsOf(plan, acr)["registryName"]}`;
                assert.equal(pull["scope"], registryId);
                const cluster = resourceOf(plan, "azure-native:containerservice:ManagedCluster");
                assert.deepEqual([pull["principalId"], pull["principalType"]], [mockKubeletObjectId(cluster.name), "ServicePrincipal"]);
            });

            it(`purges daily down to the newest ${env.keepImages} tags per repository, untagged manifests too`, async () => {
                const plan = await planOf(stack, "azure");
                const task = inputsOf(plan, "azure-native:containerregistry:Task");
                assert.equal(task["registryName"], inputsOf(plan, acr)["registryName"]);
                assert.equal(task["step"].type, "EncodedTask");
                const yaml = Buffer.from(task["step"].encodedTaskContent, "base64").toString("utf8");
                assert.match(yaml, /^version: v1\.1\.0\n/);
                assert.match(yaml, new RegExp(`- cmd: acr purge --filter 'platform/api:\\.\\*' --filter 'platform/worker:\\.\\*' --ago 0d --keep ${env.keepImages} --untagged\\n`));
                assert.deepEqual(task["trigger"].timerTriggers, [{ name: "daily", schedule: "0 3 * * *", status: "Enabled" }]);
                assert.equal(task["status"], "Enabled");
            });

            it("exports the login server and one URL per repository", async () => {
                const plan = await planOf(stack, "azure");
                const host = `${inputsOf(plan, acr)["registryName"]}.azurecr.io`;
                assert.equal(plan.outputs["registryUrl"], host);
                assert.deepEqual(plan.outputs["repositoryUrls"], repositories.map((repository) => `${host}/${repository}`));
            });

            it(expected[stack].protect ? "is guarded by a delete lock and Pulumi protect" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "azure");
                assert.equal(resourceOf(plan, acr).protect, expected[stack].protect);
                const scope = inputsOf(plan, "azure-native:authorization:RoleAssignment", "registry-pull")["scope"];
                assert.equal(lockedScopes(plan).includes(scope), expected[stack].protect);
            });
        });
    }
});

/** The month a budget created today starts in (UTC). */
function thisMonth(): string {
    return new Date().toISOString().slice(0, 7);
}

describe("budget", () => {
    it("refuses a start month the Budgets API would reject, and starts a configured one as given", async () => {
        const withStart = (startMonth: string) => planWith({
            stack: "dev", cloud: "azure",
            configOverrides: { "platform:budget": stackValue("dev", "budget", (budget) => (budget["startMonth"] = startMonth)) },
        });
        const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
        assert.deepEqual(inputsOf(await withStart(nextMonth), "azure-native:consumption:Budget")["timePeriod"], { startDate: `${nextMonth}-01T00:00:00Z` });
        await assert.rejects(withStart("2017-05"), /platform:budget\.startMonth: 2017-05 must be between 2017-06 and/);
        const tooLate = new Date(Date.UTC(new Date().getUTCFullYear() + 2, 0, 1)).toISOString().slice(0, 7);
        await assert.rejects(withStart(tooLate), /at most 12 months ahead/);
        // A past month: the simulated Budgets API refuses a new budget starting there, like the real one.
        await assert.rejects(withStart("2026-11"), /azure-native:consumption:Budget "budget-monthly": timePeriod\.startDate "2026-11-01T00:00:00Z" is before the current month/);
    });

    for (const stack of stacks) {
        describe(stack, () => {
            const env = want[stack];

            it(`budgets ${env.budgetUsd} USD a month on AWS over the stack's cost-allocation tag`, async () => {
                const plan = await planOf(stack, "aws");
                const budget = inputsOf(plan, "aws:budgets/budget:Budget");
                assert.deepEqual(
                    [budget["name"], budget["budgetType"], budget["limitAmount"], budget["limitUnit"], budget["timeUnit"], budget["timePeriodStart"]],
                    [`platform-${stack}`, "COST", String(env.budgetUsd), "USD", "MONTHLY", `${thisMonth()}-01_00:00`],
                );
                assert.ok(resourceOf(plan, "aws:budgets/budget:Budget").ignoreChanges.includes("timePeriodStart"), "the start stays where the first up put it");
                assert.deepEqual(budget["costFilters"], [{ name: "TagKeyValue", values: [`user:stack$${stack}`] }]);
                assert.deepEqual([plan.outputs["budgetName"], plan.outputs["budgetMonthlyUsd"]], [`platform-${stack}`, env.budgetUsd]);
            });

            it("e-mails on AWS at 50, 80 and 100 % of actual spend and when the forecast passes 100 %", async () => {
                const notifications = inputsOf(await planOf(stack, "aws"), "aws:budgets/budget:Budget")["notifications"];
                assert.deepEqual(notifications.map((n: any) => [n.notificationType, n.threshold]), [["ACTUAL", 50], ["ACTUAL", 80], ["ACTUAL", 100], ["FORECASTED", 100]]);
                for (const notification of notifications) {
                    assert.deepEqual(
                        [notification.thresholdType, notification.comparisonOperator, notification.subscriberEmailAddresses],
                        ["PERCENTAGE", "GREATER_THAN", alertEmails],
                    );
                }
            });

            it(`budgets ${env.budgetUsd} USD a month on Azure over the stack's resource group`, async () => {
                const plan = await planOf(stack, "azure");
                const budget = inputsOf(plan, "azure-native:consumption:Budget");
                assert.equal(budget["scope"], `/subscriptions/${mockSubscriptionId}/resourceGroups/rg-platform-${stack}`);
                assert.deepEqual(
                    [budget["budgetName"], budget["amount"], budget["category"], budget["timeGrain"], budget["timePeriod"]],
                    [`platform-${stack}`, env.budgetUsd, "Cost", "Monthly", { startDate: `${thisMonth()}-01T00:00:00Z` }],
                );
                // The API accepts a new budget's start only within the current month; it must never move afterwards.
                assert.ok(resourceOf(plan, "azure-native:consumption:Budget").ignoreChanges.includes("timePeriod.startDate"));
                assert.deepEqual([plan.outputs["budgetName"], plan.outputs["budgetMonthlyUsd"]], [`platform-${stack}`, env.budgetUsd]);
            });

            it("e-mails on Azure at 50, 80 and 100 % of actual cost and when the forecast passes 100 %", async () => {
                const notifications = inputsOf(await planOf(stack, "azure"), "azure-native:consumption:Budget")["notifications"];
                const fired = Object.values(notifications).map((n: any) => [n.thresholdType, n.threshold]);
                assert.deepEqual(fired.sort(), [["Actual", 100], ["Actual", 50], ["Actual", 80], ["Forecasted", 100]]);
                for (const notification of Object.values(notifications) as any[]) {
                    assert.deepEqual([notification.enabled, notification.operator, notification.contactEmails], [true, "GreaterThan", alertEmails]);
                }
            });
        });
    }
});
