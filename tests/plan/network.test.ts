import assert from "node:assert/strict";
import { expected, inputsOf, planOf, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks } from "../support/stack-config.ts";

describe("network on AWS", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const want = expected[stack];

            it(`spreads public, private and database subnets over ${want.zones} zone(s)`, async () => {
                const plan = await planOf(stack, "aws");
                const subnets = resourcesOf(plan, "aws:ec2/subnet:Subnet");
                // Database subnets span at least two zones (RDS subnet groups require it), private ones too (EKS control planes do).
                for (const [role, count] of [["public", want.zones], ["private", Math.max(2, want.zones)], ["database", Math.max(2, want.zones)]] as const) {
                    const ofRole = subnets.filter((subnet) => subnet.name.startsWith(`network-${role}-`));
                    assert.equal(ofRole.length, count, role);
                    assert.deepEqual(
                        ofRole.map((subnet) => subnet.inputs["availabilityZone"]).sort(),
                        ["eu-west-1a", "eu-west-1b", "eu-west-1c"].slice(0, count),
                    );
                }
                assert.ok(subnets.every((subnet) => subnet.inputs["mapPublicIpOnLaunch"] !== true), "no public IPs on launch");
            });

            it(`egresses through ${want.natGateways} NAT gateway(s), each zone through its own when there is one per zone`, async () => {
                const plan = await planOf(stack, "aws");
                assert.equal(resourcesOf(plan, "aws:ec2/natGateway:NatGateway").length, want.natGateways);
                const privateRoutes = resourcesOf(plan, "aws:ec2/routeTable:RouteTable").filter((table) => table.name.startsWith("network-private-rt-"));
                assert.equal(privateRoutes.length, Math.max(2, want.zones));
                const gateways = new Set(privateRoutes.map((table) => table.inputs["routes"][0].natGatewayId));
                assert.equal(gateways.size, want.natGateways);
            });

            it("keeps database subnets off the internet", async () => {
                const plan = await planOf(stack, "aws");
                assert.equal(inputsOf(plan, "aws:ec2/routeTable:RouteTable", "network-database-rt")["routes"], undefined);
                const associations = resourcesOf(plan, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) => a.name.startsWith("network-database-"));
                assert.equal(associations.length, Math.max(2, want.zones));
            });

            it("logs every flow for the stack's retention and strips the default security group", async () => {
                const plan = await planOf(stack, "aws");
                const flowLog = inputsOf(plan, "aws:ec2/flowLog:FlowLog");
                assert.equal(flowLog["trafficType"], "ALL");
                assert.equal(flowLog["logDestinationType"], "cloud-watch-logs");
                assert.equal(inputsOf(plan, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")["retentionInDays"], { dev: 30, staging: 90, prod: 365 }[stack]);
                const defaultGroup = inputsOf(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
                assert.equal(defaultGroup["ingress"], undefined);
                assert.equal(defaultGroup["egress"], undefined);
            });

            it("tags every resource through the provider's default tags", async () => {
                const plan = await planOf(stack, "aws");
                const tags = JSON.parse(inputsOf(plan, "pulumi:providers:aws")["defaultTags"]).tags;
                assert.deepEqual(
                    { environment: tags.environment, owner: tags.owner, "cost-center": tags["cost-center"], "managed-by": tags["managed-by"] },
                    { environment: stack, owner: "platform-team", "cost-center": "engineering", "managed-by": "pulumi" },
                );
            });
        });
    }
});

