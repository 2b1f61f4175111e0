export type { Cache, CacheArgs } from "./cache.ts";
export { AwsCache } from "./aws.ts";
export { AzureCache } from "./azure.ts";
