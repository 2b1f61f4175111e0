/**
 * Edge rules: no retired chart at the door, a Gateway that serves only over TLS outside dev,
 * and an HTTP listener that does nothing but redirect to HTTPS.
 */
import { advisoryInDev, at, containsUnknown, enforcedEverywhere, isUnknown, type PolicyResource, type ResourceRule, type StackRule, type StackViolation } from "../rule.ts";
import { helmChartTypes } from "./kubernetes.ts";

const gatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const httpRouteType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

/** Charts whose projects stopped shipping fixes: an unpatched controller must not be installed. */
export const retiredCharts: Readonly<Record<string, string>> = {
    "ingress-nginx": "retired by the Kubernetes project in March 2026 (last release v1.15, repository archived); use the platform's Gateway (Envoy Gateway)",
};

/** `oci://docker.io/envoyproxy/gateway-helm` → `gateway-helm`; `…/ingress-nginx-4.15.1.tgz` → `ingress-nginx`. */
function chartName(chart: unknown): string | undefined {
    return typeof chart === "string" ? chart.split("/").at(-1)?.replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, "") : undefined;
}

const noRetiredCharts: ResourceRule = {
    name: "no-retired-charts",
    description: "No Helm chart of a retired or archived project is installed: nobody fixes its vulnerabilities any more.",
    remediation: "Remove the release; the pack's list (policy/rules/edge.ts) names the replacement of each retired chart.",
    severity: "high",
    enforcement: enforcedEverywhere,
    resourceTypes: Object.values(helmChartTypes),
    check: (resource) => {
        const name = chartName(resource.props.chart);
        const reason = name === undefined ? undefined : retiredCharts[name];
        return reason ? [`Helm chart "${resource.name}" installs ${name}, ${reason}`] : [];
    },
};

const listenersOf = (gateway: PolicyResource): any[] => (Array.isArray(gateway.props.spec?.listeners) ? gateway.props.spec.listeners : []);

const gatewayTls: ResourceRule = {
    name: "gateway-tls",
    description: "Outside dev every Gateway serves HTTPS: at least one HTTPS listener with a certificate, and no plain listener but HTTP (which may only redirect).",
    remediation: "Give the Gateway an HTTPS listener with tls.certificateRefs (the platform's gateway does); serve nothing over plain TCP or UDP.",
    severity: "high",
    enforcement: advisoryInDev,
    resourceTypes: [gatewayType],
    check: (gateway) => {
        const spec = gateway.props.spec;
        if (isUnknown(spec) || isUnknown(at(spec, "listeners"))) {
            return [];
        }
        const listeners = listenersOf(gateway);
        const messages: string[] = [];
        const hasCertificate = (listener: any) => {
            const refs = at(listener, "tls", "certificateRefs");
            return isUnknown(refs) || (Array.isArray(refs) && refs.length > 0) || at(listener, "tls", "mode") === "Passthrough";
        };
        const secure = listeners.filter((listener) => ["HTTPS", "TLS"].includes(listener?.protocol) && hasCertificate(listener));
        // A listener whose protocol is not known yet may be the HTTPS one.
        if (secure.length === 0 && !listeners.some((listener) => isUnknown(at(listener, "protocol")))) {
            messages.push(`Gateway "${gateway.name}" has no HTTPS listener with a certificate`);
        }
        for (const listener of listeners.filter((candidate) => ["TCP", "UDP"].includes(candidate?.protocol))) {
            messages.push(`Gateway "${gateway.name}" listener "${listener.name}" serves plain ${listener.protocol}`);
        }
        return messages;
    },
};

/** A route's rule that does anything but redirect to https: sends to a backend, or lacks the redirect. Unknown parts are not judged. */
function serves(rule: any): boolean {
    if (isUnknown(rule) || isUnknown(rule?.filters) || (Array.isArray(rule?.filters) && rule.filters.some(containsUnknown))) {
        return false;
    }
    const redirects = Array.isArray(rule?.filters) && rule.filters.some((filter: any) => filter?.type === "RequestRedirect" && at(filter, "requestRedirect", "scheme") === "https");
    return (Array.isArray(rule?.backendRefs) && rule.backendRefs.length > 0) || !redirects;
}

const httpRedirectsOnly: StackRule = {
    name: "gateway-http-redirects-only",
    description: "A Gateway's HTTP listener only redirects to HTTPS: it admits routes of the gateway's own namespace only, and every route on it redirects.",
    remediation: "Set the HTTP listener's allowedRoutes to `from: Same` and attach only a RequestRedirect (scheme https) route to it; serve through the HTTPS listeners.",
    severity: "high",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => {
        const violations: StackViolation[] = [];
        const routes = resources.filter((resource) => resource.type === httpRouteType);
        for (const gateway of resources.filter((resource) => resource.type === gatewayType)) {
            const name = at(gateway.props, "metadata", "name");
            const namespace = at(gateway.props, "metadata", "namespace") ?? "default";
            for (const listener of listenersOf(gateway).filter((candidate) => candidate?.protocol === "HTTP")) {
                const from = at(listener, "allowedRoutes", "namespaces", "from") ?? "Same";
                if (!isUnknown(from) && from !== "Same") {
                    violations.push({ resource: gateway, message: `Gateway "${gateway.name}" lets routes of other namespaces (${from}) attach to its HTTP listener "${listener.name}"` });
                }
                for (const route of routes) {
                    const routeNamespace = at(route.props, "metadata", "namespace") ?? "default";
                    const refs = at(route.props, "spec", "parentRefs");
                    if (!Array.isArray(refs)) {
                        continue;
                    }
                    // A parent reference without a section or port attaches to every listener that admits the route.
                    const attached = refs.some((ref: any) =>
                        ref?.name === name && (ref?.namespace ?? routeNamespace) === namespace &&
                        (ref?.sectionName === undefined || ref.sectionName === listener.name) && (ref?.port === undefined || ref.port === listener.port));
                    const rules = at(route.props, "spec", "rules");
                    if (attached && Array.isArray(rules) && (rules.length === 0 || rules.some(serves))) {
                        violations.push({ resource: route, message: `HTTPRoute "${route.name}" serves traffic on Gateway "${gateway.name}"'s HTTP listener "${listener.name}" instead of redirecting to HTTPS` });
                    }
                }
            }
        }
        return violations;
    },
};

export const edgeRules = [noRetiredCharts, gatewayTls, httpRedirectsOnly];
