/**
 * The edge rules of the policy pack (policy/rules/edge.ts), each both ways: resource sets that
 * comply and resource sets that break the rule, with the enforcement per environment, and what
 * a preview with unknown values must not judge.
 */
import assert from "node:assert/strict";
import { environments, unknownValue, type PolicyResource } from "../../policy/rule.ts";
import { edgeRules } from "../../policy/rules/edge.ts";
import { runRules } from "../../policy/run.ts";
import { assertOne, messages, resource } from "../support/policy.ts";

const rule = (name: string) => {
    const found = edgeRules.find((candidate) => candidate.name === name);
    assert.ok(found, `no edge rule named ${name}`);
    return found;
};
const retired = rule("no-retired-charts");
const tls = rule("gateway-tls");
const redirects = rule("gateway-http-redirects-only");

const release = (name: string, props: Record<string, any>) => resource("kubernetes:helm.sh/v3:Release", name, { name, atomic: true, ...props });
const chart = (name: string, props: Record<string, any>) => resource("kubernetes:helm.sh/v4:Chart", name, props);

/** The platform's own listeners (components/kubernetes/edge-values.ts), as the plan shows them. */
const secretRef = { kind: "Secret", name: "platform-gateway-tls" };
const labelled = { namespaces: { from: "Selector", selector: { matchLabels: { "platform.io/gateway-access": "true" } } }, kinds: [{ kind: "HTTPRoute" }] };
const httpListener = { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } };
const httpsListener = (name: string, hostname?: string) => ({
    name, port: 443, protocol: "HTTPS", ...(hostname ? { hostname } : {}), tls: { mode: "Terminate", certificateRefs: [secretRef] }, allowedRoutes: labelled,
});
const platformListeners = [httpListener, httpsListener("https", "*.dev.example.com"), httpsListener("https-apex", "dev.example.com")];

const gateway = (listeners: unknown, metadata: Record<string, any> = { name: "platform", namespace: "gateway" }, name = "kubernetes-edge-gateway"): PolicyResource =>
    resource("kubernetes:gateway.networking.k8s.io/v1:Gateway", name, {
        apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata, spec: { gatewayClassName: "platform", listeners },
    });
const route = (name: string, spec: unknown, namespace: string | undefined = "gateway"): PolicyResource =>
    resource("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", name, {
        apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name, ...(namespace ? { namespace } : {}) }, spec,
    });
const redirectRule = { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] };
/** The platform's redirect route (edge-values.ts `redirectRouteSpec`). */
const platformRedirect = route("kubernetes-edge-https-redirect", { parentRefs: [{ name: "platform", sectionName: "http" }], rules: [redirectRule] });
const serving = { backendRefs: [{ name: "api", port: 8080 }] };

