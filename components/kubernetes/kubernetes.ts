import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesConfig } from "../../config/schema.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { DnsZone } from "../dns/dns.ts";
import type { Network } from "../network/network.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { SecretStore, StoredSecret } from "../secrets/secrets.ts";
import type { Workload } from "../../config/workloads.ts";
import type { Database } from "../database/database.ts";
import type { Cache } from "../cache/cache.ts";
import type { ObjectStorage } from "../storage/storage.ts";

export type AddonSwitches = KubernetesConfig["addons"];

/** A Kubernetes service account a cloud identity is federated with. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

/** Where the add-ons that need cloud permissions run; the identities trust exactly these. */
export const addonServiceAccounts = {
    externalSecrets: { namespace: "external-secrets", name: "external-secrets" },
    clusterAutoscaler: { namespace: "kube-system", name: "cluster-autoscaler" },
    certManager: { namespace: "cert-manager", name: "cert-manager" },
    externalDns: { namespace: "external-dns", name: "external-dns" },
    loadBalancerController: { namespace: "kube-system", name: "aws-load-balancer-controller" },
    keda: { namespace: "keda", name: "keda-operator" },
} as const satisfies Record<string, ServiceAccountRef>;

/** `platform:kubernetes.addons` and `.developers` plus what the program wires. */
export interface KubernetesBindingsArgs extends Pick<KubernetesConfig, "addons" | "developers"> {
    readonly context: PlatformContext;
    readonly network: Network;
    readonly cluster: Cluster;
    readonly secrets: SecretStore;
    /** The stack's zone, with `platform:dns`: external-dns and cert-manager's DNS-01 solver change records there and nowhere else. */
    readonly dns?: DnsZone | undefined;
    /** Everything the store holds; External Secrets is granted its application secrets, one by one. */
    readonly storedSecrets: readonly StoredSecret[];
}

/** The identity External Secrets Operator reads the stack's secrets store with. */
export interface ExternalSecretsBinding {
    /** Annotations on the operator's service account (e.g. the workload identity client id). */
    readonly serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    /** Labels on the operator's pods (e.g. opting in to workload identity). */
    readonly podLabels: Record<string, string>;
    /** `spec.provider` of each workload namespace's SecretStore; it authenticates as the operator. */
    readonly storeProvider: pulumi.Input<Record<string, unknown>>;
    /** The store's key (remote reference) of a catalogued secret. */
    remoteKey(secret: string): string;
}

/** How the cloud puts a public load balancer in front of the gateway's Envoy proxies. */
export interface GatewayServiceBinding {
    /** Annotations on the proxies' LoadBalancer Service. */
    readonly annotations: Record<string, pulumi.Input<string>>;
    /** The controller that provisions the load balancer, where it is not the cloud's built-in one. */
    readonly loadBalancerClass?: string | undefined;
    /** The address the program reserved (Azure's static IP); undefined where the load balancer gets one (AWS). */
    readonly address?: pulumi.Output<string> | undefined;
}

/** The cloud identities and settings of the add-ons that write to the stack's zone. */
export interface DnsBinding {
    /** external-dns values for this cloud: provider and credentials. */
    readonly externalDnsValues: Record<string, unknown>;
    /** A config file external-dns reads (Azure's azure.json), kept as a Secret in its namespace. */
    readonly externalDnsConfig?: { readonly secretName: string; readonly fileName: string; readonly contents: pulumi.Input<string> } | undefined;
    /** The `dns01` solver of the cluster issuer for the zone. */
    readonly certManagerSolver: pulumi.Input<Record<string, unknown>>;
    /** cert-manager values for its cloud identity (workload identity labels on Azure). */
    readonly certManagerValues: Record<string, unknown>;
}

/** What the cloud side of one workload needs to know. */
export interface WorkloadCloudArgs {
    readonly workload: Workload;
    /** The service account its pods run as; its cloud identity trusts exactly this one. */
    readonly serviceAccount: ServiceAccountRef;
    /** Who the queue alerts notify (`platform:budget.alertEmails`). */
    readonly alertEmails: readonly string[];
    /** The stack's PostgreSQL, for a workload with a database of its own. */
    readonly database?: Database | undefined;
    /** The stack's object storage: event archives go there. */
    readonly storage: ObjectStorage;
    /** The stack's cache, for a workload that uses it (data_api): where the cloud can, it signs in with its identity. */
    readonly cache?: Cache | undefined;
    /** The provisioning jobs' identity: it makes the workload's topic and registers its schema. */
    readonly provisioner?: ProvisionerCloudParts | undefined;
}

/** What the cloud side of the provisioning jobs needs to know. */
export interface ProvisionerCloudArgs {
    /** The service account the jobs run as; its cloud identity trusts exactly this one. */
    readonly serviceAccount: ServiceAccountRef;
    /** The stack's PostgreSQL, which the jobs administer, when a workload has a database. */
    readonly database?: Database | undefined;
}

/**
 * The identity in-cluster provisioning jobs run as (Pod Identity role / federated managed
 * identity), and how they sign in to PostgreSQL as its administrator: the admin password on
 * AWS, an Entra token of the identity (made a server administrator) on Azure.
 */
export interface ProvisionerCloudParts {
    readonly serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    readonly serviceAccountLabels: Record<string, string>;
    readonly podLabels: Record<string, string>;
    /** PGUSER and friends, and where PGPASSWORD comes from. */
    readonly databaseLogin?: {
        readonly env: Record<string, pulumi.Input<string>>;
        /** Shell run before psql to set PGPASSWORD (an Entra token, or from `awsSecret`'s file); none with `passwordSecret`. */
        readonly signIn?: string | undefined;
        /** A Secret the jobs read PGPASSWORD from: its data, which the provisioner keeps in its namespace. */
        readonly passwordSecret?: pulumi.Input<string> | undefined;
        /** A Secrets Manager secret the job reads into /tmp with its own role before `signIn` runs. */
        readonly awsSecret?: { readonly arn: pulumi.Input<string>; readonly region: string; readonly file: string } | undefined;
    } | undefined;
    /** The identity's id, for grants on each workload's resources. */
    readonly identity: pulumi.Output<string>;
    /** Cloud resources the jobs need before they start. */
    readonly ready: readonly pulumi.Resource[];
}

