import * as apiextensions from "@pulumi/kubernetes/apiextensions/index.js";
import * as appsv1 from "@pulumi/kubernetes/apps/v1/index.js";
import * as autoscalingv2 from "@pulumi/kubernetes/autoscaling/v2/index.js";
import * as batchv1 from "@pulumi/kubernetes/batch/v1/index.js";
import * as corev1 from "@pulumi/kubernetes/core/v1/index.js";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1/index.js";
import * as policyv1 from "@pulumi/kubernetes/policy/v1/index.js";
import type { Provider } from "@pulumi/kubernetes/provider.js";
import * as pulumi from "@pulumi/pulumi";
import type { Workload as WorkloadConfig } from "../../config/workloads.ts";
import type { Cache } from "../cache/cache.ts";
import { maintenanceDatabase, type Database } from "../database/database.ts";
import type { ProvisionerCloudArgs, ProvisionerCloudParts, WorkloadCloudArgs, WorkloadCloudParts } from "../kubernetes/kubernetes.ts";
import { WorkloadNamespace, type WorkloadNamespaceArgs } from "../kubernetes/workload-namespace.ts";
import type { ObjectStorage } from "../storage/storage.ts";
import type { WorkloadProvisioner } from "./provisioner.ts";
import {
    consumerLagRuleSpec, databaseProvisioningSql, dataServiceEnv, deploymentSpec, disruptionBudgetSpec, externalSecretSpec, horizontalAutoscalerSpec, httpRouteSpec,
    migrationJobName, migrationJobSpec, provisioningImages, rateLimitPolicySpec, scaledObjectSpec, serviceSpec, workloadLabels, workloadNetworkPolicy,
} from "./specs.ts";

/** What the platform layer hands every workload. */
export interface WorkloadHost {
    readonly provider: Provider;
    /** Creates the cloud side of a workload. */
    readonly cloud: (name: string, args: WorkloadCloudArgs, parent: pulumi.Resource) => WorkloadCloudParts;
    /** Creates the provisioning jobs' identity. */
    readonly provisionerCloud: (name: string, args: ProvisionerCloudArgs, parent: pulumi.Resource) => ProvisionerCloudParts;
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
    /** The monitoring release: PrometheusRules wait for its CRDs. None without monitoring. */
    readonly monitoring?: pulumi.Resource | undefined;
}

export interface WorkloadArgs {
    /** The stack's entry with its pattern applied (`config/workloads.ts`). */
    readonly workload: WorkloadConfig;
    readonly host: WorkloadHost;
    /** Who its alerts notify (`platform:budget.alertEmails`). */
    readonly alertEmails: readonly string[];
    /** The stack's data services: a data_api's database and cache, an event_processor's archive. */
    readonly services: { readonly database?: Database | undefined; readonly cache: Cache; readonly storage: ObjectStorage };
    /** Runs the jobs that make its database, topic and schema; required when it has any. */
    readonly provisioner?: WorkloadProvisioner | undefined;
}

