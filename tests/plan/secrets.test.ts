import assert from "node:assert/strict";
import { secretMask } from "../../tools/offline/evaluate.ts";
import { mockTenantId } from "../../tools/simulated-cloud/answers.ts";
import { cloudNames, expected, inputsOf, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks } from "../support/stack-config.ts";

const platformSecrets = ["anthropic-api-key", "grafana-admin-password", "openai-api-key", "postgres-admin-password", "postgres-app-password", "redis-password"];

describe("secrets on AWS (Secrets Manager)", () => {
    for (const stack of stacks) {
        it(`${stack}: holds every platform secret under a rotating customer-managed key`, async () => {
            const plan = await planOf(stack, "aws");
            const key = resourceOf(plan, "aws:kms/key:Key", "secrets-key");
            assert.equal(key.inputs["enableKeyRotation"], true);
            assert.equal(key.protect, expected[stack].protect);
            const secrets = resourcesOf(plan, "aws:secretsmanager/secret:Secret");
            assert.deepEqual(secrets.map((secret) => secret.inputs["name"].split("/").at(-1)).sort(), platformSecrets);
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
