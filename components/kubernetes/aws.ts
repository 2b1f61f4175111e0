import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsCluster } from "../cluster/aws.ts";
import { cloudSettings } from "../../config/context.ts";
import { podIdentityTrustPolicy } from "../aws/iam.ts";
import { AwsSecretStore } from "../secrets/aws.ts";
import { applicationSecrets } from "../secrets/catalog.ts";
import {
    addonServiceAccounts,
    type ExternalSecretsBinding,
    type KubernetesBindings,
    type KubernetesBindingsArgs,
    type ServiceAccountRef,
} from "./kubernetes.ts";
import { narrow } from "../narrow.ts";

/** The Kubernetes group developer IAM roles are mapped to; in-cluster RoleBindings grant it rights. */
export const awsDeveloperGroup = "platform-developers";

/** Read-only access to exactly these secrets, decrypted through Secrets Manager only. */
export function externalSecretsPolicy(secretArns: readonly string[], keyArn: string, region: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [...secretArns] },
            {
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: keyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
            },
        ],
    });
}

/**
 * The cluster autoscaler's documented policy: discovery on everything, scaling only on the
 * Auto Scaling groups EKS tagged as owned by this cluster.
 */
export function clusterAutoscalerPolicy(clusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    });
}

/**
 * EKS bindings: IAM roles handed to add-on service accounts through EKS Pod Identity
 * (External Secrets reads only this stack's secrets; the autoscaler scales only this
 * cluster's node groups), access entries mapping developer roles to a Kubernetes group,
 * encrypted gp3 volumes and an internet-facing NLB for ingress.
 */
export class AwsKubernetesBindings extends pulumi.ComponentResource implements KubernetesBindings {
    readonly builtInAddons = [];
    readonly kubeProxy = true;
    // The EKS Pod Identity agent on every node (EKS user guide, "pod-id-how-it-works").
    readonly credentialEndpoints = [{ cidr: "169.254.170.23/32", port: 80 }];
    readonly storageClass = { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" } };
    // Served by the EKS cloud controller (no AWS Load Balancer Controller): NLB, instance targets.
    readonly ingressServiceAnnotations = {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    };
    readonly externalSecrets?: ExternalSecretsBinding | undefined;
    readonly clusterAutoscalerValues?: pulumi.Input<Record<string, unknown>> | undefined;
    readonly developerGroups: pulumi.Input<string>[];
    /** Role External Secrets runs as; undefined when the add-on is off. */
    readonly externalSecretsRoleArn?: pulumi.Output<string> | undefined;
    /** Role the cluster autoscaler runs as; undefined when the add-on is off. */
    readonly clusterAutoscalerRoleArn?: pulumi.Output<string> | undefined;

    constructor(name: string, args: KubernetesBindingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:AwsKubernetesBindings", name, {}, opts);
        const cluster = narrow(args.cluster, AwsCluster);
        const store = narrow(args.secrets, AwsSecretStore);
        const { region } = cloudSettings(args.context, "aws");
        const parent = { parent: this };

        const podRole = (role: string, serviceAccount: ServiceAccountRef, policy: pulumi.Input<string>) => {
            const iamRole = new aws.iam.Role(`${name}-${role}`, {
                // Only Pod Identity associations of this cluster, in this account, may hand the role out.
                assumeRolePolicy: cluster.clusterArn.apply(podIdentityTrustPolicy),
                permissionsBoundary: cluster.workloadBoundaryArn,
            }, parent);
            const rolePolicy = new aws.iam.RolePolicy(`${name}-${role}`, { role: iamRole.name, policy }, parent);
            new aws.eks.PodIdentityAssociation(`${name}-${role}`, {
                clusterName: cluster.clusterName,
                namespace: serviceAccount.namespace,
                serviceAccount: serviceAccount.name,
                roleArn: iamRole.arn,
            }, { parent: this, dependsOn: [rolePolicy] });
            return iamRole.arn;
        };

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
            externalSecretsRoleArn: this.externalSecretsRoleArn,
            clusterAutoscalerRoleArn: this.clusterAutoscalerRoleArn,
            developerGroups: this.developerGroups,
        });
    }
}
