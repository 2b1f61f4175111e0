/**
 * Kubeconfig documents for clusters whose credentials come from a cloud CLI at connect
 * time, so the document itself carries no long-lived token. Pure: no provider SDK.
 */
import { parse } from "yaml";

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

/** The AKS AAD server application every Entra-enabled cluster issues tokens for. */
export const aksServerApplicationId = "6dae42f8-4368-4678-94ff-3960e28e3630";

/**
 * How kubelogin signs in when `AAD_LOGIN_METHOD` does not say otherwise: the caller's Azure
 * CLI session. CI sets `AAD_LOGIN_METHOD=workloadidentity`, which kubelogin prefers over
 * this flag; the `devicecode` default AKS writes would wait for a person at a browser.
 */
export const kubeloginDefaultLogin = "azurecli";

/** `kubelogin get-token`, never interactive; the environment may choose another method. */
export function aksTokenCommand(): KubeconfigArgs["exec"] {
    return {
        command: "kubelogin",
        args: ["get-token", "--environment", "AzurePublicCloud", "--server-id", aksServerApplicationId, "--login", kubeloginDefaultLogin],
    };
}

/**
 * The cluster's address and CA from the user kubeconfig AKS returns, re-rendered with a
 * non-interactive kubelogin command in place of AKS's `--login devicecode`.
 */
export function aksKubeconfig(clusterName: string, issued: string): string {
    const document = parse(issued) as { clusters?: { cluster?: { server?: string; "certificate-authority-data"?: string } }[] };
    const cluster = document.clusters?.[0]?.cluster;
    if (!cluster?.server || !cluster["certificate-authority-data"]) {
        throw new Error(`the kubeconfig AKS issued for ${clusterName} has no cluster server or CA`);
    }
    return renderKubeconfig({
        clusterName,
        server: cluster.server,
        certificateAuthorityData: cluster["certificate-authority-data"],
        exec: aksTokenCommand(),
    });
}
