export type { Cluster, ClusterArgs, NodePoolSize } from "./cluster.ts";
export { AwsCluster } from "./aws.ts";
export { AzureCluster } from "./azure.ts";