/**
 * A team's service on the platform, the same code on every cloud: its namespace (its own,
 * guarded, or a shared one), a ServiceAccount bound to its own cloud identity, a Deployment
 * under the restricted Pod Security Standard, its autoscaler and disruption budget,
 * ExternalSecrets for the secrets it names, its NetworkPolicy, and what its pattern brings:
 * a route on the shared gateway with rate limiting and security headers (web_api, data_api), a
 * queue with a dead-letter queue, alerts and KEDA scaling on depth (background_worker), its own
 * database made before it starts and migrations before each rollout (data_api), or its topic,
 * schema and archive with KEDA scaling on consumer lag (event_processor).
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
        const { database, cache, storage } = args.services;
        const cloud = host.cloud(name, { workload, serviceAccount, alertEmails: args.alertEmails, database, storage, cache: workload.cache ? cache : undefined, provisioner: args.provisioner?.cloud }, this);
        const provisioned = this.provision(name, workload, cloud, args);
        cloud.afterProvisioning?.(provisioned);
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

        const server = workload.database && database && {
            writer: workload.database.pooled && database.pooler ? database.pooler : { host: database.host, port: database.port },
            readers: pulumi.all([database.host, ...database.replicaHosts]).apply(([primary, ...replicas]) => (replicas.length > 0 ? replicas : [primary]).join(",")),
            port: database.port,
        };
        const pod = {
            serviceAccountName: serviceAccount.name,
            podLabels: cloud.podLabels,
            env: { ...cloud.env, ...dataServiceEnv(workload.database, server, workload.cache ? cache : undefined) },
        };
        const podNeeds = [namespace, account, ...synced, ...cloud.ready, ...provisioned];
        // A failed migration fails the update here, before the Deployment changes.
        const migrations = migrationJobSpec(workload, pod);
        const migration = migrations && new batchv1.Job(`${name}-migrations`, { metadata: metadata(migrationJobName(workload)), spec: migrations }, { ...inCluster, dependsOn: podNeeds });
        const deployment = new appsv1.Deployment(`${name}-deployment`, {
            metadata: metadata(workload.name),
            spec: deploymentSpec(workload, pod),
        }, { ...inCluster, dependsOn: [...podNeeds, ...(migration ? [migration] : [])] });

        const budget = disruptionBudgetSpec(workload);
        if (budget) {
            new policyv1.PodDisruptionBudget(`${name}-disruption-budget`, { metadata: metadata(workload.name), spec: budget }, inNamespace);
        }
        const hpa = horizontalAutoscalerSpec(workload);
        if (hpa) {
            new autoscalingv2.HorizontalPodAutoscaler(`${name}-autoscaler`, { metadata: metadata(workload.name), spec: hpa }, { ...inCluster, dependsOn: [deployment] });
        }
        if (cloud.scaler && host.keda) {
            const secret = cloud.scaler.secret;
            const scalerSecret = secret
                ? [new corev1.Secret(`${name}-scaler-secret`, { metadata: metadata(secret.name), type: "Opaque", stringData: pulumi.secret(secret.data) }, inNamespace)]
                : [];
            const authentication = new apiextensions.CustomResource(`${name}-trigger-auth`, {
                apiVersion: "keda.sh/v1alpha1",
                kind: "TriggerAuthentication",
                metadata: metadata(workload.name),
                spec: cloud.scaler.authentication,
            }, { ...inCluster, dependsOn: [namespace, host.keda, ...scalerSecret] });
            new apiextensions.CustomResource(`${name}-scaler`, {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: metadata(workload.name),
                spec: scaledObjectSpec(workload, cloud.scaler, workload.name),
            }, { ...inCluster, dependsOn: [deployment, authentication] });
        }
        const lagRule = host.monitoring && host.keda && consumerLagRuleSpec(workload);
        if (lagRule) {
            // KEDA's own measurement of the lag, alerting the same on every cloud (Event Hubs has no lag metric).
            new apiextensions.CustomResource(`${name}-lag-alert`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: metadata(`${workload.name}-consumer-lag`),
                spec: lagRule,
            }, { ...inCluster, dependsOn: [namespace, host.monitoring!] });
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

    /** The provisioner's jobs for this workload: its database (data_api), its topic and schema where the cloud needs a job. */
    private provision(name: string, workload: WorkloadConfig, cloud: WorkloadCloudParts, args: WorkloadArgs): pulumi.Resource[] {
        const provisioner = args.provisioner;
        const database = args.services.database;
        if (!provisioner) {
            return [];
        }
        const jobs = cloud.provisioning.map((step) =>
            provisioner.run(`${name}-${step.step}`, `${workload.name}-${step.step}`, step, { parent: this, dependsOn: [...cloud.ready, ...step.after] }));
        if (workload.database && database && cloud.databaseRole) {
            const sql = cloud.databaseRole.apply((roleSql) => databaseProvisioningSql(workload.database!, roleSql));
            jobs.push(provisioner.run(`${name}-database`, `${workload.name}-database`, {
                image: provisioningImages.postgres,
                script: pulumi.interpolate`psql <<'SQL'\n${sql}SQL\n`,
                env: { PGHOST: database.host, PGPORT: String(database.port), PGDATABASE: maintenanceDatabase, PGSSLMODE: "require" },
                databaseAdmin: true,
            }, { parent: this, dependsOn: cloud.ready }));
        }
        return jobs;
    }
}
