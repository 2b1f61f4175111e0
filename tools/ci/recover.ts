/**
 * What `recover` decides after an interrupted update: whether a lock is stale, and what
 * becomes of each operation the engine began but never recorded the end of. Pure: the run
 * (run.ts) reads the state and acts on these decisions.
 */
import { typeAndName } from "../urn.ts";
import { adoptionId, type CloudScope } from "../cloud-ids.ts";
import type { DriverState, PendingOperation } from "./driver.ts";

/** One lock file of a self-managed backend, as the CLI's lock error lists it. */
export interface StackLock {
    readonly url: string;
    readonly user: string;
    readonly host: string;
    readonly pid: number;
    readonly createdAt: Date;
}

/**
 * The locks the CLI names when it refuses an update (`checkForLock` in Pulumi's diy backend):
 * `  <url>: created by <user>@<host> (pid <pid>) at <RFC 3339 time>`, one line each.
 */
export function parseLocks(message: string): StackLock[] {
    const pattern = /^\s*(\S+): created by (.+)@([^@\s]+) \(pid (\d+)\) at (\S+)\s*$/gm;
    return [...message.matchAll(pattern)].map((match) => ({
        url: match[1]!,
        user: match[2]!,
        host: match[3]!,
        pid: Number(match[4]),
        createdAt: new Date(match[5]!),
    }));
}

export interface LockContext {
    readonly now: Date;
    /** This machine: a lock it holds is stale when its process is gone. */
    readonly host: string;
    readonly processAlive: (pid: number) => boolean;
    /** The caller knows no update of the stack can run (the workflow's concurrency group). */
    readonly noUpdateRunning: boolean;
    /** Older than this, no run can still hold it (the longest a deploy job may run). */
    readonly staleAfterMinutes: number;
}

/** Why a lock is stale, or undefined when an update may still hold it. */
export function staleReason(lock: StackLock, context: LockContext): string | undefined {
    const ageMinutes = (context.now.getTime() - lock.createdAt.getTime()) / 60_000;
    if (context.noUpdateRunning) {
        return "no update can be running (--no-update-running)";
    }
    if (lock.host === context.host && !context.processAlive(lock.pid)) {
        return `its process ${lock.pid} on this machine is gone`;
    }
    if (ageMinutes > context.staleAfterMinutes) {
        return `it is older than ${context.staleAfterMinutes} minutes, longer than any update may run`;
    }
    return undefined;
}

export function describeLock(lock: StackLock, now: Date): string {
    const minutes = Math.max(0, Math.round((now.getTime() - lock.createdAt.getTime()) / 60_000));
    return `${lock.user}@${lock.host} (pid ${lock.pid}), ${minutes} min old`;
}

/** The state's resources and pending operations, read off an exported deployment. */
export function stateOf(deployment: Record<string, unknown>): DriverState {
    const resources = (deployment["resources"] ?? []) as { urn: string; id?: string }[];
    const pending = (deployment["pending_operations"] ?? []) as { type: PendingOperation["type"]; resource: { urn: string; inputs?: Record<string, unknown>; parent?: string; provider?: string } }[];
    return {
        resources: resources.map((resource) => ({ urn: resource.urn, id: resource.id })),
        pendingOperations: pending.map((operation) => ({
            type: operation.type,
            urn: operation.resource.urn,
            inputs: operation.resource.inputs ?? {},
            parent: operation.resource.parent,
            provider: operation.resource.provider,
        })),
        deployment,
    };
}

/** What the recovery does with one pending operation. */
export interface Decision {
    readonly urn: string;
    readonly operation: PendingOperation["type"];
    /** `adopt`: into state with `id`, which the refresh then reads (or drops); `refresh`: the refresh settles it; `undecided`: a person must look. */
    readonly action: "adopt" | "refresh" | "undecided";
    readonly id?: string | undefined;
    readonly reason: string;
}

