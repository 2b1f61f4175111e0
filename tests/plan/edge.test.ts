/**
 * The edge (issue 15) on the offline plans of every stack × cloud: Gateway API through Envoy
 * Gateway instead of ingress-nginx, the cloud's load balancer in front of it, the stack's DNS
 * zone, external-dns and cert-manager with identities that reach that zone only, the
 * NetworkPolicy allowances that follow, and the platform without `platform:dns`.
 *
 * Expectations come from the stack files (zone, project) and from the plan itself (a name one
 * resource gives another must be the one the other resource has); cloud-computed values (ids,
 * ARNs, addresses) are what the simulated cloud gives the planned inputs (`simulatedResource`).
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { globMatches } from "../../policy/rules/identity.ts";
import { edgeRules } from "../../policy/rules/edge.ts";
import type { PlannedResource, PlanReport } from "../../tools/offline/evaluate.ts";
import { PlatformMocks } from "../../tools/offline/mocks.ts";
import { mockSubscriptionId, mockTenantId, simulatedResource } from "../../tools/simulated-cloud/answers.ts";
import { readStackFile } from "../../tools/stack-file.ts";
import { projectRoot } from "../support/project.ts";
import { cloudNames, inputsOf, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stackPlatformConfig, stacks, type StackName } from "../support/stack-config.ts";

const types = {
    release: "kubernetes:helm.sh/v3:Release",
    chart: "kubernetes:helm.sh/v4:Chart",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    gatewayClass: "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    envoyProxy: "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
    clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
    issuer: "kubernetes:cert-manager.io/v1:Issuer",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
    awsZone: "aws:route53/zone:Zone",
    awsRecord: "aws:route53/record:Record",
    awsRole: "aws:iam/role:Role",
    awsRolePolicy: "aws:iam/rolePolicy:RolePolicy",
    awsPolicy: "aws:iam/policy:Policy",
    awsPolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    eks: "aws:eks/cluster:Cluster",
    azureZone: "azure-native:dns:Zone",
    azureRecordSet: "azure-native:dns:RecordSet",
    lock: "azure-native:authorization:ManagementLockByScope",
    publicIp: "azure-native:network:PublicIPAddress",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    federatedCredential: "azure-native:managedidentity:FederatedIdentityCredential",
    aks: "azure-native:containerservice:ManagedCluster",
} as const;

/** Built-in Azure role ids, as Azure documents them ("Azure built-in roles"). */
const azureRoles = {
    dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
};
/** Built-in roles that change resources: Owner, Contributor, Network Contributor, DNS Zone Contributor. */
const writeRoles = ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", azureRoles.networkContributor, azureRoles.dnsZoneContributor];
const letsEncrypt = { staging: "acme-staging-v02.api.letsencrypt.org", production: "acme-v02.api.letsencrypt.org" };
const workloadIdentityLabel = "azure.workload.identity/use";
const edgeRuleNames = edgeRules.map((rule) => rule.name);

/** `platform:dns.zone` of the stack file. */
const zoneOf = (stack: StackName): string => stackPlatformConfig(stack)["dns"]["zone"];
const projectOf = (stack: StackName): string => readStackFile(projectRoot, stack).project;

function release(plan: PlanReport, releaseName: string): PlannedResource {
    const matches = resourcesOf(plan, types.release).filter((resource) => resource.inputs["name"] === releaseName);
    assert.equal(matches.length, 1, `expected one Helm release named ${releaseName}, found ${matches.length}`);
    return matches[0]!;
}

const hasRelease = (plan: PlanReport, releaseName: string) => resourcesOf(plan, types.release).some((resource) => resource.inputs["name"] === releaseName);

/** The one resource of `type` whose Kubernetes metadata name (and namespace) is this. */
function object(plan: PlanReport, type: string, name: string, namespace?: string): PlannedResource {
    const matches = resourcesOf(plan, type).filter((resource) =>
        resource.inputs["metadata"]?.name === name && (namespace === undefined || resource.inputs["metadata"]?.namespace === namespace));
    assert.equal(matches.length, 1, `expected one ${type} ${namespace ? `${namespace}/` : ""}${name}, found ${matches.length}`);
    return matches[0]!;
}

const simulated = (resource: PlannedResource) => simulatedResource(resource.type, resource.name, resource.inputs);

/** The shared Gateway and the names the other edge objects must agree with. */
function sharedGateway(plan: PlanReport) {
    const gateway = resourceOf(plan, types.gateway);
    const listeners: any[] = gateway.inputs["spec"].listeners;
    const http = listeners.filter((listener) => listener.protocol === "HTTP");
    assert.equal(http.length, 1, "one HTTP listener");
    return {
        resource: gateway,
        name: gateway.inputs["metadata"].name as string,
        namespace: gateway.inputs["metadata"].namespace as string,
        listeners,
        http: http[0]!,
        https: listeners.filter((listener) => listener.protocol === "HTTPS"),
    };
}

// ---------------------------------------------------------------------------------------------
// IAM documents (AWS)

type Statement = { Sid?: string; Effect: string; Action?: string | string[]; Resource?: string | string[]; NotResource?: string | string[]; Condition?: Record<string, Record<string, unknown>> };
const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const statementsOf = (document: string): Statement[] => JSON.parse(document).Statement;

/** Whether some Allow statement of `document` names `action` (conditions aside), and no unconditional Deny on every resource takes it back. */
function allows(document: string, action: string, resource?: string): boolean {
    const statements = statementsOf(document);
    const matchesAction = (statement: Statement) => list(statement.Action).some((pattern) => globMatches(pattern, action, true));
    const matchesResource = (statement: Statement) => resource === undefined
        || (statement.NotResource !== undefined
            ? !list(statement.NotResource).some((pattern) => globMatches(pattern, resource))
            : list(statement.Resource).some((pattern) => globMatches(pattern, resource)));
    const denied = statements.some((statement) => statement.Effect === "Deny" && matchesAction(statement) && list(statement.Resource).includes("*"));
    return !denied && statements.some((statement) => statement.Effect === "Allow" && matchesAction(statement) && matchesResource(statement));
}

const isRead = (action: string) => /^[\w-]+:(Describe|Get|List)/.test(action);

