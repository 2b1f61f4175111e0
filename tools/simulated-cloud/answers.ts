/**
 * A simulated cloud: every resource echoes its inputs and gains plausible computed outputs
 * (ids, ARNs, endpoints, issuer URLs), and the program's invokes get the cloud's answers. The
 * offline plan serves it through Pulumi's mock runtime (tools/offline/mocks.ts); the end-to-end
 * tests' stand-in provider plugins serve the same answers to the real engine.
 */
import { createHash } from "node:crypto";
import { cloudRejection } from "./constraints.ts";
import { armResourceId, azureExplicitName, kubernetesObjectId } from "../cloud-ids.ts";

export const mockAccountId = "123456789012";
export const mockSubscriptionId = "00000000-0000-0000-0000-000000000000";
export const mockTenantId = "11111111-1111-1111-1111-111111111111";

type Outputs = Record<string, unknown>;
type Computed = (name: string, inputs: Outputs) => Outputs;

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
    // Elastic IPs come from Amazon's public pools; the allocation id is the resource id.
    "aws:ec2/eip:Eip": (name) => ({ publicIp: publicAddress(52, name), allocationId: `eipalloc-${hex(name, 17)}` }),
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
    // A Standard static public IP has its address as soon as it exists.
    "azure-native:network:PublicIPAddress": (name) => ({ ipAddress: publicAddress(20, name) }),
    // Azure DNS hands every zone four name servers from one numbered set, each ending in a dot.
    "azure-native:dns:Zone": (name) => {
        const set = String(1 + (parseInt(hex(name, 2), 16) % 9)).padStart(2, "0");
        return { nameServers: ["com.", "net.", "org.", "info."].map((tld, index) => `ns${index + 1}-${set}.azure-dns.${tld}`) };
    },
    // Route 53: a hosted zone id of up to 32 upper-case letters and digits, four name servers on four top-level domains.
    "aws:route53/zone:Zone": (name) => {
        const zoneId = `Z${base62(name, 20).toUpperCase()}`;
        const number = parseInt(hex(name, 4), 16);
        const nameServers = [".com", ".net", ".org", ".co.uk"].map((tld, index) => `ns-${(number + index * 517) % 2048}.awsdns-${String((number + index) % 64).padStart(2, "0")}${tld}`);
        return { zoneId, nameServers, arn: `arn:aws:route53:::hostedzone/${zoneId}` };
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
    // `resourceId` is the DbiResourceId IAM database authentication names: `db-` and 26 upper-case letters and digits.
    // With `manageMasterUserPassword`, RDS makes a secret named `rds!db-<uuid>` under the given key (RDS API, MasterUserSecret).
    "aws:rds/instance:Instance": (name, inputs) => {
        const address = `${String(inputs["identifier"] ?? name)}.c${hex(name, 11)}.eu-west-1.rds.amazonaws.com`;
        const masterUserSecrets = inputs["manageMasterUserPassword"] === true
            ? [{ secretArn: `arn:aws:secretsmanager:eu-west-1:${mockAccountId}:secret:rds!db-${uuid(`${name}/secret`)}-${base62(name, 6)}`, kmsKeyId: inputs["masterUserSecretKmsKeyId"], secretStatus: "active" }]
            : [];
        return { address, endpoint: `${address}:5432`, port: 5432, identifier: inputs["identifier"] ?? name, resourceId: `db-${base62(name, 26).toUpperCase()}`, masterUserSecrets };
    },
    // `<name>.proxy-<id>.<region>.rds.amazonaws.com` (RDS User Guide, "Connecting through RDS Proxy").
    "aws:rds/proxy:Proxy": (name, inputs) => ({ endpoint: `${String(inputs["name"] ?? name)}.proxy-c${hex(name, 11)}.eu-west-1.rds.amazonaws.com` }),
    // One bootstrap name on port 9098 for IAM (MSK Developer Guide, "Get the bootstrap brokers", serverless).
    "aws:msk/serverlessCluster:ServerlessCluster": (name, inputs) => ({
        bootstrapBrokersSaslIam: `boot-${hex(name, 8)}.c2.kafka-serverless.eu-west-1.amazonaws.com:9098`,
        clusterUuid: `${uuid(name)}-s1`,
        clusterName: inputs["clusterName"],
    }),
    "aws:glue/registry:Registry": (_name, inputs) => ({ registryName: inputs["registryName"] }),
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
    // `https://<name>.servicebus.windows.net:443/` (Service Bus REST API, Namespaces - Get).
    "azure-native:servicebus:Namespace": (name, inputs) => ({ serviceBusEndpoint: `https://${azureName("azure-native:servicebus:Namespace", name, inputs)}.servicebus.windows.net:443/` }),
    // Event Hubs answers on the same host family; a system-assigned identity gets its principal (REST: Namespaces - Get).
    "azure-native:eventhub:Namespace": (name, inputs) => ({
        serviceBusEndpoint: `https://${azureName("azure-native:eventhub:Namespace", name, inputs)}.servicebus.windows.net:443/`,
        ...((inputs["identity"] as Outputs | undefined)?.["type"] === "SystemAssigned"
            ? { identity: { type: "SystemAssigned", principalId: uuid(`${name}/principal`), tenantId: mockTenantId } }
            : {}),
    }),
    // An OpenAI account answers on its custom subdomain (Azure OpenAI REST reference, "endpoint").
    "azure-native:cognitiveservices:Account": (name, inputs) => {
        const properties = (inputs["properties"] ?? {}) as Outputs;
        return { properties: { ...properties, endpoint: `https://${String(properties["customSubDomainName"] ?? name)}.openai.azure.com/`, provisioningState: "Succeeded" } };
    },
    // `https://sqs.<region>.amazonaws.com/<account>/<name>` (SQS Developer Guide, "Queue and message identifiers").
    "aws:sqs/queue:Queue": (name, inputs) => ({ url: `https://sqs.eu-west-1.amazonaws.com/${mockAccountId}/${String(inputs["name"] ?? name)}` }),
};