describe("network on Azure", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const want = expected[stack];

            it("creates regional node, delegated PostgreSQL, private-endpoint and delegated API server subnets without default outbound access", async () => {
                const plan = await planOf(stack, "azure");
                const subnets = resourcesOf(plan, "azure-native:network:Subnet");
                assert.deepEqual(subnets.map((subnet) => subnet.inputs["subnetName"]).sort(), ["apiserver", "database", "endpoints", "nodes"]);
                assert.ok(subnets.every((subnet) => subnet.inputs["defaultOutboundAccess"] === false));
                const database = inputsOf(plan, "azure-native:network:Subnet", "network-database");
                assert.equal(database["delegations"][0].serviceName, "Microsoft.DBforPostgreSQL/flexibleServers");
                assert.equal(inputsOf(plan, "azure-native:network:Subnet", "network-endpoints")["privateEndpointNetworkPolicies"], "Enabled");
                assert.ok(inputsOf(plan, "azure-native:network:Subnet", "network-nodes")["natGateway"].id, "nodes leave through the NAT gateway");
            });

            it("admits only the node subnet (and PostgreSQL replication within its own subnet) to the data subnets", async () => {
                const plan = await planOf(stack, "azure");
                const cidrOf = (subnet: string) => inputsOf(plan, "azure-native:network:Subnet", subnet)["addressPrefix"];
                const allowedSources = { "network-database": [cidrOf("network-nodes"), cidrOf("network-database")], "network-endpoints": [cidrOf("network-nodes")] };
                for (const [name, sources] of Object.entries(allowedSources)) {
                    const rules = inputsOf(plan, "azure-native:network:NetworkSecurityGroup", name)["securityRules"];
                    const allows = rules.filter((rule: any) => rule.access === "Allow");
                    assert.deepEqual(allows.map((rule: any) => rule.sourceAddressPrefix), sources, name);
                    assert.ok(rules.some((rule: any) => rule.access === "Deny" && rule.sourceAddressPrefix === "VirtualNetwork"), name);
                }
            });

            it("creates the private DNS zones the data services need, linked to the VNet", async () => {
                const plan = await planOf(stack, "azure");
                const zones = resourcesOf(plan, "azure-native:privatedns:PrivateZone").map((zone) => zone.inputs["privateZoneName"]).sort();
                assert.deepEqual(zones, [
                    "private.postgres.database.azure.com",
                    "privatelink.azurecr.io",
                    "privatelink.blob.core.windows.net",
                    "privatelink.redis.azure.net",
                    // Event Hubs (event_processor workloads), reached through its private endpoint.
                    "privatelink.servicebus.windows.net",
                    "privatelink.vaultcore.azure.net",
                ]);
                assert.equal(resourcesOf(plan, "azure-native:privatedns:VirtualNetworkLink").length, zones.length);
            });

            it(`puts the NAT address in ${want.zones > 1 ? "every zone" : "no particular zone"} and tags the resource group`, async () => {
                const plan = await planOf(stack, "azure");
                // The plan's only other public address is the gateway's load balancer's (edge tests).
                const addresses = resourcesOf(plan, "azure-native:network:PublicIPAddress").map((entry) => entry.name).sort();
                assert.deepEqual(addresses, ["kubernetes-bindings-gateway-ip", "network-nat"]);
                const address = inputsOf(plan, "azure-native:network:PublicIPAddress", "network-nat");
                assert.deepEqual(address["zones"], want.zones > 1 ? ["1", "2", "3"].slice(0, want.zones) : undefined);
                assert.equal(address["sku"].name, "Standard");
                const group = inputsOf(plan, "azure-native:resources:ResourceGroup", "network-rg");
                assert.equal(group["resourceGroupName"], `rg-platform-${stack}`);
                assert.equal(group["location"], "westeurope");
                assert.equal(group["tags"].environment, stack);
            });
        });
    }
});

describe("network outputs", () => {
    for (const cloud of ["aws", "azure"] as const) {
        it(`exports the same cloud-agnostic names on ${cloud}`, async () => {
            const plan = await planOf("prod", cloud);
            for (const key of ["networkId", "networkCidr", "zones", "nodeSubnetIds", "databaseSubnetIds", "endpointSubnetIds", "natGatewayIds"]) {
                assert.ok(plan.outputs[key], `${key} on ${cloud}`);
            }
            assert.equal((plan.outputs["zones"] as string[]).length, 3);
            resourceOf(plan, cloud === "aws" ? "platform:network:AwsNetwork" : "platform:network:AzureNetwork");
        });
    }
});
