/** The AWS managed policies and access policies of the EKS cluster. Pure: ARNs only. */
import { awsManagedPolicy } from "./iam.ts";

/** Control-plane permissions. */
export const clusterRolePolicies = ["AmazonEKSClusterPolicy"].map((name) => awsManagedPolicy(name));

/** Node permissions: join the cluster, pull images, assign pod IPs, and SSM instead of SSH. */
export const nodeRolePolicies = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
    "AmazonSSMManagedInstanceCore",
].map((name) => awsManagedPolicy(name));

/** The EBS CSI driver's permissions. */
export const ebsCsiDriverPolicy = awsManagedPolicy("service-role/AmazonEBSCSIDriverPolicy");

export const clusterAdminAccessPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
