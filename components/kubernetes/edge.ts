import * as apiextensions from "@pulumi/kubernetes/apiextensions/index.js";
import * as corev1 from "@pulumi/kubernetes/core/v1/index.js";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1/index.js";
import type { Provider } from "@pulumi/kubernetes/provider.js";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import {
    acmeSolverPort, coveredByZone, envoyGatewayController, hostListener, envoyProxyName, envoyProxySpec, externalDnsChart, externalDnsNamespace, externalDnsValues,
    certificateExpiryRuleSpec, certificateExpiryWarningDays, gatewayCertificateSecret, gatewayClassName, gatewayListeners, gatewayName, gatewayNamespace, issuerSolvers,
    loadBalancerControllerChart, loadBalancerControllerValues, redirectRouteSpec,
} from "./edge-values.ts";
import { releaser } from "./helm.ts";
import type { KubernetesBindings } from "./kubernetes.ts";
import { platformNetworkPolicies, type PlatformNamespaceNeeds, type PlatformNetworkContext } from "./platform-network.ts";

/** Let's Encrypt endpoints: dev uses the staging CA, whose rate limits are generous. */
export const acmeServers = {
    production: "https://acme-v02.api.letsencrypt.org/directory",
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
};
export const clusterIssuerName = "letsencrypt";

export interface PlatformEdgeArgs {
    readonly provider: Provider;
    readonly context: PlatformContext;
    readonly bindings: KubernetesBindings;
    /** The stack's zone (`platform:dns.zone`); without one the gateway serves its load balancer's address. */
    readonly zone?: string | undefined;
    /** Contact Let's Encrypt sends expiry notices to. */
    readonly acmeEmail: string;
    /** The monitoring release: ServiceMonitors and the certificate alert only where Prometheus runs. */
    readonly monitoring?: pulumi.Resource | undefined;
    /** Envoy Gateway's controller and cert-manager, which reconcile what this component creates. */
    readonly envoyGateway: pulumi.Resource;
    readonly certManager: pulumi.Resource;
    readonly network: PlatformNetworkContext;
    /** Workload hosts; those outside the zone's wildcard get a listener and an HTTP-01 certificate each. */
    readonly hosts: readonly string[];
}

/**
 * The platform's door from the internet: one shared Gateway (Gateway API, Envoy Gateway) in its
 * own namespace, HTTP only redirecting to HTTPS, HTTPS listeners that only labelled workload
 * namespaces may attach routes to; the cloud's load balancer in front (the AWS Load Balancer
 * Controller's NLB / the program's static IP on Azure); the Let's Encrypt cluster issuer; with
 * a zone, a wildcard certificate through DNS-01 and external-dns writing the routes' records.
 */
export class PlatformEdge extends pulumi.ComponentResource {
    /** Release name → `chart@version` of the charts this component installs. */
    readonly charts: Record<string, string> = {};
    /** The load balancer's IP or hostname; on AWS known once the NLB exists (a refresh shows it). */
    readonly address: pulumi.Output<string | undefined>;
    readonly clusterIssuer = clusterIssuerName;

    constructor(name: string, args: PlatformEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:PlatformEdge", name, {}, opts);
        const { bindings, context, zone } = args;
        const inCluster = { parent: this, provider: args.provider };
        const release = releaser(name, inCluster, this.charts);
        const namespace = (namespaceName: string, needs: PlatformNamespaceNeeds) => {
            const created = new corev1.Namespace(`${name}-ns-${namespaceName}`, { metadata: { name: namespaceName } }, inCluster);
            for (const policy of platformNetworkPolicies(needs, args.network)) {
                new networkingv1.NetworkPolicy(`${name}-${namespaceName}-${policy.name}`, {
                    metadata: { name: policy.name, namespace: namespaceName },
                    spec: policy.spec,
                }, { ...inCluster, dependsOn: [created] });
            }
            return created;
        };

        // Running before the proxies' Service exists, so the NLB is the controller's from the start (and it is removed after).
        const loadBalancer = bindings.loadBalancerControllerValues
            ? [release(loadBalancerControllerChart, loadBalancerControllerValues(context.environment, bindings.loadBalancerControllerValues), [])]
            : [];

        // Only cert-manager's HTTP-01 solver pods run here, answering the proxies.
        const gatewayNs = namespace(gatewayNamespace, { fromNamespaces: [{ namespace: "envoy-gateway-system", ports: [acmeSolverPort] }] });
        const inGateway = (objectName: string) => ({ name: objectName, namespace: gatewayNamespace });
        const envoyProxy = new apiextensions.CustomResource(`${name}-envoy-proxy`, {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "EnvoyProxy",
            metadata: inGateway(envoyProxyName),
            spec: envoyProxySpec(context.environment, bindings.gatewayService),
        }, { ...inCluster, dependsOn: [gatewayNs, args.envoyGateway] });
        const gatewayClass = new apiextensions.CustomResource(`${name}-gateway-class`, {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "GatewayClass",
            metadata: { name: gatewayClassName },
            spec: {
                controllerName: envoyGatewayController,
                parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: envoyProxyName, namespace: gatewayNamespace },
            },
        }, { ...inCluster, dependsOn: [envoyProxy] });

