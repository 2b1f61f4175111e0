import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsCluster } from "../cluster/aws.ts";
import { cloudSettings } from "../../config/context.ts";
import { podIdentityTrustPolicy } from "../aws/iam.ts";
import { AwsDnsZone } from "../dns/aws.ts";
import { AwsNetwork } from "../network/aws.ts";
import { AwsSecretStore } from "../secrets/aws.ts";
import { applicationSecrets } from "../secrets/catalog.ts";
import {
    addonServiceAccounts,
    type DnsBinding,
    type ExternalSecretsBinding,
    type KubernetesBindings,
    type KubernetesBindingsArgs,
    type ServiceAccountRef,
} from "./kubernetes.ts";
import { narrow } from "../narrow.ts";
import { emailTopic } from "../aws/email-topic.ts";
import { loadBalancerControllerPolicy } from "../aws/load-balancer-controller-policy.ts";
import { certManagerDnsPolicy, clusterAutoscalerPolicy, externalDnsPolicy, externalSecretsPolicy } from "./aws-policies.ts";
import { awsWorkloadCloud, type AwsWorkloadScope } from "../workload/aws.ts";
import { secretName } from "../secrets/aws.ts";
import type { ProvisionerCloudArgs, ProvisionerCloudParts, WorkloadCloudArgs, WorkloadCloudParts } from "./kubernetes.ts";
import { mskIamPort, type AwsEventBus } from "../workload/aws-events.ts";
import { AwsDatabase, managedAdminSecretFile, managedAdminSignIn } from "../database/aws.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";

/** The Kubernetes group developer IAM roles are mapped to; in-cluster RoleBindings grant it rights. */
export const awsDeveloperGroup = "platform-developers";

/**
 * EKS bindings: IAM roles handed to add-on service accounts through EKS Pod Identity
 * (External Secrets reads only this stack's secrets; the autoscaler scales only this
 * cluster's node groups; the AWS Load Balancer Controller runs the gateway's NLB; external-dns
 * and cert-manager change records in the stack's zone only), access entries mapping developer
 * roles to a Kubernetes group, and encrypted gp3 volumes.
 */