/** The role a Pod Identity association hands `namespace/serviceAccount`, its inline policy and its boundary. */
function podRole(plan: PlanReport, namespace: string, serviceAccount: string) {
    const associations = resourcesOf(plan, types.podIdentity).filter((entry) => entry.inputs["namespace"] === namespace && entry.inputs["serviceAccount"] === serviceAccount);
    assert.equal(associations.length, 1, `one Pod Identity association for ${namespace}/${serviceAccount}`);
    const association = associations[0]!;
    const roles = resourcesOf(plan, types.awsRole).filter((role) => simulated(role).state["arn"] === association.inputs["roleArn"]);
    assert.equal(roles.length, 1, `the association's role ${association.inputs["roleArn"]} is planned`);
    const role = roles[0]!;
    const policies = resourcesOf(plan, types.awsRolePolicy).filter((policy) => policy.inputs["role"] === simulated(role).state["name"]);
    assert.equal(policies.length, 1, `one inline policy on ${role.name}`);
    const attached = resourcesOf(plan, types.awsPolicyAttachment).filter((attachment) => attachment.inputs["role"] === simulated(role).state["name"]);
    assert.deepEqual(attached.map((attachment) => attachment.name), [], `${role.name} gets no managed policy`);
    const boundaries = resourcesOf(plan, types.awsPolicy).filter((policy) => simulated(policy).state["arn"] === role.inputs["permissionsBoundary"]);
    assert.equal(boundaries.length, 1, `${role.name} carries a boundary the program creates`);
    return { association, role, policy: policies[0]!.inputs["policy"] as string, boundary: boundaries[0]! };
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicies: what the planned policies of a namespace admit

type Peer = { readonly namespace: string } | { readonly address: string };

function ipv4(address: string): number {
    return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

function inCidr(address: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(address) / size) === Math.floor(ipv4(base!) / size);
}

function namespaceLabels(plan: PlanReport, namespace: string): Record<string, string> {
    const created = resourcesOf(plan, types.namespace).find((resource) => resource.inputs["metadata"]?.name === namespace);
    return { ...(created?.inputs["metadata"]?.labels ?? {}), "kubernetes.io/metadata.name": namespace };
}

/** Whether one `from`/`to` entry covers every pod of `peer`'s namespace, or the address. */
function peerCovers(plan: PlanReport, entry: any, own: string, peer: Peer): boolean {
    if ("address" in peer) {
        const block = entry.ipBlock;
        return block !== undefined && inCidr(peer.address, block.cidr) && !(block.except ?? []).some((cidr: string) => inCidr(peer.address, cidr));
    }
    if (entry.ipBlock !== undefined) {
        return false;
    }
    const allPods = entry.podSelector === undefined || Object.keys(entry.podSelector.matchLabels ?? {}).length === 0;
    if (!allPods) {
        return false;
    }
    if (entry.namespaceSelector === undefined) {
        return peer.namespace === own;
    }
    const labels = namespaceLabels(plan, peer.namespace);
    return Object.entries(entry.namespaceSelector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

function portCovered(ports: any[] | undefined, port: number, protocol: string): boolean {
    return ports === undefined || ports.some((entry) =>
        (entry.protocol ?? "TCP") === protocol && (entry.port === undefined || (entry.endPort === undefined ? entry.port === port : entry.port <= port && port <= entry.endPort)));
}

const policiesIn = (plan: PlanReport, namespace: string) =>
    resourcesOf(plan, types.networkPolicy).filter((resource) => resource.inputs["metadata"]?.namespace === namespace);

/** Whether the namespace's policies let `peer` in (ingress) or out to `peer` (egress) on `port`. */
function admits(plan: PlanReport, namespace: string, direction: "ingress" | "egress", peer: Peer, port: number, protocol = "TCP"): boolean {
    const type = direction === "ingress" ? "Ingress" : "Egress";
    const side = direction === "ingress" ? "from" : "to";
    return policiesIn(plan, namespace)
        .filter((policy) => (policy.inputs["spec"].policyTypes ?? ["Ingress"]).includes(type))
        .filter((policy) => Object.keys(policy.inputs["spec"].podSelector?.matchLabels ?? {}).length === 0)
        .some((policy) => (policy.inputs["spec"][direction] ?? []).some((rule: any) =>
            portCovered(rule.ports, port, protocol) && (rule[side] === undefined || rule[side].some((entry: any) => peerCovers(plan, entry, namespace, peer)))));
}

/** A namespace whose every pod is denied in both directions unless a policy allows it. */
function assertDefaultDeny(plan: PlanReport, namespace: string): void {
    const denies = policiesIn(plan, namespace).some((policy) => {
        const spec = policy.inputs["spec"];
        return Object.keys(spec.podSelector ?? {}).length === 0 && ["Ingress", "Egress"].every((type) => spec.policyTypes?.includes(type));
    });
    assert.ok(denies, `${namespace} is default-deny in both directions`);
}

/** An address on the internet, outside every planned network. */
const internet = { address: "203.0.113.10" };

// ---------------------------------------------------------------------------------------------
// Secrets as the program sent them (the plan masks every secret input)

/** Runs `evaluate` with the simulated cloud recording the unmasked inputs of every Kubernetes Secret. */
async function withSecretInputs(evaluate: () => Promise<PlanReport>): Promise<{ plan: PlanReport; secrets: Map<string, Record<string, any>> }> {
    const secrets = new Map<string, Record<string, any>>();
    const original = PlatformMocks.prototype.newResource;
    PlatformMocks.prototype.newResource = function (this: PlatformMocks, args) {
        if (args.type === types.secret) {
            secrets.set(args.name, args.inputs);
        }
        return original.call(this, args);
    };
    try {
        return { plan: await evaluate(), secrets };
    } finally {
        PlatformMocks.prototype.newResource = original;
    }
}

const revealed = (value: any): any =>
    value && typeof value === "object" && value[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig ? value.value : value;

// ---------------------------------------------------------------------------------------------

const proxyReplicas: Record<StackName, { replicas?: number; hpa?: [number, number]; budget: boolean; zoneSpread: boolean }> = {
    dev: { replicas: 1, budget: false, zoneSpread: false },
    staging: { replicas: 2, budget: true, zoneSpread: true },
    prod: { hpa: [3, 9], budget: true, zoneSpread: true },
};

describe("the edge: Gateway API, load balancer, DNS and certificates", () => {
    for (const stack of stacks) {
        const zone = zoneOf(stack);
        const protectedStack = stack !== "dev";
        for (const cloud of cloudNames) {
            describe(`${stack} on ${cloud}`, () => {
                describe("no ingress-nginx", () => {
                    it("installs, names and routes through nothing of ingress-nginx", async () => {
                        const plan = await planOf(stack, cloud);
                        assert.doesNotMatch(JSON.stringify(plan.resources), /ingress-nginx/i);
                        assert.doesNotMatch(JSON.stringify(plan.resources), /"ingressClassName":"nginx"/);
                        assert.doesNotMatch(JSON.stringify(plan.outputs), /ingress-nginx/i);
                        assert.deepEqual(resourcesOf(plan, types.ingress), [], "no Ingress objects: routes go through the Gateway");
                    });

                    it("passes every edge rule of the policy pack", async () => {
                        const plan = await planOf(stack, cloud);
                        assert.deepEqual(plan.policy.filter((violation) => edgeRuleNames.includes(violation.rule)), []);
                    });
                });

                describe("Gateway API CRDs and Envoy Gateway", () => {
                    it("installs the standard-channel Gateway API CRDs once, from the pinned Envoy Gateway CRD chart", async () => {
                        const plan = await planOf(stack, cloud);
                        const charts = resourcesOf(plan, types.chart);
                        assert.equal(charts.length, 1, charts.map((chart) => chart.name).join(", "));
                        const crds = charts[0]!.inputs;
                        assert.equal(crds["chart"], "oci://docker.io/envoyproxy/gateway-crds-helm");
                        assert.match(crds["version"], /^v\d+\.\d+\.\d+$/, "an exact version, never a range");
                        assert.deepEqual(crds["values"].crds.gatewayAPI, { enabled: true, channel: "standard" });
                        assert.equal(crds["values"].crds.envoyGateway.enabled, true, "Envoy Gateway's own CRDs (EnvoyProxy) come with them");
                    });

                    it("runs Envoy Gateway without its bundled CRDs, at the CRD chart's version, after the CRDs", async () => {
                        const plan = await planOf(stack, cloud);
                        const crds = resourceOf(plan, types.chart);
                        const controller = release(plan, "envoy-gateway");
                        assert.equal(controller.inputs["chart"], "oci://docker.io/envoyproxy/gateway-helm");
                        assert.equal(controller.inputs["version"], crds.inputs["version"], "the CRDs are those the controller is built against");
                        assert.equal(controller.inputs["values"].crds.enabled, false, "one owner of the CRDs");
                        assert.equal(controller.inputs["namespace"], crds.inputs["namespace"]);
                        assert.ok(controller.dependsOn.includes(crds.name), `envoy-gateway waits for ${crds.name}: ${controller.dependsOn.join(", ")}`);
                    });

                    it("turns on cert-manager's Gateway API support and installs cert-manager after the CRDs", async () => {
                        const plan = await planOf(stack, cloud);
                        const crds = resourceOf(plan, types.chart);
                        const certManager = release(plan, "cert-manager");
                        assert.equal(certManager.inputs["values"].config.enableGatewayAPI, true);
                        assert.ok(certManager.dependsOn.includes(crds.name), `cert-manager waits for ${crds.name}: ${certManager.dependsOn.join(", ")}`);
                    });
                });

                describe("the shared Gateway", () => {
                    it("is the platform's, in its own namespace, of the Envoy Gateway class parameterised by the platform's EnvoyProxy", async () => {
                        const plan = await planOf(stack, cloud);
                        const gateway = sharedGateway(plan);
                        assert.deepEqual([gateway.name, gateway.namespace], ["platform", "gateway"]);
                        object(plan, types.namespace, gateway.namespace);
                        const gatewayClass = resourceOf(plan, types.gatewayClass).inputs;
                        assert.equal(gateway.resource.inputs["spec"].gatewayClassName, gatewayClass["metadata"].name);
                        assert.equal(gatewayClass["metadata"].name, "platform");
                        const controllerName = release(plan, "envoy-gateway").inputs["values"].config?.envoyGateway?.gateway?.controllerName
                            ?? "gateway.envoyproxy.io/gatewayclass-controller"; // the chart's default
                        assert.equal(gatewayClass["spec"].controllerName, controllerName);
                        assert.equal(controllerName, "gateway.envoyproxy.io/gatewayclass-controller");
                        const proxy = resourceOf(plan, types.envoyProxy).inputs["metadata"];
                        assert.deepEqual(gatewayClass["spec"].parametersRef, { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: proxy.name, namespace: proxy.namespace });
                    });

                    it("has one plain HTTP listener on 80 that admits only routes of the gateway's own namespace", async () => {
                        const { http, listeners } = sharedGateway(await planOf(stack, cloud));
                        assert.equal(http.port, 80);
                        assert.deepEqual(http.allowedRoutes, { namespaces: { from: "Same" } });
                        assert.equal(http.tls, undefined);
                        assert.deepEqual(listeners.filter((listener) => !["HTTP", "HTTPS"].includes(listener.protocol)), [], "nothing served over plain TCP/UDP/TLS passthrough");
                        assert.equal(new Set(listeners.map((listener) => listener.name)).size, listeners.length, "listener names are unique");
                    });

                    it(`terminates TLS on 443 for *.${zone} and ${zone} with the wildcard certificate's secret, for labelled namespaces' HTTPRoutes only`, async () => {
                        const plan = await planOf(stack, cloud);
                        const { https, namespace } = sharedGateway(plan);
                        assert.deepEqual(https.map((listener) => listener.hostname).sort(), [`*.${zone}`, zone].sort());
                        const certificate = resourceOf(plan, types.certificate).inputs;
                        assert.equal(certificate["metadata"].namespace, namespace, "the secret lives next to the Gateway: no ReferenceGrant needed");
                        for (const listener of https) {
                            assert.equal(listener.port, 443, listener.name);
                            assert.equal(listener.tls.mode, "Terminate", listener.name);
                            assert.deepEqual(listener.tls.certificateRefs, [{ kind: "Secret", name: certificate["spec"].secretName }], listener.name);
                            assert.deepEqual(listener.allowedRoutes.namespaces, { from: "Selector", selector: { matchLabels: { "platform.io/gateway-access": "true" } } }, listener.name);
                            assert.deepEqual(listener.allowedRoutes.kinds, [{ kind: "HTTPRoute" }], listener.name);
                        }
                    });

                    it("labels exactly the workload namespaces for the HTTPS listeners' selector", async () => {
                        const plan = await planOf(stack, cloud);
                        const selector = sharedGateway(plan).https[0]!.allowedRoutes.namespaces.selector.matchLabels as Record<string, string>;
                        const selected = resourcesOf(plan, types.namespace)
                            .filter((resource) => Object.entries(selector).every(([key, value]) => resource.inputs["metadata"]?.labels?.[key] === value))
                            .map((resource) => resource.inputs["metadata"].name)
                            .sort();
                        assert.deepEqual(selected, [...(plan.outputs["workloadNamespaces"] as string[])].sort());
                        assert.deepEqual(selected, ["api", "worker"]);
                    });

                    it("waits for its class, its certificate and (on AWS) the load balancer controller", async () => {
                        const plan = await planOf(stack, cloud);
                        const gateway = sharedGateway(plan).resource;
                        for (const needed of [resourceOf(plan, types.gatewayClass), resourceOf(plan, types.certificate)]) {
                            assert.ok(gateway.dependsOn.includes(needed.name), `${needed.name}: ${gateway.dependsOn.join(", ")}`);
                        }
                        if (cloud === "aws") {
                            // The proxies' Service must be the controller's from the start, or the cloud's legacy provider takes it.
                            assert.ok(gateway.dependsOn.includes(release(plan, "aws-load-balancer-controller").name));
                        }
                    });
                });

                describe("the HTTP → HTTPS redirect", () => {
                    it("is the only route the platform attaches, on the HTTP section only, redirecting to https with a 301 and no backend", async () => {
                        const plan = await planOf(stack, cloud);
                        const gateway = sharedGateway(plan);
                        const routes = resourcesOf(plan, types.httpRoute);
                        assert.equal(routes.length, 1);
                        const route = routes[0]!.inputs;
                        assert.equal(route["metadata"].namespace, gateway.namespace, "the HTTP listener admits only its own namespace");
                        assert.ok(route["spec"].parentRefs.length > 0);
                        for (const parent of route["spec"].parentRefs) {
                            assert.equal(parent.name, gateway.name);
                            assert.equal(parent.namespace ?? route["metadata"].namespace, gateway.namespace);
                            assert.equal(parent.sectionName, gateway.http.name, "never the HTTPS listeners");
                        }
                        assert.ok(route["spec"].rules.length > 0);
                        for (const rule of route["spec"].rules) {
                            assert.equal(rule.backendRefs, undefined, "serves nothing");
                            assert.deepEqual(rule.filters, [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }]);
                        }
                    });
                });

                describe("the Envoy proxies and the load balancer", () => {
                    const want = proxyReplicas[stack];

                    it(want.hpa
                        ? `autoscale ${want.hpa[0]}..${want.hpa[1]} replicas across zones with a disruption budget`
                        : `run ${want.replicas} replica(s)${want.budget ? " across zones with a disruption budget" : ""}`, async () => {
                        const plan = await planOf(stack, cloud);
                        const kubernetes = resourceOf(plan, types.envoyProxy).inputs["spec"].provider.kubernetes;
                        const deployment = kubernetes.envoyDeployment;
                        if (want.hpa) {
                            assert.equal(deployment.replicas, undefined, "the autoscaler owns the count");
                            assert.deepEqual([kubernetes.envoyHpa.minReplicas, kubernetes.envoyHpa.maxReplicas], want.hpa);
                            assert.ok(kubernetes.envoyHpa.minReplicas >= 2);
                        } else {
                            assert.equal(deployment.replicas, want.replicas);
                            assert.equal(kubernetes.envoyHpa, undefined);
                        }
                        assert.deepEqual(kubernetes.envoyPDB, want.budget ? { minAvailable: 1 } : undefined);
                        const gateway = sharedGateway(plan);
                        const proxies = { "gateway.envoyproxy.io/owning-gateway-name": gateway.name, "gateway.envoyproxy.io/owning-gateway-namespace": gateway.namespace };
                        const zoneSpread = (deployment.pod?.topologySpreadConstraints ?? [])
                            .filter((constraint: any) => constraint.topologyKey === "topology.kubernetes.io/zone");
                        if (want.zoneSpread) {
                            assert.equal(zoneSpread.length, 1);
                            assert.deepEqual(zoneSpread[0].labelSelector.matchLabels, proxies, "spreads this gateway's proxies");
                        } else {
                            assert.deepEqual(zoneSpread, []);
                        }
                    });

                    it(cloud === "aws"
                        ? "sit behind an internet-facing NLB of the AWS Load Balancer Controller with IP targets"
                        : "sit behind the cloud's load balancer on the program's static public IP", async () => {
                        const plan = await planOf(stack, cloud);
                        const service = resourceOf(plan, types.envoyProxy).inputs["spec"].provider.kubernetes.envoyService;
                        assert.equal(service.type, "LoadBalancer");
                        assert.equal(service.externalTrafficPolicy, "Local");
                        if (cloud === "aws") {
                            assert.equal(service.loadBalancerClass, "service.k8s.aws/nlb");
                            assert.equal(service.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internet-facing");
                            assert.equal(service.annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"], "ip");
                        } else {
                            const address = resourceOf(plan, types.publicIp, "kubernetes-bindings-gateway-ip").inputs;
                            assert.equal(service.loadBalancerClass, undefined, "the cloud provider's own load balancer");
                            assert.equal(service.annotations["service.beta.kubernetes.io/azure-pip-name"], address["publicIpAddressName"]);
                            assert.equal(service.annotations["service.beta.kubernetes.io/azure-load-balancer-resource-group"], address["resourceGroupName"]);
                        }
                    });
                });

                if (cloud === "aws") {
                    describe("the AWS Load Balancer Controller", () => {
                        it("runs in kube-system for this cluster, region and VPC", async () => {
                            const plan = await planOf(stack, cloud);
                            const controller = release(plan, "aws-load-balancer-controller").inputs;
                            assert.equal(controller["namespace"], "kube-system");
                            assert.equal(controller["chart"], "aws-load-balancer-controller");
                            assert.equal(controller["repositoryOpts"].repo, "https://aws.github.io/eks-charts");
                            assert.match(controller["version"], /^\d+\.\d+\.\d+$/);
                            const values = controller["values"];
                            assert.deepEqual([values.clusterName, values.region, values.vpcId], [plan.outputs["clusterName"], plan.outputs["region"], plan.outputs["networkId"]]);
                            assert.equal(values.serviceAccount.name, "aws-load-balancer-controller");
                        });

                        it("signs in through its own Pod Identity role, trusted only for this cluster, under the workload boundary", async () => {
                            const plan = await planOf(stack, cloud);
                            const { association, role, boundary } = podRole(plan, "kube-system", "aws-load-balancer-controller");
                            assert.equal(association.inputs["clusterName"], plan.outputs["clusterName"]);
                            assert.equal(boundary.inputs["name"], `${projectOf(stack)}-${stack}-workload-boundary`);
                            const trust = statementsOf(role.inputs["assumeRolePolicy"]);
                            const clusterArn = simulated(resourceOf(plan, types.eks)).state["arn"];
                            assert.deepEqual(trust.map((statement: any) => [statement.Principal, statement.Condition.StringEquals["aws:RequestTag/eks-cluster-arn"]]),
                                [[{ Service: "pods.eks.amazonaws.com" }, clusterArn]]);
                        });

                        it("may write on every resource (\"*\") only under a condition: this cluster's tags or the load balancing service", async () => {
                            const plan = await planOf(stack, cloud);
                            const { policy } = podRole(plan, "kube-system", "aws-load-balancer-controller");
                            const statements = statementsOf(policy);
                            assert.ok(statements.every((statement) => statement.Effect === "Allow"));
                            for (const statement of statements.filter((candidate) => list(candidate.Resource).includes("*"))) {
                                const writes = list(statement.Action).filter((action) => !isRead(action));
                                if (writes.length === 0) {
                                    continue;
                                }
                                assert.ok(statement.Condition, `unconditioned writes on "*": ${writes.join(", ")}`);
                                const keys = Object.values(statement.Condition).flatMap((operands) => Object.keys(operands));
                                assert.ok(keys.every((key) =>
                                    ["aws:ResourceTag/elbv2.k8s.aws/cluster", "aws:RequestTag/elbv2.k8s.aws/cluster", `aws:ResourceTag/kubernetes.io/cluster/${plan.outputs["clusterName"]}`, "iam:AWSServiceName"].includes(key)),
                                `conditions of ${writes.join(", ")}: ${keys.join(", ")}`);
                            }
                            const all = statements.flatMap((statement) => list(statement.Action));
                            assert.deepEqual(all.filter((action) => !/^(ec2|elasticloadbalancing):/.test(action) && action !== "iam:CreateServiceLinkedRole"), [],
                                "nothing beyond EC2 and load balancing (no WAF, Shield, ACM or Cognito: TLS ends at the gateway)");
                        });

                        it("keeps what an NLB with IP targets needs within the workload boundary", async () => {
                            const plan = await planOf(stack, cloud);
                            const { policy, boundary } = podRole(plan, "kube-system", "aws-load-balancer-controller");
                            const granted = new Set(statementsOf(policy).flatMap((statement) => list(statement.Action)));
                            const nlb = [
                                "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:CreateSecurityGroup", "ec2:CreateTags",
                                "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup",
                                "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
                                "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:CreateListener",
                                "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:SetSecurityGroups",
                                "elasticloadbalancing:AddTags", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
                                "elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:DeleteLoadBalancer",
                            ];
                            for (const action of nlb) {
                                assert.ok(granted.has(action), `the controller's policy grants ${action}`);
                                assert.ok(allows(boundary.inputs["policy"], action), `the workload boundary leaves ${action}`);
                            }
                        });
                    });
                } else {
                    describe("the gateway's public IP", () => {
                        it(`is a Standard, static, zone-redundant IPv4 address${protectedStack ? ", protected" : ""}`, async () => {
                            const plan = await planOf(stack, cloud);
                            const address = resourceOf(plan, types.publicIp, "kubernetes-bindings-gateway-ip");
                            assert.equal(address.inputs["sku"].name, "Standard");
                            assert.equal(address.inputs["publicIPAllocationMethod"], "Static");
                            assert.deepEqual([...address.inputs["zones"]].sort(), ["1", "2", "3"]);
                            assert.equal(address.protect, protectedStack);
                        });

                        it("lets the cluster's control-plane identity join it to the load balancer (Network Contributor on the IP only)", async () => {
                            const plan = await planOf(stack, cloud);
                            const address = simulated(resourceOf(plan, types.publicIp, "kubernetes-bindings-gateway-ip"));
                            const controlPlaneId = inputsOf(plan, types.aks)["identity"].userAssignedIdentities[0];
                            const controlPlane = resourcesOf(plan, types.identity).filter((identity) => simulated(identity).id === controlPlaneId);
                            assert.equal(controlPlane.length, 1);
                            const principalId = simulated(controlPlane[0]!).state["principalId"];
                            const onAddress = resourcesOf(plan, types.roleAssignment).filter((entry) => entry.inputs["scope"] === address.id);
                            assert.deepEqual(onAddress.map((entry) => [entry.inputs["principalId"], String(entry.inputs["roleDefinitionId"]).split("/").pop()]),
                                [[principalId, azureRoles.networkContributor]]);
                        });

                        it("is the gatewayAddress output", async () => {
                            const plan = await planOf(stack, cloud);
                            const address = simulated(resourceOf(plan, types.publicIp, "kubernetes-bindings-gateway-ip")).state["ipAddress"];
                            assert.match(String(address), /^\d+\.\d+\.\d+\.\d+$/);
                            assert.equal(plan.outputs["gatewayAddress"], address);
                        });
                    });
                }

                describe(`the DNS zone ${zone}`, () => {
                    it(cloud === "aws"
                        ? `is a public Route 53 hosted zone${protectedStack ? ", protected" : ""}`
                        : `is a public Azure DNS zone${protectedStack ? ", protected and locked against deletion" : ""}`, async () => {
                        const plan = await planOf(stack, cloud);
                        if (cloud === "aws") {
                            const hosted = resourceOf(plan, types.awsZone);
                            assert.equal(hosted.inputs["name"], zone);
                            assert.equal(hosted.inputs["vpcs"], undefined, "public, not private");
                            assert.equal(hosted.inputs["forceDestroy"], false, "records left behind keep it from being deleted");
                            assert.equal(hosted.protect, protectedStack);
                        } else {
                            const hosted = resourceOf(plan, types.azureZone);
                            assert.deepEqual([hosted.inputs["zoneName"], hosted.inputs["location"], hosted.inputs["zoneType"]], [zone, "global", "Public"]);
                            assert.equal(hosted.protect, protectedStack);
                            const locks = resourcesOf(plan, types.lock).filter((lock) => lock.inputs["scope"] === simulated(hosted).id);
                            assert.deepEqual(locks.map((lock) => lock.inputs["level"]), protectedStack ? ["CanNotDelete"] : []);
                        }
                    });

                    it("exports the zone, its four name servers and the cluster issuer", async () => {
                        const plan = await planOf(stack, cloud);
                        const hosted = simulated(resourceOf(plan, cloud === "aws" ? types.awsZone : types.azureZone)).state;
                        assert.equal(plan.outputs["dnsZone"], zone);
                        const servers = plan.outputs["dnsNameServers"] as string[];
                        assert.deepEqual(servers, hosted["nameServers"]);
                        assert.equal(new Set(servers).size, 4);
                        assert.equal(plan.outputs["certificateIssuer"], "letsencrypt");
                        assert.equal(plan.outputs["certificateIssuer"], resourceOf(plan, types.clusterIssuer).inputs["metadata"].name);
                    });
                });

                describe("external-dns", () => {
                    it("publishes the shared gateway's HTTPRoutes in this zone only, owning records through a TXT registry", async () => {
                        const plan = await planOf(stack, cloud);
                        const externalDns = release(plan, "external-dns").inputs;
                        assert.equal(externalDns["namespace"], "external-dns");
                        assert.match(externalDns["version"], /^\d+\.\d+\.\d+$/);
                        const values = externalDns["values"];
                        assert.deepEqual(values.sources, ["gateway-httproute"]);
                        assert.equal(values.gatewayNamespace, sharedGateway(plan).namespace);
                        assert.deepEqual(values.domainFilters, [zone]);
                        assert.equal(values.registry, "txt");
                        assert.equal(values.txtOwnerId, `${projectOf(stack)}-${stack}`);
                        assert.equal(values.policy, "sync");
                        assert.equal(values.replicaCount, 1, "no leader election: two would fight over records");
                        assert.equal(values.provider.name, cloud);
                    });

                    if (cloud === "aws") {
                        it("changes records of the zone's ARN only, through its own Pod Identity role under the workload boundary", async () => {
                            const plan = await planOf(stack, cloud);
                            const zoneArn = String(simulated(resourceOf(plan, types.awsZone)).state["arn"]);
                            const { policy, boundary } = podRole(plan, "external-dns", "external-dns");
                            const changing = statementsOf(policy).filter((statement) => list(statement.Action).some((action) => globMatches(action, "route53:ChangeResourceRecordSets", true)));
                            assert.equal(changing.length, 1);
                            assert.deepEqual(list(changing[0]!.Resource), [zoneArn]);
                            assert.ok(!allows(policy, "route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/ZOTHERZONE"), "no other zone");
                            assert.ok(allows(policy, "route53:ChangeResourceRecordSets", zoneArn));
                            for (const action of statementsOf(policy).flatMap((statement) => list(statement.Action))) {
                                assert.ok(allows(boundary.inputs["policy"], action), `the workload boundary leaves ${action}`);
                            }
                        });
                    } else {
                        it("signs in as its own federated identity, which may change the zone and nothing else", async () => {
                            const plan = await planOf(stack, cloud);
                            const { identity, grants } = zoneWriter(plan, "external-dns", "external-dns");
                            const zoneId = simulated(resourceOf(plan, types.azureZone)).id;
                            assert.deepEqual(grants.filter(([role]) => role === azureRoles.dnsZoneContributor), [[azureRoles.dnsZoneContributor, zoneId]]);
                            const group = `/subscriptions/${mockSubscriptionId}/resourceGroups/${resourceOf(plan, types.azureZone).inputs["resourceGroupName"]}`;
                            const others = grants.filter(([role]) => role !== azureRoles.dnsZoneContributor);
                            assert.deepEqual(others.filter(([role, scope]) => writeRoles.includes(role!) || scope !== group), [], "any other grant reads the zone's group, nothing more");
                            const values = release(plan, "external-dns").inputs["values"];
                            assert.equal(values.serviceAccount.annotations["azure.workload.identity/client-id"], identity.state["clientId"]);
                            assert.equal(values.podLabels[workloadIdentityLabel], "true");
                        });

                        it("may list the DNS zones of the zone's resource group, which external-dns's Azure provider does before any change", async () => {
                            // external-dns Azure tutorial: "contributor to the DNS zone(s) and reader to the resource group containing" them.
                            const plan = await planOf(stack, cloud);
                            const { grants } = zoneWriter(plan, "external-dns", "external-dns");
                            const group = `/subscriptions/${mockSubscriptionId}/resourceGroups/${resourceOf(plan, types.azureZone).inputs["resourceGroupName"]}`;
                            const atGroup = grants.filter(([, scope]) => scope === group);
                            assert.equal(atGroup.length, 1, `a read role on ${group}: ${JSON.stringify(grants)}`);
                            assert.ok(!writeRoles.includes(atGroup[0]![0]!), "reads only (e.g. Reader, acdd72a7-…)");
                        });

                        it("reads an azure.json of ids only (no credential), signing in with its workload identity token", async () => {
                            const { plan, secrets } = await withSecretInputs(() => planWith({ stack, cloud }));
                            const secret = object(plan, types.secret, "external-dns-azure", "external-dns");
                            const data = revealed(secrets.get(secret.name)?.["stringData"]);
                            assert.deepEqual(Object.keys(data), ["azure.json"]);
                            const config = JSON.parse(data["azure.json"]);
                            assert.deepEqual(Object.keys(config).sort(), ["resourceGroup", "subscriptionId", "tenantId", "useWorkloadIdentityExtension"]);
                            assert.equal(config.useWorkloadIdentityExtension, true);
                            assert.deepEqual([config.tenantId, config.subscriptionId, config.resourceGroup],
                                [mockTenantId, mockSubscriptionId, resourceOf(plan, types.azureZone).inputs["resourceGroupName"]]);
                            const values = release(plan, "external-dns").inputs["values"];
                            const volume = values.extraVolumes.find((entry: any) => entry.secret?.secretName === secret.inputs["metadata"].name);
                            assert.ok(volume, "the release mounts the secret");
                            assert.ok(values.extraVolumeMounts.some((mount: any) => mount.name === volume.name && mount.mountPath === "/etc/kubernetes"));
                        });
                    }
                });

                describe("cert-manager and the certificates", () => {
                    if (cloud === "aws") {
                        it("solves DNS-01 as its own Pod Identity role: _acme-challenge TXT records of the zone only, and change status", async () => {
                            const plan = await planOf(stack, cloud);
                            const zoneArn = String(simulated(resourceOf(plan, types.awsZone)).state["arn"]);
                            const { policy, boundary } = podRole(plan, "cert-manager", "cert-manager");
                            const statements = statementsOf(policy);
                            const changing = statements.filter((statement) => list(statement.Action).includes("route53:ChangeResourceRecordSets"));
                            assert.equal(changing.length, 1);
                            assert.deepEqual(list(changing[0]!.Resource), [zoneArn]);
                            assert.deepEqual(changing[0]!.Condition, {
                                "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
                                "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
                            });
                            assert.ok(allows(policy, "route53:GetChange", "arn:aws:route53:::change/C123"));
                            assert.ok(statements.every((statement) => !list(statement.Resource).includes("*")), "nothing on \"*\"");
                            for (const action of statements.flatMap((statement) => list(statement.Action))) {
                                assert.ok(allows(boundary.inputs["policy"], action), `the workload boundary leaves ${action}`);
                            }
                        });
                    } else {
                        it("solves DNS-01 as its own federated identity, DNS Zone Contributor on the zone only, labelled for workload identity", async () => {
                            const plan = await planOf(stack, cloud);
                            const { identity, grants } = zoneWriter(plan, "cert-manager", "cert-manager");
                            const zoneId = simulated(resourceOf(plan, types.azureZone)).id;
                            assert.deepEqual(grants, [[azureRoles.dnsZoneContributor, zoneId]]);
                            const values = release(plan, "cert-manager").inputs["values"];
                            assert.equal(values.podLabels[workloadIdentityLabel], "true");
                            const solver = inputsOf(plan, types.clusterIssuer)["spec"].acme.solvers[0].dns01.azureDNS;
                            assert.equal(solver.managedIdentity.clientID, identity.state["clientId"]);
                        });
                    }

                    it(`keeps the letsencrypt ClusterIssuer on the ${stack === "dev" ? "staging" : "production"} CA, DNS-01 in the zone and HTTP-01 through the gateway`, async () => {
                        const plan = await planOf(stack, cloud);
                        const issuer = resourceOf(plan, types.clusterIssuer).inputs;
                        assert.equal(issuer["metadata"].name, "letsencrypt");
                        const acme = issuer["spec"].acme;
                        assert.equal(new URL(acme.server).hostname, stack === "dev" ? letsEncrypt.staging : letsEncrypt.production);
                        const solvers: any[] = acme.solvers;
                        const dns01 = solvers.filter((solver) => solver.dns01);
                        assert.equal(dns01.length, 1);
                        assert.deepEqual(dns01[0].selector, { dnsZones: [zone] });
                        if (cloud === "aws") {
                            const hosted = simulated(resourceOf(plan, types.awsZone)).state;
                            assert.deepEqual(dns01[0].dns01.route53, { region: plan.outputs["region"], hostedZoneID: hosted["zoneId"] });
                        } else {
                            const hosted = resourceOf(plan, types.azureZone).inputs;
                            const solver = dns01[0].dns01.azureDNS;
                            assert.deepEqual([solver.hostedZoneName, solver.resourceGroupName, solver.subscriptionID], [zone, hosted["resourceGroupName"], mockSubscriptionId]);
                        }
                        assertHttp01ThroughGateway(plan, solvers);
                    });

                    it(`issues the wildcard certificate for ${zone} and *.${zone} into the secret the HTTPS listeners serve`, async () => {
                        const plan = await planOf(stack, cloud);
                        const certificate = resourceOf(plan, types.certificate).inputs["spec"];
                        assert.deepEqual([...certificate.dnsNames].sort(), [zone, `*.${zone}`].sort());
                        assert.deepEqual(certificate.issuerRef, { kind: "ClusterIssuer", name: resourceOf(plan, types.clusterIssuer).inputs["metadata"].name });
                        const { https } = sharedGateway(plan);
                        for (const listener of https) {
                            assert.ok(certificate.dnsNames.includes(listener.hostname), `the certificate covers ${listener.hostname}`);
                            assert.equal(listener.tls.certificateRefs[0].name, certificate.secretName);
                        }
                        assert.deepEqual(resourcesOf(plan, types.issuer), [], "no self-signed fallback with a zone");
                    });
                });

                describe("NetworkPolicies", () => {
                    const proxies = "envoy-gateway-system";

                    it("let the gateway's proxies, and no other platform namespace, into the workload namespaces", async () => {
                        const plan = await planOf(stack, cloud);
                        assert.equal(release(plan, "envoy-gateway").inputs["namespace"], proxies, "Envoy Gateway runs the proxies in its own namespace");
                        for (const workload of plan.outputs["workloadNamespaces"] as string[]) {
                            assertDefaultDeny(plan, workload);
                            assert.ok(admits(plan, workload, "ingress", { namespace: proxies }, 8080), `${workload} admits the proxies`);
                            for (const other of ["gateway", "cert-manager", "external-dns", "default"]) {
                                assert.ok(!admits(plan, workload, "ingress", { namespace: other }, 8080), `${workload} does not admit ${other}`);
                            }
                            assert.ok(!admits(plan, workload, "ingress", internet, 8080), `${workload} is not reachable from the internet`);
                        }
                    });

                    it("let the internet reach the proxies on 10080/10443 only, and the proxies reach the workloads and the HTTP-01 solvers", async () => {
                        const plan = await planOf(stack, cloud);
                        assertDefaultDeny(plan, proxies);
                        for (const port of [10080, 10443]) {
                            assert.ok(admits(plan, proxies, "ingress", internet, port), `public traffic on ${port}`);
                        }
                        for (const port of [80, 443, 8080, 18000]) {
                            assert.ok(!admits(plan, proxies, "ingress", internet, port), `no public traffic on ${port}`);
                        }
                        for (const workload of plan.outputs["workloadNamespaces"] as string[]) {
                            assert.ok(admits(plan, proxies, "egress", { namespace: workload }, 8080), `to ${workload}`);
                        }
                        const gatewayNamespace = sharedGateway(plan).namespace;
                        assert.ok(admits(plan, proxies, "egress", { namespace: gatewayNamespace }, 8089), "to cert-manager's HTTP-01 solvers");
                        assert.ok(!admits(plan, proxies, "egress", { namespace: gatewayNamespace }, 8080), "nothing else in the gateway's namespace");
                    });

                    it("let only the proxies into the gateway's namespace, on the HTTP-01 solver port", async () => {
                        const plan = await planOf(stack, cloud);
                        const gatewayNamespace = sharedGateway(plan).namespace;
                        assertDefaultDeny(plan, gatewayNamespace);
                        assert.ok(admits(plan, gatewayNamespace, "ingress", { namespace: proxies }, 8089));
                        assert.ok(!admits(plan, gatewayNamespace, "ingress", { namespace: proxies }, 8080));
                        assert.ok(!admits(plan, gatewayNamespace, "ingress", { namespace: "api" }, 8089));
                        assert.ok(!admits(plan, gatewayNamespace, "ingress", internet, 8089));
                    });

                    it("let cert-manager ask authoritative name servers (DNS-01 propagation checks) and external-dns reach the DNS API", async () => {
                        const plan = await planOf(stack, cloud);
                        assertDefaultDeny(plan, "cert-manager");
                        for (const protocol of ["UDP", "TCP"]) {
                            assert.ok(admits(plan, "cert-manager", "egress", { address: "198.51.100.53" }, 53, protocol), `DNS over ${protocol} to the internet`);
                        }
                        assertDefaultDeny(plan, "external-dns");
                        assert.ok(admits(plan, "external-dns", "egress", { address: "198.51.100.80" }, 443));
                        assert.ok(!admits(plan, "external-dns", "egress", { address: "169.254.169.254" }, 443), "never the instance metadata service");
                        assert.ok(!admits(plan, "external-dns", "ingress", internet, 7979));
                    });
                });
            });
        }
    }

    describe("with a parent zone in the same account or subscription", () => {
        for (const cloud of cloudNames) {
            it(`delegates the zone from its parent on ${cloud}: an NS record listing the zone's name servers`, async () => {
                const parentZone = "platform.example.com";
                const plan = await planWith({
                    stack: "dev",
                    cloud,
                    configOverrides: { "platform:dns": { zone: zoneOf("dev"), parentZone, azure: { parentResourceGroup: "rg-dns" } } },
                });
                if (cloud === "aws") {
                    const record = resourceOf(plan, types.awsRecord).inputs;
                    assert.deepEqual([record["name"], record["type"]], [zoneOf("dev"), "NS"]);
                    assert.deepEqual(record["records"], plan.outputs["dnsNameServers"]);
                    assert.notEqual(record["zoneId"], simulated(resourceOf(plan, types.awsZone)).state["zoneId"], "in the parent zone, not its own");
                } else {
                    const record = resourceOf(plan, types.azureRecordSet).inputs;
                    assert.deepEqual([record["zoneName"], record["resourceGroupName"], record["relativeRecordSetName"], record["recordType"]], [parentZone, "rg-dns", "dev", "NS"]);
                    assert.deepEqual(record["nsRecords"].map((entry: any) => entry.nsdname), plan.outputs["dnsNameServers"]);
                }
            });
        }

        it("leaves writing in the parent zone to an administrator: the AWS CI deploy role may read the delegation, not change records", async () => {
            const plan = await planWith({ stack: "dev", cloud: "aws", configOverrides: { "platform:dns": { zone: zoneOf("dev"), parentZone: "platform.example.com" } } });
            const parentZoneArn = `arn:aws:route53:::hostedzone/${resourceOf(plan, types.awsRecord).inputs["zoneId"]}`;
            const ownZoneArn = String(simulated(resourceOf(plan, types.awsZone)).state["arn"]);
            const deployPolicies = resourcesOf(plan, types.awsPolicy).filter((policy) => /-ci-deploy-/.test(String(policy.inputs["name"])));
            assert.ok(deployPolicies.length > 0);
            const granted = (action: string, resource: string) => deployPolicies.some((policy) => allows(policy.inputs["policy"], action, resource));
            assert.ok(granted("route53:CreateHostedZone", "*"), "the deploy role creates the stack's zone");
            for (const zoneArn of [parentZoneArn, ownZoneArn]) {
                assert.ok(granted("route53:ListResourceRecordSets", zoneArn), "a refresh reads the records");
                assert.ok(!granted("route53:ChangeResourceRecordSets", zoneArn), "CI never rewrites DNS records (README: the first up is an administrator's)");
            }
        });
    });

    describe("without platform:dns", () => {
        for (const cloud of cloudNames) {
            for (const stack of ["dev", "prod"] as const) {
                describe(`${stack} on ${cloud}`, () => {
                    let plan: PlanReport;
                    before(async () => {
                        plan = await planWith({ stack, cloud, configOverrides: { "platform:dns": undefined } });
                    });

                    it("creates no zone, no external-dns and no zone-writing identity", () => {
                        assert.deepEqual(resourcesOf(plan, cloud === "aws" ? types.awsZone : types.azureZone), []);
                        assert.ok(!hasRelease(plan, "external-dns"));
                        assert.ok(!resourcesOf(plan, types.namespace).some((resource) => resource.inputs["metadata"]?.name === "external-dns"));
                        if (cloud === "aws") {
                            const accounts = resourcesOf(plan, types.podIdentity).map((entry) => `${entry.inputs["namespace"]}/${entry.inputs["serviceAccount"]}`);
                            assert.ok(!accounts.includes("external-dns/external-dns") && !accounts.includes("cert-manager/cert-manager"), accounts.join(", "));
                        } else {
                            const subjects = resourcesOf(plan, types.federatedCredential).map((entry) => entry.inputs["subject"]);
                            assert.ok(!subjects.some((subject) => /:(external-dns|cert-manager):/.test(subject)), subjects.join(", "));
                            assert.deepEqual(resourcesOf(plan, types.roleAssignment).filter((entry) => String(entry.inputs["roleDefinitionId"]).endsWith(azureRoles.dnsZoneContributor)), []);
                            assert.equal(release(plan, "cert-manager").inputs["values"].podLabels, undefined, "no workload identity for cert-manager");
                        }
                        assert.equal(plan.outputs["dnsZone"], undefined);
                        assert.equal(plan.outputs["dnsNameServers"], undefined);
                    });

                    it("serves a self-signed certificate on a single HTTPS listener without hostname", () => {
                        const { https, http, namespace } = sharedGateway(plan);
                        assert.equal(https.length, 1);
                        assert.equal(https[0]!.hostname, undefined, "any host: the load balancer's address");
                        assert.deepEqual(http.allowedRoutes, { namespaces: { from: "Same" } });
                        const issuer = object(plan, types.issuer, resourceOf(plan, types.issuer).inputs["metadata"].name, namespace).inputs;
                        assert.deepEqual(issuer["spec"], { selfSigned: {} });
                        const certificate = resourceOf(plan, types.certificate).inputs;
                        assert.equal(certificate["metadata"].namespace, namespace);
                        assert.deepEqual(certificate["spec"].issuerRef, { kind: "Issuer", name: issuer["metadata"].name });
                        assert.equal(certificate["spec"].dnsNames, undefined);
                        assert.deepEqual(https[0]!.tls.certificateRefs, [{ kind: "Secret", name: certificate["spec"].secretName }]);
                        assert.deepEqual(plan.policy.filter((violation) => edgeRuleNames.includes(violation.rule)), [], "still TLS: no edge rule objects");
                    });

                    it("keeps the letsencrypt ClusterIssuer, with the HTTP-01 gateway solver only", () => {
                        const issuer = resourceOf(plan, types.clusterIssuer).inputs;
                        assert.equal(issuer["metadata"].name, "letsencrypt");
                        assert.equal(plan.outputs["certificateIssuer"], "letsencrypt");
                        assert.equal(issuer["spec"].acme.solvers.length, 1);
                        assertHttp01ThroughGateway(plan, issuer["spec"].acme.solvers);
                    });

                    it("says in the plan that the gateway answers on its load balancer's address", () => {
                        const notes = plan.warnings.filter((warning) => warning.startsWith("platform:dns:"));
                        assert.equal(notes.length, 1, plan.warnings.join("\n"));
                        assert.match(notes[0]!, /gateway answers only on its load balancer's address/);
                        if (cloud === "azure") {
                            assert.equal(plan.outputs["gatewayAddress"], simulated(resourceOf(plan, types.publicIp, "kubernetes-bindings-gateway-ip")).state["ipAddress"]);
                        }
                    });
                });
            }
        }
    });
});

/** The http01 solver: an HTTPRoute on the shared gateway's HTTP section, the only one that takes plain HTTP. */
function assertHttp01ThroughGateway(plan: PlanReport, solvers: any[]): void {
    const http01 = solvers.filter((solver) => solver.http01);
    assert.equal(http01.length, 1);
    assert.equal(http01[0].selector, undefined, "any host the DNS-01 solver does not take");
    const gateway = sharedGateway(plan);
    assert.deepEqual(http01[0].http01.gatewayHTTPRoute.parentRefs, [{ kind: "Gateway", name: gateway.name, namespace: gateway.namespace, sectionName: gateway.http.name }]);
}

/** The Azure identity federated with `namespace/serviceAccount` of this cluster, and its role assignments as [role, scope]. */
function zoneWriter(plan: PlanReport, namespace: string, serviceAccount: string) {
    const credentials = resourcesOf(plan, types.federatedCredential).filter((entry) => entry.inputs["subject"] === `system:serviceaccount:${namespace}:${serviceAccount}`);
    assert.equal(credentials.length, 1, `one federated credential for ${namespace}/${serviceAccount}`);
    const credential = credentials[0]!.inputs;
    assert.equal(credential["issuer"], plan.outputs["oidcIssuerUrl"], "tokens of this cluster only");
    assert.deepEqual(credential["audiences"], ["api://AzureADTokenExchange"]);
    const identities = resourcesOf(plan, types.identity).map(simulated).filter((identity) => identity.state["name"] === credential["resourceName"]);
    assert.equal(identities.length, 1);
    const identity = identities[0]!;
    const grants = resourcesOf(plan, types.roleAssignment)
        .filter((entry) => entry.inputs["principalId"] === identity.state["principalId"])
        .map((entry) => [String(entry.inputs["roleDefinitionId"]).split("/").pop(), entry.inputs["scope"]]);
    return { identity, grants };
}
