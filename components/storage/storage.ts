import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { Network } from "../network/network.ts";
import type { SecretStore } from "../secrets/secrets.ts";

export interface StorageArgs {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly secrets: SecretStore;
    /** Anyone may read objects; never set by the checked-in stacks. */
    readonly publicRead: boolean;
    readonly versioning: boolean;
    readonly temporaryPrefix: string;
    readonly temporaryExpiryDays: number;
    readonly softDeleteDays: number;
    /** 0 turns write-once retention off. */
    readonly objectLockDays: number;
    readonly zoneRedundant: boolean;
}

/** Object storage as the layers above see it, the same on every cloud. */
export interface ObjectStorage {
    /** S3 bucket name / blob container name. */
    readonly bucketName: pulumi.Output<string>;
    /** HTTPS URL of the bucket / container. */
    readonly endpoint: pulumi.Output<string>;
}
