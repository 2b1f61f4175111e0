/**
 * An event_processor's side of the stack's event bus on Azure: its event hub in the stack's
 * Event Hubs namespace (Kafka endpoint, private only) with the entry's partitions and
 * retention and Capture archiving it to the stack's storage account, its Avro schema in the
 * namespace's schema registry (registered by a provisioning job: schemas have no ARM
 * resource), the Data Receiver and Sender roles on its own hub and Schema Registry Reader on
 * its group, and KEDA's Kafka scaler on its consumer lag.
 */
import * as eventhub from "@pulumi/azure-native/eventhub/index.js";
import type * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { SchemaCompatibility } from "../../config/patterns.ts";
import type { WorkloadEvents } from "../../config/workloads.ts";
import { builtInRoles } from "../azure/roles.ts";
import type { ProvisioningStep, ScalerTrigger, WorkloadCloudArgs } from "../kubernetes/kubernetes.ts";
import { narrow } from "../narrow.ts";
import { AzureObjectStorage } from "../storage/azure.ts";
import { provisioningImages } from "./specs.ts";
import type { AzureIdentities } from "../azure/identities.ts";
import type { EventBusTier } from "../../config/patterns.ts";

/** What a hub needs of the stack's Azure workload scope (workload/azure.ts). */
export interface AzureEventScope {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly identities: AzureIdentities;
    /** The stack's Event Hubs namespace, created on first use (the patterns' tier) with Capture's rights on `storageAccountId`. */
    readonly eventBus: (storageAccountId: pulumi.Input<string>, tier: EventBusTier) => AzureEventBus;
}

/** The Kafka endpoint's port (Event Hubs docs, "Event Hubs for Apache Kafka"). */
export const eventHubsKafkaPort = 9093;

/** What every event_processor of the stack shares: the namespace and its schema groups. */
export interface AzureEventBus {
    readonly namespace: eventhub.Namespace;
    /** The namespace identity's right to write archives: Capture needs it before a hub turns Capture on. */
    readonly captureAccess: pulumi.Resource;
    /**
     * The schema group for a workload: its own on Premium; on Standard, which allows one group
     * per namespace, the stack's single group. Created once, with the provisioner's right to register.
     */
    readonly schemaGroup: (workload: string, compatibility: SchemaCompatibility, provisioner: pulumi.Input<string> | undefined) => SchemaGroup;
}

export interface SchemaGroup {
    readonly group: eventhub.SchemaRegistry;
    /** The provisioner's Schema Registry Contributor assignment on it. */
    readonly registrar: readonly pulumi.Resource[];
}

export const schemaGroupCompatibility = { none: "None", backward: "Backward", forward: "Forward" } as const;

/**
 * Shell setting `variable` to an Entra access token for `scope`, exchanged for the pod's
 * federated service-account token (the variables the workload identity webhook injects).
 * BusyBox wget, which both the PostgreSQL and curl images have.
 */
export function entraTokenShell(variable: string, scope: string): string {
    const form = [
        "grant_type=client_credentials",
        `scope=${encodeURIComponent(scope)}`,
        "client_id=$AZURE_CLIENT_ID",
        `client_assertion_type=${encodeURIComponent("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")}`,
        "client_assertion=$(cat \"$AZURE_FEDERATED_TOKEN_FILE\")",
    ].join("&");
    return [
        `${variable}=$(wget -q -O - --post-data "${form}" "\${AZURE_AUTHORITY_HOST}\${AZURE_TENANT_ID}/oauth2/v2.0/token" | sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')`,
        `test -n "$${variable}" || { echo "Entra ID returned no token for ${scope}" >&2; exit 1; }`,
        `export ${variable}`,
    ].join("\n");
}

/** Registers the schema (a no-op when that definition is registered already). */
export function schemaRegistrationScript(): string {
    return [
        "set -eu",
        entraTokenShell("TOKEN", "https://eventhubs.azure.net/.default"),
        "printf '%s' \"$SCHEMA\" > /tmp/schema.avsc",
        "curl --fail --silent --show-error --proto =https -X PUT \\",
        "  \"https://$NAMESPACE_HOST/\\$schemagroups/$SCHEMA_GROUP/schemas/$SCHEMA_NAME?api-version=2022-10\" \\",
        "  -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json; serialization=Avro' --data-binary @/tmp/schema.avsc",
        "",
    ].join("\n");
}

/** Where Capture writes a hub's archive: under `events/<hub>/` in the stack's container, one file per partition and interval. */
export function captureNameFormat(events: WorkloadEvents): string {
    // Capture requires every token; the leading folder keeps each hub's archive under its own prefix.
    return `events/${events.topic}/{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}`;
}

