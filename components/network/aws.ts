import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudSettings } from "../../config/context.ts";
import { physicalName, nameRules } from "../../lib/naming.ts";
import { arnParts, flowLogsTrustPolicy, workloadBoundaryName, workloadBoundaryPolicy, type AwsAccount } from "../aws/iam.ts";
import { zoneSubnets } from "../../lib/addressing.ts";
import type { Network, NetworkArgs } from "./network.ts";

/** Subnet groups of RDS and ElastiCache must span at least this many zones. */
export const minDatabaseZones = 2;

/** EKS places its control-plane interfaces in subnets of at least this many zones. */
export const minControlPlaneZones = 2;

/**
 * Buckets outside the account that nodes read through the S3 gateway endpoint: ECR's image
 * layers ("Minimum Amazon S3 bucket permissions for Amazon ECR", Amazon ECR User Guide), the
 * Amazon Linux 2023 package repositories (Amazon Linux 2023 User Guide: `al2023-repos-<region>-
 * de612dc2`) and registry.k8s.io's layer mirror, which redirects clients in AWS to
 * `prod-registry-k8s-io-<region>` (kubernetes/k8s.io registry.k8s.io infrastructure).
 */
export function awsOwnedBucketObjects(scope: Pick<AwsAccount, "partition"> & { readonly region: string }): string[] {
    return [`prod-${scope.region}-starport-layer-bucket`, `al2023-repos-${scope.region}-de612dc2`, `prod-registry-k8s-io-${scope.region}`]
        .map((bucket) => `arn:${scope.partition}:s3:::${bucket}/*`);
}

/**
 * The S3 gateway endpoint's policy: any request to a bucket of this account, and reading the
 * objects of the AWS-owned buckets nodes need; nothing else leaves through the endpoint.
 */
export function s3EndpointPolicy(scope: AwsAccount & { readonly region: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AccountBuckets", Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:ResourceAccount": scope.account } } },
            { Sid: "AwsOwnedBuckets", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: awsOwnedBucketObjects(scope) },
        ],
    });
}

/**
 * VPC with public, private (node) and database subnets in each zone, NAT egress, VPC flow
 * logs to CloudWatch, a locked-down default security group and an S3 gateway endpoint that
 * reaches only this account's buckets and the AWS-owned ones nodes read. Being the first AWS
 * component, which every other one receives, it also creates the stack's workload permissions
 * boundary (`components/aws/iam.ts`).
 */
