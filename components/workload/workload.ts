import * as apiextensions from "@pulumi/kubernetes/apiextensions/index.js";
import * as appsv1 from "@pulumi/kubernetes/apps/v1/index.js";
import * as autoscalingv2 from "@pulumi/kubernetes/autoscaling/v2/index.js";
import * as corev1 from "@pulumi/kubernetes/core/v1/index.js";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1/index.js";
import * as policyv1 from "@pulumi/kubernetes/policy/v1/index.js";
import type { Provider } from "@pulumi/kubernetes/provider.js";
import * as pulumi from "@pulumi/pulumi";
import type { Workload as WorkloadConfig } from "../../config/workloads.ts";
import type { WorkloadCloudArgs, WorkloadCloudParts } from "../kubernetes/kubernetes.ts";
import { WorkloadNamespace, type WorkloadNamespaceArgs } from "../kubernetes/workload-namespace.ts";
import {
    deploymentSpec, disruptionBudgetSpec, externalSecretSpec, horizontalAutoscalerSpec, httpRouteSpec, rateLimitPolicySpec,
    scaledObjectSpec, serviceSpec, workloadLabels, workloadNetworkPolicy,
} from "./specs.ts";

/** What the platform layer hands every workload. */
export interface WorkloadHost {
    readonly provider: Provider;
    /** Creates the cloud side of a workload. */
    readonly cloud: (name: string, args: WorkloadCloudArgs, parent: pulumi.Resource) => WorkloadCloudParts;
    /** Guardrails of a namespace a workload creates for itself. */
    readonly namespaceDefaults: Omit<WorkloadNamespaceArgs, "namespace" | "formerParent" | "provider">;
    /** The stack's shared workload namespaces, which a workload may run in instead. */
    readonly sharedNamespaces: ReadonlyMap<string, WorkloadNamespace>;
    /** The SecretStore name in every workload namespace and the store's key for a secret; none without External Secrets. */
    readonly secrets?: { readonly storeName: string; readonly remoteKey: (secret: string) => string } | undefined;
    /** The gateway's proxies' namespace, the listener serving a host, and what routes wait for; none without the gateway. */
    readonly gateway?: {
        readonly proxyNamespace: string;
        readonly listener: (host: string) => string;
        readonly ready: readonly pulumi.Resource[];
    } | undefined;
    /** KEDA's release: ScaledObjects wait for its CRDs. None without KEDA. */
    readonly keda?: pulumi.Resource | undefined;
}

export interface WorkloadArgs {
    /** The stack's entry with its pattern applied (`config/workloads.ts`). */
    readonly workload: WorkloadConfig;
    readonly host: WorkloadHost;
    /** Who its alerts notify (`platform:budget.alertEmails`). */
    readonly alertEmails: readonly string[];
}

/**
 * A team's service on the platform, the same code on every cloud: its namespace (its own,
 * guarded, or a shared one), a ServiceAccount bound to its own cloud identity, a Deployment
 * under the restricted Pod Security Standard, its autoscaler and disruption budget,
 * ExternalSecrets for the secrets it names, its NetworkPolicy, and what its pattern brings:
 * a route on the shared gateway with rate limiting and security headers (web_api), or a queue
 * with a dead-letter queue, alerts and KEDA scaling on depth (background_worker).
 */
export class Workload extends pulumi.ComponentResource {
    readonly namespace: string;
    /** The public host, for a routed workload. */
    readonly host: string | undefined;
    /** The cloud identity the pods run as. */
    readonly identity: pulumi.Output<string>;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workload:Workload", name, {}, opts);
        const { workload, host } = args;
        const inCluster = { parent: this, provider: host.provider };
        const namespace = workload.ownNamespace
            ? new WorkloadNamespace(`${name}-ns`, { ...host.namespaceDefaults, provider: host.provider, namespace: workload.namespace }, { parent: this })
            : host.sharedNamespaces.get(workload.namespace)!;
        const inNamespace = { ...inCluster, dependsOn: [namespace] };
        const metadata = (objectName: string) => ({ name: objectName, namespace: workload.namespace, labels: workloadLabels(workload) });

