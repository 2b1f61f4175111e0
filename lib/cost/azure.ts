/**
 * What each Azure resource the platform registers is billed for, in the units of
 * `prices/azure.json`. Volumes only use decides come from the assumed usage. Pure.
 */
import { flowLogsPurpose, storagePurposeTag } from "../flow-log-tags.ts";
import { always, budgetOf, countOf, hourly, hoursPerMonth, loadPriceBook, read, shareOf, type CloudPricing, type CostLine, type CostResource } from "./estimate.ts";

/** A pool's nodes: its autoscaler's bounds, or its fixed count. */
function agentPool(pool: unknown, label: string): CostLine[] {
    const nodes = read(pool, "enableAutoScaling")
        ? { min: Number(read(pool, "minCount")), max: Number(read(pool, "maxCount")) }
        : always(Number(read(pool, "count") ?? 1));
    const count = nodes.min === nodes.max ? `${nodes.min}` : `${nodes.min}-${nodes.max}`;
    const vmSize = String(read(pool, "vmSize"));
    // Managed OS disks are Premium SSD on sizes that take premium storage (the "s" in Dsv5), priced by size tier.
    const diskGiB = Number(read(pool, "osDiskSizeGB") ?? 128);
    const diskType = /^Standard_[A-Z]\d+[a-z]*s/.test(vmSize) ? "Premium_LRS" : "StandardSSD_LRS";
    return [
        { what: `${label}: ${count} × ${vmSize}`, price: `vm:${vmSize}`, quantity: { min: nodes.min * hoursPerMonth, max: nodes.max * hoursPerMonth } },
        { what: `${label}: ${count} × ${diskGiB} GiB ${diskType} OS disk`, price: `disk:${diskType}:${diskGiB}`, quantity: nodes },
    ];
}

/** The assumed logs, shared by the workspaces (control plane, audit) and the flow logs. */
const logShareGiB = (resources: readonly CostResource[], logIngestionGiB: number) =>
    logIngestionGiB / (countOf(resources, "azure-native:operationalinsights:Workspace") + countOf(resources, "azure-native:network:FlowLog"));

