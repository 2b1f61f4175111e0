import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { DatabaseConfig } from "../../config/schema.ts";
import type { PortRange } from "../cache/cache.ts";
import type { Network } from "../network/network.ts";
import type { SecretStore, SecretValue } from "../secrets/secrets.ts";

/** `platform:database` (keys, defaults and limits in `config/`) plus what the program wires. */
export interface DatabaseArgs extends DatabaseConfig {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly secrets: SecretStore;
}

/** PostgreSQL as the layers above see it, the same on every cloud. */
export interface Database {
    /** Private DNS name of the primary. */
    readonly host: pulumi.Output<string>;
    readonly port: number;
    readonly databaseName: string;
    readonly adminUsername: string;
    /** The admin and application passwords, for the program to store. */
    readonly credentials: readonly SecretValue[];
    /** Private DNS names of the read replicas. */
    readonly replicaHosts: pulumi.Output<string>[];
    /** The concrete instance class / SKU. */
    readonly sku: string;
    /** With `platform:database.pooling`: where pooled clients connect (RDS Proxy / the server's built-in PgBouncer). */
    readonly pooler?: { readonly host: pulumi.Output<string>; readonly port: number } | undefined;
    /** Every port clients reach: the server's, and the pooler's where it differs. */
    readonly clientPorts: readonly PortRange[];
    /** Point-in-time restore reaches back this many days. */
    readonly backupRetentionDays: number;
    /** Where the admin password lives when the cloud keeps and rotates it (RDS's `rds!db-…` secret), instead of `credentials`. */
    readonly managedAdminSecretRef?: pulumi.Output<string> | undefined;
}

/** The database every PostgreSQL server has: provisioning jobs connect to it (Entra's `pgaadauth_*` functions exist only there). */
export const maintenanceDatabase = "postgres";

export const postgresPort = 5432;
export const databaseName = "platform";
export const adminUsername = "platform_admin";
