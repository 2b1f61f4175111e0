/**
 * Kubeconfig documents for clusters whose credentials come from a cloud CLI at connect
 * time, so the document itself carries no long-lived token. Pure: no provider SDK.
 */

export interface KubeconfigArgs {
    readonly clusterName: string;
    readonly server: string;
    /** Base64-encoded PEM of the cluster CA. */
    readonly certificateAuthorityData: string;
    /** `client.authentication.k8s.io/v1beta1` exec plugin that prints a token. */
    readonly exec: { readonly command: string; readonly args: readonly string[] };
}

/** A one-context kubeconfig as JSON (which is valid YAML, so kubectl reads it as is). */
export function renderKubeconfig(args: KubeconfigArgs): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: args.clusterName, cluster: { server: args.server, "certificate-authority-data": args.certificateAuthorityData } }],
        users: [{
            name: args.clusterName,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: args.exec.command,
                    args: [...args.exec.args],
                    interactiveMode: "Never",
                },
            },
        }],
        contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user: args.clusterName } }],
        "current-context": args.clusterName,
    });
}

/** `aws eks get-token`: short-lived tokens from the caller's AWS credentials. */
export function eksTokenCommand(clusterName: string, region: string): KubeconfigArgs["exec"] {
    return { command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"] };
}
