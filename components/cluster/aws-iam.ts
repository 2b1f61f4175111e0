/** IAM documents for the EKS cluster. Pure: plain JSON policies. */

/** Trust policy letting an AWS service assume a role (with session tags, as EKS requires). */
export function serviceTrustPolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
}

export const awsManagedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** Control-plane permissions. */
export const clusterRolePolicies = ["AmazonEKSClusterPolicy"].map(awsManagedPolicy);

/** Node permissions: join the cluster, pull images, assign pod IPs, and SSM instead of SSH. */
export const nodeRolePolicies = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
    "AmazonSSMManagedInstanceCore",
].map(awsManagedPolicy);

export const clusterAdminAccessPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