export class AwsKubernetesBindings extends pulumi.ComponentResource implements KubernetesBindings {
    readonly builtInAddons = [];
    readonly kubeProxy = true;
    // The EKS Pod Identity agent on every node (EKS user guide, "pod-id-how-it-works").
    readonly credentialEndpoints = [{ cidr: "169.254.170.23/32", port: 80 }];
    readonly storageClass = { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" } };
    // An internet-facing NLB of the AWS Load Balancer Controller, sending to the proxy pods' IPs
    // (the annotations' documented defaults are internal and instance targets).
    readonly gatewayService = {
        loadBalancerClass: "service.k8s.aws/nlb",
        annotations: {
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
        },
    };
    readonly loadBalancerControllerValues?: Record<string, unknown> | undefined;
    readonly dns?: DnsBinding | undefined;
    readonly externalSecrets?: ExternalSecretsBinding | undefined;
    readonly clusterAutoscalerValues?: pulumi.Input<Record<string, unknown>> | undefined;
    readonly developerGroups: pulumi.Input<string>[];
    /** Role External Secrets runs as; undefined when the add-on is off. */
    readonly externalSecretsRoleArn?: pulumi.Output<string> | undefined;
    /** Role the cluster autoscaler runs as; undefined when the add-on is off. */
    readonly clusterAutoscalerRoleArn?: pulumi.Output<string> | undefined;
    /** KEDA needs no values on EKS: Pod Identity hands its service account the role. */
    readonly kedaValues = undefined;
    /** MSK Serverless's IAM port, which workloads, provisioning jobs and KEDA reach in the VPC. */
    readonly eventBusPort = mskIamPort;
    private readonly workloadScope: AwsWorkloadScope;
    private readonly podIamRole: (
        logicalName: string,
        serviceAccount: ServiceAccountRef,
        owner: pulumi.Resource,
        options?: { readonly policy?: pulumi.Input<string>; readonly tags?: Record<string, string> },
    ) => { role: aws.iam.Role; association: aws.eks.PodIdentityAssociation };

    constructor(name: string, args: KubernetesBindingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:AwsKubernetesBindings", name, {}, opts);
        const cluster = narrow(args.cluster, AwsCluster);
        const store = narrow(args.secrets, AwsSecretStore);
        const network = narrow(args.network, AwsNetwork);
        const { region } = cloudSettings(args.context, "aws");
        const parent = { parent: this };

        /**
         * A Pod Identity role: only associations of this cluster, in this account, may hand it out;
         * under the stack boundary, with its policy (if any) in place before the association.
         */
        this.podIamRole = (logicalName, serviceAccount, owner, options = {}) => {
            const iamRole = new aws.iam.Role(logicalName, {
                assumeRolePolicy: cluster.clusterArn.apply(podIdentityTrustPolicy),
                permissionsBoundary: cluster.workloadBoundaryArn,
                tags: options.tags,
            }, { parent: owner });
            const rolePolicy = options.policy ? [new aws.iam.RolePolicy(logicalName, { role: iamRole.name, policy: options.policy }, { parent: owner })] : [];
            const association = new aws.eks.PodIdentityAssociation(logicalName, {
                clusterName: cluster.clusterName,
                namespace: serviceAccount.namespace,
                serviceAccount: serviceAccount.name,
                roleArn: iamRole.arn,
                tags: options.tags,
            }, { parent: owner, dependsOn: rolePolicy });
            return { role: iamRole, association };
        };
        const podIamRole = (role: string, serviceAccount: ServiceAccountRef, policy?: pulumi.Input<string>) =>
            this.podIamRole(`${name}-${role}`, serviceAccount, this, { policy }).role;
        const podRole = (role: string, serviceAccount: ServiceAccountRef, policy: pulumi.Input<string>) => podIamRole(role, serviceAccount, policy).arn;

        if (args.addons.externalSecrets) {
            this.externalSecretsRoleArn = podRole(
                "external-secrets",
                addonServiceAccounts.externalSecrets,
                pulumi.all([store.arnPatterns(applicationSecrets(args.storedSecrets).map((secret) => secret.name)), store.keyArn])
                    .apply(([arns, keyArn]) => externalSecretsPolicy(arns, keyArn, region)),
            );
            // No auth block: ESO falls back to the SDK credential chain, i.e. the controller's pod identity.
            this.externalSecrets = {
                serviceAccountAnnotations: {},
                podLabels: {},
                storeProvider: { aws: { service: "SecretsManager", region } },
                remoteKey: (secret) => secretName(args.context, secret),
            };
        }

        if (args.addons.clusterAutoscaler) {
            this.clusterAutoscalerRoleArn = podRole(
                "cluster-autoscaler",
                addonServiceAccounts.clusterAutoscaler,
                cluster.clusterName.apply(clusterAutoscalerPolicy),
            );
            this.clusterAutoscalerValues = { autoDiscovery: { clusterName: cluster.clusterName }, awsRegion: region, cloudProvider: "aws" };
        }

        if (args.addons.gateway) {
            const account = addonServiceAccounts.loadBalancerController;
            podRole("load-balancer-controller", account, pulumi.all([network.account, cluster.clusterName])
                .apply(([{ partition }, clusterName]) => loadBalancerControllerPolicy(partition, clusterName)));
            this.loadBalancerControllerValues = {
                clusterName: cluster.clusterName,
                region,
                // Set rather than read from the instance metadata service, which pods cannot reach.
                vpcId: network.networkId,
                serviceAccount: { create: true, name: account.name },
            };
        }

        if (args.dns) {
            const zone = narrow(args.dns, AwsDnsZone);
            podRole("external-dns", addonServiceAccounts.externalDns, zone.zoneArn.apply(externalDnsPolicy));
            const certManagerRole = podRole("cert-manager", addonServiceAccounts.certManager, zone.zoneArn.apply(certManagerDnsPolicy));
            this.dns = {
                externalDnsValues: { provider: { name: "aws" }, env: [{ name: "AWS_DEFAULT_REGION", value: region }], extraArgs: ["--aws-zone-type=public"] },
                // Ambient credentials (the pod identity) are the default for a ClusterIssuer.
                certManagerSolver: { route53: { region, hostedZoneID: zone.zoneId } },
                // EKS hands credentials only to pods started after the association: naming the role rolls them when it arrives.
                certManagerValues: { podAnnotations: { "platform.io/pod-identity-role": certManagerRole } },
            };
        }

        // Each queue a workload brings grants KEDA the depth reads on it (workload/aws.ts).
        const kedaRole = args.addons.keda ? podIamRole("keda", addonServiceAccounts.keda) : undefined;
        let alertTopic: aws.sns.Topic | undefined;
        let eventBus: AwsEventBus | undefined;
        this.workloadScope = {
            context: args.context,
            region,
            account: network.account,
            clusterName: cluster.clusterName,
            clusterArn: cluster.clusterArn,
            boundaryArn: cluster.workloadBoundaryArn,
            kedaRoleName: kedaRole?.name,
            alertTopicArn: (emails) => {
                alertTopic ??= this.alertTopic(name, args, store.keyArn, emails);
                return alertTopic.arn;
            },
            eventBus: () => (eventBus ??= this.eventBus(name, args, network)),
            dataKeyArn: store.keyArn,
        };
        // No access policy: the in-cluster RoleBindings on the group decide what developers may do.
        args.developers.aws.roleArns.forEach((principalArn, index) =>
            new aws.eks.AccessEntry(`${name}-developer-${index}`, {
                clusterName: cluster.clusterName,
                principalArn,
                type: "STANDARD",
                kubernetesGroups: [awsDeveloperGroup],
            }, parent));
        this.developerGroups = [awsDeveloperGroup];

        this.registerOutputs({
            kedaRoleArn: kedaRole?.arn,
            externalSecretsRoleArn: this.externalSecretsRoleArn,
            clusterAutoscalerRoleArn: this.clusterAutoscalerRoleArn,
            developerGroups: this.developerGroups,
        });
    }

    workloadCloud(name: string, args: WorkloadCloudArgs, parent: pulumi.Resource): WorkloadCloudParts {
        return awsWorkloadCloud(name, args, this.workloadScope, parent);
    }

    /**
     * The provisioning jobs' Pod Identity role (each workload grants it its topic). They sign in
     * to PostgreSQL as the admin: with the secret RDS manages, which this role alone may read,
     * or with the password the program rolls, where RDS cannot manage it.
     */
    provisionerCloud(name: string, args: ProvisionerCloudArgs, parent: pulumi.Resource): ProvisionerCloudParts {
        const database = args.database && narrow(args.database, AwsDatabase);
        const managed = database && "managedSecretArn" in database.adminLogin ? database.adminLogin.managedSecretArn : undefined;
        const { region, dataKeyArn } = this.workloadScope;
        const policy = managed && pulumi.all([managed, dataKeyArn]).apply(([arn, key]) => externalSecretsPolicy([arn], key, region));
        const { role, association } = this.podIamRole(name, args.serviceAccount, parent, { policy, tags: this.workloadScope.context.tags });
        const signIn = database && managed
            ? { awsSecret: { arn: managed, region, file: managedAdminSecretFile }, signIn: managedAdminSignIn }
            : database && "password" in database.adminLogin ? { passwordSecret: database.adminLogin.password } : {};
        return {
            serviceAccountAnnotations: {},
            serviceAccountLabels: {},
            podLabels: {},
            databaseLogin: database ? { env: { PGUSER: database.adminUsername }, ...signIn } : undefined,
            identity: role.name,
            ready: [association],
        };
    }

    /** MSK Serverless (IAM only, TLS) in the private subnets, open to the node subnets, and the stack's schema registry. */
    private eventBus(name: string, args: KubernetesBindingsArgs, network: AwsNetwork): AwsEventBus {
        const { context } = args;
        const parent = { parent: this };
        const group = new aws.ec2.SecurityGroup(`${name}-event-bus`, {
            description: "MSK Serverless: Kafka with IAM from the node subnets",
            vpcId: network.networkId,
            ingress: [{ description: "Kafka (IAM) from the node subnets", protocol: "tcp", fromPort: mskIamPort, toPort: mskIamPort, cidrBlocks: [...network.nodeCidrs] }],
            egress: [],
            tags: { ...context.tags, Name: physicalName([context.project, context.stack, "events"], nameRules.display) },
        }, parent);
        const cluster = new aws.msk.ServerlessCluster(`${name}-event-bus`, {
            clusterName: physicalName([context.project, context.stack, "events"], nameRules.mskCluster),
            // Serverless needs subnets in at least two zones; the control plane's span them even in a one-zone stack.
            vpcConfigs: [{ subnetIds: network.controlPlaneSubnetIds, securityGroupIds: [group.id] }],
            clientAuthentication: { sasl: { iam: { enabled: true } } },
            tags: context.tags,
        }, parent);
        // Firehose reads topics for their archives through a private connection it makes (Firehose Developer Guide, "MSK as a source").
        const firehoseAccess = new aws.msk.ClusterPolicy(`${name}-event-bus`, {
            clusterArn: cluster.arn,
            policy: pulumi.all([cluster.arn, network.account]).apply(([arn, { account }]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "FirehoseArchives",
                    Effect: "Allow",
                    Principal: { Service: "firehose.amazonaws.com" },
                    Action: ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeCluster", "kafka:DescribeClusterV2"],
                    Resource: arn,
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                }],
            })),
        }, parent);
        const registry = new aws.glue.Registry(`${name}-schemas`, {
            registryName: physicalName([context.project, context.stack], nameRules.display),
            description: `Event schemas of ${context.project}-${context.stack}`,
            tags: context.tags,
        }, parent);
        return { cluster, firehoseAccess, registry };
    }

    /** Where workload alarms go: e-mail, encrypted with the stack's data key, which admits CloudWatch (`dataKeyPolicy`). */
    private alertTopic(name: string, args: KubernetesBindingsArgs, keyArn: pulumi.Output<string>, emails: readonly string[]): aws.sns.Topic {
        const topicName = physicalName([args.context.project, args.context.stack, "workload-alerts"], nameRules.display);
        return emailTopic(`${name}-workload-alerts`, { name: topicName, keyArn, emails, tags: args.context.tags }, this);
    }
}
