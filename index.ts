/**
 * The platform program: reads the stack's configuration and wires the selected cloud's
 * components. Everything exported here has the same name and shape on every cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubernetesPlatform } from "./components/kubernetes/platform.ts";
import { Workload } from "./components/workload/workload.ts";
import { WorkloadProvisioner } from "./components/workload/provisioner.ts";
import { loadCloud } from "./components/platform/index.ts";
import { loadConfig, platformContext } from "./config/index.ts";

const config = loadConfig();
const context = platformContext(config);
const cloud = await loadCloud(config.cloud);
const opts = { providers: [cloud.provider(context)] };

const network = cloud.network("network", { context, ...config.network }, opts);
const cluster = cloud.cluster("cluster", { context, network, ...config.cluster }, opts);
const secrets = cloud.secrets("secrets", { context, network, cluster, apiKeys: config.apiKeys, rotation: config.rotation, alertEmails: config.budget.alertEmails }, opts);
const database = config.database && cloud.database("database", { context, network, secrets, ...config.database }, opts);
const cache = cloud.cache("cache", { context, network, secrets, ...config.cache }, opts);
const eventArchives = config.workloads.some((workload) => workload.events);
const storage = cloud.storage("storage", { context, network, secrets, eventArchives, ...config.storage }, opts);
const buildCaches = config.workloads.map((workload) => ({ workload: workload.name, ...workload.buildCache }));
const registry = cloud.registry("registry", { context, network, cluster, buildCaches, ...config.registry }, opts);
const budget = cloud.budget("budget", { context, network, ...config.budget }, opts);
const dns = config.dns && cloud.dns("dns", { context, network, ...config.dns }, opts);
// Every secret workloads may read is stored here, before the bindings grant on exactly this list.
const storedSecrets = secrets.store([...secrets.apiKeys, ...(database?.credentials ?? []), ...cache.credentials]);
const kubernetesBindings = cloud.kubernetesBindings("kubernetes-bindings", { context, network, cluster, secrets, dns, storedSecrets, ...config.kubernetes }, opts);
const kubernetes = new KubernetesPlatform("kubernetes", {
    context,
    cluster,
    bindings: kubernetesBindings,
    kubernetesVersion: config.cluster.kubernetesVersion,
    networkCidr: network.cidr,
    dataServicePorts: [...(database?.clientPorts ?? []), ...cache.clientPorts],
    zone: dns?.zoneName,
    workloads: config.workloads,
    ...config.kubernetes,
}, opts);
// The jobs that make workloads' databases and topics inside the private network, when any has one.
const provisioner = config.workloads.some((workload) => workload.database || workload.events)
    ? new WorkloadProvisioner("workload-provisioner", { host: kubernetes.workloadHost, database }, opts)
    : undefined;
const workloads = config.workloads.map((workload) => new Workload(`workload-${workload.name}`, {
    workload,
    host: kubernetes.workloadHost,
    alertEmails: config.budget.alertEmails,
    services: { database, cache, storage },
    provisioner,
}, opts));
// Admin credentials only (catalog.ts): nothing grants on them.
secrets.store(kubernetes.credentials);
// Last: the deploy identity is granted on the cluster and the resource group the components above created.
const ci = config.ci && cloud.ciIdentity("ci-identity", { context, network, cluster, ...config.ci }, opts);

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

/** The database outputs are undefined on a stack without `platform:database`. */
export const databaseHost = database?.host;
export const databasePort = database?.port;
export const databaseName = database?.databaseName;
export const databaseAdminUsername = database?.adminUsername;
export const databaseReplicaHosts = database?.replicaHosts;
export const databaseSku = database?.sku;
/** Where pooled clients connect (RDS Proxy / PgBouncer on 6432), with `platform:database.pooling`. */
export const databasePooler = database?.pooler;

export const cacheHost = cache.host;
export const cachePort = cache.port;
export const cacheClustered = cache.clustered;
export const cacheSku = cache.sku;

export const bucketName = storage.bucketName;
export const bucketEndpoint = storage.endpoint;

export const registryUrl = registry.registryUrl;
export const repositoryUrls = registry.repositoryUrls;

export const budgetName = budget.budgetName;
export const budgetMonthlyUsd = budget.monthlyUsd;

export const kubernetesAddons = kubernetes.addons;
export const workloadNamespaces = kubernetes.workloadNamespaces;
/** The cert-manager ClusterIssuer (Let's Encrypt) workloads' certificates name. */
export const certificateIssuer = kubernetes.clusterIssuer;
/** The load balancer in front of the shared gateway: its IP on Azure; its hostname on AWS once the NLB exists. */
export const gatewayAddress = kubernetes.gatewayAddress;
/** The stack's zone and the name servers its parent must delegate to; undefined without `platform:dns`. */
export const dnsZone = dns?.zoneName;
export const dnsNameServers = dns?.nameServers;
export const secretStore = kubernetes.secretStore;
/**
 * Per workload: its namespace, public host (web_api, data_api), cloud identity (role ARN /
 * client id), database and the days it can be restored back to (data_api), and topic (event_processor).
 */
export const workloadEndpoints = Object.fromEntries(workloads.map((workload, index) => {
    const settings = config.workloads[index]!;
    return [settings.name, {
        namespace: workload.namespace,
        host: workload.host,
        identity: workload.identity,
        database: settings.database?.name,
        recoveryWindowDays: settings.database?.recoveryWindowDays,
        topic: settings.events?.topic,
    }];
}));

export const secretsStoreId = secrets.storeId;
/** Where each secret lives (ARNs / Key Vault URIs); the values themselves are never exported. */
export const secretRefs = pulumi.output({
    ...secrets.secretRefs,
    ...(database?.managedAdminSecretRef ? { "postgres-admin-password": database.managedAdminSecretRef } : {}),
});
/** API keys still holding a placeholder because the stack has not set them. */
export const placeholderSecrets = secrets.placeholders;

/**
 * What a GitHub Actions workflow needs to log in, the same shape on both clouds; undefined
 * without `platform:ci`. `deployId`/`previewId` are the IAM role ARN (AWS) or the managed
 * identity's client id (Azure); `tenantId` is the Entra tenant (Azure) or the account (AWS).
 */
export const ciIdentity = ci && {
    issuer: ci.issuer,
    audience: ci.audience,
    deployId: ci.deployId,
    previewId: ci.previewId,
    accountId: ci.accountId,
    tenantId: ci.tenantId,
    subjects: { deploy: ci.subjects.deploy.map((entry) => entry.subject), preview: ci.subjects.preview.map((entry) => entry.subject) },
};
