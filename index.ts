/**
 * The platform program: reads the stack's configuration and wires the selected cloud's
 * components. Everything exported here has the same name and shape on every cloud.
 */
import { loadCloud } from "./components/platform/index.ts";
import { loadConfig, platformContext } from "./config/index.ts";

const config = loadConfig();
const context = platformContext(config);
const cloud = await loadCloud(config.cloud);
const opts = { providers: [cloud.provider(context)] };

const network = cloud.network("network", { context, ...config.network }, opts);
const cluster = cloud.cluster("cluster", { context, network, ...config.cluster }, opts);

export const cloudName = config.cloud;
export const environment = config.environment;
export const region = cloud.region(context);

export const networkId = network.networkId;
export const networkCidr = network.cidr;
export const zones = network.zones;
export const nodeSubnetIds = network.nodeSubnetIds;
export const databaseSubnetIds = network.databaseSubnetIds;
export const endpointSubnetIds = network.endpointSubnetIds;
export const natGatewayIds = network.natGatewayIds;

export const clusterName = cluster.clusterName;
export const clusterEndpoint = cluster.endpoint;
export const kubernetesVersion = cluster.kubernetesVersion;
export const oidcIssuerUrl = cluster.oidcIssuerUrl;
export const nodeSku = cluster.nodeSku;
export const kubeconfig = cluster.kubeconfig;
