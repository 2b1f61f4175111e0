/**
 * What every component needs to know about the stack it belongs to. Built once from the
 * validated configuration; cloud-specific settings sit in the optional `aws` / `azure`
 * sub-objects and only the matching cloud's files read them.
 */
import type { CloudName, EnvironmentName, PlatformConfig } from "./schema.ts";

export interface PlatformContext {
    readonly project: string;
    readonly stack: string;
    readonly environment: EnvironmentName;
    /** Tags for every resource that takes them. */
    readonly tags: Record<string, string>;
    /** Staging and prod: stateful resources get cloud-level deletion protection and Pulumi `protect`. */
    readonly protectStateful: boolean;
    /** Days to keep control-plane, network and audit logs. */
    readonly logRetentionDays: number;
    /**
     * `platform:rotation.passwordDays` and the current period's first day: generated passwords
     * keep it (random keepers), so the first `up` of each period rolls them.
     */
    readonly passwordRotation: { readonly days: number; readonly period: string };
    readonly aws?: PlatformConfig["aws"];
    readonly azure?: PlatformConfig["azure"];
}

/** The cloud-specific part of the context, or a clear error when the stack left it out. */
export function cloudSettings<Cloud extends CloudName>(
    context: PlatformContext,
    cloud: Cloud,
): NonNullable<PlatformContext[Cloud]> {
    const settings = context[cloud];
    if (!settings) {
        throw new Error(`platform:${cloud} must be set to deploy to ${cloud}`);
    }
    return settings as NonNullable<PlatformContext[Cloud]>;
}
