import { Provider } from "@pulumi/azure-native/provider.js";
import { AzureCluster } from "../cluster/azure.ts";
import { cloudSettings } from "../context.ts";
import { AzureNetwork } from "../network/azure.ts";
import type { Cloud } from "./cloud.ts";

export const azureCloud: Cloud = {
    region: (context) => cloudSettings(context, "azure").location,
    provider: (context) => new Provider("azure-native", { location: cloudSettings(context, "azure").location }),
    network: (name, args, opts) => new AzureNetwork(name, args, opts),
    cluster: (name, args, opts) => new AzureCluster(name, args, opts),
};
