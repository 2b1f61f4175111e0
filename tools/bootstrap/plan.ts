/**
 * The bootstrap program (`bootstrap/index.ts`) for one cloud, evaluated under Pulumi's mock
 * runtime and the simulated cloud, as the offline plan evaluates the platform
 * (tools/offline/evaluate.ts, whose registration recording this reuses). No credentials, no CLI.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { PlatformMocks } from "../offline/mocks.ts";
import { plannedResources, projectRoot, recordResourceOptions, resolveOutputs, withOverrides, type PlannedResource } from "../offline/evaluate.ts";
import { readStackFile } from "../stack-file.ts";

export const bootstrapDir = path.join(projectRoot, "bootstrap");

export interface BootstrapPlan {
    readonly resources: PlannedResource[];
    readonly outputs: Record<string, unknown>;
}

/** Bad configuration or a create the cloud would refuse; the message names the key or the rule. */
export class BootstrapPlanError extends Error {
    override name = "BootstrapPlanError";
}

let evaluations = 0;

/** Plans stack `cloud` of the bootstrap project; `configOverrides` replace whole values (`platform-bootstrap:aws` → object). */
export async function planBootstrap(cloud: string, configOverrides: Record<string, unknown> = {}): Promise<BootstrapPlan> {
    const stackFile = readStackFile(bootstrapDir, cloud);
    const config = withOverrides(stackFile.config, configOverrides);
    pulumi.runtime.setAllConfig(config, stackFile.secretKeys);
    const mocks = new PlatformMocks();
    await pulumi.runtime.setMocks(mocks, stackFile.project, cloud, false);
    const registrations = recordResourceOptions();
    const programUrl = `${pathToFileURL(path.join(bootstrapDir, "index.ts")).href}?evaluation=${++evaluations}`;
    let imported: { module: Record<string, unknown> } | { error: unknown } = { module: {} };
    await pulumi.runtime.runInPulumiStack(async () => {
        imported = await import(programUrl).then((module: Record<string, unknown>) => ({ module }), (error: unknown) => ({ error }));
        return {};
    });
    if ("error" in imported) {
        const error = imported.error;
        await pulumi.runtime.disconnect();
        throw pulumi.RunError.isInstance(error) ? new BootstrapPlanError((error as Error).message) : error;
    }
    const { outputs } = await resolveOutputs(imported.module, false);
    await pulumi.runtime.disconnect();
    if (mocks.rejections.length > 0) {
        throw new BootstrapPlanError(mocks.rejections.join("; "));
    }
    return { resources: plannedResources(mocks.registered, registrations), outputs };
}
