import assert from "node:assert/strict";
import { builtInRoles } from "../../components/azure/roles.ts";
import { autonamedPrefixes } from "../../components/ci-identity/aws-policy.ts";
import { mockAccountId, mockSubscriptionId, mockTenantId } from "../../tools/simulated-cloud/answers.ts";
import type { PlanReport, PlannedResource } from "../../tools/offline/evaluate.ts";
import { list, type Statement } from "../support/iam.ts";
import { inputsOf, planOf, planWith, planWithWorkloads, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue, type StackName } from "../support/stack-config.ts";

const repository = "acme/platform";
const issuer = "https://token.actions.githubusercontent.com";
const subjectsOf = (stack: StackName) => ({
    deploy: [`repo:${repository}:environment:${stack}`],
    // Pull requests and the nightly drift check reach the read-only identity only from the stack's own environments.
    preview: [`repo:${repository}:environment:${stack}-preview`, `repo:${repository}:environment:${stack}-drift`],
});

const role = "aws:iam/role:Role";
const rolePolicy = "aws:iam/rolePolicy:RolePolicy";
const identity = "azure-native:managedidentity:UserAssignedIdentity";
const credential = "azure-native:managedidentity:FederatedIdentityCredential";
const assignment = "azure-native:authorization:RoleAssignment";


/** Resources the CI identity component created. */
function ciResources(plan: PlanReport): PlannedResource[] {
    return plan.resources.filter((resource) => resource.parent === "ci-identity");
}

function statementsOf(plan: PlanReport, name: string): Statement[] {
    return JSON.parse(inputsOf(plan, rolePolicy, name)["policy"]).Statement;
}

/** The statements of the deploy role's managed policies (`ci-identity-deploy-<part>`). */
function deployStatementsOf(plan: PlanReport): Statement[] {
    return resourcesOf(plan, "aws:iam/policy:Policy")
        .filter((policy) => policy.name.startsWith("ci-identity-deploy-"))
        .flatMap((policy) => JSON.parse(policy.inputs["policy"]).Statement);
}

/** IAM wildcard semantics (`*` spans anything) for checking that generated names fall under the policy. */
function matches(pattern: string, value: string): boolean {
    return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(value);
}

function roleId(role: string): RegExp {
    return new RegExp(`/subscriptions/${mockSubscriptionId}/providers/Microsoft\\.Authorization/roleDefinitions/${role}$`);
}