/** Invokes the program makes, answered as the cloud would. */
const calls: Record<string, (inputs: Outputs) => Outputs> = {
    "azure-native:authorization:getClientConfig": () => ({
        clientId: uuid("deployer/client"),
        objectId: uuid("deployer/object"),
        subscriptionId: mockSubscriptionId,
        tenantId: mockTenantId,
    }),
    // The exec-format user kubeconfig AKS returns for Entra ID clusters (az aks get-credentials
    // --format exec writes the same document): kubelogin with `--login devicecode`, which waits
    // for a person at a browser. Shape checked against the AKS docs and kubelogin's README.
    "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => {
        const cluster = String(inputs["resourceName"]);
        const group = String(inputs["resourceGroupName"]);
        const user = `clusterUser_${group}_${cluster}`;
        const kubeconfig = [
            "apiVersion: v1",
            "clusters:",
            "- cluster:",
            `    certificate-authority-data: ${Buffer.from(`mock CA of ${cluster}`).toString("base64")}`,
            `    server: https://${cluster}-${hex(cluster, 8)}.hcp.westeurope.azmk8s.io:443`,
            `  name: ${cluster}`,
            "contexts:",
            "- context:",
            `    cluster: ${cluster}`,
            `    user: ${user}`,
            `  name: ${cluster}`,
            `current-context: ${cluster}`,
            "kind: Config",
            "preferences: {}",
            "users:",
            `- name: ${user}`,
            "  user:",
            "    exec:",
            "      apiVersion: client.authentication.k8s.io/v1beta1",
            "      args:",
            "      - get-token",
            "      - --environment",
            "      - AzurePublicCloud",
            "      - --server-id",
            "      - 6dae42f8-4368-4678-94ff-3960e28e3630",
            "      - --client-id",
            "      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a",
            "      - --tenant-id",
            `      - ${mockTenantId}`,
            "      - --login",
            "      - devicecode",
            "      command: kubelogin",
            "      env: null",
            "      installHint: |2",
            "",
            "        kubelogin is not installed which is required to connect to AAD enabled cluster.",
            "",
            "        To learn more, please go to https://aka.ms/aks/kubelogin",
            "      provideClusterInfo: false",
            "",
        ].join("\n");
        return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] };
    },
    // A parent zone the stack delegates from: looked up by name.
    "aws:route53/getZone:getZone": (inputs) => {
        const zoneId = `Z${base62(String(inputs["name"]), 20).toUpperCase()}`;
        return { id: zoneId, zoneId, name: inputs["name"], arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: false };
    },
    // Event Hubs SAS keys are 32 bytes in base64; the connection string names the rule and the hub (REST: Event Hubs - List Keys).
    "azure-native:eventhub:listEventHubKeys": (inputs) => {
        const key = Buffer.from(hex(`${String(inputs["eventHubName"])}/${String(inputs["authorizationRuleName"])}`, 64), "hex").toString("base64");
        const rule = String(inputs["authorizationRuleName"]);
        return {
            keyName: rule,
            primaryKey: key,
            primaryConnectionString: `Endpoint=sb://${String(inputs["namespaceName"])}.servicebus.windows.net/;SharedAccessKeyName=${rule};SharedAccessKey=${key};EntityPath=${String(inputs["eventHubName"])}`,
        };
    },
    // Azure Managed Redis access keys are 32 random bytes in base64 (44 characters).
    "azure-native:redisenterprise:listDatabaseKeys": (inputs) => ({
        primaryKey: Buffer.from(hex(`${String(inputs["clusterName"])}/primary`, 64), "hex").toString("base64"),
        secondaryKey: Buffer.from(hex(`${String(inputs["clusterName"])}/secondary`, 64), "hex").toString("base64"),
    }),
};

