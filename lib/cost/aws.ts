/**
 * What each AWS resource the platform registers is billed for, in the units of `prices/aws.json`.
 * Volumes only use decides come from the assumed usage, shared out across the resources that
 * carry them (every log group takes its part of the logs). Pure.
 */
import { rdsCatalog } from "../sizing/aws.ts";
import { always, budgetOf, hourly, hoursPerMonth, loadPriceBook, read, shareOf, type CloudPricing, type CostLine, type CostResource, type PricingContext } from "./estimate.ts";

/** CloudWatch Logs bills storage after compression; AWS's pricing calculator assumes logs shrink to 15 % (dev.classmethod.jp, comparing archive costs). */
const storedLogRatio = 0.15;

function nodeGroup(resource: CostResource, context: PricingContext): CostLine[] {
    // Without instanceTypes EKS picks t3.medium.
    const instanceType = String(read(resource.props, "instanceTypes", 0) ?? "t3.medium");
    const nodes = { min: Number(read(resource.props, "scalingConfig", "minSize")), max: Number(read(resource.props, "scalingConfig", "maxSize")) };
    // Its launch template's root volume (the node group's own diskSize is 20 GiB without one).
    const template = context.resources.find((candidate) => candidate.type === "aws:ec2/launchTemplate:LaunchTemplate" && candidate.component === resource.component);
    const volumeGiB = Number(read(template?.props, "blockDeviceMappings", 0, "ebs", "volumeSize") ?? read(resource.props, "diskSize") ?? 20);
    return [
        { what: `${range(nodes)} × ${instanceType}`, price: `ec2:${instanceType}`, quantity: { min: nodes.min * hoursPerMonth, max: nodes.max * hoursPerMonth } },
        { what: `${range(nodes)} × ${volumeGiB} GiB gp3 root volume`, price: "ebs:gp3", quantity: { min: nodes.min * volumeGiB, max: nodes.max * volumeGiB } },
    ];
}

/** `3` or `3-5`. */
function range({ min, max }: { min: number; max: number }): string {
    return min === max ? `${min}` : `${min}-${max}`;
}

function databaseInstance(resource: CostResource, context: PricingContext): CostLine[] {
    const [instanceClass, multiAz, replicateSourceDb] = ["instanceClass", "multiAz", "replicateSourceDb"].map((key) => read(resource.props, key));
    // A replica's storage is its source's.
    const source = replicateSourceDb ? context.resources.find((candidate) => candidate.type === resource.type && candidate.props.identifier === replicateSourceDb) : undefined;
    const storageGiB = Number(read(resource.props, "allocatedStorage") ?? read(source?.props, "allocatedStorage"));
    const placement = multiAz ? "multi-az" : "single-az";
    return [
        { what: `${instanceClass} ${placement}${replicateSourceDb ? " read replica" : ""}`, price: `rds-postgres${multiAz ? "-multi-az" : ""}:${instanceClass}`, quantity: hourly(1) },
        { what: `${storageGiB} GiB gp3 ${placement}`, price: multiAz ? "rds:gp3-multi-az" : "rds:gp3", quantity: always(storageGiB) },
    ];
}

/** The primary instance: the one that is not a replica. */
function primaryDatabase(context: PricingContext): CostResource | undefined {
    return context.resources.find((candidate) => candidate.type === "aws:rds/instance:Instance" && !read(candidate.props, "replicateSourceDb"));
}

function loadBalancer(resource: CostResource, context: PricingContext): CostLine[] {
    const service = read(resource.props, "spec", "provider", "kubernetes", "envoyService");
    if (read(service, "type") !== "LoadBalancer") {
        return [];
    }
    // An internet-facing NLB holds a public IPv4 address in each public subnet.
    const publicSubnets = context.resources.filter((candidate) => candidate.type === "aws:ec2/subnet:Subnet" && read(candidate.props, "tags", "kubernetes.io/role/elb") === "1").length;
    const internetFacing = read(service, "annotations", "service.beta.kubernetes.io/aws-load-balancer-scheme") === "internet-facing";
    return [
        { what: "network load balancer", price: "nlb:hour", quantity: hourly(1) },
        { what: "1 NLCU (assumed)", price: "nlb:nlcu", quantity: hourly(1) },
        ...(internetFacing ? [{ what: `${publicSubnets} public IPv4 addresses of the load balancer`, price: "public-ipv4", quantity: hourly(publicSubnets) }] : []),
    ];
}

