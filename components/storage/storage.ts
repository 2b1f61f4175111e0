import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { StorageConfig } from "../../config/schema.ts";
import type { Network } from "../network/network.ts";
import type { SecretStore } from "../secrets/secrets.ts";

/** `platform:storage` (keys, defaults and limits in `config/`) plus what the program wires. */
export interface StorageArgs extends StorageConfig {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly secrets: SecretStore;
    /** Workloads archive their events here: on Azure, Event Hubs Capture writes as a trusted service. */
    readonly eventArchives: boolean;
}

/** Object storage as the layers above see it, the same on every cloud. */
export interface ObjectStorage {
    /** S3 bucket name / blob container name. */
    readonly bucketName: pulumi.Output<string>;
    /** HTTPS URL of the bucket / container. */
    readonly endpoint: pulumi.Output<string>;
}