/** A create the real API would refuse; the message names the resource and the rule it breaks. */
export class CloudRejectionError extends Error {
    override name = "CloudRejectionError";
}

/** The id and state the cloud gives a new custom resource of `type` named `name`; throws what the cloud would refuse. */
export function simulatedResource(type: string, name: string, inputs: Outputs): { id: string; state: Outputs } {
    const rejection = cloudRejection(type, inputs);
    if (rejection) {
        throw new CloudRejectionError(`the cloud would refuse ${type} "${name}": ${rejection}`);
    }
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

/** The id the cloud gives a new resource of `type` named `name`. */
export function resourceId(type: string, name: string, inputs: Outputs): string {
    const kubernetesId = kubernetesObjectId(type, inputs);
    if (kubernetesId) {
        return kubernetesId;
    }
    const armId = armResourceId(mockSubscriptionId, type, { resourceGroupName: "rg", ...inputs }, azureName(type, name, inputs));
    if (armId) {
        return armId;
    }
    if (type.startsWith("azure-native:")) {
        return `/subscriptions/${mockSubscriptionId}/providers/${type.split(":")[1]}/${name}-${hex(name, 8)}`;
    }
    return `${name}-${hex(name, 8)}`;
}

/** The `name`/`arn` pair every resource of a cloud exposes. */
function identity(type: string, name: string, inputs: Outputs): Outputs {
    if (type.startsWith("aws:")) {
        const service = type.slice(4).split("/")[0]!;
        const physical = String(inputs["name"] ?? `${name}-${hex(name, 7)}`);
        return { arn: awsArn(type, service, name, physical, inputs), name: inputs["name"] ?? physical };
    }
    if (type.startsWith("azure-native:")) {
        return { name: azureName(type, name, inputs) };
    }
    return {};
}

/**
 * ARNs in the shapes the services document ("Actions, resources, and condition keys" in the
 * Service Authorization Reference); other types get a plausible regional ARN.
 */
function awsArn(type: string, service: string, name: string, physical: string, inputs: Outputs): string {
    // A resource's own `region` input places it outside the provider's region (@pulumi/aws 7).
    const region = String(inputs["region"] ?? "eu-west-1");
    const regional = (resource: string) => `arn:aws:${service}:${region}:${mockAccountId}:${resource}`;
    switch (type) {
        case "aws:secretsmanager/secret:Secret":
            // Secrets Manager appends a hyphen and six random characters to the name.
            return regional(`secret:${physical}-${base62(name, 6)}`);
        case "aws:kms/key:Key":
            return regional(`key/${uuid(name)}`);
        case "aws:kms/alias:Alias":
            return regional(physical);
        case "aws:s3/bucket:Bucket":
            // Bucket ARNs carry neither region nor account.
            return `arn:aws:s3:::${String(inputs["bucket"] ?? physical)}`;
        case "aws:eks/cluster:Cluster":
            return regional(`cluster/${physical}`);
        case "aws:cloudwatch/logGroup:LogGroup":
            return `arn:aws:logs:eu-west-1:${mockAccountId}:log-group:${physical}`;
        case "aws:iam/role:Role":
            return `arn:aws:iam::${mockAccountId}:role/${physical}`;
        case "aws:iam/policy:Policy":
            return `arn:aws:iam::${mockAccountId}:policy/${physical}`;
        case "aws:sqs/queue:Queue":
        case "aws:sns/topic:Topic":
            return regional(physical);
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return regional(`alarm:${physical}`);
        case "aws:rds/instance:Instance":
            return regional(`db:${String(inputs["identifier"] ?? physical)}`);
        case "aws:rds/proxy:Proxy":
            // The proxy's resource id, `prx-` and 17 hex digits, is what IAM database authentication names.
            return `arn:aws:rds:eu-west-1:${mockAccountId}:db-proxy:prx-${hex(name, 17)}`;
        case "aws:msk/serverlessCluster:ServerlessCluster":
            // The service prefix is `kafka`, not the SDK's `msk`; `cluster/<name>/<uuid>` names topics and groups under it
            // (MSK Developer Guide, "IAM access control").
            return `arn:aws:kafka:eu-west-1:${mockAccountId}:cluster/${String(inputs["clusterName"])}/${uuid(name)}-s1`;
        case "aws:glue/registry:Registry":
            return regional(`registry/${String(inputs["registryName"])}`);
        case "aws:glue/schema:Schema":
            return regional(`schema/${String(inputs["registryArn"]).split("/").pop()}/${String(inputs["schemaName"])}`);
        case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
            return `arn:aws:firehose:eu-west-1:${mockAccountId}:deliverystream/${physical}`;
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return `arn:aws:iam::${mockAccountId}:oidc-provider/${String(inputs["url"]).replace(/^https:\/\//, "")}`;
        default:
            return regional(name);
    }
}

function base62(seed: string, length: number): string {
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    return [...Buffer.from(hex(seed, length * 2), "hex")].map((byte) => alphabet[byte % alphabet.length]).join("");
}

/** Azure names: the explicit `<type>Name`/`resourceName` input, else autonamed as the provider would. */
function azureName(type: string, name: string, inputs: Outputs): string {
    return azureExplicitName(type, inputs) ?? `${name}${hex(name, 8)}`;
}

function hex(seed: string, length: number): string {
    let text = "";
    for (let round = 0; text.length < length; round++) {
        text += createHash("sha256").update(`${seed}/${round}`).digest("hex");
    }
    return text.slice(0, length);
}

/** A public IPv4 address in one of the cloud's own /8 blocks. */
function publicAddress(firstOctet: number, seed: string): string {
    const bytes = Buffer.from(hex(seed, 6), "hex");
    return [firstOctet, ...bytes].join(".");
}

function uuid(seed: string): string {
    const text = hex(seed, 32);
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
