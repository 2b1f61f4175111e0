import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudSettings } from "../../config/context.ts";
import { nameRules, physicalName } from "../../lib/naming.ts";
import { clusterServiceCidr } from "../../lib/addressing.ts";
import { AwsNetwork } from "../network/aws.ts";
import { ec2InstanceType } from "../../lib/sizing/aws.ts";
import { accountKeyPolicy, serviceTrustPolicy } from "../aws/iam.ts";
import { AwsNodes } from "./aws-nodes.ts";
import { clusterAdminAccessPolicy, clusterRolePolicies } from "../aws/managed-policies.ts";
import type { Cluster, ClusterArgs } from "./cluster.ts";
import { eksTokenCommand, renderKubeconfig } from "./kubeconfig.ts";
import { narrow } from "../narrow.ts";

/** Every control-plane log type EKS can ship to CloudWatch. */
export const eksControlPlaneLogTypes = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/**
 * EKS in API authentication mode with envelope encryption of Secrets under a rotating KMS
 * key (whose key policy leaves its use to IAM), every control-plane log, an IAM OIDC provider
 * for workload identity, a managed node group and the core add-ons. Every role it creates
 * carries the stack's workload permissions boundary. In staging and prod the cluster is
 * deletion-protected.
 */
export class AwsCluster extends pulumi.ComponentResource implements Cluster {
    readonly clusterName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly kubernetesVersion: pulumi.Output<string>;
    readonly oidcIssuerUrl: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly nodeSku: string;
    /** IAM role of the worker nodes (image pulls, node permissions). */
    readonly nodeRoleArn: pulumi.Output<string>;
    readonly workloadReady: pulumi.Resource[];
    /** `arn:aws:eks:<region>:<account>:cluster/<name>`: Pod Identity roles serve this cluster only. */
    readonly clusterArn: pulumi.Output<string>;
    /** The stack's workload permissions boundary (the network's), for the roles bound to this cluster. */
    readonly workloadBoundaryArn: pulumi.Output<string>;
    private readonly repositories: string[] = [];

    /**
     * ECR repositories whose images this cluster's nodes pull; `AwsRegistry` adds its own, and
     * the CI identity (created last, `index.ts`) limits its registry grants to them.
     */
    get imageRepositories(): readonly string[] {
        return [...this.repositories];
    }

    addImageRepositories(names: readonly string[]): void {
        this.repositories.push(...names.filter((repository) => !this.repositories.includes(repository)));
    }

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:AwsCluster", name, {}, opts);
        const { context } = args;
        const { region } = cloudSettings(context, "aws");
        const settings = args.aws;
        const nodeSku = ec2InstanceType(args.nodes, settings.instanceType);
        const clusterName = physicalName([context.project, context.stack], nameRules.eksCluster);
        const network = narrow(args.network, AwsNetwork);
        const parent = { parent: this };

        const secretsKey = new aws.kms.Key(`${name}-secrets`, {
            description: `Envelope encryption of Kubernetes Secrets in ${clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: network.account.apply(accountKeyPolicy),
        }, { parent: this, protect: context.protectStateful });
        new aws.kms.Alias(`${name}-secrets`, { name: `alias/${clusterName}-secrets`, targetKeyId: secretsKey.keyId }, parent);

        // EKS writes to this exact name; creating it first lets us own its retention.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane`, {
            name: `/aws/eks/${clusterName}/cluster`,
            retentionInDays: context.logRetentionDays,
        }, parent);

        const role = new aws.iam.Role(`${name}-control-plane`, {
            assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com"),
            permissionsBoundary: network.workloadBoundaryArn,
        }, parent);
        const roleAttachments = clusterRolePolicies.map((policyArn, index) =>
            new aws.iam.RolePolicyAttachment(`${name}-control-plane-${index}`, { role: role.name, policyArn }, parent));

        const cluster = new aws.eks.Cluster(`${name}-eks`, {
            name: clusterName,
            version: args.kubernetesVersion,
            roleArn: role.arn,
            vpcConfig: {
                subnetIds: network.controlPlaneSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: args.apiAccess !== "private",
                publicAccessCidrs: args.apiAccess === "restricted" ? [...args.authorizedCidrs] : args.apiAccess === "public" ? ["0.0.0.0/0"] : undefined,
            },
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: eksControlPlaneLogTypes,
            kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: clusterServiceCidr },
            // Add-ons are managed below, so EKS must not install unmanaged copies.
            bootstrapSelfManagedAddons: false,
            // Standard support only: an unupgraded cluster must fail loudly, not bill extended support.
            upgradePolicy: { supportType: "STANDARD" },
            zonalShiftConfig: { enabled: args.network.zones.length > 1 },
            deletionProtection: context.protectStateful,
        }, { parent: this, dependsOn: [logGroup, ...roleAttachments], protect: context.protectStateful });

        const oidcIssuerUrl = cluster.identities.apply((identities) => identities[0]!.oidcs[0]!.issuer);
        const oidcProvider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, {
            url: oidcIssuerUrl,
            clientIdLists: ["sts.amazonaws.com"],
        }, parent);

        const nodes = new AwsNodes(`${name}-nodes`, {
            clusterName: cluster.name,
            clusterArn: cluster.arn,
            permissionsBoundary: network.workloadBoundaryArn,
            kubernetesVersion: cluster.version,
            subnetIds: args.network.nodeSubnetIds,
            instanceType: nodeSku,
            size: args.nodes,
            tags: context.tags,
        }, parent);

        settings.adminRoleArns.forEach((principalArn, index) => {
            const entry = new aws.eks.AccessEntry(`${name}-admin-${index}`, { clusterName: cluster.name, principalArn, type: "STANDARD" }, parent);
            new aws.eks.AccessPolicyAssociation(`${name}-admin-${index}`, {
                clusterName: cluster.name,
                principalArn,
                policyArn: clusterAdminAccessPolicy,
                accessScope: { type: "cluster" },
            }, { parent: this, dependsOn: [entry] });
        });

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.workloadBoundaryArn = network.workloadBoundaryArn;
        this.endpoint = cluster.endpoint;
        this.kubernetesVersion = cluster.version;
        this.oidcIssuerUrl = oidcIssuerUrl;
        this.oidcProviderArn = oidcProvider.arn;
        this.nodeSku = nodeSku;
        this.nodeRoleArn = nodes.nodeRoleArn;
        this.workloadReady = nodes.workloadReady;
        this.kubeconfig = pulumi.secret(
            pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority]).apply(([clusterName, server, authority]) =>
                renderKubeconfig({
                    clusterName,
                    server,
                    certificateAuthorityData: authority.data,
                    exec: eksTokenCommand(clusterName, region),
                }),
            ),
        );
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            oidcIssuerUrl: this.oidcIssuerUrl,
            oidcProviderArn: this.oidcProviderArn,
            nodeRoleArn: this.nodeRoleArn,
            kubeconfig: this.kubeconfig,
        });
    }
}