/** The Azure subscription the state's resources live in, for ARM ids. */
function cloudScope(state: DriverState): CloudScope {
    const azureId = state.resources.find((resource) => resource.id?.startsWith("/subscriptions/"))?.id;
    return { subscriptionId: azureId?.split("/")[2] };
}

/**
 * A pending create is adopted by the id its inputs give (a Kubernetes object by namespace and
 * name, an Azure resource by its ARM id) if the cloud has it, and cleared if not; one whose id
 * the cloud generates cannot be decided. Pending updates, deletes and reads are settled by the
 * refresh, which reads each resource back.
 */
export function decide(state: DriverState): Decision[] {
    const scope = cloudScope(state);
    return state.pendingOperations.map((operation): Decision => {
        if (operation.type !== "creating") {
            return { urn: operation.urn, operation: operation.type, action: "refresh", reason: "the refresh reads it back from the cloud" };
        }
        const { type, name } = typeAndName(operation.urn);
        const id = adoptionId(type, operation.inputs, scope);
        if (id === undefined) {
            return { urn: operation.urn, operation: operation.type, action: "undecided", reason: `${type} has no id its inputs give; the cloud may hold an object the state does not know` };
        }
        return { urn: operation.urn, operation: operation.type, action: "adopt", id, reason: `${name} is ${id} in the cloud, if it exists` };
    });
}

/**
 * The deployment with no pending operation left: each pending create to adopt becomes a
 * resource with the id its inputs give (the refresh that follows reads it from the cloud, and
 * drops it when the cloud has no such object); the others are cleared, their resources (an
 * update's, a delete's) already in the state for the refresh to read. A replacement killed
 * midway already has an entry under the URN: delete-first, the old one is gone and marked
 * `pendingReplacement`, so the adopted object takes its place; create-first, the old one still
 * exists, so it is marked for deletion and the next update deletes it.
 */
export function adoptPendingCreates(deployment: Record<string, unknown>, decisions: readonly Decision[]): Record<string, unknown> {
    const pending = (deployment["pending_operations"] ?? []) as { type: string; resource: Record<string, unknown> }[];
    const ids = new Map(decisions.filter((decision) => decision.action === "adopt").map((decision) => [decision.urn, decision.id!]));
    const adopted = new Map(pending
        .filter((operation) => operation.type === "creating" && ids.has(String(operation.resource["urn"])))
        .map((operation) => [String(operation.resource["urn"]), { ...operation.resource, id: ids.get(String(operation.resource["urn"])) }]));
    const placed = new Set<string>();
    const resources = ((deployment["resources"] ?? []) as Record<string, unknown>[]).map((resource) => {
        const urn = String(resource["urn"]);
        const replacement = adopted.get(urn);
        if (!replacement || resource["delete"] === true) {
            return resource;
        }
        if (resource["pendingReplacement"] === true) {
            placed.add(urn);
            return replacement;
        }
        return { ...resource, delete: true };
    });
    const { pending_operations: _cleared, ...rest } = deployment;
    return { ...rest, resources: [...resources, ...[...adopted].filter(([urn]) => !placed.has(urn)).map(([, resource]) => resource)] };
}

/** When the state was last written (its manifest's time): a write over a newer state would lose it. */
export function stateTime(deployment: Record<string, unknown>): unknown {
    return (deployment["manifest"] as { time?: unknown } | undefined)?.time;
}

/** The exact command that brings an undecided object into state once a person found its id. */
export function importCommand(stack: string, decision: Decision, operation: PendingOperation | undefined): string {
    const { type, name } = typeAndName(decision.urn);
    const parent = operation?.parent ? ` --parent 'parent=${operation.parent}'` : "";
    const provider = operation?.provider ? ` --provider 'provider=${operation.provider.split("::").slice(0, -1).join("::")}'` : "";
    return `pulumi import --stack ${stack} '${type}' '${name}' <id>${parent}${provider} --protect=false --generate-code=false`;
}
