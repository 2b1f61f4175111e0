/**
 * The Azure side of a workload: a managed identity federated with its service account only,
 * with roles on its own resources only; for a queue-driven workload a Service Bus queue (its
 * dead-letter sub-queue, max delivery count, lock duration) in the stack's namespace, metric
 * alerts, and KEDA's right to read the queue's depth; for model access the Cognitive Services
 * OpenAI User role on the stack's Azure OpenAI account and a deployment per model; for a
 * database, an Entra login role for the identity (made by the provisioner); for events, its
 * event hub (azure-events.ts).
 */
import * as cognitiveservices from "@pulumi/azure-native/cognitiveservices/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise/index.js";
import * as servicebus from "@pulumi/azure-native/servicebus/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { Workload } from "../../config/workloads.ts";
import { builtInRoles } from "../azure/roles.ts";
import { serviceAccountSubject, workloadIdentityAudience, type AzureIdentities } from "../azure/identities.ts";
import type { WorkloadCloudArgs, WorkloadCloudParts } from "../kubernetes/kubernetes.ts";
import { azureEvents, type AzureEventScope } from "./azure-events.ts";
import { AzureCache } from "../cache/azure.ts";
import { narrow } from "../narrow.ts";

/** What every workload of the stack shares on Azure; the shared resources are created on first use. */
export interface AzureWorkloadScope extends AzureEventScope {
    readonly context: PlatformContext;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly identities: AzureIdentities;
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** KEDA's identity, when KEDA runs: each queue grants it the depth reads. */
    readonly keda?: { readonly principalId: pulumi.Output<string>; readonly clientId: pulumi.Output<string> } | undefined;
    readonly serviceBusNamespace: () => servicebus.Namespace;
    readonly actionGroupId: (emails: readonly string[]) => pulumi.Output<string>;
    readonly openAiAccount: () => cognitiveservices.Account;
    /** Model deployments of one account are created one at a time (ARM refuses concurrent ones): each waits for the previous. */
    readonly lastModelDeployment: { current?: pulumi.Resource };
}

/**
 * The workload's PostgreSQL role, mapped to its managed identity by object id (Flexible Server
 * docs, "Manage Microsoft Entra roles"); run by an Entra administrator on the `postgres` database.
 */
export function entraRoleSql(user: string, principalId: string): string {
    return `SELECT pgaadauth_create_principal_with_oid('${user}', '${principalId}', 'service', false, false) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}');`;
}

/** ISO 8601 durations as ARM returns them (`PT5M`, not `PT300S`), so a refresh finds no drift. */
export function isoDuration(seconds: number): string {
    const [hours, minutes, rest] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
    return `PT${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${rest || seconds === 0 ? `${rest}S` : ""}`;
}
const days = (value: number) => `P${value}D`;

