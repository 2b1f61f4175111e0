/**
 * What the interrupted-update tests share (engine-recovery-aws/azure.test.ts): the faults the
 * stand-in injects, the comparison of state and cloud, a slim dev stack, and the kill-and-recover
 * sequence. After each case the state and the stand-in cloud hold exactly the same resources.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import YAML from "yaml";
import { cloudContents, faultsVariable } from "./stand-in/cloud.ts";
import type { EngineSandbox } from "./sandbox.ts";

/** Checkpoints after every step, as a real backend keeps them: what a kill leaves is what CI would find. */
const checkpoints = { PULUMI_SKIP_CHECKPOINTS: "false" };
export const faults = (value: Record<string, unknown>) => ({ [faultsVariable]: JSON.stringify(value) });
const hungType = "kubernetes:core/v1:Namespace";

/** Every custom resource the state holds, by type and id, and what the stand-in cloud holds: they must be the same. */
export async function assertStateIsCloud(sandbox: EngineSandbox, stack: string): Promise<number> {
    const exported = await sandbox.pulumi(["stack", "export", "--stack", stack]);
    assert.equal(exported.code, 0, exported.stderr);
    const deployment = JSON.parse(exported.stdout).deployment;
    assert.deepEqual(deployment.pending_operations ?? [], [], "no pending operation is left");
    const inState = (deployment.resources as { type: string; id?: string; custom: boolean }[])
        .filter((resource) => resource.custom && !resource.type.startsWith("pulumi:providers:"))
        .map((resource) => `${resource.type} ${resource.id}`)
        .sort();
    const inCloud = cloudContents(sandbox.cloudDir).map((resource) => `${resource.type} ${resource.id}`).sort();
    assert.deepEqual(inState, inCloud, "the state and the cloud hold the same resources: none leaked, none lost");
    return inCloud.length;
}

export async function assertPreviewIsClean(sandbox: EngineSandbox, stack: string): Promise<void> {
    const { code, result, stderr } = await sandbox.driverJson("preview", stack);
    assert.equal(code, 0, stderr.slice(-3000));
    const { same, ...changes } = result["changes"];
    assert.deepEqual(changes, { create: 0, update: 0, replace: 0, delete: 0 }, JSON.stringify(result["changedResources"]));
    assert.ok(same > 50);
}

/** Waits until the cloud holds new objects of `type` (hung) and stops growing: only the hung creates are in flight. */
async function untilQuiet(sandbox: EngineSandbox, type: string, before: number): Promise<void> {
    let last = -1;
    let steady = 0;
    for (let attempt = 0; attempt < 240 && steady < 4; attempt += 1) {
        await delay(500);
        const resources = cloudContents(sandbox.cloudDir);
        const count = resources.length;
        const hung = resources.filter((resource) => resource.type === type).length > before;
        steady = count === last && hung ? steady + 1 : 0;
        last = count;
    }
    assert.ok(steady >= 4, `the update never went quiet with a ${type} hung`);
}

/**
 * Dev on `cloud` without the Kubernetes add-ons, DNS, CI identities and database: the same
 * network, cluster, cache, storage and guarded namespaces in a third of the resources, so that
 * each engine run here is short.
 */
export function slimDev(sandbox: EngineSandbox, cloud: "aws" | "azure"): void {
    const document = YAML.parseDocument(sandbox.stackFile("dev"));
    document.setIn(["config", "platform:cloud"], cloud);
    const addons = document.getIn(["config", "platform:kubernetes", "addons"]) as YAML.YAMLMap;
    for (const pair of addons.items) {
        (pair as YAML.Pair<unknown, YAML.Scalar>).value!.value = false;
    }
    document.deleteIn(["config", "platform:dns"]);
    document.deleteIn(["config", "platform:ci"]);
    document.deleteIn(["config", "platform:database"]);
    sandbox.writeStackFile("dev", document.toString());
}

/** A new shared workload namespace in the stack file: a Namespace and its guardrails to create. */
export function addNamespace(sandbox: EngineSandbox, namespace: string): void {
    const document = YAML.parseDocument(sandbox.stackFile("dev"));
    (document.getIn(["config", "platform:kubernetes", "namespaces"]) as YAML.YAMLSeq).add(namespace);
    sandbox.writeStackFile("dev", document.toString());
}

/**
 * An update killed with its process group while every Namespace create hangs after the object
 * exists: the next update meets the lock, `recover` removes it (its process is gone), adopts the
 * namespaces the cloud holds, and the update after that converges.
 */
export async function killAndRecover(sandbox: EngineSandbox, stack: string, duringHang?: () => Promise<void>): Promise<void> {
    let pid = 0;
    const namespaces = cloudContents(sandbox.cloudDir).filter((resource) => resource.type === hungType).length;
    const killed = sandbox.driver(["up", stack, "--json"], { env: { ...faults({ hangCreate: { type: hungType } }), ...checkpoints }, onSpawn: (started) => (pid = started) });
    await untilQuiet(sandbox, hungType, namespaces);
    await duringHang?.();
    process.kill(-pid, "SIGKILL");
    assert.notEqual((await killed).code, 0);

    const recovered = await sandbox.driverJson("recover", stack);
    assert.equal(recovered.code, 0, recovered.stderr.slice(-3000));
    const { removedLocks, decisions } = recovered.result["recovery"];
    assert.ok(removedLocks.length > 0);
    for (const lock of removedLocks) {
        assert.match(lock, /its process \d+ on this machine is gone/);
    }
    const hung = decisions.filter((decision: { urn: string }) => decision.urn.includes(`${hungType}::`));
    assert.ok(hung.length > 0, JSON.stringify(decisions));
    assert.ok(hung.every((decision: { outcome: string }) => decision.outcome.startsWith("adopted")), JSON.stringify(decisions));

    const converged = await sandbox.driverJson("up", stack);
    assert.equal(converged.code, 0, converged.stderr.slice(-3000));
    assert.equal(converged.result["changesByType"][hungType]?.create ?? 0, 0, "the adopted namespaces are not created twice");
    await assertStateIsCloud(sandbox, stack);
    await assertPreviewIsClean(sandbox, stack);
}

