import assert from "node:assert/strict";
import { secretMask } from "../../tools/offline/evaluate.ts";
import { mockTenantId } from "../../tools/simulated-cloud/answers.ts";
import { cloudNames, expected, inputsOf, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

const platformSecrets = ["anthropic-api-key", "grafana-admin-password", "openai-api-key", "postgres-admin-password", "postgres-app-password", "redis-password"];

describe("secrets on AWS (Secrets Manager)", () => {
    for (const stack of stacks) {
        it(`${stack}: holds every platform secret under a rotating customer-managed key`, async () => {
            const plan = await planOf(stack, "aws");
            const key = resourceOf(plan, "aws:kms/key:Key", "secrets-key");
            assert.equal(key.inputs["enableKeyRotation"], true);
            assert.equal(key.protect, expected[stack].protect);
            const secrets = resourcesOf(plan, "aws:secretsmanager/secret:Secret");
            // Without read replicas RDS keeps the admin password itself (database.test.ts); secretRefs names its secret.
            const stored = stack === "prod" ? platformSecrets : platformSecrets.filter((name) => name !== "postgres-admin-password");
            assert.deepEqual(secrets.map((secret) => secret.inputs["name"].split("/").at(-1)).sort(), stored);
            assert.deepEqual(Object.keys(plan.outputs["secretRefs"] as object).sort(), platformSecrets);
            for (const secret of secrets) {
                assert.match(secret.inputs["kmsKeyId"], /^arn:aws:kms:/, secret.name);
                assert.equal(secret.inputs["name"].startsWith(`platform/${stack}/`), true);
                assert.equal(secret.protect, expected[stack].protect, secret.name);
            }
            assert.ok(resourcesOf(plan, "aws:secretsmanager/secretVersion:SecretVersion").every((version) => version.inputs["secretString"] === secretMask));
        });
    }
});

describe("secrets on Azure (Key Vault)", () => {
    for (const stack of stacks) {
        it(`${stack}: holds every platform secret in a private, purge-protected RBAC vault`, async () => {
            const plan = await planOf(stack, "azure");
            const vault = resourceOf(plan, "azure-native:keyvault:Vault", "secrets-vault");
            const properties = vault.inputs["properties"];
            assert.deepEqual(
                [properties.enableRbacAuthorization, properties.enablePurgeProtection, properties.enableSoftDelete, properties.publicNetworkAccess],
                [true, true, true, "disabled"],
            );
            assert.equal(vault.protect, expected[stack].protect);
            const endpoint = inputsOf(plan, "azure-native:network:PrivateEndpoint", "secrets-vault");
            assert.deepEqual(endpoint["privateLinkServiceConnections"][0].groupIds, ["vault"]);
            const secrets = resourcesOf(plan, "azure-native:keyvault:Secret");
            assert.deepEqual(secrets.map((secret) => secret.inputs["secretName"]).sort(), platformSecrets);
            assert.ok(secrets.every((secret) => secret.inputs["properties"] === secretMask), "the value makes the whole properties block secret");
            assert.ok(secrets.every((secret) => secret.inputs["vaultName"] === vault.inputs["vaultName"]));
            assert.equal(properties.tenantId, mockTenantId, "the deployer's tenant");
        });
    }
});

describe("reads of secrets", () => {
    for (const stack of stacks) {
        it(`${stack} on aws: every GetSecretValue of the account's region is kept for logRetentionDays in an event data store`, async () => {
            const plan = await planOf(stack, "aws");
            const store = inputsOf(plan, "aws:cloudtrail/eventDataStore:EventDataStore", "secrets-reads");
            assert.equal(store["retentionPeriod"], stackValue(stack, "logRetentionDays"));
            assert.deepEqual(store["advancedEventSelectors"][0].fieldSelectors, [
                { field: "eventCategory", equals: ["Management"] },
                { field: "eventSource", equals: ["secretsmanager.amazonaws.com"] },
                { field: "eventName", equals: ["GetSecretValue", "BatchGetSecretValue"] },
            ]);
            assert.equal(store["terminationProtectionEnabled"], expected[stack].protect);
        });

        it(`${stack} on azure: the vault's audit log goes to the stack's Log Analytics workspace`, async () => {
            const plan = await planOf(stack, "azure");
            const setting = resourceOf(plan, "azure-native:monitor:DiagnosticSetting", "secrets-vault-audit");
            const vault = inputsOf(plan, "azure-native:keyvault:Vault", "secrets-vault");
            assert.ok(setting.inputs["resourceUri"].endsWith(`/vaults/${vault["vaultName"]}`));
            assert.deepEqual(setting.inputs["logs"], [{ categoryGroup: "audit", enabled: true }]);
            const workspace = resourceOf(plan, "azure-native:operationalinsights:Workspace");
            assert.ok(setting.dependsOn.includes(workspace.name), "its workspace is the cluster's, the stack's only one");
            assert.equal(workspace.inputs["retentionInDays"], stackValue(stack, "logRetentionDays"));
        });
    }
});

describe("API key expiry", () => {
    const day = 86_400_000;
    const issued = new Date(Date.now() - 10 * day).toISOString().slice(0, 10);
    const expiry = new Date(Date.parse(`${issued}T00:00:00Z`) + 90 * day);
    const withIssuedKey = (cloud: "aws" | "azure", issuedOn = issued) => planWith({
        stack: "prod",
        cloud,
        configOverrides: { "platform:openaiApiKey": "sk-test-never-printed", "platform:rotation": { apiKeysIssued: { openaiApiKey: issuedOn } } },
    });

    it("aws: tags the secret with its expiry and e-mails the alert addresses 30 days before it", async () => {
        const plan = await withIssuedKey("aws");
        const secret = resourceOf(plan, "aws:secretsmanager/secret:Secret", "secrets-openai-api-key");
        assert.deepEqual(secret.inputs["tags"], { expires: expiry.toISOString().slice(0, 10) });
        assert.equal(resourceOf(plan, "aws:secretsmanager/secret:Secret", "secrets-anthropic-api-key").inputs["tags"], undefined, "an unset key has no date");
        const schedule = inputsOf(plan, "aws:scheduler/schedule:Schedule", "secrets-openai-api-key-expiry");
        assert.equal(schedule["scheduleExpression"], `at(${new Date(expiry.getTime() - 30 * day).toISOString().slice(0, 19)})`);
        assert.deepEqual([schedule["scheduleExpressionTimezone"], schedule["actionAfterCompletion"]], ["UTC", "NONE"]);
        const topic = resourceOf(plan, "aws:sns/topic:Topic", "secrets-expiry");
        assert.ok(resourceOf(plan, "aws:scheduler/schedule:Schedule", "secrets-openai-api-key-expiry").dependsOn.includes(topic.name), "it publishes to that topic");
        assert.match(topic.inputs["kmsMasterKeyId"], /^arn:aws:kms:/);
        assert.deepEqual(resourcesOf(plan, "aws:sns/topicSubscription:TopicSubscription").filter((entry) => entry.name.startsWith("secrets-expiry-")).map((entry) => entry.inputs["endpoint"]), stackValue("prod", "budget")["alertEmails"]);
        const role = resourceOf(plan, "aws:iam/role:Role", "secrets-expiry");
        assert.deepEqual(JSON.parse(role.inputs["assumeRolePolicy"]).Statement[0].Principal, { Service: "scheduler.amazonaws.com" });
        const grants = JSON.parse(inputsOf(plan, "aws:iam/rolePolicy:RolePolicy", "secrets-expiry")["policy"]).Statement;
        assert.deepEqual(grants.map((statement: { Action: unknown }) => statement.Action), ["sns:Publish", ["kms:GenerateDataKey*", "kms:Decrypt"]]);
    });

    it("azure: gives the secret Key Vault's expiry and alerts on its near-expiry event through an action group", async () => {
        const plan = await withIssuedKey("azure");
        const secret = resourceOf(plan, "azure-native:keyvault:Secret", "secrets-openai-api-key");
        assert.equal(secret.inputs["properties"], secretMask, "the attributes sit beside the value");
        const topic = inputsOf(plan, "azure-native:eventgrid:SystemTopic", "secrets-vault-events");
        assert.equal(topic["topicType"], "Microsoft.KeyVault.vaults");
        assert.ok(topic["source"].endsWith(`/vaults/${inputsOf(plan, "azure-native:keyvault:Vault", "secrets-vault")["vaultName"]}`));
        const subscription = inputsOf(plan, "azure-native:eventgrid:SystemTopicEventSubscription", "secrets-expiry");
        assert.deepEqual(subscription["filter"].includedEventTypes, ["Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"]);
        assert.equal(subscription["eventDeliverySchema"], "CloudEventSchemaV1_0");
        const group = resourceOf(plan, "azure-native:monitor:ActionGroup", "secrets-expiry");
        assert.equal(subscription["destination"].endpointType, "MonitorAlert");
        assert.match(subscription["destination"].actionGroups[0], /\/providers\/Microsoft\.Insights\/actionGroups\//i);
        assert.deepEqual(group.inputs["emailReceivers"].map((receiver: { emailAddress: string }) => receiver.emailAddress), stackValue("prod", "budget")["alertEmails"]);
    });

    it("warns by key in the plan once a key is within 30 days of expiry, and sends no reminder for a day already past", async () => {
        const nearlyExpired = new Date(Date.now() - 80 * day).toISOString().slice(0, 10);
        const plan = await withIssuedKey("aws", nearlyExpired);
        assert.ok(plan.warnings.some((warning) => warning.startsWith("platform:rotation.apiKeysIssued.openaiApiKey: the key expires on ")), plan.warnings.join("\n"));
        assert.deepEqual(resourcesOf(plan, "aws:scheduler/schedule:Schedule"), []);
    });
});

describe("secret values", () => {
    for (const cloud of cloudNames) {
        it(`never appear in the ${cloud} plan, and unset API keys are flagged as placeholders`, async () => {
            const plan = await planWith({ stack: "prod", cloud, configOverrides: { "platform:openaiApiKey": "sk-test-never-printed" } });
            const document = JSON.stringify(plan);
            assert.ok(!document.includes("sk-test-never-printed"), "the API key");
            assert.ok(!/Mock-[0-9a-f]/.test(document), "a generated password");
            assert.deepEqual(plan.outputs["placeholderSecrets"], ["anthropic-api-key"]);
            assert.deepEqual(Object.keys(plan.outputs["secretRefs"] as object).sort(), platformSecrets);
        });

        it(`flags both API keys on ${cloud} when the stack sets neither`, async () => {
            const plan = await planOf("dev", cloud);
            assert.deepEqual([...(plan.outputs["placeholderSecrets"] as string[])].sort(), ["anthropic-api-key", "openai-api-key"]);
        });
    }
});