export function azureWorkloadCloud(name: string, args: WorkloadCloudArgs, scope: AzureWorkloadScope, parent: pulumi.Resource): WorkloadCloudParts {
    const { workload, serviceAccount } = args;
    const opts = { parent };
    const identity = scope.identities.create(`${name}-identity`, parent);
    const federation = new managedidentity.FederatedIdentityCredential(`${name}-identity`, {
        resourceGroupName: scope.identities.resourceGroupName,
        resourceName: identity.name,
        issuer: scope.oidcIssuerUrl,
        subject: serviceAccountSubject(serviceAccount),
        audiences: [workloadIdentityAudience],
    }, opts);
    const ready: pulumi.Resource[] = [federation];
    const env: Record<string, pulumi.Input<string>> = {};
    let scaler: WorkloadCloudParts["scaler"];

    if (workload.queue) {
        const queue = serviceBusQueue(name, workload, scope, parent, args.alertEmails);
        ready.push(scope.identities.assign(`${name}-receive`, {
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            role: builtInRoles.serviceBusDataReceiver,
            scope: queue.id,
        }, opts));
        const namespace = scope.serviceBusNamespace();
        env["SERVICE_BUS_NAMESPACE"] = pulumi.interpolate`${namespace.name}.servicebus.windows.net`;
        env["QUEUE_NAME"] = queue.name;
        if (scope.keda && workload.autoscaling.signal === "queueDepth") {
            scaler = {
                type: "azure-servicebus",
                metadata: { queueName: queue.name, namespace: namespace.name, messageCount: String(workload.autoscaling.messagesPerReplica) },
                authentication: { podIdentity: { provider: "azure-workload", identityId: scope.keda.clientId } },
            };
        }
    }

    if (workload.models.azure.length > 0) {
        const account = scope.openAiAccount();
        ready.push(scope.identities.assign(`${name}-models`, {
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            role: builtInRoles.cognitiveServicesOpenAiUser,
            scope: account.id,
        }, opts));
        const deployments = workload.models.azure.map((model) => {
            const deploymentName = `${workload.name}-${model.name}`.replaceAll(".", "-");
            const previous = scope.lastModelDeployment.current;
            const deployment = new cognitiveservices.Deployment(`${name}-${model.name}`, {
                resourceGroupName: scope.resourceGroupName,
                accountName: account.name,
                deploymentName,
                sku: { name: model.deploymentType, capacity: model.capacity },
                properties: { model: { format: "OpenAI", name: model.name, version: model.version } },
            }, { parent, dependsOn: previous ? [previous] : [] });
            scope.lastModelDeployment.current = deployment;
            return deploymentName;
        });
        env["AZURE_OPENAI_ENDPOINT"] = account.properties.apply((properties) => properties.endpoint ?? "");
        env["AZURE_OPENAI_DEPLOYMENTS"] = deployments.join(",");
    }

    if (args.cache) {
        // Passwordless: the identity signs in with an Entra token (scope https://redis.azure.com/.default) as CACHE_USER,
        // its object id (Azure Managed Redis, "Use Microsoft Entra ID for cache authentication").
        const cache = narrow(args.cache, AzureCache).entraScope;
        ready.push(new redisenterprise.AccessPolicyAssignment(`${name}-cache-access`, {
            ...cache,
            accessPolicyName: "default",
            user: { objectId: identity.principalId },
        }, opts));
        env["CACHE_AUTH"] = "entra";
        env["CACHE_USER"] = identity.principalId;
    }

    const user = workload.database && args.database ? workload.database.user : undefined;
    if (user) {
        // Sign in with an Entra token (scope https://ossrdbms-aad.database.windows.net/.default) as DATABASE_USER.
        env["DATABASE_AUTH"] = "entra";
    }
    const events = workload.events ? azureEvents(name, args, scope, identity, parent) : undefined;
    ready.push(...(events?.ready ?? []));

    return {
        serviceAccountAnnotations: { "azure.workload.identity/client-id": identity.clientId, "azure.workload.identity/tenant-id": identity.tenantId },
        serviceAccountLabels: { "azure.workload.identity/use": "true" },
        // The workload identity webhook injects the token and AZURE_* variables into labelled pods.
        podLabels: { "azure.workload.identity/use": "true" },
        env: { ...env, ...events?.env },
        scaler: scaler ?? events?.scaler,
        databaseRole: user ? identity.principalId.apply((principalId) => entraRoleSql(user, principalId)) : undefined,
        provisioning: events?.provisioning ?? [],
        identity: identity.clientId,
        ready,
    };
}

function serviceBusQueue(name: string, workload: Workload, scope: AzureWorkloadScope, parent: pulumi.Resource, alertEmails: readonly string[]): servicebus.Queue {
    const settings = workload.queue!;
    const namespace = scope.serviceBusNamespace();
    const queue = new servicebus.Queue(`${name}-queue`, {
        resourceGroupName: scope.resourceGroupName,
        namespaceName: namespace.name,
        queueName: workload.name,
        lockDuration: isoDuration(settings.visibilityTimeoutSeconds),
        maxDeliveryCount: settings.maxReceiveCount,
        defaultMessageTimeToLive: days(settings.retentionDays),
        // Expired messages are kept for inspection rather than dropped.
        deadLetteringOnMessageExpiration: true,
    }, { parent });
    if (scope.keda) {
        scope.identities.assign(`${name}-keda`, {
            principalId: scope.keda.principalId,
            principalType: "ServicePrincipal",
            role: builtInRoles.serviceBusDataOwner,
            scope: queue.id,
        }, { parent });
    }
    const alerts = workload.alerts!;
    const actionGroupId = scope.actionGroupId(alertEmails);
    // Service Bus reports no age of the oldest message; a backlog beyond what the workload
    // drains at full scale is the signal for "messages are waiting too long".
    const backlog = workload.autoscaling.signal === "queueDepth" ? workload.autoscaling.messagesPerReplica * workload.replicas.max : 1000;
    const alert = (role: string, metricName: string, threshold: number, description: string) =>
        new monitor.MetricAlert(`${name}-${role}`, {
            resourceGroupName: scope.resourceGroupName,
            location: "global",
            description,
            severity: 2,
            enabled: true,
            scopes: [namespace.id],
            evaluationFrequency: "PT1M",
            windowSize: "PT5M",
            criteria: {
                odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                allOf: [{
                    criterionType: "StaticThresholdCriterion",
                    name: metricName,
                    metricName,
                    metricNamespace: "Microsoft.ServiceBus/namespaces",
                    dimensions: [{ name: "EntityName", operator: "Include", values: [workload.name] }],
                    operator: "GreaterThanOrEqual",
                    threshold,
                    timeAggregation: "Maximum",
                }],
            },
            actions: [{ actionGroupId }],
            autoMitigate: true,
            tags: scope.context.tags,
        }, { parent, dependsOn: [queue] });
    alert("dead-letters", "DeadletteredMessages", alerts.deadLetterMessages, `Messages of ${workload.name} failed ${settings.maxReceiveCount} deliveries and wait in its dead-letter queue`);
    alert("backlog", "ActiveMessages", backlog, `More messages of ${workload.name} wait than ${workload.replicas.max} replicas drain`);
    return queue;
}
