/**
 * The platform's edge, as data: the shared Gateway and its listeners, the HTTP→HTTPS redirect,
 * the Envoy data plane, the cluster issuer's solvers and the values of the edge charts
 * (Gateway API CRDs, AWS Load Balancer Controller, external-dns). Pure: no resources; the
 * `PlatformEdge` component applies them.
 */
import { addonProfile, disruptionBudget, mergeValues, resources, spread, type ChartRef } from "./charts.ts";
import type { GatewayServiceBinding } from "./kubernetes.ts";
import type { EnvironmentName } from "../../config/schema.ts";

/** The platform-owned namespace of the shared Gateway, its certificate and the redirect route. */
export const gatewayNamespace = "gateway";
export const gatewayName = "platform";
export const gatewayClassName = "platform";
export const envoyProxyName = "platform-proxy";
/** Envoy Gateway's controller name (Envoy Gateway docs, "GatewayClass"). */
export const envoyGatewayController = "gateway.envoyproxy.io/gatewayclass-controller";
/** The platform sets it on workload namespaces; only those may attach routes to the HTTPS listeners. */
export const gatewayAccessLabel = "platform.io/gateway-access";
export const gatewayCertificateSecret = "platform-gateway-tls";
export const externalDnsNamespace = "external-dns";
/** The port cert-manager's HTTP-01 solver pods answer on (cert-manager's `acmesolver`). */
export const acmeSolverPort = 8089;

/** Days before a certificate's expiry that it alerts. */
export const certificateExpiryWarningDays = 14;

/** An alert on any certificate cert-manager tracks, from its own expiry metric, `days` before it expires. */
export function certificateExpiryRuleSpec(days: number): Record<string, unknown> {
    return {
        groups: [{
            name: "certificates",
            rules: [{
                alert: "CertificateExpiresSoon",
                expr: `certmanager_certificate_expiration_timestamp_seconds - time() < ${days} * 86400`,
                for: "1h",
                labels: { severity: "warning" },
                annotations: { summary: `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within ${days} days; cert-manager has not renewed it` },
            }],
        }],
    };
}
/** Envoy listens on a listener's port plus 10000 below 1024 (Envoy Gateway `wellKnownPortShift`), so 80/443 reach pods as 10080/10443. */
export const envoyContainerPorts = [10080, 10443];

/**
 * Gateway API CRDs, standard channel only, with Envoy Gateway's own CRDs: the version Envoy
 * Gateway v1.9 is built against (Gateway API v1.6.1). Rendered client-side and applied object
 * by object (Helm v4 chart in Pulumi): as one Helm release they exceed the 1 MiB release Secret.
 */
export const gatewayCrdsChart: ChartRef = {
    releaseName: "gateway-api-crds", chart: "oci://docker.io/envoyproxy/gateway-crds-helm", namespace: "envoy-gateway-system",
    version: "v1.9.3", repo: "",
};
export const gatewayApiVersion = "v1.6.1";

export const loadBalancerControllerChart: ChartRef = {
    releaseName: "aws-load-balancer-controller", chart: "aws-load-balancer-controller", namespace: "kube-system",
    version: "3.5.0", repo: "https://aws.github.io/eks-charts",
};

export const externalDnsChart: ChartRef = {
    releaseName: "external-dns", chart: "external-dns", namespace: externalDnsNamespace,
    version: "1.22.0", repo: "https://kubernetes-sigs.github.io/external-dns/", // external-dns v0.22.0
};

export const gatewayCrdsValues = { crds: { gatewayAPI: { enabled: true, channel: "standard" }, envoyGateway: { enabled: true } } };

/** A host the zone's wildcard certificate serves: the zone itself or one label under it. */
export function coveredByZone(host: string, zone: string | undefined): boolean {
    return zone !== undefined && (host === zone || (host.endsWith(`.${zone}`) && !host.slice(0, -zone.length - 1).includes(".")));
}

/** The listener and certificate Secret of a workload host outside the zone's wildcard. */
export function hostListener(host: string): { readonly name: string; readonly secretName: string } {
    const label = host.replaceAll(".", "-");
    return { name: `https-${label}`, secretName: `${label}-tls` };
}

/** The HTTPS listener that serves `host` (see `gatewayListeners`). */
export function listenerFor(host: string, zone: string | undefined): string {
    if (!coveredByZone(host, zone)) {
        return hostListener(host).name;
    }
    return host === zone ? "https-apex" : "https";
}

/**
 * One listener per hostname pattern: the zone and its subdomains with `dns`, any host without;
 * and one per workload host the zone's certificate does not cover, with a certificate of its own.
 */
