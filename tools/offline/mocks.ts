/**
 * A simulated cloud: every resource echoes its inputs and gains plausible computed outputs
 * (ids, ARNs, endpoints, issuer URLs), and the program's invokes get the cloud's answers. The
 * offline plan serves it through Pulumi's mock runtime; the end-to-end tests' stand-in
 * provider plugins serve the same answers to the real engine.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

export const mockAccountId = "123456789012";
export const mockSubscriptionId = "00000000-0000-0000-0000-000000000000";
export const mockTenantId = "11111111-1111-1111-1111-111111111111";

/** One `newResource` call as the program registered it. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

type Outputs = Record<string, unknown>;
type Computed = (name: string, inputs: Outputs) => Outputs;

/**
 * Azure resource provider namespaces and resource types, for plausible ARM ids. A child
 * resource's id holds its parent's name: `{key}` is filled from that input.
 */
const armTypes: Record<string, string> = {
    "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks",
    "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets",
    "azure-native:network:NatGateway": "Microsoft.Network/natGateways",
    "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses",
    "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups",
    "azure-native:privatedns:PrivateZone": "Microsoft.Network/privateDnsZones",
    "azure-native:privatedns:VirtualNetworkLink": "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks",
    "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters",
    "azure-native:containerservice:AgentPool": "Microsoft.ContainerService/managedClusters/{resourceName}/agentPools",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults",
    "azure-native:keyvault:Key": "Microsoft.KeyVault/vaults/{vaultName}/keys",
    "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces",
    "azure-native:keyvault:Secret": "Microsoft.KeyVault/vaults/{vaultName}/secrets",
    "azure-native:network:PrivateEndpoint": "Microsoft.Network/privateEndpoints",
    "azure-native:dbforpostgresql:Server": "Microsoft.DBforPostgreSQL/flexibleServers",
    "azure-native:dbforpostgresql:Configuration": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/configurations",
    "azure-native:dbforpostgresql:Database": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/databases",
    "azure-native:redisenterprise:RedisEnterprise": "Microsoft.Cache/redisEnterprise",
    "azure-native:redisenterprise:Database": "Microsoft.Cache/redisEnterprise/{clusterName}/databases",
    "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts",
    "azure-native:storage:BlobContainer": "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers",
    "azure-native:containerregistry:Registry": "Microsoft.ContainerRegistry/registries",
};

/** Azure types whose name argument is not `<type>Name` or `resourceName`. */
const azureNameKeys: Record<string, string> = {
    "azure-native:redisenterprise:RedisEnterprise": "clusterName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:storage:BlobContainer": "containerName",
};