/** One step a provisioning job runs for a workload, as the provisioner's identity. */
export interface ProvisioningStep {
    /** `topic`, `schema`: the job is `<workload>-<step>`. */
    readonly step: string;
    readonly image: string;
    /** A POSIX shell script; it must succeed when run again. */
    readonly script: pulumi.Input<string>;
    readonly env: Record<string, pulumi.Input<string>>;
    /** A file it downloads first (over HTTPS, into /tmp), such as a client library its image lacks. */
    readonly fetch?: { readonly url: string; readonly file: string } | undefined;
    /** Cloud resources it needs first (the provisioner's grants on the workload's resources). */
    readonly after: readonly pulumi.Resource[];
}

/**
 * The cloud side of one workload, created by the cloud's Kubernetes bindings as children of
 * the workload: its own identity (EKS Pod Identity role / federated managed identity) with
 * grants on its own resources only, its queue and dead-letter queue with alerts, and its
 * model access.
 */
export interface WorkloadCloudParts {
    readonly serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    readonly serviceAccountLabels: Record<string, string>;
    readonly podLabels: Record<string, string>;
    /** Values the pods read: queue URL, model endpoint, region. */
    readonly env: Record<string, pulumi.Input<string>>;
    /** The KEDA trigger on its queue or topic, for a workload KEDA scales. */
    readonly scaler?: ScalerTrigger | undefined;
    /** data_api: SQL (run by the provisioner as admin) making its login role, signed in to by its identity. */
    readonly databaseRole?: pulumi.Output<string> | undefined;
    /** event_processor: jobs making its topic and registering its schema, where the cloud has no API for them. */
    readonly provisioning: readonly ProvisioningStep[];
    /** Creates what must wait for those jobs (an archive stream reading the topic they made). */
    readonly afterProvisioning?: ((provisioned: readonly pulumi.Resource[]) => void) | undefined;
    /** The identity's id (role ARN / client id), for the outputs. */
    readonly identity: pulumi.Output<string>;
    /** Cloud resources the pods need before they start (the Pod Identity association, role grants). */
    readonly ready: readonly pulumi.Resource[];
}

/** A KEDA trigger on a workload's queue or topic, as the cloud describes it. */
export interface ScalerTrigger {
    readonly type: string;
    readonly metadata: Record<string, pulumi.Input<string>>;
    /** The TriggerAuthentication's spec: KEDA's own identity (`podIdentity`) or a Secret's keys. */
    readonly authentication: Record<string, unknown>;
    /** A Secret KEDA's authentication reads, kept in the workload's namespace: its name and data. */
    readonly secret?: { readonly name: string; readonly data: Record<string, pulumi.Input<string>> } | undefined;
}

/**
 * What only the cloud knows about running the platform layer on its cluster: the cloud
 * identities (created by the bindings component) and the cloud-specific values the
 * cloud-agnostic layer plugs in.
 */
export interface KubernetesBindings extends pulumi.Resource {
    /** Add-ons the cloud runs itself, so the platform never installs a second copy (AKS: metrics-server, autoscaler). */
    readonly builtInAddons: readonly (keyof AddonSwitches)[];
    /** The class add-on volumes use: a CSI provisioner and its parameters (zonal redundancy, encryption). */
    readonly storageClass: { readonly provisioner: string; readonly parameters: Record<string, string> };
    /** The load balancer in front of the gateway. */
    readonly gatewayService: GatewayServiceBinding;
    /** AWS Load Balancer Controller values (cluster, VPC, region); undefined where the cloud provisions load balancers itself. */
    readonly loadBalancerControllerValues?: Record<string, unknown> | undefined;
    /** Set with `platform:dns`. */
    readonly dns?: DnsBinding | undefined;
    /** Set when External Secrets is switched on. */
    readonly externalSecrets?: ExternalSecretsBinding | undefined;
    /** Cloud values for the cluster autoscaler chart; undefined where the cloud runs its own or it is off. */
    readonly clusterAutoscalerValues?: pulumi.Input<Record<string, unknown>> | undefined;
    /** Link-local endpoints that hand pods their cloud credentials, for NetworkPolicies (EKS Pod Identity agent). */
    readonly credentialEndpoints: readonly { readonly cidr: string; readonly port: number }[];
    /** The nodes run kube-proxy (EKS); AKS's Cilium data plane replaces it. */
    readonly kubeProxy: boolean;
    /** Kubernetes group names the cloud maps developers to, for RoleBindings. */
    readonly developerGroups: pulumi.Input<string>[];
    /** The event bus's Kafka port (MSK IAM 9098 / Event Hubs 9093), inside the network. */
    readonly eventBusPort: number;
    /** KEDA values for its cloud identity; set when KEDA is on. */
    readonly kedaValues?: Record<string, unknown> | undefined;
    /** Creates the cloud side of one workload, as children of `parent`. */
    workloadCloud(name: string, args: WorkloadCloudArgs, parent: pulumi.Resource): WorkloadCloudParts;
    /** Creates the provisioning jobs' identity, as children of `parent`. */
    provisionerCloud(name: string, args: ProvisionerCloudArgs, parent: pulumi.Resource): ProvisionerCloudParts;
}