        const serviceAccount = { namespace: workload.namespace, name: workload.name };
        const cloud = host.cloud(name, { workload, serviceAccount, alertEmails: args.alertEmails }, this);
        const account = new corev1.ServiceAccount(`${name}-service-account`, {
            metadata: { ...metadata(serviceAccount.name), annotations: cloud.serviceAccountAnnotations, labels: { ...workloadLabels(workload), ...cloud.serviceAccountLabels } },
        }, inNamespace);

        const secrets = host.secrets;
        const synced = secrets
            ? workload.secrets.map((secret) => new apiextensions.CustomResource(`${name}-secret-${secret}`, {
                apiVersion: "external-secrets.io/v1",
                kind: "ExternalSecret",
                metadata: metadata(`${workload.name}-${secret}`),
                spec: externalSecretSpec(workload, secret, secrets.remoteKey(secret), secrets.storeName),
            }, inNamespace))
            : [];

        const deployment = new appsv1.Deployment(`${name}-deployment`, {
            metadata: metadata(workload.name),
            spec: deploymentSpec(workload, { serviceAccountName: serviceAccount.name, podLabels: cloud.podLabels, env: cloud.env }),
        }, { ...inCluster, dependsOn: [namespace, account, ...synced, ...cloud.ready] });

        const budget = disruptionBudgetSpec(workload);
        if (budget) {
            new policyv1.PodDisruptionBudget(`${name}-disruption-budget`, { metadata: metadata(workload.name), spec: budget }, inNamespace);
        }
        const hpa = horizontalAutoscalerSpec(workload);
        if (hpa) {
            new autoscalingv2.HorizontalPodAutoscaler(`${name}-autoscaler`, { metadata: metadata(workload.name), spec: hpa }, { ...inCluster, dependsOn: [deployment] });
        }
        if (cloud.queueTrigger && host.keda) {
            const authentication = new apiextensions.CustomResource(`${name}-trigger-auth`, {
                apiVersion: "keda.sh/v1alpha1",
                kind: "TriggerAuthentication",
                metadata: metadata(workload.name),
                spec: { podIdentity: cloud.queueTrigger.podIdentity },
            }, { ...inCluster, dependsOn: [namespace, host.keda] });
            new apiextensions.CustomResource(`${name}-scaler`, {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: metadata(workload.name),
                spec: scaledObjectSpec(workload, cloud.queueTrigger, workload.name),
            }, { ...inCluster, dependsOn: [deployment, authentication] });
        }

        const route = host.gateway && workload.route && httpRouteSpec(workload, host.gateway.listener(workload.route.host));
        if (route && host.gateway) {
            const service = new corev1.Service(`${name}-service`, { metadata: metadata(workload.name), spec: serviceSpec(workload) }, inNamespace);
            const httpRoute = new apiextensions.CustomResource(`${name}-route`, {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: metadata(workload.name),
                spec: route,
            }, { ...inCluster, dependsOn: [service, ...host.gateway.ready] });
            new apiextensions.CustomResource(`${name}-rate-limit`, {
                apiVersion: "gateway.envoyproxy.io/v1alpha1",
                kind: "BackendTrafficPolicy",
                metadata: metadata(workload.name),
                spec: rateLimitPolicySpec(workload),
            }, { ...inCluster, dependsOn: [httpRoute] });
            const policy = workloadNetworkPolicy(workload, host.gateway.proxyNamespace)!;
            new networkingv1.NetworkPolicy(`${name}-${policy.name}`, { metadata: metadata(policy.name), spec: policy.spec }, inNamespace);
        }

        this.namespace = workload.namespace;
        this.host = workload.route?.host;
        this.identity = cloud.identity;
        this.registerOutputs({ namespace: this.namespace, host: this.host, identity: this.identity });
    }
}
