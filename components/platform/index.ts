import type { CloudName } from "../../config/schema.ts";
import type { Cloud } from "./cloud.ts";

export type { Cloud } from "./cloud.ts";

const loaders: Record<CloudName, () => Promise<Cloud>> = {
    aws: async () => (await import("./aws.ts")).awsCloud,
    azure: async () => (await import("./azure.ts")).azureCloud,
};

/** Imports only the selected cloud's implementation, so the other cloud's SDK is never loaded. */
export function loadCloud(name: CloudName): Promise<Cloud> {
    return loaders[name]();
}
