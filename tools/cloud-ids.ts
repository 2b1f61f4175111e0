/**
 * The ids providers give the objects they name, derived from a resource's inputs: what the
 * driver's recovery imports a half-created object by, and what the simulated cloud answers.
 * A type whose id the cloud generates (an EC2 `vpc-…`, a Secrets Manager ARN's random
 * suffix, an MSK cluster's uuid) has none: such an object cannot be found by its inputs.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

type Inputs = Record<string, unknown>;

const providerNamed = new Map<string, boolean>();

/**
 * Whether the AWS provider names resources of `type` itself when the program does not: their
 * SDK class passes a `name` input on (its autonamed property). The project's
 * `pulumi:autonaming` pattern then gives the name.
 */
export function awsProviderNamed(type: string): boolean {
    const known = providerNamed.get(type);
    if (known !== undefined) {
        return known;
    }
    const [, module, member] = /^aws:([\w-]+)\/(\w+):\w+$/.exec(type) ?? [];
    let named = false;
    if (module && member) {
        try {
            const source = createRequire(import.meta.url).resolve(`@pulumi/aws/${module}/${member}.js`);
            named = /resourceInputs\["name"\] = args(\?\.| \? args\.)name\b/.test(readFileSync(source, "utf8"));
        } catch {
            named = false;
        }
    }
    providerNamed.set(type, named);
    return named;
}

/**
 * The Kubernetes provider's id of an object it names: `<namespace>/<name>`, or `<name>` for a
 * cluster-scoped one (a Helm release by its `namespace` and `name` inputs). Undefined for an
 * object the provider autonames.
 */
export function kubernetesObjectId(type: string, inputs: Inputs): string | undefined {
    if (!type.startsWith("kubernetes:") || type.startsWith("kubernetes:index:")) {
        return undefined;
    }
    const metadata = (type === "kubernetes:helm.sh/v3:Release" ? inputs : inputs["metadata"] ?? {}) as Inputs;
    const objectName = metadata["name"];
    if (typeof objectName !== "string") {
        return undefined;
    }
    return typeof metadata["namespace"] === "string" ? `${metadata["namespace"]}/${objectName}` : objectName;
}

/**
 * Azure resource provider namespaces and resource types of the azure-native types the program
 * uses. A child resource's id holds its parent's name: `{key}` is filled from that input.
 */
export const armTypes: Readonly<Record<string, string>> = {
    "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks",
    "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets",
    "azure-native:network:NatGateway": "Microsoft.Network/natGateways",
    "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses",
    "azure-native:network:FlowLog": "Microsoft.Network/networkWatchers/{networkWatcherName}/flowLogs",
    "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups",
    "azure-native:privatedns:PrivateZone": "Microsoft.Network/privateDnsZones",
    "azure-native:dns:Zone": "Microsoft.Network/dnszones",
    "azure-native:dns:RecordSet": "Microsoft.Network/dnszones/{zoneName}/{recordType}",
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
    "azure-native:servicebus:Namespace": "Microsoft.ServiceBus/namespaces",
    "azure-native:servicebus:Queue": "Microsoft.ServiceBus/namespaces/{namespaceName}/queues",
    "azure-native:cognitiveservices:Account": "Microsoft.CognitiveServices/accounts",
    "azure-native:cognitiveservices:Deployment": "Microsoft.CognitiveServices/accounts/{accountName}/deployments",
    "azure-native:monitor:ActionGroup": "Microsoft.Insights/actionGroups",
    "azure-native:monitor:MetricAlert": "Microsoft.Insights/metricAlerts",
    "azure-native:eventhub:Namespace": "Microsoft.EventHub/namespaces",
    "azure-native:eventhub:EventHub": "Microsoft.EventHub/namespaces/{namespaceName}/eventhubs",
    "azure-native:eventhub:EventHubAuthorizationRule": "Microsoft.EventHub/namespaces/{namespaceName}/eventhubs/{eventHubName}/authorizationRules",
    "azure-native:eventhub:SchemaRegistry": "Microsoft.EventHub/namespaces/{namespaceName}/schemagroups",
    // An Entra administrator's name is the principal's object id (REST: Administrators - Create).
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": "Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/administrators",
};

/** Azure types whose name argument is not `<type>Name` or `resourceName`. */
const azureNameKeys: Readonly<Record<string, string>> = {
    "azure-native:redisenterprise:RedisEnterprise": "clusterName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:storage:BlobContainer": "containerName",
    "azure-native:network:PublicIPAddress": "publicIpAddressName",
    "azure-native:monitor:MetricAlert": "ruleName",
    "azure-native:eventhub:SchemaRegistry": "schemaGroupName",
    "azure-native:eventhub:EventHubAuthorizationRule": "authorizationRuleName",
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": "objectId",
    "azure-native:dns:RecordSet": "relativeRecordSetName",
};

/** The explicit Azure name of a resource (its `<type>Name`, or `resourceName`), when the program sets it. */
export function azureExplicitName(type: string, inputs: Inputs): string | undefined {
    const typeName = type.split(":")[2] ?? "";
    const explicit = inputs[azureNameKeys[type] ?? `${typeName[0]?.toLowerCase()}${typeName.slice(1)}Name`] ?? inputs["resourceName"];
    return typeof explicit === "string" ? explicit : undefined;
}

/** `/subscriptions/<id>/resourceGroups/<group>/providers/<type>/<name>` of a named resource of a known type. */
export function armResourceId(subscriptionId: string, type: string, inputs: Inputs, name = azureExplicitName(type, inputs)): string | undefined {
    if (type === "azure-native:resources:ResourceGroup") {
        return name === undefined ? undefined : `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
    }
    const armType = armTypes[type];
    const group = inputs["resourceGroupName"];
    if (!armType || name === undefined || typeof group !== "string") {
        return undefined;
    }
    const parents = armType.replace(/\{(\w+)\}/g, (_match, key: string) => String(inputs[key]));
    return parents.includes("undefined") ? undefined : `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${parents}/${name}`;
}

/** Where a recovery finds the ids it cannot read off the inputs alone. */
export interface CloudScope {
    /** The Azure subscription of the stack's resources. */
    readonly subscriptionId?: string | undefined;
}

/**
 * The id to import a half-created resource by: its Kubernetes or ARM id from its inputs.
 * Undefined where the provider generates the id or names the object itself.
 */
export function adoptionId(type: string, inputs: Inputs, scope: CloudScope): string | undefined {
    if (type.startsWith("kubernetes:")) {
        return kubernetesObjectId(type, inputs);
    }
    if (type.startsWith("azure-native:") && scope.subscriptionId) {
        return armResourceId(scope.subscriptionId, type, inputs);
    }
    return undefined;
}