/** Type-specific outputs a real provider would compute. */
const computed: Record<string, Computed> = {
    "aws:eks/cluster:Cluster": (name, inputs) => ({
        endpoint: `https://${hex(name, 32).toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`mock CA of ${name}`).toString("base64") },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.eu-west-1.amazonaws.com/id/${hex(name, 32).toUpperCase()}` }] }],
        platformVersion: "eks.1",
        status: "ACTIVE",
        version: inputs["version"],
    }),
    "aws:kms/key:Key": (name) => ({ keyId: uuid(name) }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
    "aws:eks/nodeGroup:NodeGroup": (name) => ({ nodeGroupName: name }),
    "azure-native:containerservice:ManagedCluster": (name, inputs) => {
        const location = String(inputs["location"] ?? "westeurope");
        const host = `${String(inputs["dnsPrefix"] ?? name)}-${hex(name, 8)}`;
        const isPrivate = (inputs["apiServerAccessProfile"] as Outputs | undefined)?.["enablePrivateCluster"] === true;
        return {
            fqdn: isPrivate ? undefined : `${host}.hcp.${location}.azmk8s.io`,
            privateFQDN: isPrivate ? `${host}.privatelink.${location}.azmk8s.io` : undefined,
            oidcIssuerProfile: { enabled: true, issuerURL: `https://${location}.oic.prod-aks.azure.com/${mockTenantId}/${uuid(name)}/` },
            currentKubernetesVersion: inputs["kubernetesVersion"],
            identityProfile: { kubeletidentity: { objectId: uuid(`${name}/kubelet`), clientId: uuid(`${name}/kubelet-client`) } },
        };
    },
    "azure-native:managedidentity:UserAssignedIdentity": (name) => ({
        principalId: uuid(`${name}/principal`),
        clientId: uuid(`${name}/client`),
        tenantId: mockTenantId,
    }),
    "azure-native:keyvault:Key": (name, inputs) => {
        const uri = `https://${String(inputs["vaultName"])}.vault.azure.net/keys/${String(inputs["keyName"] ?? name)}`;
        return { keyUri: uri, keyUriWithVersion: `${uri}/${hex(name, 32)}` };
    },
    "random:index/randomString:RandomString": (name, inputs) => ({ result: hex(name, Number(inputs["length"] ?? 8)) }),
    "random:index/randomPassword:RandomPassword": (name, inputs) => ({ result: `Mock-${hex(name, Number(inputs["length"] ?? 16) - 5)}` }),
    "aws:rds/instance:Instance": (name, inputs) => {
        const address = `${String(inputs["identifier"] ?? name)}.c${hex(name, 11)}.eu-west-1.rds.amazonaws.com`;
        return { address, endpoint: `${address}:5432`, port: 5432, identifier: inputs["identifier"] ?? name };
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": (name, inputs) => {
        const host = `${String(inputs["replicationGroupId"] ?? name)}.${hex(name, 6)}.euw1.cache.amazonaws.com`;
        return inputs["clusterMode"] === "enabled"
            ? { configurationEndpointAddress: `clustercfg.${host}` }
            : { primaryEndpointAddress: `master.${host}`, readerEndpointAddress: `replica.${host}` };
    },
    "aws:ecr/repository:Repository": (name, inputs) => ({
        repositoryUrl: `${mockAccountId}.dkr.ecr.eu-west-1.amazonaws.com/${String(inputs["name"] ?? name)}`,
        registryId: mockAccountId,
    }),
    "aws:s3/bucket:Bucket": (name, inputs) => {
        const bucket = String(inputs["bucket"] ?? `${name}-${hex(name, 7)}`);
        return { bucket, bucketRegionalDomainName: `${bucket}.s3.eu-west-1.amazonaws.com` };
    },
    "azure-native:keyvault:Vault": (name, inputs) => ({
        properties: { ...(inputs["properties"] as Outputs), vaultUri: `https://${String(inputs["vaultName"] ?? name)}.vault.azure.net/` },
    }),
    "azure-native:keyvault:Secret": (name, inputs) => {
        const uri = `https://${String(inputs["vaultName"])}.vault.azure.net/secrets/${String(inputs["secretName"] ?? name)}`;
        return { properties: { ...(inputs["properties"] as Outputs), secretUri: uri, secretUriWithVersion: `${uri}/${hex(name, 32)}` } };
    },
    "azure-native:dbforpostgresql:Server": (name, inputs) => ({
        fullyQualifiedDomainName: `${String(inputs["serverName"] ?? name)}.postgres.database.azure.com`,
    }),
    "azure-native:redisenterprise:RedisEnterprise": (name, inputs) => ({
        hostName: `${String(inputs["clusterName"] ?? name)}.${String(inputs["location"] ?? "westeurope")}.redis.azure.net`,
    }),
    "azure-native:containerregistry:Registry": (name, inputs) => ({
        loginServer: `${String(inputs["registryName"] ?? name).toLowerCase()}.azurecr.io`,
    }),
    "azure-native:storage:StorageAccount": (name, inputs) => ({
        primaryEndpoints: { blob: `https://${String(inputs["accountName"] ?? name)}.blob.core.windows.net/` },
    }),
};