        const issuer = new apiextensions.CustomResource(`${name}-cluster-issuer`, {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: clusterIssuerName },
            spec: {
                acme: {
                    server: context.environment === "dev" ? acmeServers.staging : acmeServers.production,
                    email: args.acmeEmail,
                    privateKeySecretRef: { name: `${clusterIssuerName}-account-key` },
                    solvers: issuerSolvers(zone, bindings.dns?.certManagerSolver),
                },
            },
        }, { ...inCluster, dependsOn: [args.certManager] });
        const certificate = zone
            ? this.certificate(name, inCluster, { dnsNames: [zone, `*.${zone}`], issuerRef: { kind: "ClusterIssuer", name: clusterIssuerName } }, [issuer, gatewayNs])
            : this.selfSignedCertificate(name, inCluster, [gatewayNs, args.certManager]);

        // Let's Encrypt validates these over HTTP-01 through the gateway's HTTP listener.
        const hostCertificates = args.hosts.filter((host) => !coveredByZone(host, zone)).map((host) =>
            new apiextensions.CustomResource(`${name}-certificate-${hostListener(host).name}`, {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: inGateway(hostListener(host).name),
                spec: {
                    secretName: hostListener(host).secretName,
                    dnsNames: [host],
                    issuerRef: { kind: "ClusterIssuer", name: clusterIssuerName },
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                },
            }, { ...inCluster, dependsOn: [issuer, gatewayNs] }));
        const gateway = new apiextensions.CustomResource(`${name}-gateway`, {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: inGateway(gatewayName),
            spec: { gatewayClassName, listeners: gatewayListeners(zone, args.hosts) },
            // Read back: the controller reports the load balancer's address here.
            status: undefined,
        }, { ...inCluster, dependsOn: [gatewayClass, certificate, ...hostCertificates, ...loadBalancer] });
        new apiextensions.CustomResource(`${name}-https-redirect`, {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: inGateway("https-redirect"),
            spec: redirectRouteSpec,
        }, { ...inCluster, dependsOn: [gateway] });

        const dns = bindings.dns;
        if (zone && dns) {
            const externalDnsNs = namespace(externalDnsNamespace, { cloudCredentials: true });
            const config = dns.externalDnsConfig;
            const configSecret = config
                ? [new corev1.Secret(`${name}-external-dns-config`, {
                    metadata: { name: config.secretName, namespace: externalDnsNamespace },
                    stringData: { [config.fileName]: config.contents },
                }, { ...inCluster, dependsOn: [externalDnsNs] })]
                : [];
            release(externalDnsChart, externalDnsValues({
                environment: context.environment,
                zone,
                owner: `${context.project}-${context.stack}`,
                monitoring: args.monitoring !== undefined,
                cloudValues: dns.externalDnsValues,
            }), [externalDnsNs, gateway, ...configSecret]);
        }

        if (args.monitoring) {
            // cert-manager renews 30 days ahead (its default for 90-day certificates): 14 days left means renewal is failing.
            new apiextensions.CustomResource(`${name}-certificate-expiry`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "certificate-expiry", namespace: gatewayNamespace },
                spec: certificateExpiryRuleSpec(certificateExpiryWarningDays),
            }, { ...inCluster, dependsOn: [args.monitoring, args.certManager] });
        }

        const reported = (gateway as unknown as { status: pulumi.Output<{ addresses?: { value: string }[] } | undefined> }).status;
        this.address = bindings.gatewayService.address ?? reported.apply((status) => status?.addresses?.[0]?.value);
        this.registerOutputs({ charts: this.charts, address: this.address, clusterIssuer: this.clusterIssuer });
    }

    /** The certificate the HTTPS listeners serve, renewed by cert-manager before it expires. */
    private certificate(name: string, inCluster: object, spec: Record<string, unknown>, dependsOn: pulumi.Resource[]): pulumi.Resource {
        return new apiextensions.CustomResource(`${name}-certificate`, {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "platform-gateway", namespace: gatewayNamespace },
            spec: { secretName: gatewayCertificateSecret, privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" }, ...spec },
        }, { ...inCluster, dependsOn });
    }

    /** Without a zone no CA can vouch for the load balancer's name: a self-signed certificate keeps the listener on TLS. */
    private selfSignedCertificate(name: string, inCluster: object, dependsOn: pulumi.Resource[]): pulumi.Resource {
        const issuer = new apiextensions.CustomResource(`${name}-self-signed`, {
            apiVersion: "cert-manager.io/v1",
            kind: "Issuer",
            metadata: { name: "self-signed", namespace: gatewayNamespace },
            spec: { selfSigned: {} },
        }, { ...inCluster, dependsOn });
        return this.certificate(name, inCluster, { commonName: "platform-gateway", issuerRef: { kind: "Issuer", name: "self-signed" } }, [issuer]);
    }
}
