import * as batchv1 from "@pulumi/kubernetes/batch/v1/index.js";
import * as corev1 from "@pulumi/kubernetes/core/v1/index.js";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { Database } from "../database/database.ts";
import { limitRangeSpec, quotaSpec, workloadNetworkPolicies, workloadPodSecurityLabels } from "../kubernetes/guardrails.ts";
import type { Provider } from "@pulumi/kubernetes/provider.js";
import type { WorkloadTraffic } from "../kubernetes/guardrails.ts";
import type { ProvisionerCloudArgs, ProvisionerCloudParts } from "../kubernetes/kubernetes.ts";
import { kubeletLiteral, provisionerServiceAccount, provisioningJobSpec, provisioningNamespace, type ProvisioningJob } from "./specs.ts";

/** What the platform layer hands the provisioner (a slice of the workloads' `WorkloadHost`). */
export interface ProvisionerHost {
    readonly provider: Provider;
    readonly provisionerCloud: (name: string, args: ProvisionerCloudArgs, parent: pulumi.Resource) => ProvisionerCloudParts;
    readonly namespaceDefaults: { readonly traffic: WorkloadTraffic };
}

export interface WorkloadProvisionerArgs {
    readonly host: ProvisionerHost;
    /** The stack's PostgreSQL, when a workload has a database of its own. */
    readonly database?: Database | undefined;
}

/** A few small jobs at a time (provisioningJobSpec's limits), and nothing else. */
export const provisioningQuota = { cpu: 2, memoryGiB: 4, pods: 10 };

/** The Secret holding the admin password, where the admin signs in with one (AWS). */
const adminPasswordSecret = "postgres-admin";

/**
 * Where the platform runs the jobs that set workloads up inside the private network: a
 * namespace of its own (restricted pods, a small quota, default-deny traffic but DNS, the data
 * services and HTTPS; no developer is bound in it), a service account with the provisioner's cloud
 * identity, and, on AWS where RDS cannot manage it, the database admin password as a Secret only these jobs mount.
 * Workloads run their jobs here (`run`) and wait for them.
 */
export class WorkloadProvisioner extends pulumi.ComponentResource {
    /** The provisioner's identity, for grants on each workload's resources. */
    readonly cloud: ProvisionerCloudParts;
    private readonly host: ProvisionerHost;
    private readonly ready: pulumi.Resource[];

    constructor(name: string, args: WorkloadProvisionerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workload:WorkloadProvisioner", name, {}, opts);
        const { host } = args;
        const inCluster = { parent: this, provider: host.provider };
        const namespace = new corev1.Namespace(`${name}-namespace`, {
            metadata: { name: provisioningNamespace, labels: workloadPodSecurityLabels },
        }, inCluster);
        const inNamespace = { ...inCluster, dependsOn: [namespace] };
        new corev1.ResourceQuota(`${name}-quota`, { metadata: { name: "provisioning-quota", namespace: provisioningNamespace }, spec: { hard: quotaSpec(provisioningQuota) } }, inNamespace);
        new corev1.LimitRange(`${name}-limits`, { metadata: { name: "provisioning-limits", namespace: provisioningNamespace }, spec: limitRangeSpec(provisioningQuota) }, inNamespace);
        // Nothing calls the jobs; they call DNS, the data services, the cloud's APIs and their credentials.
        const traffic = { ...host.namespaceDefaults.traffic, gatewayNamespace: undefined, monitoringNamespace: undefined, tracingNamespace: undefined };
        const policies = workloadNetworkPolicies(traffic).map((policy) => new networkingv1.NetworkPolicy(`${name}-${policy.name}`, {
            metadata: { name: policy.name, namespace: provisioningNamespace },
            spec: policy.spec,
        }, inNamespace));

        this.cloud = host.provisionerCloud(`${name}-identity`, {
            serviceAccount: { namespace: provisioningNamespace, name: provisionerServiceAccount },
            database: args.database,
        }, this);
        const account = new corev1.ServiceAccount(`${name}-service-account`, {
            metadata: {
                name: provisionerServiceAccount,
                namespace: provisioningNamespace,
                annotations: this.cloud.serviceAccountAnnotations,
                labels: this.cloud.serviceAccountLabels,
            },
        }, inNamespace);
        const password = this.cloud.databaseLogin?.passwordSecret;
        const secrets = password
            ? [new corev1.Secret(`${name}-admin-password`, {
                metadata: { name: adminPasswordSecret, namespace: provisioningNamespace },
                type: "Opaque",
                stringData: { password: pulumi.secret(password) },
            }, inNamespace)]
            : [];

        this.host = host;
        this.ready = [namespace, account, ...policies, ...secrets, ...this.cloud.ready];
        this.registerOutputs({ identity: this.cloud.identity });
    }

    /**
     * A Job in the provisioning namespace, as the provisioner; Pulumi waits for it to succeed.
     * `databaseAdmin` signs it in to PostgreSQL as the administrator (PG* variables).
     */
    run(
        name: string,
        jobName: string,
        job: Omit<ProvisioningJob, "podLabels" | "passwordSecret" | "awsSecret"> & { readonly databaseAdmin?: boolean },
        opts: { readonly parent: pulumi.Resource; readonly dependsOn: readonly pulumi.Resource[] },
    ): batchv1.Job {
        const login = job.databaseAdmin ? this.cloud.databaseLogin : undefined;
        return new batchv1.Job(name, {
            metadata: { name: jobName, namespace: provisioningNamespace, labels: { "app.kubernetes.io/managed-by": "platform" } },
            spec: provisioningJobSpec({
                image: job.image,
                fetch: job.fetch,
                script: pulumi.output(login?.signIn ? pulumi.interpolate`${login.signIn}\n${job.script}` : job.script).apply(kubeletLiteral),
                env: { ...job.env, ...login?.env },
                podLabels: this.cloud.podLabels,
                passwordSecret: login?.passwordSecret ? adminPasswordSecret : undefined,
                awsSecret: login?.awsSecret,
            }),
        }, { parent: opts.parent, provider: this.host.provider, dependsOn: [...this.ready, ...opts.dependsOn] });
    }
}