export class AwsNetwork extends pulumi.ComponentResource implements Network {
    readonly networkId: pulumi.Output<string>;
    readonly cidr: string;
    readonly zones: readonly string[];
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly nodeSubnetIds: pulumi.Output<string>[];
    readonly nodeCidrs: readonly string[];
    /** Private subnets in at least two zones, for the EKS control plane's interfaces. */
    readonly controlPlaneSubnetIds: pulumi.Output<string>[];
    readonly databaseSubnetIds: pulumi.Output<string>[];
    /** The database subnets' ranges (RDS Proxy reaches the database in them). */
    readonly databaseCidrs: readonly string[];
    readonly endpointSubnetIds: pulumi.Output<string>[];
    readonly natGatewayIds: pulumi.Output<string>[];
    readonly egressAddresses: pulumi.Output<string>[];
    /** The account and partition the stack deploys to, read off the VPC's ARN. */
    readonly account: pulumi.Output<AwsAccount>;
    /** ARN of `<project>-<stack>-workload-boundary`, the permissions boundary of every workload role. */
    readonly workloadBoundaryArn: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:AwsNetwork", name, {}, opts);
        const { context } = args;
        const { region, availabilityZones } = cloudSettings(context, "aws");
        const layout = zoneSubnets(args.cidr, args.zones);
        const zones = availabilityZones.slice(0, args.zones);
        const parent = { parent: this };
        const label = (role: string) => ({ Name: physicalName([context.project, context.stack, role], nameRules.display) });

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.cidr,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: label("vpc"),
        }, parent);
        this.account = vpc.arn.apply(arnParts);

        // Created by an administrator's `up`; the CI deploy role may neither change nor delete it.
        const boundary = new aws.iam.Policy(`${name}-workload-boundary`, {
            name: workloadBoundaryName(context),
            description: `Permissions boundary of every workload role of ${context.project}/${context.stack}`,
            policy: this.account.apply((account) => workloadBoundaryPolicy({
                ...account,
                region,
                project: context.project,
                stack: context.stack,
                clusterName: physicalName([context.project, context.stack], nameRules.eksCluster),
            })),
        }, parent);
        this.workloadBoundaryArn = boundary.arn;

        // The default security group allows all traffic between its members; strip its rules.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: label("default-deny") }, parent);

        const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: label("igw") }, parent);
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public-rt`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }],
            tags: label("public"),
        }, parent);
        // Database subnets get a table with only the local route: no path to or from the internet.
        const isolatedRoutes = new aws.ec2.RouteTable(`${name}-database-rt`, { vpcId: vpc.id, tags: label("database") }, parent);

        const publicSubnets = layout.map((subnets, index) => {
            const subnet = new aws.ec2.Subnet(`${name}-public-${index}`, {
                vpcId: vpc.id,
                availabilityZone: zones[index],
                cidrBlock: subnets.public,
                mapPublicIpOnLaunch: false,
                tags: { ...label(`public-${zones[index]}`), "kubernetes.io/role/elb": "1" },
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-public-${index}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, parent);
            return subnet;
        });

        const natCount = args.natGateways === "perZone" ? zones.length : 1;
        const natGateways = publicSubnets.slice(0, natCount).map((subnet, index) => {
            const address = new aws.ec2.Eip(`${name}-nat-${index}`, { domain: "vpc", tags: label(`nat-${zones[index]}`) }, parent);
            const gateway = new aws.ec2.NatGateway(`${name}-nat-${index}`, {
                allocationId: address.id,
                subnetId: subnet.id,
                tags: label(`nat-${zones[index]}`),
            }, { parent: this, dependsOn: [internetGateway] });
            return { gateway, address };
        });

        // A one-zone stack still gets a second private subnet: EKS refuses control planes in one zone.
        const privateZones = availabilityZones.slice(0, Math.max(args.zones, minControlPlaneZones));
        const privateSubnets = zoneSubnets(args.cidr, privateZones.length).map((subnets, index) => {
            const subnet = new aws.ec2.Subnet(`${name}-private-${index}`, {
                vpcId: vpc.id,
                availabilityZone: privateZones[index],
                cidrBlock: subnets.private,
                tags: { ...label(`private-${privateZones[index]}`), "kubernetes.io/role/internal-elb": "1" },
            }, parent);
            // Each zone leaves through its own NAT gateway when there is one per zone.
            const routes = new aws.ec2.RouteTable(`${name}-private-rt-${index}`, {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[Math.min(index, natCount - 1)]!.gateway.id }],
                tags: label(`private-${privateZones[index]}`),
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-private-${index}`, { subnetId: subnet.id, routeTableId: routes.id }, parent);
            return { subnet, routes };
        });

        // RDS and ElastiCache subnet groups need two zones even when the stack runs in one.
        const databaseZones = availabilityZones.slice(0, Math.max(args.zones, minDatabaseZones));
        const databaseLayout = zoneSubnets(args.cidr, databaseZones.length);
        const databaseSubnets = databaseLayout.map((subnets, index) => {
            const subnet = new aws.ec2.Subnet(`${name}-database-${index}`, {
                vpcId: vpc.id,
                availabilityZone: databaseZones[index],
                cidrBlock: subnets.database,
                tags: label(`database-${databaseZones[index]}`),
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-database-${index}`, { subnetId: subnet.id, routeTableId: isolatedRoutes.id }, parent);
            return subnet;
        });

        // S3 traffic stays on the AWS network and off the (billed) NAT gateways.
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: [...privateSubnets.map(({ routes }) => routes.id), isolatedRoutes.id],
            policy: this.account.apply((account) => s3EndpointPolicy({ ...account, region })),
            tags: label("s3"),
        }, parent);

        this.createFlowLogs(name, vpc, region, context.logRetentionDays, label("flow-logs"));

        this.networkId = vpc.id;
        this.cidr = args.cidr;
        this.zones = zones;
        this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
        this.controlPlaneSubnetIds = privateSubnets.map(({ subnet }) => subnet.id);
        this.nodeSubnetIds = this.controlPlaneSubnetIds.slice(0, args.zones);
        this.nodeCidrs = layout.map((zone) => zone.private);
        this.databaseSubnetIds = databaseSubnets.map((subnet) => subnet.id);
        this.databaseCidrs = databaseLayout.map((zone) => zone.database);
        this.endpointSubnetIds = this.nodeSubnetIds;
        this.natGatewayIds = natGateways.map(({ gateway }) => gateway.id);
        this.egressAddresses = natGateways.map(({ address }) => address.publicIp);
        this.registerOutputs({
            networkId: this.networkId,
            publicSubnetIds: this.publicSubnetIds,
            nodeSubnetIds: this.nodeSubnetIds,
            controlPlaneSubnetIds: this.controlPlaneSubnetIds,
            databaseSubnetIds: this.databaseSubnetIds,
            endpointSubnetIds: this.endpointSubnetIds,
            natGatewayIds: this.natGatewayIds,
            egressAddresses: this.egressAddresses,
            workloadBoundaryArn: this.workloadBoundaryArn,
        });
    }

    /** Every accepted and rejected flow of the VPC, kept for the stack's log retention. */
    private createFlowLogs(name: string, vpc: aws.ec2.Vpc, region: string, retentionDays: number, tags: Record<string, string>): void {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { retentionInDays: retentionDays, tags }, parent);
        const role = new aws.iam.Role(`${name}-flow-logs`, {
            assumeRolePolicy: this.account.apply((account) => flowLogsTrustPolicy({ ...account, region })),
            permissionsBoundary: this.workloadBoundaryArn,
            tags,
        }, parent);
        new aws.iam.RolePolicy(`${name}-flow-logs`, {
            role: role.id,
            policy: logGroup.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [arn, `${arn}:*`],
                    }],
                }),
            ),
        }, parent);
        new aws.ec2.FlowLog(`${name}-flow-logs`, {
            vpcId: vpc.id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: logGroup.arn,
            iamRoleArn: role.arn,
            maxAggregationInterval: 60,
            tags,
        }, parent);
    }
}
