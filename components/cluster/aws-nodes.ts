import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy, serviceTrustPolicy } from "../aws/iam.ts";
import { ebsCsiDriverPolicy, nodeRolePolicies } from "../aws/managed-policies.ts";
import type { NodePoolSize } from "./cluster.ts";

export interface AwsNodesArgs {
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's ARN: the EBS CSI driver's role serves Pod Identity associations of this cluster only. */
    readonly clusterArn: pulumi.Input<string>;
    /** ARN of the stack's workload permissions boundary, set on both roles. */
    readonly permissionsBoundary: pulumi.Input<string>;
    readonly kubernetesVersion: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string>[];
    readonly instanceType: string;
    readonly size: NodePoolSize;
    readonly tags: Record<string, string>;
}

/** Add-ons nodes need to become Ready, so they exist before the node group. */
export const eksNetworkingAddons = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"];

/** The VPC CNI enforces NetworkPolicies only when asked to (its eBPF policy agent). */
export const networkingAddonSettings: Record<string, Partial<aws.eks.AddonArgs>> = {
    "vpc-cni": { configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) },
};

/**
 * The managed node group (Amazon Linux 2023, IMDSv2 only, encrypted gp3 root volumes,
 * autoscaling bounds, automatic node repair) and the EKS core add-ons.
 */
export class AwsNodes extends pulumi.ComponentResource {
    readonly nodeGroupName: pulumi.Output<string>;
    readonly nodeRoleArn: pulumi.Output<string>;
    /** The node group, CoreDNS and the EBS CSI driver: what a pod needs to start. */
    readonly workloadReady: pulumi.Resource[];

    constructor(name: string, args: AwsNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:AwsNodes", name, {}, opts);
        const parent = { parent: this };
        const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
            new aws.eks.Addon(`${name}-${addonName}`, {
                clusterName: args.clusterName,
                addonName,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                ...extra,
            }, { parent: this, dependsOn });

        const networkingAddons = eksNetworkingAddons.map((addonName) => addon(addonName, networkingAddonSettings[addonName]));

        const role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
            permissionsBoundary: args.permissionsBoundary,
        }, parent);
        const roleAttachments = nodeRolePolicies.map((policyArn, index) =>
            new aws.iam.RolePolicyAttachment(`${name}-role-${index}`, { role: role.name, policyArn }, parent));

        const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-template`, {
            updateDefaultVersion: true,
            // IMDSv2 only, one hop: pods get AWS credentials from Pod Identity, never the node role.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            }],
            tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags: args.tags })),
        }, parent);

        const nodeGroup = new aws.eks.NodeGroup(`${name}-workload`, {
            clusterName: args.clusterName,
            version: args.kubernetesVersion,
            nodeRoleArn: role.arn,
            subnetIds: args.subnetIds,
            amiType: "AL2023_x86_64_STANDARD",
            capacityType: "ON_DEMAND",
            instanceTypes: [args.instanceType],
            scalingConfig: { minSize: args.size.min, maxSize: args.size.max, desiredSize: args.size.count },
            updateConfig: { maxUnavailablePercentage: 33 },
            nodeRepairConfig: { enabled: true },
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            labels: { "platform/pool": "workload" },
        }, {
            parent: this,
            dependsOn: [...roleAttachments, ...networkingAddons],
            // The cluster autoscaler owns the live node count.
            ignoreChanges: ["scalingConfig.desiredSize"],
        });

        const ebsCsiRole = new aws.iam.Role(`${name}-ebs-csi`, {
            assumeRolePolicy: pulumi.output(args.clusterArn).apply(podIdentityTrustPolicy),
            permissionsBoundary: args.permissionsBoundary,
        }, parent);
        new aws.iam.RolePolicyAttachment(`${name}-ebs-csi`, { role: ebsCsiRole.name, policyArn: ebsCsiDriverPolicy }, parent);
        const coreDns = addon("coredns", {}, [nodeGroup]);
        const ebsCsi = addon("aws-ebs-csi-driver", {
            podIdentityAssociations: [{ roleArn: ebsCsiRole.arn, serviceAccount: "ebs-csi-controller-sa" }],
        }, [nodeGroup]);
        this.workloadReady = [nodeGroup, coreDns, ebsCsi];

        this.nodeGroupName = nodeGroup.nodeGroupName;
        this.nodeRoleArn = role.arn;
        this.registerOutputs({ nodeGroupName: this.nodeGroupName, nodeRoleArn: this.nodeRoleArn });
    }
}
