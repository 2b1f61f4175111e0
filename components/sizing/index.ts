export { smallestFit, type MachineRequest, type MachineShape } from "./shapes.ts";
export { ec2InstanceType, ec2NodeCatalog, elastiCacheCatalog, elastiCacheNodeType, rdsCatalog, rdsInstanceClass } from "./aws.ts";
export { managedRedisCatalog, managedRedisSku, postgresCatalog, postgresSku, vmNodeCatalog, vmSize, type PostgresSku } from "./azure.ts";

/**
 * Requests inside these bounds fit a SKU on every cloud's catalog, so a valid config
 * can never fail sizing halfway through a deployment.
 */
export const machineLimits = { vcpu: { min: 2, max: 64 }, memoryGiB: { min: 4, max: 512 } } as const;
