export type { Registry, RegistryArgs } from "./registry.ts";
export { AwsRegistry } from "./aws.ts";
export { AzureRegistry } from "./azure.ts";