export function gatewayListeners(zone: string | undefined, hosts: readonly string[] = []): Record<string, unknown>[] {
    const https = (name: string, hostname?: string, secretName = gatewayCertificateSecret) => ({
        name,
        port: 443,
        protocol: "HTTPS",
        ...(hostname ? { hostname } : {}),
        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: secretName }] },
        allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { [gatewayAccessLabel]: "true" } } }, kinds: [{ kind: "HTTPRoute" }] },
    });
    return [
        // Only routes of the gateway's own namespace: the redirect, and cert-manager's HTTP-01 solvers.
        { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
        ...hosts.filter((host) => !coveredByZone(host, zone)).map((host) => https(hostListener(host).name, host, hostListener(host).secretName)),
        ...(zone ? [https("https", `*.${zone}`), https("https-apex", zone)] : [https("https")]),
    ];
}

/** The only route on the HTTP listener: everything moves to HTTPS. */
export const redirectRouteSpec = {
    parentRefs: [{ name: gatewayName, sectionName: "http" }],
    rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
};

/** The Envoy proxies: replicas across zones with a disruption budget outside dev, behind the cloud's load balancer. */
export function envoyProxySpec(environment: EnvironmentName, service: GatewayServiceBinding): Record<string, unknown> {
    const profile = addonProfile(environment);
    const { min, max } = profile.gateway;
    const proxyLabels = { "gateway.envoyproxy.io/owning-gateway-name": gatewayName, "gateway.envoyproxy.io/owning-gateway-namespace": gatewayNamespace };
    return {
        provider: {
            type: "Kubernetes",
            kubernetes: {
                envoyService: {
                    type: "LoadBalancer",
                    // Keeps client addresses and skips a node hop; the load balancers probe only nodes with a proxy.
                    externalTrafficPolicy: "Local",
                    annotations: service.annotations,
                    ...(service.loadBalancerClass ? { loadBalancerClass: service.loadBalancerClass } : {}),
                },
                envoyDeployment: {
                    // An autoscaler owns the count when it may grow; Envoy Gateway then leaves replicas alone.
                    ...(max > min ? {} : { replicas: min }),
                    pod: { topologySpreadConstraints: spread(profile, proxyLabels) },
                    container: { resources: resources("envoyProxy", profile) },
                },
                ...(max > min
                    ? { envoyHpa: { minReplicas: min, maxReplicas: max, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] } }
                    : {}),
                ...(disruptionBudget(profile, min).enabled ? { envoyPDB: { minAvailable: 1 } } : {}),
            },
        },
    };
}

/**
 * The cluster issuer's solvers: DNS-01 in the stack's zone (wildcards need it), HTTP-01 through
 * the gateway's HTTP listener for any other host.
 */
export function issuerSolvers(zone: string | undefined, dns01: unknown): Record<string, unknown>[] {
    const http01 = { http01: { gatewayHTTPRoute: { parentRefs: [{ name: gatewayName, namespace: gatewayNamespace, kind: "Gateway", sectionName: "http" }] } } };
    return zone && dns01 ? [{ selector: { dnsZones: [zone] }, dns01 }, http01] : [http01];
}

/** external-dns: Gateway routes of the shared gateway only, this zone only, and only records its TXT registry says it owns. */
export function externalDnsValues(args: {
    readonly environment: EnvironmentName;
    readonly zone: string;
    readonly owner: string;
    readonly monitoring: boolean;
    readonly cloudValues: Record<string, unknown>;
}): Record<string, unknown> {
    const profile = addonProfile(args.environment);
    return mergeValues({
        sources: ["gateway-httproute"],
        gatewayNamespace,
        domainFilters: [args.zone],
        registry: "txt",
        txtOwnerId: args.owner,
        // Deletes records of removed routes; the TXT registry keeps it off records it did not create.
        policy: "sync",
        // external-dns has no leader election: one replica.
        replicaCount: 1,
        resources: resources("externalDns", profile),
        serviceMonitor: { enabled: args.monitoring },
    }, args.cloudValues);
}

/** The AWS Load Balancer Controller: only Services (the gateway's NLB); its own Gateway API controllers stay off. */
export function loadBalancerControllerValues(environment: EnvironmentName, cloudValues: Record<string, unknown>): Record<string, unknown> {
    const profile = addonProfile(environment);
    const matchLabels = { "app.kubernetes.io/instance": loadBalancerControllerChart.releaseName, "app.kubernetes.io/name": "aws-load-balancer-controller" };
    return mergeValues({
        replicaCount: profile.replicas,
        resources: resources("loadBalancerController", profile),
        topologySpreadConstraints: spread(profile, matchLabels),
        ...(disruptionBudget(profile, profile.replicas).enabled ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
        controllerConfig: { featureGates: { ALBGatewayAPI: false, NLBGatewayAPI: false } },
    }, cloudValues);
}
