export type { ObjectStorage, StorageArgs } from "./storage.ts";
export { AwsObjectStorage } from "./aws.ts";
export { AzureObjectStorage } from "./azure.ts";
