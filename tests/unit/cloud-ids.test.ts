/** The ids providers give the objects they name, which the recovery imports half-created objects by. */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { adoptionId, armResourceId, awsProviderNamed, kubernetesObjectId } from "../../tools/cloud-ids.ts";
import { adoptPendingCreates, parseLocks, staleReason } from "../../tools/ci/recover.ts";

const subscriptionId = "00000000-0000-0000-0000-000000000000";

describe("cloud ids", () => {
    it("names a Kubernetes object by namespace/name, a cluster-scoped one and a Helm release as the provider does", () => {
        assert.equal(kubernetesObjectId("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "default-deny", namespace: "api" } }), "api/default-deny");
        assert.equal(kubernetesObjectId("kubernetes:core/v1:Namespace", { metadata: { name: "api" } }), "api");
        assert.equal(kubernetesObjectId("kubernetes:helm.sh/v3:Release", { name: "keda", namespace: "keda" }), "keda/keda");
        assert.equal(kubernetesObjectId("kubernetes:core/v1:ConfigMap", { metadata: {} }), undefined, "an autonamed object has no id before it exists");
    });

    it("builds an Azure resource's ARM id from its name inputs, parents included", () => {
        assert.equal(armResourceId(subscriptionId, "azure-native:servicebus:Queue", { resourceGroupName: "rg-platform-dev", namespaceName: "sb-1", queueName: "jobs" }),
            `/subscriptions/${subscriptionId}/resourceGroups/rg-platform-dev/providers/Microsoft.ServiceBus/namespaces/sb-1/queues/jobs`);
        assert.equal(armResourceId(subscriptionId, "azure-native:resources:ResourceGroup", { resourceGroupName: "rg-platform-dev" }), `/subscriptions/${subscriptionId}/resourceGroups/rg-platform-dev`);
        assert.equal(armResourceId(subscriptionId, "azure-native:servicebus:Queue", { resourceGroupName: "rg", queueName: "jobs" }), undefined, "without its parent's name");
        assert.equal(armResourceId(subscriptionId, "azure-native:authorization:RoleAssignment", { scope: "/x" }), undefined, "a type the table does not know");
    });

    it("adopts by those ids, and nothing whose id the cloud generates", () => {
        assert.equal(adoptionId("kubernetes:core/v1:Namespace", { metadata: { name: "api" } }, {}), "api");
        assert.match(adoptionId("azure-native:network:VirtualNetwork", { resourceGroupName: "rg", virtualNetworkName: "vnet" }, { subscriptionId })!, /virtualNetworks\/vnet$/);
        assert.equal(adoptionId("azure-native:network:VirtualNetwork", { resourceGroupName: "rg", virtualNetworkName: "vnet" }, {}), undefined, "no subscription known");
        assert.equal(adoptionId("aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16" }, {}), undefined);
    });

    it("knows which AWS types the provider names from the autonaming pattern", () => {
        assert.equal(awsProviderNamed("aws:iam/role:Role"), true);
        assert.equal(awsProviderNamed("aws:ec2/securityGroup:SecurityGroup"), true);
        assert.equal(awsProviderNamed("aws:ec2/subnet:Subnet"), false);
        assert.equal(awsProviderNamed("aws:not/a:Type"), false);
    });
});

describe("stack locks", () => {
    const message = [
        "the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
        "  s3://state/.pulumi/locks/organization/platform/dev/1.json: created by runner@fv-az123 (pid 2211) at 2026-12-06T10:00:00Z",
        "  s3://state/.pulumi/locks/organization/platform/dev/2.json: created by jane.doe@laptop (pid 77) at 2026-12-06T11:30:00+01:00",
    ].join("\n");
    const context = { now: new Date("2026-12-06T11:00:00Z"), host: "laptop", processAlive: (pid: number) => pid !== 77, noUpdateRunning: false, staleAfterMinutes: 360 };

    it("reads each lock's owner, process and time off the CLI's message", () => {
        const locks = parseLocks(message);
        assert.deepEqual(locks.map((lock) => [lock.user, lock.host, lock.pid, lock.createdAt.toISOString()]), [
            ["runner", "fv-az123", 2211, "2026-12-06T10:00:00.000Z"],
            ["jane.doe", "laptop", 77, "2026-12-06T10:30:00.000Z"],
        ]);
    });

    it("calls a lock stale only when no update can hold it", () => {
        const [runner, local] = parseLocks(message);
        assert.equal(staleReason(runner!, context), undefined, "an hour old on another machine: it may still run");
        assert.match(staleReason(local!, context)!, /process 77 on this machine is gone/);
        assert.match(staleReason(runner!, { ...context, staleAfterMinutes: 30 })!, /older than 30 minutes/);
        assert.match(staleReason(runner!, { ...context, noUpdateRunning: true })!, /no update can be running/);
    });
});

describe("adopting pending creates into the state", () => {
    const urn = "urn:pulumi:dev::platform::kubernetes:core/v1:Namespace::kubernetes-api";
    const decisions = [{ urn, operation: "creating" as const, action: "adopt" as const, id: "api", reason: "" }];
    const pending = { type: "creating", resource: { urn, custom: true, type: "kubernetes:core/v1:Namespace", inputs: { metadata: { name: "api" } } } };

    it("appends a new object, and leaves no pending operation", () => {
        const next = adoptPendingCreates({ resources: [{ urn: "stack" }], pending_operations: [pending] }, decisions);
        assert.deepEqual(next["resources"], [{ urn: "stack" }, { ...pending.resource, id: "api" }]);
        assert.equal(next["pending_operations"], undefined);
    });

    it("puts the object in the place of the one a delete-first replacement already deleted", () => {
        const old = { urn, custom: true, id: "api", pendingReplacement: true, inputs: { metadata: { name: "api", labels: {} } } };
        const next = adoptPendingCreates({ resources: [{ urn: "stack" }, old], pending_operations: [pending] }, decisions);
        assert.deepEqual(next["resources"], [{ urn: "stack" }, { ...pending.resource, id: "api" }], "one entry under the URN");
    });

    it("marks for deletion the one a create-first replacement had not deleted yet", () => {
        const old = { urn, custom: true, id: "api-old", inputs: {} };
        const next = adoptPendingCreates({ resources: [old], pending_operations: [pending] }, decisions);
        assert.deepEqual(next["resources"], [{ ...old, delete: true }, { ...pending.resource, id: "api" }]);
    });
});