export function azureEvents(name: string, args: WorkloadCloudArgs, scope: AzureEventScope, identity: managedidentity.UserAssignedIdentity, parent: pulumi.Resource) {
    const events = args.workload.events!;
    const opts = { parent };
    const storage = narrow(args.storage, AzureObjectStorage);
    const bus = scope.eventBus(storage.accountId, events.tier);
    const namespace = bus.namespace;
    const inNamespace = { resourceGroupName: scope.resourceGroupName, namespaceName: namespace.name };
    const hub = new eventhub.EventHub(`${name}-event-hub`, {
        ...inNamespace,
        eventHubName: events.topic,
        partitionCount: events.partitions,
        retentionDescription: { cleanupPolicy: "Delete", retentionTimeInHours: events.retentionDays * 24 },
        captureDescription: {
            enabled: true,
            encoding: "Avro",
            intervalInSeconds: events.archiveIntervalSeconds,
            sizeLimitInBytes: 314_572_800,
            skipEmptyArchives: true,
            destination: {
                name: "EventHubArchive.AzureBlockBlob",
                // The namespace's own identity, granted Storage Blob Data Contributor on the account.
                identity: { type: "SystemAssigned" },
                storageAccountResourceId: storage.accountId,
                blobContainer: storage.bucketName,
                archiveNameFormat: captureNameFormat(events),
            },
        },
    }, { parent, dependsOn: [bus.captureAccess] });

    const schema = bus.schemaGroup(args.workload.name, events.schema.compatibility, args.provisioner?.identity);
    const grant = (role: string, key: string, target: pulumi.Input<string>) => scope.identities.assign(`${name}-${key}`, {
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        role,
        scope: target,
    }, opts);
    const ready = [
        grant(builtInRoles.eventHubsDataReceiver, "events-receive", hub.id),
        grant(builtInRoles.eventHubsDataSender, "events-send", hub.id),
        grant(builtInRoles.schemaRegistryReader, "schemas-read", schema.group.id),
    ];

    const namespaceHost = pulumi.interpolate`${namespace.name}.servicebus.windows.net`;
    const provisioning: ProvisioningStep[] = args.provisioner
        ? [{
            step: "schema",
            image: provisioningImages.curl,
            script: schemaRegistrationScript(),
            env: { NAMESPACE_HOST: namespaceHost, SCHEMA_GROUP: schema.group.name, SCHEMA_NAME: events.schema.name, SCHEMA: events.schema.definition },
            after: [...schema.registrar],
        }]
        : [];

    const scaler = args.workload.autoscaling.signal === "consumerLag" ? kafkaScaler(name, args, inNamespace, hub, namespaceHost, parent) : undefined;
    return {
        env: {
            KAFKA_BOOTSTRAP_SERVERS: pulumi.interpolate`${namespaceHost}:${eventHubsKafkaPort}`,
            KAFKA_TOPIC: events.topic,
            KAFKA_CONSUMER_GROUP: events.consumerGroup,
            // SASL_SSL with OAUTHBEARER: an Entra token of the pod's identity for https://<namespace>/.default.
            KAFKA_AUTH: "entra-oauthbearer",
            SCHEMA_REGISTRY: namespaceHost,
            SCHEMA_GROUP: schema.group.name,
            SCHEMA_NAME: events.schema.name,
            EVENT_ARCHIVE: pulumi.interpolate`${storage.endpoint}/events/${events.topic}/`,
        },
        scaler,
        provisioning,
        ready,
    };
}

/**
 * KEDA's Kafka scaler has no Entra workload identity in any release (kedacore/keda#8070 is
 * open), so it reads the lag with a Listen-only key of this hub alone, kept as a Secret in the
 * workload's namespace: the workload could already read its hub; nothing else is exposed.
 */
function kafkaScaler(
    name: string,
    args: WorkloadCloudArgs,
    inNamespace: { readonly resourceGroupName: pulumi.Input<string>; readonly namespaceName: pulumi.Input<string> },
    hub: eventhub.EventHub,
    namespaceHost: pulumi.Output<string>,
    parent: pulumi.Resource,
): ScalerTrigger {
    const events = args.workload.events!;
    const rule = new eventhub.EventHubAuthorizationRule(`${name}-scaler`, {
        ...inNamespace,
        eventHubName: hub.name,
        authorizationRuleName: "keda-lag-reader",
        rights: ["Listen"],
    }, { parent });
    const keys = eventhub.listEventHubKeysOutput({ ...inNamespace, eventHubName: hub.name, authorizationRuleName: rule.name }, { parent });
    const secretName = `${args.workload.name}-lag-reader`;
    const autoscaling = args.workload.autoscaling;
    return {
        type: "kafka",
        metadata: {
            bootstrapServers: pulumi.interpolate`${namespaceHost}:${eventHubsKafkaPort}`,
            consumerGroup: events.consumerGroup,
            topic: events.topic,
            lagThreshold: String(autoscaling.signal === "consumerLag" ? autoscaling.eventsPerReplica : 0),
            offsetResetPolicy: "earliest",
        },
        authentication: {
            secretTargetRef: ["sasl", "tls", "username", "password"].map((parameter) => ({ parameter, name: secretName, key: parameter })),
        },
        secret: {
            name: secretName,
            // The Kafka endpoint's SASL PLAIN login: `$ConnectionString` and the hub's connection string.
            data: { sasl: "plaintext", tls: "enable", username: "$ConnectionString", password: pulumi.secret(keys.primaryConnectionString.apply((value) => value ?? "")) },
        },
    };
}