describe("policy: no-retired-charts", () => {
    it("refuses ingress-nginx by its repository chart name, whatever the release is called", () => {
        assertOne(messages(retired, [release("edge", { chart: "ingress-nginx", version: "4.15.0", repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" } })]),
            /Helm chart "edge" installs ingress-nginx/, /retired/, /Gateway/);
        assertOne(messages(retired, [release("edge", { chart: "ingress-nginx/ingress-nginx", version: "4.15.0" })]), /installs ingress-nginx/);
    });

    it("refuses ingress-nginx by an OCI path, as a Helm v3 release or a Helm v4 chart", () => {
        assertOne(messages(retired, [release("nginx", { chart: "oci://registry.example.com/charts/ingress-nginx", version: "4.15.0" })]), /installs ingress-nginx/);
        assertOne(messages(retired, [chart("nginx", { chart: "oci://ghcr.io/kubernetes/ingress-nginx", version: "4.15.0" })]), /Helm chart "nginx" installs ingress-nginx/);
    });

    it("passes Envoy Gateway's charts and other maintained charts, and names only the retired release among them", () => {
        const maintained = [
            release("kubernetes-envoy-gateway", { chart: "oci://docker.io/envoyproxy/gateway-helm", version: "v1.9.3" }),
            chart("kubernetes-gateway-api-crds", { chart: "oci://docker.io/envoyproxy/gateway-crds-helm", version: "v1.9.3" }),
            release("kubernetes-cert-manager", { chart: "cert-manager", version: "v1.21.2", repositoryOpts: { repo: "https://charts.jetstack.io" } }),
            // A chart whose name merely contains the retired one's is another chart.
            release("nginx-gateway", { chart: "oci://ghcr.io/nginx/charts/nginx-gateway-fabric", version: "2.3.0" }),
        ];
        assert.deepEqual(messages(retired, maintained), []);
        const found = runRules([retired], [...maintained, release("legacy", { chart: "ingress-nginx", version: "4.15.0" })], "dev");
        assert.deepEqual(found.map((violation) => violation.name), ["legacy"]);
    });

    it("is mandatory in every environment and does not judge an unknown chart", () => {
        for (const environment of environments) {
            const found = runRules([retired], [release("edge", { chart: "ingress-nginx", version: "4.15.0" })], environment);
            assert.deepEqual(found.map((violation) => violation.enforcement), ["mandatory"], environment);
        }
        assert.deepEqual(messages(retired, [release("edge", { chart: unknownValue, version: "4.15.0" })]), []);
    });
});

describe("policy: gateway-tls", () => {
    it("passes the platform's gateway: HTTPS listeners with the certificate, and an HTTP listener", () => {
        assert.deepEqual(messages(tls, [gateway(platformListeners)]), []);
        assert.deepEqual(messages(tls, [gateway([httpListener, httpsListener("https")])]), [], "the single listener without a zone");
    });

    it("flags a gateway with no HTTPS listener", () => {
        assertOne(messages(tls, [gateway([httpListener])]), /Gateway "kubernetes-edge-gateway" has no HTTPS listener with a certificate/);
        assertOne(messages(tls, [gateway([])]), /no HTTPS listener/);
    });

    it("flags an HTTPS listener whose certificate list is empty", () => {
        assertOne(messages(tls, [gateway([httpListener, { ...httpsListener("https"), tls: { mode: "Terminate", certificateRefs: [] } }])]), /no HTTPS listener with a certificate/);
    });

    it("flags an HTTPS listener without any certificate (no tls block)", () => {
        const { tls: _dropped, ...bare } = httpsListener("https");
        assertOne(messages(tls, [gateway([httpListener, bare])]), /no HTTPS listener with a certificate/);
    });

    it("flags every listener serving plain TCP or UDP, even next to HTTPS", () => {
        const found = messages(tls, [gateway([...platformListeners, { name: "db", port: 5432, protocol: "TCP" }, { name: "dns", port: 53, protocol: "UDP" }])]);
        assert.deepEqual(found, [
            `Gateway "kubernetes-edge-gateway" listener "db" serves plain TCP`,
            `Gateway "kubernetes-edge-gateway" listener "dns" serves plain UDP`,
        ]);
        assert.equal(messages(tls, [gateway([{ name: "db", port: 5432, protocol: "TCP" }])]).length, 2, "no HTTPS listener, and a plain one");
    });

    it("is advisory in dev and mandatory in staging and prod", () => {
        const plain = [gateway([httpListener])];
        assert.deepEqual(environments.map((environment) => runRules([tls], plain, environment).map((violation) => violation.enforcement)),
            [["advisory"], ["mandatory"], ["mandatory"]]);
        assert.deepEqual(environments, ["dev", "staging", "prod"]);
    });

    it("does not judge a gateway whose listeners, or their certificates, are unknown in a preview", () => {
        assert.deepEqual(messages(tls, [gateway(unknownValue)]), []);
        assert.deepEqual(messages(tls, [resource("kubernetes:gateway.networking.k8s.io/v1:Gateway", "g", { metadata: { name: "g" }, spec: unknownValue })]), []);
        assert.deepEqual(messages(tls, [gateway([httpListener, { ...httpsListener("https"), tls: { mode: "Terminate", certificateRefs: unknownValue } }])]), []);
    });

    it("does not judge a listener whose protocol is unknown in a preview (it may be HTTPS)", () => {
        assert.deepEqual(messages(tls, [gateway([httpListener, { ...httpsListener("https"), protocol: unknownValue }])]), []);
    });
});

describe("policy: gateway-http-redirects-only", () => {
    it("passes the platform's gateway with its redirect route", () => {
        assert.deepEqual(messages(redirects, [gateway(platformListeners), platformRedirect]), []);
    });

    it("flags an HTTP listener that admits routes of other namespaces", () => {
        for (const allowedRoutes of [{ namespaces: { from: "All" } }, labelled]) {
            assertOne(messages(redirects, [gateway([{ ...httpListener, allowedRoutes }, httpsListener("https")]), platformRedirect]),
                new RegExp(`Gateway "kubernetes-edge-gateway" lets routes of other namespaces \\(${allowedRoutes.namespaces.from}\\) attach to its HTTP listener "http"`));
        }
        assert.deepEqual(messages(redirects, [gateway([{ ...httpListener, allowedRoutes: undefined }]), platformRedirect]), [], "Same is the Gateway API default");
    });

    it("flags a route with backends on the HTTP section, even next to a redirect", () => {
        const found = runRules([redirects], [gateway(platformListeners), platformRedirect,
            route("leak", { parentRefs: [{ name: "platform", sectionName: "http" }], rules: [redirectRule, serving] })], "prod");
        assert.deepEqual(found.map((violation) => [violation.name, violation.enforcement]), [["leak", "mandatory"]]);
        assert.match(found[0]!.message, /HTTPRoute "leak" serves traffic on Gateway "kubernetes-edge-gateway"'s HTTP listener "http" instead of redirecting to HTTPS/);
    });

    it("flags a route without sectionName attached to the gateway: it lands on the HTTP listener too", () => {
        assertOne(messages(redirects, [gateway(platformListeners), route("everywhere", { parentRefs: [{ name: "platform" }], rules: [serving] })]),
            /HTTPRoute "everywhere" serves traffic/);
        assertOne(messages(redirects, [gateway(platformListeners), route("other-namespace", { parentRefs: [{ name: "platform", namespace: "gateway" }], rules: [serving] }, "api")]),
            /HTTPRoute "other-namespace" serves traffic/);
    });

    it("flags a route on the HTTP section that redirects elsewhere than https, or does nothing", () => {
        const http = { parentRefs: [{ name: "platform", sectionName: "http" }] };
        assertOne(messages(redirects, [gateway(platformListeners), route("plain", { ...http, rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "http" } }] }] })]), /"plain" serves traffic/);
        assertOne(messages(redirects, [gateway(platformListeners), route("empty", { ...http, rules: [] })]), /"empty" serves traffic/);
    });

    it("passes serving routes on the HTTPS sections, and routes of other gateways or namespaces' gateways", () => {
        assert.deepEqual(messages(redirects, [
            gateway(platformListeners), platformRedirect,
            route("api", { parentRefs: [{ name: "platform", namespace: "gateway", sectionName: "https" }, { name: "platform", namespace: "gateway", sectionName: "https-apex" }], rules: [serving] }, "api"),
            route("elsewhere", { parentRefs: [{ name: "other" }], rules: [serving] }),
            // Same gateway name, but the route's own namespace: another Gateway.
            route("homonym", { parentRefs: [{ name: "platform", sectionName: "http" }], rules: [serving] }, "api"),
        ]), []);
    });

    it("is mandatory in every environment", () => {
        const leak = [gateway(platformListeners), route("leak", { parentRefs: [{ name: "platform", sectionName: "http" }], rules: [serving] })];
        for (const environment of environments) {
            assert.deepEqual(runRules([redirects], leak, environment).map((violation) => violation.enforcement), ["mandatory"], environment);
        }
    });

    it("does not judge an unknown allowedRoutes or an unknown parent reference", () => {
        assert.deepEqual(messages(redirects, [gateway([{ ...httpListener, allowedRoutes: { namespaces: { from: unknownValue } } }]), platformRedirect]), []);
        assert.deepEqual(messages(redirects, [gateway(platformListeners), route("r", { parentRefs: [{ name: unknownValue, sectionName: "http" }], rules: [serving] })]), []);
        assert.deepEqual(messages(redirects, [gateway(platformListeners), route("r", { parentRefs: [{ name: "platform", namespace: unknownValue, sectionName: "http" }], rules: [serving] })]), []);
        assert.deepEqual(messages(redirects, [gateway(platformListeners), route("r", { parentRefs: [{ name: "platform", sectionName: "http" }], rules: unknownValue })]), []);
    });

    it("does not judge (nor fail on) a route whose parentRefs or spec are unknown", () => {
        assert.deepEqual(messages(redirects, [gateway(platformListeners), route("r", { parentRefs: unknownValue, rules: [serving] })]), []);
        assert.deepEqual(messages(redirects, [gateway(platformListeners), route("r", unknownValue)]), []);
    });

    it("does not judge a redirect whose filters or scheme are unknown", () => {
        const http = { parentRefs: [{ name: "platform", sectionName: "http" }] };
        assert.deepEqual(messages(redirects, [gateway(platformListeners), route("r", { ...http, rules: [{ filters: unknownValue }] })]), []);
        assert.deepEqual(messages(redirects, [gateway(platformListeners), route("r", { ...http, rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: unknownValue } }] }] })]), []);
    });
});