describe("CI identity on AWS", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const subjects = subjectsOf(stack);

            it("trusts GitHub's OIDC provider for STS, without a thumbprint", async () => {
                const provider = inputsOf(await planOf(stack, "aws"), "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ci-identity-github");
                assert.deepEqual(provider, { url: issuer, clientIdLists: ["sts.amazonaws.com"] });
            });

            it("lets only jobs in the stack's GitHub environment assume the deploy role, for an hour", async () => {
                const plan = await planOf(stack, "aws");
                const deploy = inputsOf(plan, role, "ci-identity-deploy");
                assert.deepEqual([deploy["name"], deploy["maxSessionDuration"]], [`platform-${stack}-ci-deploy`, 3600]);
                assert.deepEqual(JSON.parse(deploy["assumeRolePolicy"]).Statement, [{
                    Effect: "Allow",
                    Principal: { Federated: `arn:aws:iam::${mockAccountId}:oidc-provider/token.actions.githubusercontent.com` },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": subjects.deploy,
                        },
                    },
                }]);
            });

            it("gives pull requests and main's drift checks a separate read-only preview role", async () => {
                const plan = await planOf(stack, "aws");
                const preview = inputsOf(plan, role, "ci-identity-preview");
                assert.equal(preview["maxSessionDuration"], 3600);
                const condition = JSON.parse(preview["assumeRolePolicy"]).Statement[0].Condition;
                assert.deepEqual(condition, { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": subjects.preview } });
                const attached = resourcesOf(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((attachment) => attachment.inputs["role"] === preview["name"]);
                assert.deepEqual(attached.map((attachment) => attachment.inputs["policyArn"]), ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
                const guard = statementsOf(plan, "ci-identity-preview");
                assert.ok(guard.every((statement) => statement.Effect === "Deny"), "the preview role's own policy only takes away");
                const denied = guard.flatMap((statement) => list(statement.Action));
                assert.ok(["s3:GetObject*", "secretsmanager:GetSecretValue", "ssm:GetParameter*", "logs:GetLogEvents"].every((action) => denied.includes(action)));
                assert.equal(guard[0]!.Resource, `arn:aws:s3:::platform-${stack}-data-*/*`);
            });

            it("maps the deploy role to cluster admin and the preview role to view in EKS", async () => {
                const plan = await planOf(stack, "aws");
                for (const [purpose, policy] of [["deploy", "AmazonEKSClusterAdminPolicy"], ["preview", "AmazonEKSViewPolicy"]] as const) {
                    const principalArn = `arn:aws:iam::${mockAccountId}:role/platform-${stack}-ci-${purpose}`;
                    assert.deepEqual(inputsOf(plan, "aws:eks/accessEntry:AccessEntry", `ci-identity-${purpose}`), { clusterName: `platform-${stack}`, principalArn, type: "STANDARD" });
                    const association = inputsOf(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", `ci-identity-${purpose}`);
                    assert.deepEqual([association["principalArn"], association["policyArn"]], [principalArn, `arn:aws:eks::aws:cluster-access-policy/${policy}`]);
                }
            });

            it("scopes the deploy role to this stack's names", async () => {
                const plan = await planOf(stack, "aws");
                const statements = deployStatementsOf(plan);
                const resourcesOfSid = (sid: string) => list(statements.find((statement) => statement.Sid === sid)!.Resource);
                assert.deepEqual(resourcesOfSid("SecretValues"), [`arn:aws:secretsmanager:eu-west-1:${mockAccountId}:secret:platform/${stack}/*`]);
                assert.deepEqual(resourcesOfSid("Storage"), [`arn:aws:s3:::platform-${stack}-data-*`]);
                assert.ok(resourcesOfSid("Cluster").every((arn) => arn.includes(`/platform-${stack}`)));
                const ours = { "aws:ResourceTag/stack": stack, "aws:ResourceTag/project": "platform" };
                const network = statements.find((statement) => statement.Sid === "Network")!;
                assert.deepEqual(network.Condition, { StringEquals: ours });
                assert.deepEqual(statements.find((statement) => statement.Sid === "NetworkCreate")!.Condition, {
                    StringEquals: { "aws:RequestTag/stack": stack, "aws:RequestTag/project": "platform" },
                });
                assert.ok(!statements.some((statement) => list(statement.Action).includes("ec2:RunInstances")));
            });

            it("covers every name the program generates, workloads' included, and only through the scoped statements", async () => {
                const plan = await planWithWorkloads(stack, "aws");
                const statements = deployStatementsOf(plan);
                const allowed = (sid: string, name: string) => list(statements.find((statement) => statement.Sid === sid)!.Resource).some((pattern) => matches(pattern, name));
                const arn = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:${mockAccountId}:${resource}`;
                for (const resource of plan.resources) {
                    const { type, name, inputs } = resource;
                    if (type === role && resource.parent !== "ci-identity") {
                        // Pulumi.yaml's autonaming names roles `<project>-<stack>-<logical name>`; roles made before it keep
                        // `<logical name>-<7 characters>`.
                        if (autonamedPrefixes.some((prefix) => name.startsWith(prefix))) {
                            assert.ok(allowed("PassRoles", `arn:aws:iam::${mockAccountId}:role/${name}-abcdefg`), `role ${name}`);
                        }
                        assert.ok(allowed("PassRoles", `arn:aws:iam::${mockAccountId}:role/platform-${stack}-${name}`), `role platform-${stack}-${name}`);
                    } else if (type === "aws:s3/bucket:Bucket") {
                        assert.ok(allowed("Storage", `arn:aws:s3:::${inputs["bucket"]}`), `bucket ${inputs["bucket"]}`);
                    } else if (type === "aws:secretsmanager/secret:Secret") {
                        assert.ok(allowed("SecretValues", arn("secretsmanager", `secret:${inputs["name"]}-AbCdEf`)), `secret ${inputs["name"]}`);
                    } else if (type === "aws:rds/instance:Instance") {
                        assert.ok(allowed("Database", arn("rds", `db:${inputs["identifier"]}`)), `database ${inputs["identifier"]}`);
                    } else if (type === "aws:elasticache/replicationGroup:ReplicationGroup") {
                        assert.ok(allowed("Cache", arn("elasticache", `replicationgroup:${inputs["replicationGroupId"]}`)));
                    } else if (type === "aws:kms/alias:Alias") {
                        const region = inputs["region"] ?? "eu-west-1";
                        assert.ok(allowed("KeyAliases", `arn:aws:kms:${region}:${mockAccountId}:${inputs["name"]}`), `alias ${inputs["name"]} in ${region}`);
                    } else if (type === "aws:cloudtrail/eventDataStore:EventDataStore") {
                        assert.ok(allowed("SecretReadLog", arn("cloudtrail", "eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE")), `event data store ${inputs["name"]}`);
                    } else if (type === "aws:scheduler/schedule:Schedule") {
                        assert.ok(allowed("SecretReminders", arn("scheduler", `schedule/default/${inputs["name"]}`)), `schedule ${inputs["name"]}`);
                    } else if (type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication") {
                        assert.ok(allowed("DatabaseBackupCopies", `arn:aws:rds:${inputs["region"]}:${mockAccountId}:auto-backup:ab-abcdefghijklmnopqrstuvwxyz1234567890`), "the backups' copy");
                    } else if (type === "aws:cloudwatch/logGroup:LogGroup") {
                        const groups = inputs["name"] ? [inputs["name"]] : [`${name}-abcdefg`, `platform-${stack}-${name}`];
                        groups.forEach((group) => assert.ok(allowed("Logs", arn("logs", `log-group:${group}`)), `log group ${group}`));
                    } else if (type === "aws:budgets/budget:Budget") {
                        assert.ok(allowed("Budget", `arn:aws:budgets::${mockAccountId}:budget/${inputs["name"]}`));
                    } else if (type === "aws:sqs/queue:Queue") {
                        assert.ok(allowed("WorkloadQueues", arn("sqs", inputs["name"])), `queue ${inputs["name"]}`);
                    } else if (type === "aws:sns/topic:Topic") {
                        assert.ok(allowed("WorkloadAlertTopic", arn("sns", inputs["name"])), `topic ${inputs["name"]}`);
                    } else if (type === "aws:cloudwatch/metricAlarm:MetricAlarm") {
                        assert.ok(allowed("WorkloadAlarms", arn("cloudwatch", `alarm:${inputs["name"]}`)), `alarm ${inputs["name"]}`);
                    } else if (type === "aws:ecr/repository:Repository") {
                        const repository = arn("ecr", `repository/${inputs["name"]}`);
                        assert.ok(allowed("Registry", repository) || allowed("BuildCacheRepositories", repository), `repository ${inputs["name"]}`);
                    }
                }
            });

            it("attaches only the AWS managed policies the program itself uses", async () => {
                const plan = await planOf(stack, "aws");
                const attach = deployStatementsOf(plan).find((statement) => statement.Sid === "RoleAttachments")!;
                const attachable: string[] = attach.Condition!["ArnEquals"]["iam:PolicyARN"];
                const used = resourcesOf(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .filter((attachment) => attachment.parent !== "ci-identity")
                    .map((attachment) => attachment.inputs["policyArn"]);
                assert.deepEqual([...new Set(used)].sort(), [...attachable].sort());
            });

            it("creates no user, access key or other long-lived credential", async () => {
                const plan = await planOf(stack, "aws");
                assert.deepEqual(resourcesOf(plan, "aws:iam/user:User"), []);
                assert.deepEqual(resourcesOf(plan, "aws:iam/accessKey:AccessKey"), []);
                assert.deepEqual([...new Set(ciResources(plan).map((resource) => resource.type))].sort(), [
                    "aws:eks/accessEntry:AccessEntry",
                    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
                    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
                    "aws:iam/policy:Policy",
                    "aws:iam/role:Role",
                    "aws:iam/rolePolicy:RolePolicy",
                    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                ]);
                assert.ok(ciResources(plan).every((resource) => !resource.protect), "identities hold no data");
            });

            it("exports what the workflow needs to log in", async () => {
                const plan = await planOf(stack, "aws");
                assert.deepEqual(plan.outputs["ciIdentity"], {
                    issuer,
                    audience: "sts.amazonaws.com",
                    deployId: `arn:aws:iam::${mockAccountId}:role/platform-${stack}-ci-deploy`,
                    previewId: `arn:aws:iam::${mockAccountId}:role/platform-${stack}-ci-preview`,
                    accountId: mockAccountId,
                    tenantId: mockAccountId,
                    subjects,
                });
            });
        });
    }

    it("reuses an existing GitHub provider of the account", async () => {
        const providerArn = `arn:aws:iam::${mockAccountId}:oidc-provider/token.actions.githubusercontent.com`;
        const plan = await planWith({
            stack: "staging",
            cloud: "aws",
            configOverrides: { "platform:ci": stackValue("staging", "ci", (ci) => (ci["aws"] = { oidcProviderArn: providerArn })) },
        });
        assert.deepEqual(ciResources(plan).filter((resource) => resource.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider"), []);
        assert.equal(JSON.parse(inputsOf(plan, role, "ci-identity-deploy")["assumeRolePolicy"]).Statement[0].Principal.Federated, providerArn);
    });
});

describe("CI identity on Azure", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const subjects = subjectsOf(stack);
            const stackGroup = `/subscriptions/${mockSubscriptionId}/resourceGroups/rg-platform-${stack}`;

            it("keeps the identities in a tagged resource group of their own, out of the deploy identity's reach", async () => {
                const plan = await planOf(stack, "azure");
                const group = inputsOf(plan, "azure-native:resources:ResourceGroup", "ci-identity-rg");
                assert.deepEqual([group["resourceGroupName"], group["location"], group["tags"].stack], [`rg-platform-${stack}-ci`, "westeurope", stack]);
                for (const purpose of ["deploy", "preview"]) {
                    const created = inputsOf(plan, identity, `ci-identity-${purpose}`);
                    assert.deepEqual([created["resourceName"], created["resourceGroupName"]], [`platform-${stack}-ci-${purpose}`, `rg-platform-${stack}-ci`]);
                    assert.equal(created["tags"].owner, "platform-team");
                }
            });

            it("federates exactly one credential per trusted subject, GitHub's issuer and the token-exchange audience", async () => {
                const plan = await planOf(stack, "azure");
                for (const purpose of ["deploy", "preview"] as const) {
                    const credentials = resourcesOf(plan, credential).filter((entry) => entry.inputs["resourceName"] === `platform-${stack}-ci-${purpose}`);
                    assert.deepEqual(credentials.map((entry) => entry.inputs["subject"]).sort(), [...subjects[purpose]].sort());
                    for (const { inputs } of credentials) {
                        assert.deepEqual([inputs["issuer"], inputs["audiences"]], [issuer, ["api://AzureADTokenExchange"]]);
                        assert.match(inputs["federatedIdentityCredentialResourceName"], /^github-[a-z0-9-]+$/);
                    }
                }
            });

            it("lets the deploy identity manage the stack's group, assign only the program's roles, and administer the cluster", async () => {
                const plan = await planOf(stack, "azure");
                const contributor = inputsOf(plan, assignment, "ci-identity-deploy-contributor");
                assert.match(contributor["roleDefinitionId"], roleId(builtInRoles.contributor));
                assert.equal(contributor["scope"], stackGroup);

                const delegated = inputsOf(plan, assignment, "ci-identity-deploy-role-assignments");
                assert.match(delegated["roleDefinitionId"], roleId(builtInRoles.roleBasedAccessControlAdministrator));
                assert.deepEqual([delegated["scope"], delegated["conditionVersion"]], [stackGroup, "2.0"]);
                // The platform's roles, then those the program grants workloads: Service Bus Data Receiver (a worker
                // on its queue), Data Owner (KEDA reads the queue's depth), Cognitive Services OpenAI User (models),
                // Event Hubs Data Receiver and Sender and Schema Registry Reader (an event_processor on its hub and
                // group), Schema Registry Contributor (the provisioner registers schemas) and Storage Blob Data
                // Contributor (Event Hubs Capture writes archives).
                const roles = [
                    builtInRoles.keyVaultSecretsUser, builtInRoles.keyVaultCryptoUser, builtInRoles.keyVaultContributor, builtInRoles.acrPull, builtInRoles.networkContributor,
                    builtInRoles.aksClusterUser, builtInRoles.dnsZoneContributor, builtInRoles.reader,
                    builtInRoles.serviceBusDataReceiver, builtInRoles.serviceBusDataOwner, builtInRoles.cognitiveServicesOpenAiUser,
                    builtInRoles.eventHubsDataReceiver, builtInRoles.eventHubsDataSender, builtInRoles.schemaRegistryReader,
                    builtInRoles.schemaRegistryContributor, builtInRoles.storageBlobDataContributor,
                ];
                const roleLists = [...String(delegated["condition"]).matchAll(/RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals \{([^}]*)\}/g)].map((match) => match[1]);
                assert.deepEqual(roleLists, [roles.join(", "), roles.join(", ")], "exactly these roles, on writes and deletes");
                // Every role the program assigns is one the deploy identity may assign, except the first
                // deployer's cluster admin: created once by an administrator and never changed (ignoreChanges).
                for (const other of resourcesOf(plan, assignment).filter((entry) => entry.parent !== "ci-identity" && entry.name !== "cluster-deployer-admin")) {
                    assert.ok(roles.some((id) => other.inputs["roleDefinitionId"].endsWith(id)), `${other.name} assigns a role CI may not`);
                }

                const clusterAdmin = inputsOf(plan, assignment, "ci-identity-deploy-cluster");
                assert.match(clusterAdmin["roleDefinitionId"], roleId(builtInRoles.aksRbacClusterAdmin));
                assert.match(clusterAdmin["scope"], new RegExp(`/managedClusters/platform-${stack}$`));
                const ownGroup = inputsOf(plan, assignment, "ci-identity-deploy-ci-reader");
                assert.deepEqual([ownGroup["roleDefinitionId"].split("/").pop(), ownGroup["scope"]], [builtInRoles.reader, `${stackGroup}-ci`]);
            });

            it(stack === "dev" ? "needs no lock role where the stack sets no locks" : "may manage the stack's locks through a custom role and nothing else", async () => {
                const plan = await planOf(stack, "azure");
                const lockRoles = resourcesOf(plan, "azure-native:authorization:RoleDefinition").filter((definition) => definition.name === "ci-identity-locks");
                if (stack === "dev") {
                    assert.deepEqual(lockRoles, []);
                    return;
                }
                const locks = inputsOf(plan, "azure-native:authorization:RoleDefinition", "ci-identity-locks");
                assert.deepEqual(locks["permissions"], [{ actions: ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write", "Microsoft.Authorization/locks/delete"], notActions: [] }]);
                assert.deepEqual([locks["scope"], locks["assignableScopes"]], [stackGroup, [stackGroup]]);
                assert.equal(inputsOf(plan, assignment, "ci-identity-deploy-locks")["scope"], stackGroup);
            });

            it("gives pull requests a preview identity that only reads, not images, plus the invokes Reader lacks", async () => {
                const plan = await planOf(stack, "azure");
                const previewPrincipal = inputsOf(plan, assignment, "ci-identity-preview-reader")["principalId"];
                const granted = resourcesOf(plan, assignment).filter((entry) => entry.inputs["principalId"] === previewPrincipal);
                // Custom roles' ids are known only once they exist (the simulated cloud names them after the resource).
                const custom = (name: string) => granted.find((entry) => entry.name === name)!.inputs["roleDefinitionId"].split("/").pop();
                assert.deepEqual(granted.map((entry) => [entry.inputs["roleDefinitionId"].split("/").pop(), entry.inputs["scope"].replace(/.*\//, "")]).sort(), [
                    [builtInRoles.aksClusterUser, `platform-${stack}`],
                    [custom("ci-identity-preview-reader"), `rg-platform-${stack}`],
                    [builtInRoles.aksRbacReader, `platform-${stack}`],
                    [custom("ci-identity-preview-invokes"), `rg-platform-${stack}`],
                    [builtInRoles.reader, `rg-platform-${stack}-identities`],
                    [builtInRoles.reader, "NetworkWatcher_westeurope"],
                ].sort());
                // Every preview and drift check runs listDatabaseKeys (the cache's keys): exactly that action, nothing that writes.
                const invokes = inputsOf(plan, "azure-native:authorization:RoleDefinition", "ci-identity-preview-invokes");
                // The cache's keys, and each event hub's Listen key for KEDA (read on every preview).
                assert.deepEqual(invokes["permissions"], [{
                    actions: ["Microsoft.Cache/redisEnterprise/databases/listKeys/action", "Microsoft.EventHub/namespaces/eventhubs/authorizationRules/listKeys/action"],
                    notActions: [],
                }]);
                assert.deepEqual(invokes["assignableScopes"], [stackGroup]);
                const reader = inputsOf(plan, "azure-native:authorization:RoleDefinition", "ci-identity-preview-reader");
                assert.deepEqual(reader["permissions"][0].actions, ["*/read"]);
                assert.ok(reader["permissions"][0].notActions.includes("Microsoft.ContainerRegistry/registries/pull/read"));
            });

            it("creates no secret, certificate or owner-level grant", async () => {
                const plan = await planOf(stack, "azure");
                const types = [...new Set(ciResources(plan).map((resource) => resource.type))].sort();
                assert.deepEqual(types, [
                    "azure-native:authorization:RoleDefinition",
                    assignment,
                    credential,
                    identity,
                    "azure-native:resources:ResourceGroup",
                ].sort());
                const privileged = ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"]; // Owner, User Access Administrator
                assert.ok(resourcesOf(plan, assignment).every((entry) => !privileged.some((id) => entry.inputs["roleDefinitionId"].endsWith(id))));
                assert.ok(ciResources(plan).every((resource) => !resource.protect), "identities hold no data");
            });

            it("exports what the workflow needs to log in", async () => {
                const plan = await planOf(stack, "azure");
                const output = plan.outputs["ciIdentity"] as Record<string, unknown>;
                assert.deepEqual(
                    [output["issuer"], output["audience"], output["accountId"], output["tenantId"], output["subjects"]],
                    [issuer, "api://AzureADTokenExchange", mockSubscriptionId, mockTenantId, subjects],
                );
                assert.match(String(output["deployId"]), /^[0-9a-f-]{36}$/);
                assert.notEqual(output["deployId"], output["previewId"]);
            });
        });
    }
});

describe("CI identity configuration", () => {
    for (const stack of ["staging", "prod"] as const) {
        it(`refuses unreviewed pull-request previews of ${stack}, whose secrets the preview decrypts`, async () => {
            await assert.rejects(
                planWith({ stack, cloud: "aws", configOverrides: { "platform:ci": stackValue(stack, "ci", (ci) => (ci["pullRequests"] = true)) } }),
                new RegExp(`platform:ci\\.pullRequests: a pull request's own code would preview ${stack} with its secrets; preview in a reviewed GitHub environment listed in ci\\.previewEnvironments`),
            );
        });
    }

    const reject = (cloud: "aws" | "azure", change: (ci: Record<string, any>) => void) =>
        planWith({ stack: "dev", cloud, configOverrides: { "platform:ci": stackValue("dev", "ci", change) } });

    const invalid: [string, (ci: Record<string, any>) => void, RegExp][] = [
        ["a repository without its owner", (ci) => (ci["repository"] = "acme"), /^invalid configuration: platform:ci\.repository: "acme" is not a GitHub repository such as acme\/platform$/],
        ["no environment", (ci) => (ci["environments"] = []), /^invalid configuration: platform:ci\.environments: must list at least one GitHub environment/],
        ["a branch pattern", (ci) => (ci["branches"] = ["release/*"]), /^invalid configuration: platform:ci\.branches\.0: "release\/\*" is a pattern; list exact branch names/],
        ["a ref instead of a branch", (ci) => (ci["branches"] = ["refs/heads/main"]), /platform:ci\.branches\.0: "refs\/heads\/main" is a ref/],
        ["a branch listed twice", (ci) => (ci["branches"] = ["main", "main"]), /platform:ci\.branches: lists "main" twice/],
        ["more subjects than Azure federates", (ci) => (ci["branches"] = Array.from({ length: 21 }, (_, index) => `b${index}`)), /platform:ci\.branches: 24 branches and environments exceed 20/],
        ["an environment with a space", (ci) => (ci["environments"] = ["prod east"]), /platform:ci\.environments\.0: "prod east" is not a GitHub environment name/],
        ["a non-boolean pullRequests", (ci) => (ci["pullRequests"] = "yes"), /platform:ci\.pullRequests: must be a boolean, got "yes"/],
        ["a preview environment that also deploys", (ci) => (ci["previewEnvironments"] = ["dev"]), /platform:ci\.previewEnvironments: "dev" is also a deploy environment/],
        ["an unknown key", (ci) => (ci["subjects"] = ["repo:*"]), /platform:ci\.subjects: unknown key/],
    ];
    for (const [what, change, message] of invalid) {
        it(`refuses ${what} on one line naming the key, before creating anything`, async () => {
            await assert.rejects(reject("aws", change), (error: Error) => {
                assert.match(error.message, message);
                assert.ok(!error.message.includes("\n"));
                return true;
            });
        });
    }

    for (const cloud of ["aws", "azure"] as const) {
        it(`creates no preview identity on ${cloud} when no environment, branch or pull request may read`, async () => {
            const plan = await reject(cloud, (ci) => Object.assign(ci, { pullRequests: false, branches: [], previewEnvironments: [] }));
            assert.deepEqual(ciResources(plan).filter((resource) => resource.name.includes("preview")), []);
            assert.equal((plan.outputs["ciIdentity"] as Record<string, unknown>)["previewId"], undefined);
        });

        it(`creates no CI identity on ${cloud} without platform:ci`, async () => {
            const plan = await planWith({ stack: "dev", cloud, configOverrides: { "platform:ci": undefined } });
            assert.deepEqual(ciResources(plan), []);
            assert.equal(plan.outputs["ciIdentity"], undefined);
        });
    }

    it("names long and unusual branches in valid, distinct Azure credential names", async () => {
        const plan = await reject("azure", (ci) => (ci["branches"] = ["main", "Release/2.x", "release-2-x"]));
        // The CI identities' credentials; the workload identities' (External Secrets, cert-manager, external-dns) are autonamed.
        const names = ciResources(plan).filter((entry) => entry.type === credential).map((entry) => entry.inputs["federatedIdentityCredentialResourceName"] as string);
        assert.equal(names.length, 6, "one per environment and per branch");
        assert.equal(new Set(names).size, names.length, names.join(", "));
        assert.ok(names.every((name) => typeof name === "string" && /^[a-z0-9][a-z0-9-]{2,119}$/.test(name)), names.join(", "));
        assert.ok(resourceOf(plan, credential, "ci-identity-preview-branch-release-2-x"));
    });
});
