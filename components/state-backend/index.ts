import type { BootstrapConfig } from "../../config/bootstrap.ts";
import type { CloudName } from "../../config/schema.ts";
import type { StateBackend, StateBackendArgs } from "./state-backend.ts";

export type { StateBackend, StateBackendArgs } from "./state-backend.ts";

type Loader = (name: string, config: BootstrapConfig, args: StateBackendArgs) => Promise<StateBackend>;

/** The schema requires the chosen cloud's settings; this only narrows the type. */
function settingsOf<Cloud extends CloudName>(config: BootstrapConfig, cloud: Cloud): NonNullable<BootstrapConfig[Cloud]> {
    return config[cloud]!;
}

const loaders: Record<CloudName, Loader> = {
    aws: async (name, config, args) => {
        const { AwsStateBackend, awsProvider } = await import("./aws.ts");
        const aws = settingsOf(config, "aws");
        return new AwsStateBackend(name, { ...args, aws }, { providers: [awsProvider(aws, args.tags)] });
    },
    azure: async (name, config, args) => {
        const { AzureStateBackend, azureProvider } = await import("./azure.ts");
        const azure = settingsOf(config, "azure");
        return new AzureStateBackend(name, { ...args, azure }, { providers: [azureProvider(azure)] });
    },
};

/** The store of `config.cloud`; only that cloud's module (and SDK) is loaded. */
export function createStateBackend(name: string, config: BootstrapConfig, args: StateBackendArgs): Promise<StateBackend> {
    return loaders[config.cloud](name, config, args);
}