export const awsPricing: CloudPricing = {
    prices: loadPriceBook("aws"),
    region: (resources) => resources.find((resource) => resource.type === "pulumi:providers:aws" && typeof resource.props["region"] === "string")?.props["region"],
    budget: budgetOf("aws:budgets/budget:Budget", "limitAmount"),
    notEstimated: ["volumes the cluster's charts claim (Prometheus, Loki, Jaeger)", "data transfer out to the internet", "RDS backups beyond the free allowance (they depend on daily change)", "S3 requests and replication transfer", "CloudWatch metrics and alarms", "KMS key rotations (a dollar a month each after the first year, up to two)"],
    pricers: {
        "aws:eks/cluster:Cluster": (resource) => {
            // Without an upgrade policy a version past standard support moves to extended support.
            const support = read(resource.props, "upgradePolicy", "supportType") ?? "EXTENDED";
            return [{ what: `control plane, ${String(support).toLowerCase()} support`, price: `eks:${support}`, quantity: hourly(1) }];
        },
        "aws:eks/nodeGroup:NodeGroup": nodeGroup,
        "aws:ec2/natGateway:NatGateway": (resource, { usage, resources }) => [
            { what: "NAT gateway", price: "nat-gateway:hour", quantity: hourly(1) },
            { what: "its share of the assumed NAT traffic", price: "nat-gateway:processed", quantity: always(shareOf(resource, resources, usage.natProcessedGiB)) },
        ],
        "aws:ec2/eip:Eip": () => [{ what: "public IPv4 address", price: "public-ipv4", quantity: hourly(1) }],
        "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": loadBalancer,
        "aws:rds/instance:Instance": databaseInstance,
        "aws:rds/proxy:Proxy": (_, context) => {
            const instanceClass = read(primaryDatabase(context)?.props, "instanceClass");
            // Billed per vCPU of the instances behind it, at least two.
            const vcpus = Math.max(2, rdsCatalog.find((shape) => shape.sku === instanceClass)?.vcpu ?? 2);
            return [{ what: `proxy for ${vcpus} vCPUs`, price: "rds-proxy:vcpu", quantity: hourly(vcpus) }];
        },
        "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (resource, context) => {
            const storageGiB = Number(read(primaryDatabase(context)?.props, "allocatedStorage"));
            const region = read(resource.props, "region");
            // The copy has no free allowance in a region with no database of its own: at least one full backup.
            return [{ what: `${storageGiB} GiB of backups copied to ${region}`, price: "rds:backup", quantity: always(storageGiB), region }];
        },
        "aws:elasticache/replicationGroup:ReplicationGroup": (resource) => {
            const [nodeType, engine, numNodeGroups, replicasPerNodeGroup, numCacheClusters] = ["nodeType", "engine", "numNodeGroups", "replicasPerNodeGroup", "numCacheClusters"].map((key) => read(resource.props, key));
            // Cluster mode: shards × (primary + replicas); otherwise numCacheClusters nodes in one group.
            const nodes = typeof numNodeGroups === "number" ? numNodeGroups * (1 + (replicasPerNodeGroup ?? 0)) : (numCacheClusters ?? 1);
            return [{ what: `${nodes} × ${nodeType} (${engine})`, price: `elasticache:${engine}:${nodeType}`, quantity: hourly(nodes) }];
        },
        "aws:s3/bucket:Bucket": (resource, { usage }) => [
            { what: `${usage.objectStorageGiB} GiB of objects (assumed)`, price: "s3:standard", quantity: always(usage.objectStorageGiB), region: read(resource.props, "region") },
        ],
        "aws:ecr/repository:Repository": (resource, { usage, resources }) => [
            { what: "its share of the assumed images", price: "ecr:storage", quantity: always(shareOf(resource, resources, usage.registryGiB)) },
        ],
        "aws:cloudwatch/logGroup:LogGroup": (resource, { usage, resources }) => {
            const ingestedGiB = shareOf(resource, resources, usage.logIngestionGiB);
            // Once full, a group keeps as many months of logs as its retention.
            const retentionDays = Number(read(resource.props, "retentionInDays") ?? 365);
            return [
                { what: "its share of the assumed log ingestion", price: "logs:ingestion", quantity: always(ingestedGiB) },
                { what: `kept ${retentionDays} days, compressed`, price: "logs:storage", quantity: always(ingestedGiB * (retentionDays / 30) * storedLogRatio) },
            ];
        },
        "aws:secretsmanager/secret:Secret": () => [{ what: "secret", price: "secretsmanager:secret", quantity: always(1) }],
        "aws:kms/key:Key": (resource) => [{ what: "customer managed key", price: "kms:key", quantity: always(1), region: read(resource.props, "region") }],
        "aws:sqs/queue:Queue": (resource, { usage, resources }) => [
            { what: "its share of the assumed requests", price: "sqs:requests", quantity: always(shareOf(resource, resources, usage.queueMillionRequests)) },
        ],
        "aws:msk/serverlessCluster:ServerlessCluster": (_, { usage }) => [
            { what: "serverless cluster", price: "msk-serverless:cluster", quantity: hourly(1) },
            { what: `${usage.eventBusPartitions} partitions (assumed)`, price: "msk-serverless:partition", quantity: hourly(usage.eventBusPartitions) },
            { what: `${usage.eventBusGiB} GiB in (assumed)`, price: "msk-serverless:in", quantity: always(usage.eventBusGiB) },
            { what: "read out once", price: "msk-serverless:out", quantity: always(usage.eventBusGiB) },
            { what: "a month of it stored", price: "msk-serverless:storage", quantity: always(usage.eventBusGiB) },
        ],
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (_, { usage }) => [
            { what: `${usage.eventBusGiB} GiB archived (assumed)`, price: "firehose:ingestion", quantity: always(usage.eventBusGiB) },
        ],
        "aws:cloudtrail/eventDataStore:EventDataStore": (_, { usage }) => [
            { what: `${usage.auditGiB} GiB of secret-read events (assumed)`, price: "cloudtrail-lake:ingestion", quantity: always(usage.auditGiB) },
        ],
    },
};
