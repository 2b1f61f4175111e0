import assert from "node:assert/strict";
import { globMatches } from "../../policy/rules/identity.ts";
import type { PlanReport } from "../../tools/offline/evaluate.ts";
import { cloudNames, expected, inputsOf, planOf, planWith, resourceOf, resourcesOf, type CloudName } from "../support/plans.ts";
import { stacks, stackValue, type StackName } from "../support/stack-config.ts";

const release = "kubernetes:helm.sh/v3:Release";
const networkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const roleBinding = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const quota = "kubernetes:core/v1:ResourceQuota";
const secretStore = "kubernetes:external-secrets.io/v1:SecretStore";
const issuer = "kubernetes:cert-manager.io/v1:ClusterIssuer";

/** The stack files' values, per environment. */
const want = {
    dev: { retention: { metrics: 3, logs: 3, traces: 2 }, storage: { metrics: 20, logs: 20, traces: 10 }, quota: { cpu: 4, memoryGiB: 8, pods: 40 }, role: "edit", acme: "acme-staging-v02" },
    staging: { retention: { metrics: 7, logs: 7, traces: 3 }, storage: { metrics: 50, logs: 50, traces: 20 }, quota: { cpu: 8, memoryGiB: 16, pods: 60 }, role: "view", acme: "acme-v02" },
    prod: { retention: { metrics: 30, logs: 30, traces: 7 }, storage: { metrics: 200, logs: 200, traces: 100 }, quota: { cpu: 16, memoryGiB: 32, pods: 100 }, role: "view", acme: "acme-v02" },
} as const;

/** Releases each cloud installs with every switch on; AKS runs its own metrics-server and autoscaler. */
const releasesOn: Record<CloudName, string[]> = {
    aws: [
        "alloy", "aws-load-balancer-controller", "cert-manager", "cluster-autoscaler", "envoy-gateway", "external-dns", "external-secrets", "jaeger",
        "keda", "kube-prometheus-stack", "loki", "metrics-server",
    ],
    azure: ["alloy", "cert-manager", "envoy-gateway", "external-dns", "external-secrets", "jaeger", "keda", "kube-prometheus-stack", "loki"],
};
/** The EKS Pod Identity agent's link-local address: workloads have identities of their own on AWS. */
const podIdentityAgent = { cidr: "169.254.170.23/32", port: 80 };
const workloadNamespaces = ["api", "worker"];
const awsDeveloperRole = "arn:aws:iam::111122223333:role/platform-developers";
const azureDeveloperGroup = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
/** Every secret a stack with monitoring on holds, and those workloads may read through External Secrets. */
const allSecrets = ["openai-api-key", "anthropic-api-key", "postgres-admin-password", "postgres-app-password", "redis-password", "grafana-admin-password"];
const applicationSecrets = ["openai-api-key", "anthropic-api-key", "postgres-app-password", "redis-password"];


function releaseNames(plan: PlanReport): string[] {
    return resourcesOf(plan, release).map((resource) => resource.inputs["name"]).sort();
}

function values(plan: PlanReport, releaseName: string): Record<string, any> {
    return inputsOf(plan, release, `kubernetes-${releaseName}`)["values"];
}

function planWithout(stack: StackName, cloud: CloudName, addon: string): Promise<PlanReport> {
    return planWith({ stack, cloud, configOverrides: { "platform:kubernetes": stackValue(stack, "kubernetes", (kubernetes) => (kubernetes["addons"][addon] = false)) } });
}