export const azurePricing: CloudPricing = {
    prices: loadPriceBook("azure"),
    region: (resources) => resources.find((resource) => resource.type === "pulumi:providers:azure-native" && typeof resource.props["location"] === "string")?.props["location"],
    budget: budgetOf("azure-native:consumption:Budget", "amount"),
    notEstimated: ["volumes the cluster's charts claim (Prometheus, Loki, Jaeger)", "data transfer out to the internet", "PostgreSQL backups beyond the free allowance", "blob operations", "private endpoint traffic", "Event Hubs Capture", "Key Vault and Event Grid operations"],
    pricers: {
        "azure-native:containerservice:ManagedCluster": (resource) => {
            const tier = read(resource.props, "sku", "tier") ?? "Free";
            const pools: unknown[] = read(resource.props, "agentPoolProfiles") ?? [];
            return [
                { what: `control plane, ${tier} tier`, price: `aks:${tier}`, quantity: hourly(1) },
                ...pools.flatMap((pool) => agentPool(pool, `pool ${read(pool, "name")}`)),
            ];
        },
        "azure-native:containerservice:AgentPool": (resource) => agentPool(resource.props, `pool ${read(resource.props, "agentPoolName") ?? resource.name}`),
        "azure-native:network:NatGateway": (resource, { usage, resources }) => [
            { what: "NAT gateway", price: "nat-gateway:hour", quantity: hourly(1) },
            { what: "its share of the assumed NAT traffic", price: "nat-gateway:processed", quantity: always(shareOf(resource, resources, usage.natProcessedGiB)) },
        ],
        "azure-native:network:PublicIPAddress": (resource) => {
            const sku = read(resource.props, "sku", "name") ?? "Standard";
            return [{ what: `${sku} public IP address`, price: `public-ip:${sku}`, quantity: hourly(1) }];
        },
        // The gateway's Service makes AKS put a rule on the cluster's Standard load balancer.
        "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": (resource, { usage }) =>
            read(resource.props, "spec", "provider", "kubernetes", "envoyService", "type") === "LoadBalancer"
                ? [
                    { what: "Standard load balancer", price: "load-balancer:Standard", quantity: hourly(1) },
                    { what: `${usage.loadBalancerProcessedGiB} GiB through it (assumed)`, price: "load-balancer:processed", quantity: always(usage.loadBalancerProcessedGiB) },
                ]
                : [],
        "azure-native:dbforpostgresql:Server": (resource) => {
            const sku = read(resource.props, "sku", "name");
            // A high-availability standby bills the primary's compute and storage again.
            const mode = read(resource.props, "highAvailability", "mode");
            const copies = mode && mode !== "Disabled" ? 2 : 1;
            const storageGiB = Number(read(resource.props, "storage", "storageSizeGB"));
            const standby = copies === 2 ? ` with a ${mode} standby` : "";
            return [
                { what: `${sku}${standby}`, price: `postgres:${sku}`, quantity: hourly(copies) },
                { what: `${storageGiB} GiB storage${standby}`, price: "postgres:storage", quantity: always(copies * storageGiB) },
            ];
        },
        "azure-native:redisenterprise:RedisEnterprise": (resource) => {
            const sku = read(resource.props, "sku", "name");
            // Billed per node: high availability (the default) runs a second one.
            const highAvailability = read(resource.props, "highAvailability") !== "Disabled";
            return [{ what: `${sku}${highAvailability ? ", two nodes for high availability" : ""}`, price: `managed-redis:${sku}`, quantity: hourly(highAvailability ? 2 : 1) }];
        },
        "azure-native:network:FlowLog": (_, { usage, resources }) => [
            { what: "its share of the assumed logs, collected", price: "flow-logs:collected", quantity: always(logShareGiB(resources, usage.logIngestionGiB)) },
        ],
        "azure-native:storage:StorageAccount": (resource, { usage, resources }) => {
            const sku = read(resource.props, "sku", "name");
            if (read(resource.props, "tags", storagePurposeTag) !== flowLogsPurpose) {
                return [{ what: `${usage.objectStorageGiB} GiB hot objects (assumed)`, price: `blob-hot:${sku}`, quantity: always(usage.objectStorageGiB) }];
            }
            // Once full, the account keeps as many months of flow logs as their retention.
            const flowLog = resources.find((candidate) => candidate.type === "azure-native:network:FlowLog");
            const retentionDays = Number(read(flowLog?.props, "retentionPolicy", "days") ?? 30);
            return [{ what: `flow logs kept ${retentionDays} days`, price: `blob-hot:${sku}`, quantity: always(logShareGiB(resources, usage.logIngestionGiB) * (retentionDays / 30)) }];
        },
        "azure-native:containerregistry:Registry": (resource, { usage }) => {
            const sku = read(resource.props, "sku", "name");
            return [{ what: `${sku} registry (its included storage holds the assumed ${usage.registryGiB} GiB)`, price: `acr:${sku}`, quantity: always(hoursPerMonth / 24) }];
        },
        "azure-native:operationalinsights:Workspace": (resource, { usage, resources }) => {
            const ingestedGiB = logShareGiB(resources, usage.logIngestionGiB);
            // The first 31 days are included; once full, the workspace keeps the rest of its retention.
            const retentionDays = Number(read(resource.props, "retentionInDays") ?? 31);
            const extraMonths = Math.max(0, retentionDays - 31) / 30;
            return [
                { what: "its share of the assumed log ingestion", price: "log-analytics:ingestion", quantity: always(ingestedGiB) },
                { what: `kept ${retentionDays} days, 31 of them included`, price: "log-analytics:retention", quantity: always(ingestedGiB * extraMonths) },
            ];
        },
        "azure-native:network:PrivateEndpoint": () => [{ what: "private endpoint", price: "private-endpoint:hour", quantity: hourly(1) }],
        "azure-native:servicebus:Namespace": (resource) => {
            const tier = read(resource.props, "sku", "name");
            const units = Number(read(resource.props, "sku", "capacity") ?? 1);
            return tier === "Premium"
                ? [{ what: `${units} Premium messaging units`, price: "servicebus:Premium", quantity: hourly(units) }]
                : [{ what: `${tier} namespace`, price: `servicebus:${tier}`, quantity: always(1) }];
        },
        "azure-native:eventhub:Namespace": (resource, { usage }) => {
            const tier = read(resource.props, "sku", "name");
            const units = Number(read(resource.props, "sku", "capacity") ?? 1);
            return [
                { what: `${units} ${tier} ${tier === "Premium" ? "processing" : "throughput"} units`, price: `eventhubs:${tier}`, quantity: hourly(units) },
                ...(tier === "Premium" ? [] : [{ what: `${usage.eventBusMillionEvents} million events in (assumed)`, price: "eventhubs:ingress", quantity: always(usage.eventBusMillionEvents) }]),
            ];
        },
    },
};
