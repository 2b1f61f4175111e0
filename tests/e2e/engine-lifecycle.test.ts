/**
 * The real Pulumi engine, offline: the CLI and language host built from Go modules
 * (tools/go), the stand-in provider plugins (tests/e2e/stand-in), a file backend with
 * a passphrase, and the project's own CI driver. One stack's life, in order: preview with the
 * policy pack, up (with one workload of each pattern), outputs, drift, a resized database, a
 * refused destroy, destroy. The other
 * engine tests (engine-protection, engine-first-preview, cloud-harness) are separate files so
 * that mocha's workers run them side by side.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "mocha";
import YAML from "yaml";
import { sandboxOrSkip, type EngineSandbox } from "./sandbox.ts";
import { cloudContents, secretSignature, signatureKey } from "./stand-in/cloud.ts";
import { workloadFixture } from "../support/plans.ts";

describe("the real Pulumi engine, offline (dev on AWS)", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;
    let planned: { create: number } | undefined;

    before(function () {
        sandbox = sandboxOrSkip(this);
        const withWorkloads = YAML.parseDocument(sandbox.stackFile("dev"));
        withWorkloads.setIn(["config", "platform:workloads"], workloadFixture);
        sandbox.writeStackFile("dev", withWorkloads.toString());
    });

    after(() => sandbox?.dispose());

    it("previews a new dev stack created from Pulumi.dev.yaml, with the policy pack attached", async () => {
        const { code, result, stderr } = await sandbox.driverJson("preview", "dev");
        assert.equal(code, 0, stderr.slice(-4000));
        assert.equal(result["status"], "succeeded");
        assert.equal(result["environment"], "dev");
        assert.ok(result["changes"].create > 100, `a whole platform to create, got ${JSON.stringify(result["changes"])}`);
        assert.deepEqual(
            result["policy"].filter((violation: { enforcement: string }) => violation.enforcement === "mandatory"),
            [],
            "no mandatory policy violation",
        );
        assert.ok(result["changesByType"]["aws:eks/cluster:Cluster"]?.create === 1, "the EKS cluster is in the plan");
        assert.match(sandbox.stackFile("dev"), /^encryptionsalt: /m, "the stack was created with the passphrase provider");
        planned = result["changes"];
    });

    it("brings dev up: every planned resource exists in the stand-in cloud", async () => {
        const { code, result, stderr } = await sandbox.driverJson("up", "dev");
        assert.equal(code, 0, stderr.slice(-4000));
        assert.equal(result["status"], "succeeded");
        assert.equal(result["changes"].create, planned?.create, "up creates what the preview planned");
        const created = cloudContents(sandbox.cloudDir);
        assert.ok(created.some((resource) => resource.type === "aws:rds/instance:Instance"), "the database exists");
        const named = (type: string, name: string) => created.some((resource) => resource.type === type && resource.urn.endsWith(`::${name}`));
        assert.ok(named("kubernetes:apps/v1:Deployment", "workload-orders-deployment"), "the web API runs");
        assert.ok(named("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "workload-orders-route"), "with its route on the gateway");
        assert.ok(named("aws:sqs/queue:Queue", "workload-billing-jobs-queue"), "the worker's queue exists");
        assert.ok(named("kubernetes:keda.sh/v1alpha1:ScaledObject", "workload-billing-jobs-scaler"), "KEDA scales the worker");
        assert.ok(named("kubernetes:batch/v1:Job", "workload-catalog-api-database"), "the data API's database was made");
        assert.ok(named("kubernetes:batch/v1:Job", "workload-catalog-api-migrations"), "its migrations ran");
        assert.ok(named("kubernetes:apps/v1:Deployment", "workload-catalog-api-deployment"), "the data API runs");
        assert.ok(named("aws:msk/serverlessCluster:ServerlessCluster", "kubernetes-bindings-event-bus"), "the event bus exists");
        assert.ok(named("kubernetes:batch/v1:Job", "workload-order-events-topic"), "the event processor's topic was made");
        assert.ok(named("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "workload-order-events-archive"), "and is archived");
        assert.ok(named("kubernetes:keda.sh/v1alpha1:ScaledObject", "workload-order-events-scaler"), "KEDA scales the event processor");
        assert.equal(created.length, standInCreates(result), "one cloud resource per created resource of the stand-in providers");
    });

    it("reads the stack's outputs, secrets masked", async () => {
        const { code, result } = await sandbox.driverJson("outputs", "dev");
        assert.equal(code, 0, result["message"]);
        const outputs = result["outputs"] as Record<string, unknown>;
        assert.equal(outputs["cloudName"], "aws");
        assert.match(String(outputs["databaseHost"]), /^platform-dev-postgres\.c[0-9a-f]+\.eu-west-1\.rds\.amazonaws\.com$/, "the endpoint the stand-in computed");
        assert.equal(outputs["databaseSku"], "db.t4g.small");
        assert.equal(outputs["kubeconfig"], "[secret]", "the kubeconfig is a secret");
    });

    it("finds no drift right after up, without writing state", async () => {
        const before = sandbox.stateFile("dev");
        const { code, result } = await sandbox.driverJson("drift", "dev");
        assert.equal(code, 0, result["message"]);
        assert.equal(result["status"], "succeeded");
        assert.equal(sandbox.stateFile("dev"), before, "the nightly identity only reads: drift leaves the checkpoint as it was");
    });

    it("shows exactly the resized database when the stack file changes its size", async () => {
        const original = sandbox.stackFile("dev");
        const resized = YAML.parseDocument(original);
        resized.setIn(["config", "platform:database", "memoryGiB"], 4);
        sandbox.writeStackFile("dev", resized.toString());
        try {
            const { code, result } = await sandbox.driverJson("preview", "dev");
            assert.equal(code, 0, result["message"]);
            const { same, ...changes } = result["changes"];
            // Only the instance: what depends on its address or resource id (the data API's grants and jobs) sees them unchanged.
            assert.deepEqual(changes, { create: 0, update: 1, replace: 0, delete: 0 }, JSON.stringify(result["changedResources"]));
            assert.ok(same > 100);
            assert.deepEqual(result["changesByType"], { "aws:rds/instance:Instance": { create: 0, update: 1, replace: 0, delete: 0 } });
            assert.deepEqual(result["changedResources"], [{ op: "update", type: "aws:rds/instance:Instance", name: "database-primary", properties: ["instanceClass"] }]);
        } finally {
            sandbox.writeStackFile("dev", original);
        }
    });

    it("refuses to destroy a protected environment and leaves it untouched", async () => {
        const { code, result } = await sandbox.driverJson("destroy", "staging");
        assert.equal(code, 5);
        assert.equal(result["status"], "refused");
        assert.match(result["message"], /staging/);
        const stacks = await sandbox.pulumi(["stack", "ls", "--json"]);
        assert.doesNotMatch(stacks.stdout, /"staging"/, "the refused destroy never opened the stack");
    });

    it("keeps no secret in plain text in the state file", async () => {
        const exported = await sandbox.pulumi(["stack", "export", "--stack", "dev", "--show-secrets"]);
        assert.equal(exported.code, 0, exported.stderr);
        const secrets = plaintextSecrets(JSON.parse(exported.stdout));
        const passwords = cloudContents(sandbox.cloudDir)
            .filter((resource) => resource.type === "random:index/randomPassword:RandomPassword")
            .map((resource) => String(resource.outputs["result"]));
        assert.ok(passwords.length >= 2, "the database and Grafana passwords exist in the cloud");
        for (const password of passwords) {
            assert.ok(secrets.includes(password), "each generated password is a secret in the state");
        }
        const state = sandbox.stateFile("dev");
        assert.match(state, /"ciphertext"/);
        // Short values ("true", a port) occur in the state for other reasons.
        for (const secret of secrets.filter((value) => value.length >= 8)) {
            assert.ok(!state.includes(secret), `a secret appears in plain text in the state: ${secret.slice(0, 4)}…`);
        }
    });

    it("destroys dev and leaves nothing behind in the stand-in cloud", async () => {
        const { code, result } = await sandbox.driverJson("destroy", "dev");
        assert.equal(code, 0, result["message"]);
        assert.equal(result["changes"].delete, planned?.create);
        assert.deepEqual(cloudContents(sandbox.cloudDir), []);
    });
});

/** Creates of cloud resources: the engine's totals also count components and providers, which exist only in the state. */
function standInCreates(result: Record<string, any>): number {
    return Object.entries(result["changesByType"] as Record<string, { create: number }>)
        // A Helm v4 Chart is a component the provider registers; the cloud holds only its children.
        .filter(([type]) => /^(aws|azure-native|kubernetes|random):/.test(type) && type !== "kubernetes:helm.sh/v4:Chart")
        .reduce((sum, [, counts]) => sum + counts.create, 0);
}

/** Every string secret's plain value in a deployment exported with --show-secrets. */
function plaintextSecrets(value: unknown): string[] {
    if (value === null || typeof value !== "object") {
        return [];
    }
    const object = value as Record<string, unknown>;
    if (object[signatureKey] === secretSignature && typeof object["plaintext"] === "string") {
        const plain = JSON.parse(object["plaintext"]) as unknown;
        return typeof plain === "string" ? [plain] : [];
    }
    return Object.values(object).flatMap(plaintextSecrets);
}