describe("kubernetes platform layer", () => {
    for (const stack of stacks) {
        const env = want[stack];
        for (const cloud of cloudNames) {
            describe(`${stack} on ${cloud}`, () => {
                it("installs every switched-on add-on from its repository at an exact pinned version, atomically", async () => {
                    const plan = await planOf(stack, cloud);
                    assert.deepEqual(releaseNames(plan), releasesOn[cloud]);
                    for (const resource of resourcesOf(plan, release)) {
                        const inputs = resource.inputs;
                        assert.match(inputs["version"], /^v?\d+\.\d+\.\d+$/, `${inputs["name"]} is pinned`);
                        // An OCI chart names its registry itself.
                        assert.match(inputs["repositoryOpts"]?.repo ?? inputs["chart"], /^(https|oci):\/\//);
                        assert.equal(inputs["atomic"], true);
                    }
                    // KEDA, from its project's chart repository, in a namespace of its own.
                    const keda = inputsOf(plan, release, "kubernetes-keda");
                    assert.deepEqual([keda["chart"], keda["repositoryOpts"]?.repo, keda["version"], keda["namespace"]], ["keda", "https://kedacore.github.io/charts", "2.21.1", "keda"]);
                    // Plus the Gateway API CRDs, applied object by object rather than as a release.
                    assert.deepEqual(Object.keys(plan.outputs["kubernetesAddons"] as object).sort(), [...releasesOn[cloud], "gateway-api-crds"].sort());
                });

                it("keeps metrics, logs and traces for the configured days on the platform storage class", async () => {
                    const plan = await planOf(stack, cloud);
                    const prometheus = values(plan, "kube-prometheus-stack")["prometheus"]["prometheusSpec"];
                    assert.equal(prometheus.retention, `${env.retention.metrics}d`);
                    const claim = prometheus.storageSpec.volumeClaimTemplate.spec;
                    assert.deepEqual([claim.storageClassName, claim.resources.requests.storage], ["platform-ssd", `${env.storage.metrics}Gi`]);
                    const loki = values(plan, "loki");
                    assert.equal(loki["loki"].limits_config.retention_period, `${env.retention.logs * 24}h`);
                    assert.equal(loki["loki"].compactor.retention_enabled, true);
                    assert.deepEqual([loki["singleBinary"].persistence.storageClass, loki["singleBinary"].persistence.size], ["platform-ssd", `${env.storage.logs}Gi`]);
                    const traces = inputsOf(plan, "kubernetes:core/v1:PersistentVolumeClaim", "kubernetes-jaeger-badger");
                    assert.equal(traces["spec"].resources.requests.storage, `${env.storage.traces}Gi`);
                    assert.equal(resourceOf(plan, "kubernetes:core/v1:PersistentVolumeClaim", "kubernetes-jaeger-badger").protect, expected[stack].protect);
                });

                it("provisions zone-safe encrypted volumes that outlive their claims outside dev", async () => {
                    const plan = await planOf(stack, cloud);
                    const storageClass = inputsOf(plan, "kubernetes:storage.k8s.io/v1:StorageClass");
                    assert.equal(storageClass["reclaimPolicy"], expected[stack].protect ? "Retain" : "Delete");
                    assert.equal(storageClass["volumeBindingMode"], "WaitForFirstConsumer");
                    assert.deepEqual(
                        [storageClass["provisioner"], storageClass["parameters"]],
                        cloud === "aws" ? ["ebs.csi.aws.com", { type: "gp3", encrypted: "true" }] : ["disk.csi.azure.com", { skuName: "Premium_ZRS" }],
                    );
                });

                it("issues certificates from Let's Encrypt, staging CA in dev, answering HTTP-01 through the gateway", async () => {
                    const plan = await planOf(stack, cloud);
                    const acme = inputsOf(plan, issuer)["spec"].acme;
                    assert.match(acme.server, new RegExp(`^https://${env.acme}\\.api\\.letsencrypt\\.org/directory$`));
                    assert.equal(acme.email, "platform-team@example.com");
                    assert.deepEqual(acme.solvers.at(-1), { http01: { gatewayHTTPRoute: { parentRefs: [{ name: "platform", namespace: "gateway", kind: "Gateway", sectionName: "http" }] } } });
                });

                it("gives every workload namespace its quota, limit range, restricted pod security and default-deny policies", async () => {
                    const plan = await planOf(stack, cloud);
                    for (const namespace of workloadNamespaces) {
                        const labels = inputsOf(plan, "kubernetes:core/v1:Namespace", `kubernetes-ns-${namespace}`)["metadata"].labels;
                        assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
                        const hard = inputsOf(plan, quota, `kubernetes-${namespace}-quota`)["spec"].hard;
                        assert.deepEqual(
                            [hard["requests.cpu"], hard["requests.memory"], hard["pods"], hard["services.loadbalancers"]],
                            [String(env.quota.cpu), `${env.quota.memoryGiB}Gi`, String(env.quota.pods), "0"],
                        );
                        assert.equal(inputsOf(plan, "kubernetes:core/v1:LimitRange", `kubernetes-${namespace}-limits`)["metadata"].namespace, namespace);
                        const policies = resourcesOf(plan, networkPolicy).filter((policy) => policy.inputs["metadata"].namespace === namespace);
                        // On AWS, pods reach the Pod Identity agent for their own role's credentials; AKS needs no such egress.
                        assert.deepEqual(policies.map((policy) => policy.inputs["metadata"].name).sort(), [
                            ...(cloud === "aws" ? ["allow-cloud-credentials"] : []), "allow-data-services", "allow-dns", "allow-from-gateway", "allow-from-monitoring",
                            "allow-https-egress", "allow-same-namespace", "allow-tracing-egress", "default-deny",
                        ]);
                        if (cloud === "aws") {
                            const credentials = policies.find((policy) => policy.inputs["metadata"].name === "allow-cloud-credentials")!.inputs["spec"];
                            assert.deepEqual(credentials, {
                                podSelector: {},
                                policyTypes: ["Egress"],
                                egress: [{ to: [{ ipBlock: { cidr: podIdentityAgent.cidr } }], ports: [{ protocol: "TCP", port: podIdentityAgent.port }] }],
                            }, "only the agent's address and port");
                        }
                        const dataServices = policies.find((policy) => policy.inputs["metadata"].name === "allow-data-services")!.inputs["spec"].egress[0];
                        assert.deepEqual(dataServices.to, [{ ipBlock: { cidr: plan.outputs["networkCidr"] } }]);
                        // Azure Managed Redis in OSS-cluster mode (prod) redirects clients to node ports 8500-8599.
                        const clusterPorts = cloud === "azure" && plan.outputs["cacheClustered"] ? [{ protocol: "TCP", port: 8500, endPort: 8599 }] : [];
                        // The built-in PgBouncer listens on its own port (6432); RDS Proxy on the database's.
                        const pooler = plan.outputs["databasePooler"] as { port: number } | undefined;
                        const poolerPorts = pooler && pooler.port !== plan.outputs["databasePort"] ? [{ protocol: "TCP", port: pooler.port }] : [];
                        assert.deepEqual(dataServices.ports, [
                            { protocol: "TCP", port: plan.outputs["databasePort"] },
                            ...poolerPorts,
                            { protocol: "TCP", port: plan.outputs["cachePort"] },
                            ...clusterPorts,
                        ]);
                    }
                });

                it(`binds the developers' group to ${env.role} in every workload namespace`, async () => {
                    const plan = await planOf(stack, cloud);
                    const group = cloud === "aws" ? "platform-developers" : azureDeveloperGroup;
                    for (const namespace of workloadNamespaces) {
                        const binding = inputsOf(plan, roleBinding, `kubernetes-${namespace}-developers`);
                        assert.deepEqual(binding["roleRef"], { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: env.role });
                        assert.deepEqual(binding["subjects"], [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }]);
                    }
                    if (cloud === "aws") {
                        const entry = inputsOf(plan, "aws:eks/accessEntry:AccessEntry", "kubernetes-bindings-developer-0");
                        assert.deepEqual([entry["principalArn"], entry["kubernetesGroups"]], [awsDeveloperRole, ["platform-developers"]]);
                        assert.equal(resourcesOf(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((association) => association.parent === "kubernetes-bindings").length, 0, "no cluster-wide policy for developers");
                    } else {
                        const assignment = inputsOf(plan, "azure-native:authorization:RoleAssignment", "kubernetes-bindings-developer-0");
                        assert.deepEqual([assignment["principalId"], assignment["principalType"]], [azureDeveloperGroup, "Group"]);
                        assert.match(assignment["roleDefinitionId"], /4abbcc35-e782-43d8-92c5-2d3f1bd2253f$/, "Cluster User only fetches a kubeconfig");
                    }
                });

                it("gives each workload namespace its own store on the stack's application secrets, and no cluster-wide store", async () => {
                    const plan = await planOf(stack, cloud);
                    const stores = resourcesOf(plan, secretStore);
                    assert.deepEqual(stores.map((store) => [store.inputs["metadata"].namespace, store.inputs["metadata"].name]), workloadNamespaces.map((namespace) => [namespace, "platform-secrets"]));
                    assert.equal(resourcesOf(plan, "kubernetes:external-secrets.io/v1:ClusterSecretStore").length, 0, "a ClusterSecretStore would serve any namespace");
                    assert.equal(plan.outputs["secretStore"], "platform-secrets");
                    const spec = stores[0]!.inputs["spec"];
                    const operator = values(plan, "external-secrets");
                    assert.equal(operator["serviceAccount"].name, "external-secrets");
                    if (cloud === "aws") {
                        assert.deepEqual(spec.provider, { aws: { service: "SecretsManager", region: "eu-west-1" } });
                        const association = inputsOf(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "kubernetes-bindings-external-secrets");
                        assert.deepEqual([association["namespace"], association["serviceAccount"], association["clusterName"]], ["external-secrets", "external-secrets", plan.outputs["clusterName"]]);
                        const trust = JSON.parse(inputsOf(plan, "aws:iam/role:Role", "kubernetes-bindings-external-secrets")["assumeRolePolicy"]);
                        assert.deepEqual(trust.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
                        const policy = JSON.parse(inputsOf(plan, "aws:iam/rolePolicy:RolePolicy", "kubernetes-bindings-external-secrets")["policy"]);
                        const secrets = policy.Statement.find((statement: { Action: unknown }) => Array.isArray(statement.Action) && statement.Action.includes("secretsmanager:GetSecretValue"));
                        const refs = plan.outputs["secretRefs"] as Record<string, string>;
                        assert.deepEqual(Object.keys(refs).sort(), [...allSecrets].sort());
                        // The application secrets, named one by one; admin credentials (Postgres, Grafana) never.
                        assert.equal(secrets.Resource.length, applicationSecrets.length, "this stack's secrets, named one by one");
                        for (const name of allSecrets) {
                            const granted = secrets.Resource.some((pattern: string) => globMatches(pattern, refs[name]!));
                            assert.equal(granted, applicationSecrets.includes(name), `the grant ${applicationSecrets.includes(name) ? "covers" : "leaves out"} ${name}`);
                        }
                        const decrypt = policy.Statement.find((statement: { Action: unknown }) => statement.Action === "kms:Decrypt");
                        assert.equal(decrypt.Resource, plan.outputs["secretsStoreId"]);
                        assert.equal(decrypt.Condition.StringEquals["kms:ViaService"], "secretsmanager.eu-west-1.amazonaws.com");
                    } else {
                        assert.equal(spec.provider.azurekv.authType, "WorkloadIdentity");
                        assert.equal(spec.provider.azurekv.serviceAccountRef, undefined, "the operator signs in with its own federated token");
                        assert.match(spec.provider.azurekv.vaultUrl, /^https:\/\/kv-platform-.*\.vault\.azure\.net\/$/);
                        const credential = inputsOf(plan, "azure-native:managedidentity:FederatedIdentityCredential", "kubernetes-bindings-external-secrets");
                        assert.equal(credential["issuer"], plan.outputs["oidcIssuerUrl"]);
                        assert.equal(credential["subject"], "system:serviceaccount:external-secrets:external-secrets");
                        assert.deepEqual(credential["audiences"], ["api://AzureADTokenExchange"]);
                        // The same set as on AWS, secret by secret, each once it exists.
                        const assignments = resourcesOf(plan, "azure-native:authorization:RoleAssignment").filter((entry) => entry.name.startsWith("kubernetes-bindings-external-secrets"));
                        assert.deepEqual(assignments.map((entry) => entry.inputs["scope"]).sort(), applicationSecrets.map((name) => `${plan.outputs["secretsStoreId"]}/secrets/${name}`).sort());
                        for (const { inputs, dependsOn } of assignments) {
                            assert.match(inputs["roleDefinitionId"], /4633458b-17de-408a-b874-0445c86b69e6$/, "Key Vault Secrets User: read, never write");
                            assert.ok(dependsOn.some((dependency) => inputs["scope"].endsWith(`/secrets/${dependency.replace(/^secrets-/, "")}`)), `${inputs["scope"]} is assigned after the secret exists`);
                        }
                        assert.deepEqual(Object.keys(plan.outputs["secretRefs"] as object).sort(), [...allSecrets].sort());
                        assert.equal(operator["serviceAccount"].annotations["azure.workload.identity/client-id"].length, 36);
                        assert.equal(operator["podLabels"]["azure.workload.identity/use"], "true");
                    }
                });
            });
        }
    }

    describe("switching add-ons off in the stack file", () => {
        it("loki off: no Loki, no log collector, no Loki data source in Grafana", async () => {
            const plan = await planWithout("dev", "aws", "loki");
            assert.deepEqual(releaseNames(plan), releasesOn.aws.filter((name) => name !== "loki" && name !== "alloy"));
            const sources = values(plan, "kube-prometheus-stack")["grafana"].additionalDataSources.map((source: { type: string }) => source.type);
            assert.deepEqual(sources, ["jaeger"]);
        });

        it("jaeger off: no Jaeger, no trace volume, no tracing egress", async () => {
            const plan = await planWithout("staging", "azure", "jaeger");
            assert.ok(!releaseNames(plan).includes("jaeger"));
            assert.equal(resourcesOf(plan, "kubernetes:core/v1:PersistentVolumeClaim").length, 0);
            assert.ok(resourcesOf(plan, networkPolicy).every((policy) => policy.inputs["metadata"].name !== "allow-tracing-egress"));
        });

        for (const cloud of cloudNames) {
            it(`external secrets off on ${cloud}: no operator, no cluster store, no cloud identity`, async () => {
                const plan = await planWithout("prod", cloud, "externalSecrets");
                assert.ok(!releaseNames(plan).includes("external-secrets"));
                assert.equal(resourcesOf(plan, secretStore).length, 0);
                assert.equal(plan.outputs["secretStore"], undefined);
                const identities = plan.resources.filter((resource) => resource.name.startsWith("kubernetes-bindings-external-secrets"));
                assert.deepEqual(identities, []);
            });
        }

        it("monitoring off: no Prometheus stack, no Grafana password, no ServiceMonitors in other charts", async () => {
            const plan = await planWithout("dev", "azure", "monitoring");
            assert.ok(!releaseNames(plan).includes("kube-prometheus-stack"));
            assert.equal(resourcesOf(plan, "random:index/randomPassword:RandomPassword").filter((resource) => resource.name.includes("grafana")).length, 0);
            assert.ok(!("grafana-admin-password" in (plan.outputs["secretRefs"] as object)));
            assert.equal(inputsOf(plan, release, "kubernetes-edge-external-dns")["values"].serviceMonitor.enabled, false);
            assert.ok(resourcesOf(plan, networkPolicy).every((policy) => policy.inputs["metadata"].name !== "allow-from-monitoring"));
        });

        it("cluster autoscaler off on AWS: no release and no IAM role for it", async () => {
            const plan = await planWithout("prod", "aws", "clusterAutoscaler");
            assert.ok(!releaseNames(plan).includes("cluster-autoscaler"));
            assert.equal(plan.resources.filter((resource) => resource.name === "kubernetes-bindings-cluster-autoscaler").length, 0);
        });

        for (const cloud of cloudNames) {
            it(`keda off on ${cloud}: no release, no namespace policies and no cloud identity for it`, async () => {
                const plan = await planWithout("prod", cloud, "keda");
                assert.deepEqual(releaseNames(plan), releasesOn[cloud].filter((name) => name !== "keda"));
                assert.deepEqual(resourcesOf(plan, networkPolicy).filter((policy) => policy.inputs["metadata"].namespace === "keda"), []);
                assert.deepEqual(plan.resources.filter((resource) => resource.name.startsWith("kubernetes-bindings-keda")).map((resource) => resource.type), []);
            });
        }

        it("gateway and cert-manager off (and so no zone): no issuer, no load balancer controller and no allowance from the gateway", async () => {
            const plan = await planWith({
                stack: "dev",
                cloud: "aws",
                configOverrides: {
                    "platform:dns": undefined,
                    "platform:kubernetes": stackValue("dev", "kubernetes", (kubernetes) => Object.assign(kubernetes["addons"], { gateway: false, certManager: false })),
                },
            });
            for (const name of ["envoy-gateway", "cert-manager", "aws-load-balancer-controller", "external-dns"]) {
                assert.ok(!releaseNames(plan).includes(name), name);
            }
            assert.equal(resourcesOf(plan, issuer).length, 0);
            assert.equal(plan.resources.filter((resource) => resource.name === "kubernetes-bindings-load-balancer-controller").length, 0);
            assert.ok(resourcesOf(plan, networkPolicy).every((policy) => policy.inputs["metadata"].name !== "allow-from-gateway"));
        });
    });

    it("creates no RoleBinding without developer identities on Azure, where groups are object ids", async () => {
        const plan = await planWith({
            stack: "dev",
            cloud: "azure",
            configOverrides: { "platform:kubernetes": stackValue("dev", "kubernetes", (kubernetes) => (kubernetes["developers"]["azure"] = { groupObjectIds: [] })) },
        });
        assert.equal(resourcesOf(plan, roleBinding).length, 0);
    });
});
