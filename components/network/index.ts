export type { Network, NetworkArgs } from "./network.ts";
export { AwsNetwork } from "./aws.ts";
export { AzureNetwork } from "./azure.ts";
