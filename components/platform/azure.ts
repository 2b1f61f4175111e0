import { Provider } from "@pulumi/azure-native/provider.js";
import { AzureBudget } from "../budget/azure.ts";
import { AzureCache } from "../cache/azure.ts";
import { AzureCiIdentity } from "../ci-identity/azure.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { cloudSettings } from "../../config/context.ts";
import { AzureDatabase } from "../database/azure.ts";
import { AzureDnsZone } from "../dns/azure.ts";
import { AzureNetwork } from "../network/azure.ts";
import { AzureRegistry } from "../registry/azure.ts";
import { AzureSecretStore } from "../secrets/azure.ts";
import { AzureObjectStorage } from "../storage/azure.ts";
import { AzureKubernetesBindings } from "../kubernetes/azure.ts";
import type { Cloud } from "./cloud.ts";

export const azureCloud: Cloud = {
    region: (context) => cloudSettings(context, "azure").location,
    provider: (context) => new Provider("azure-native", { location: cloudSettings(context, "azure").location }),
    network: (name, args, opts) => new AzureNetwork(name, args, opts),
    cluster: (name, args, opts) => new AzureCluster(name, args, opts),
    secrets: (name, args, opts) => new AzureSecretStore(name, args, opts),
    database: (name, args, opts) => new AzureDatabase(name, args, opts),
    cache: (name, args, opts) => new AzureCache(name, args, opts),
    storage: (name, args, opts) => new AzureObjectStorage(name, args, opts),
    registry: (name, args, opts) => new AzureRegistry(name, args, opts),
    dns: (name, args, opts) => new AzureDnsZone(name, args, opts),
    budget: (name, args, opts) => new AzureBudget(name, args, opts),
    kubernetesBindings: (name, args, opts) => new AzureKubernetesBindings(name, args, opts),
    ciIdentity: (name, args, opts) => new AzureCiIdentity(name, args, opts),
};
