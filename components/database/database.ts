import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { Network } from "../network/network.ts";
import type { SecretStore } from "../secrets/secrets.ts";

export interface DatabaseArgs {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly secrets: SecretStore;
    /** PostgreSQL major version, e.g. "17". */
    readonly version: string;
    readonly vcpu: number;
    readonly memoryGiB: number;
    readonly storageGiB: number;
    readonly highAvailability: "none" | "standby" | "zoneRedundant";
    readonly readReplicas: number;
    readonly backupRetentionDays: number;
    readonly aws?: { readonly instanceClass?: string | undefined } | undefined;
    readonly azure?: { readonly skuName?: string | undefined } | undefined;
}

/** PostgreSQL as the layers above see it, the same on every cloud. */
export interface Database {
    /** Private DNS name of the primary. */
    readonly host: pulumi.Output<string>;
    readonly port: number;
    readonly databaseName: string;
    readonly adminUsername: string;
    /** Reference to the admin password in the secrets store. */
    readonly adminSecretRef: pulumi.Output<string>;
    /** Reference to the application role's password in the secrets store. */
    readonly appSecretRef: pulumi.Output<string>;
    /** Private DNS names of the read replicas. */
    readonly replicaHosts: pulumi.Output<string>[];
    /** The concrete instance class / SKU. */
    readonly sku: string;
}

export const postgresPort = 5432;
export const databaseName = "platform";
export const adminUsername = "platform_admin";