/** Invokes the program makes, answered as the cloud would. */
const calls: Record<string, (inputs: Outputs) => Outputs> = {
    "azure-native:authorization:getClientConfig": () => ({
        clientId: uuid("deployer/client"),
        objectId: uuid("deployer/object"),
        subscriptionId: mockSubscriptionId,
        tenantId: mockTenantId,
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => {
        const cluster = String(inputs["resourceName"]);
        const kubeconfig = [
            "apiVersion: v1",
            "kind: Config",
            `clusters: [{name: ${cluster}, cluster: {server: "https://${cluster}.hcp.westeurope.azmk8s.io:443", certificate-authority-data: ${Buffer.from(`mock CA of ${cluster}`).toString("base64")}}}]`,
            `users: [{name: clusterUser_${cluster}, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token, --login, azurecli, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]}}}]`,
            `contexts: [{name: ${cluster}, context: {cluster: ${cluster}, user: clusterUser_${cluster}}}]`,
            `current-context: ${cluster}`,
        ].join("\n");
        return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] };
    },
    "azure-native:redisenterprise:listDatabaseKeys": (inputs) => ({
        primaryKey: `mock-primary-key-${hex(String(inputs["clusterName"]), 24)}`,
        secondaryKey: `mock-secondary-key-${hex(String(inputs["clusterName"]), 24)}`,
    }),
};

export class PlatformMocks implements pulumi.runtime.Mocks {
    readonly registered: RegisteredResource[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = args.inputs as Outputs;
        this.registered.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs });
        if (args.custom === false) {
            return { id: undefined, state: inputs };
        }
        return simulatedResource(args.type, args.name, inputs);
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        return simulatedCall(args.token, args.inputs as Outputs);
    }
}

/** The id and state the cloud gives a new custom resource of `type` named `name`. */
export function simulatedResource(type: string, name: string, inputs: Outputs): { id: string; state: Outputs } {
    return {
        id: resourceId(type, name, inputs),
        state: { ...inputs, ...identity(type, name, inputs), ...computed[type]?.(name, inputs) },
    };
}

/** The cloud's answer to an invoke; throws for one the simulation does not know. */
export function simulatedCall(token: string, inputs: Outputs): Outputs {
    const answer = calls[token];
    if (!answer) {
        throw new Error(`the simulated cloud has no answer for the call ${token}`);
    }
    return answer(inputs);
}

function resourceId(type: string, name: string, inputs: Outputs): string {
    if (type === "azure-native:resources:ResourceGroup") {
        return `/subscriptions/${mockSubscriptionId}/resourceGroups/${azureName(type, name, inputs)}`;
    }
    const armType = armTypes[type];
    if (armType) {
        const group = String(inputs["resourceGroupName"] ?? "rg");
        const resourcePath = armType.replace(/\{(\w+)\}/g, (_match, key: string) => String(inputs[key]));
        return `/subscriptions/${mockSubscriptionId}/resourceGroups/${group}/providers/${resourcePath}/${azureName(type, name, inputs)}`;
    }
    if (type.startsWith("azure-native:")) {
        return `/subscriptions/${mockSubscriptionId}/providers/${type.split(":")[1]}/${name}-${hex(name, 8)}`;
    }
    return `${name}-${hex(name, 8)}`;
}

/** The `name`/`arn` pair every resource of a cloud exposes. */
function identity(type: string, name: string, inputs: Outputs): Outputs {
    if (type.startsWith("aws:")) {
        const service = type.slice(4).split("/")[0];
        return { arn: `arn:aws:${service}:eu-west-1:${mockAccountId}:${name}`, name: inputs["name"] ?? `${name}-${hex(name, 7)}` };
    }
    if (type.startsWith("azure-native:")) {
        return { name: azureName(type, name, inputs) };
    }
    return {};
}

/** Azure names: the explicit `<type>Name`/`resourceName` input, else autonamed as the provider would. */
function azureName(type: string, name: string, inputs: Outputs): string {
    const typeName = type.split(":")[2] ?? "";
    const explicit = inputs[azureNameKeys[type] ?? `${typeName[0]?.toLowerCase()}${typeName.slice(1)}Name`] ?? inputs["resourceName"];
    return typeof explicit === "string" ? explicit : `${name}${hex(name, 8)}`;
}

function hex(seed: string, length: number): string {
    let text = "";
    for (let round = 0; text.length < length; round++) {
        text += createHash("sha256").update(`${seed}/${round}`).digest("hex");
    }
    return text.slice(0, length);
}

function uuid(seed: string): string {
    const text = hex(seed, 32);
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
