/**
 * How long a stack's first `up` takes, from the plan's dependency graph: each resource starts
 * when everything it waits for has finished (the engine's own rule: explicit `dependsOn`, the
 * resources its inputs come from, its provider; waiting for a component means waiting for all
 * its children) and takes its type's typical creation time (creation-times.json). The engine
 * runs everything else in parallel, so the first `up` lasts as long as the longest chain.
 * Pure.
 */
import { readFileSync } from "node:fs";

export interface TimelineResource {
    readonly type: string;
    readonly name: string;
    /** Its parent's `<type>::<name>`, if any. */
    readonly parentKey?: string | undefined;
    /** `<type>::<name>` of the resources it waits for. */
    readonly waitsFor: readonly string[];
}

export interface CreationTimes {
    /** When the figures were gathered (YYYY-MM-DD). */
    readonly taken: string;
    /** Any type not listed: one API call and its wait. */
    readonly default: { readonly seconds: number; readonly source: string };
    readonly types: Readonly<Record<string, { readonly seconds: number; readonly source: string }>>;
}

export interface TimelineStep {
    readonly type: string;
    readonly name: string;
    readonly seconds: number;
    /** Seconds from the start of the `up` at which it is done. */
    readonly doneAt: number;
}

export interface Timeline {
    readonly seconds: number;
    /** The longest chain, first to last: what the `up` waits for. */
    readonly chain: TimelineStep[];
}

/** Component resources (the program's own types) and providers take no time of their own. */
const instantaneous = (type: string) => type.startsWith("pulumi:providers:") || !type.includes(":") || type.split(":")[0] === "platform";

export function loadCreationTimes(): CreationTimes {
    return JSON.parse(readFileSync(new URL("./creation-times.json", import.meta.url), "utf8")) as CreationTimes;
}

export function firstUpTimeline(resources: readonly TimelineResource[], times: CreationTimes): Timeline {
    const keyOf = (resource: TimelineResource) => `${resource.type}::${resource.name}`;
    const byKey = new Map(resources.map((resource) => [keyOf(resource), resource]));
    const children = new Map<string, TimelineResource[]>();
    for (const resource of resources) {
        if (resource.parentKey) {
            children.set(resource.parentKey, [...(children.get(resource.parentKey) ?? []), resource]);
        }
    }
    const durationOf = (resource: TimelineResource) => (instantaneous(resource.type) ? 0 : (times.types[resource.type] ?? times.default).seconds);
    // Per resource: when it is done, and the step before it on its longest chain.
    const done = new Map<TimelineResource, { at: number; after?: TimelineResource | undefined }>();
    const visiting = new Set<TimelineResource>();

    const finish = (resource: TimelineResource): number => {
        const known = done.get(resource);
        if (known) {
            return known.at;
        }
        if (visiting.has(resource)) {
            throw new Error(`the plan's dependencies form a cycle through ${resource.type} ${resource.name}`);
        }
        visiting.add(resource);
        // What it waits for: its dependencies, and, for a component, everything under it.
        const waitsFor = [
            ...resource.waitsFor.flatMap((key) => byKey.get(key) ?? []),
            ...(instantaneous(resource.type) ? children.get(keyOf(resource)) ?? [] : []),
        ];
        let start = 0;
        let after: TimelineResource | undefined;
        for (const other of waitsFor) {
            const at = finish(other);
            if (after === undefined || at > start) {
                start = at;
                after = other;
            }
        }
        visiting.delete(resource);
        const at = start + durationOf(resource);
        done.set(resource, { at, after });
        return at;
    };

    let last: TimelineResource | undefined;
    for (const resource of resources) {
        if (last === undefined || finish(resource) > finish(last)) {
            last = resource;
        }
    }
    const chain: TimelineStep[] = [];
    for (let step = last; step !== undefined; step = done.get(step)?.after) {
        if (durationOf(step) > 0) {
            chain.unshift({ type: step.type, name: step.name, seconds: durationOf(step), doneAt: done.get(step)!.at });
        }
    }
    return { seconds: last ? finish(last) : 0, chain };
}
