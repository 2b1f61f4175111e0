import assert from "node:assert/strict";
import {
    addonEndpoints, addonProfile, addonValues, autoscalerImageTag, charts, jaegerVolumeClaim, lokiTenant,
    mergeValues, type AddonName, type AddonValuesInput,
} from "../../components/kubernetes/addon-values.ts";
import { logCollectorChart, logCollectorValues } from "../../components/kubernetes/log-collector.ts";
import { addonServiceAccounts, type AddonSwitches } from "../../components/kubernetes/kubernetes.ts";
import type { EnvironmentName } from "../../config/schema.ts";

const environments: EnvironmentName[] = ["dev", "staging", "prod"];
const addons = Object.keys(charts) as AddonName[];
const allOn: AddonSwitches = {
    certManager: true, gateway: true, metricsServer: true, clusterAutoscaler: true,
    monitoring: true, loki: true, jaeger: true, externalSecrets: true, keda: true,
};
const observability = {
    metricsRetentionDays: 30, metricsStorageGiB: 200,
    logsRetentionDays: 14, logsStorageGiB: 150,
    tracesRetentionDays: 7, tracesStorageGiB: 50,
};

function input(environment: EnvironmentName, overrides: Partial<AddonValuesInput> = {}): AddonValuesInput {
    return {
        environment,
        kubernetesVersion: "1.35",
        observability,
        enabled: allOn,
        storageClassName: "platform-ssd",
        externalSecrets: { serviceAccountAnnotations: { "azure.workload.identity/client-id": "0000-1111" }, podLabels: { "azure.workload.identity/use": "true" } },
        grafanaAdminSecret: "grafana-admin",
        kubeProxy: true,
        ...overrides,
    };
}

function get(values: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);
}

/** Every [path, value] whose key matches, at any depth. */
function find(values: unknown, key: RegExp, path = ""): [string, unknown][] {
    if (values === null || typeof values !== "object") {
        return [];
    }
    return Object.entries(values).flatMap(([name, value]) => [
        ...(key.test(name) ? [[`${path}${name}`, value] as [string, unknown]] : []),
        ...find(value, key, `${path}${name}.`),
    ]);
}

describe("add-on catalog", () => {
    it("pins every chart to an exact version from an https repository or an OCI registry", () => {
        for (const addon of addons) {
            const chart = charts[addon];
            assert.match(chart.version, /^v?\d+\.\d+\.\d+$/, `${addon} is pinned to "${chart.version}"`);
            if (chart.repo) {
                assert.match(chart.repo, /^https:\/\//, addon);
                assert.doesNotMatch(chart.chart, /:\/\//, `${addon} names its chart inside the repository`);
            } else {
                // An OCI chart names its registry itself, and there is no repository to point at.
                assert.match(chart.chart, /^oci:\/\/[^/]+\/.+/, `${addon} has neither an https repository nor an OCI reference`);
            }
            assert.ok(chart.releaseName && chart.chart, addon);
        }
        assert.equal(charts.gateway.chart, "oci://docker.io/envoyproxy/gateway-helm");
    });

    it("installs each add-on in its namespace, where the cloud identities expect the service accounts", () => {
        const namespaces = Object.fromEntries(addons.map((addon) => [addon, charts[addon].namespace]));
        assert.deepEqual(namespaces, {
            certManager: "cert-manager", gateway: "envoy-gateway-system", metricsServer: "kube-system", clusterAutoscaler: "kube-system",
            monitoring: "monitoring", loki: "monitoring", jaeger: "monitoring", externalSecrets: "external-secrets", keda: "keda",
        });
        assert.equal(charts.externalSecrets.namespace, addonServiceAccounts.externalSecrets.namespace);
        assert.equal(charts.clusterAutoscaler.namespace, addonServiceAccounts.clusterAutoscaler.namespace);
    });

    it("builds values for every add-on in every environment and rejects unknown ones", () => {
        for (const environment of environments) {
            for (const addon of addons) {
                assert.equal(typeof addonValues(addon, input(environment)), "object", `${addon} in ${environment}`);
            }
        }
        assert.throws(() => addonValues("traefik" as AddonName, input("dev")), /unknown add-on "traefik"; expected one of certManager/);
        assert.throws(() => addonProfile("qa" as EnvironmentName), /no add-on profile for environment "qa"/);
    });
});

describe("add-on profiles", () => {
    it("keeps dev small and single and makes prod highly available", () => {
        const dev = addonProfile("dev");
        const prod = addonProfile("prod");
        assert.deepEqual([dev.tier, dev.replicas, dev.disruptionBudgets, dev.spread], ["small", 1, false, false]);
        assert.equal(addonProfile("staging").replicas, 2);
        assert.deepEqual([prod.tier, prod.disruptionBudgets, prod.spread], ["standard", true, true]);
        assert.ok(prod.replicas >= 2 && prod.prometheusReplicas >= 2 && prod.alertmanagerReplicas >= 3);
        assert.ok(prod.gateway.max > prod.gateway.min && prod.gateway.min >= 3);
    });

    const replicaPaths: [AddonName, string[]][] = [
        ["certManager", ["replicaCount", "webhook.replicaCount", "cainjector.replicaCount"]],
        ["metricsServer", ["replicas"]],
        ["externalSecrets", ["replicaCount", "webhook.replicaCount", "certController.replicaCount"]],
    ];
    for (const environment of environments) {
        for (const [addon, paths] of replicaPaths) {
            it(`runs ${addon} with the ${environment} replica count`, () => {
                for (const path of paths) {
                    assert.equal(get(addonValues(addon, input(environment)), path), addonProfile(environment).replicas, path);
                }
            });
        }
    }

    /**
     * Whether a chart's podDisruptionBudget values create a budget that holds pods. Most charts
     * have an `enabled` switch; gateway-helm and KEDA's chart have none: they render a PDB only
     * when minAvailable or maxUnavailable is set (gateway-helm's
     * templates/envoy-gateway-poddisruptionbudget.yaml, read at v1.9.1; KEDA's per component under
     * `podDisruptionBudget.<component>`), so an empty or zero budget enforces nothing.
     */
    function budgetHolds(addon: AddonName, budget: unknown): boolean {
        const enabled = get(budget, "enabled");
        if (typeof enabled === "boolean") {
            return enabled;
        }
        assert.ok(addon === "gateway" || addon === "keda", `${addon}'s podDisruptionBudget has no enabled switch`);
        const [minAvailable, maxUnavailable] = [get(budget, "minAvailable") ?? 0, get(budget, "maxUnavailable") ?? 0];
        assert.ok(Number.isInteger(minAvailable) && Number.isInteger(maxUnavailable), `${addon} budget counts ${JSON.stringify(budget)}`);
        return (minAvailable as number) >= 1 || (maxUnavailable as number) >= 1;
    }

    /** KEDA's chart takes spread constraints per component (`topologySpreadConstraints.operator`, …). */
    function perComponent(found: [string, unknown][]): [string, unknown][] {
        return found.flatMap(([path, value]) => (Array.isArray(value) ? [[path, value] as [string, unknown]] : Object.entries(value as object).map(([key, nested]) => [`${path}.${key}`, nested] as [string, unknown])));
    }

    /** KEDA's chart takes a budget per component (`podDisruptionBudget.operator`, …). */
    function budgets(addon: AddonName, found: [string, unknown][]): [string, unknown][] {
        return addon === "keda" ? found.flatMap(([path, value]) => Object.entries(value as object).map(([key, nested]) => [`${path}.${key}`, nested] as [string, unknown])) : found;
    }

    it("creates no disruption budget or spread constraint in dev, and both everywhere in prod", () => {
        for (const addon of addons.filter((name) => name !== "clusterAutoscaler")) {
            const dev = addonValues(addon, input("dev"));
            const prod = addonValues(addon, input("prod"));
            for (const [path, budget] of budgets(addon, find(dev, /^podDisruptionBudget$/))) {
                assert.equal(budgetHolds(addon, budget), false, `${addon} ${path} in dev`);
            }
            for (const [path, constraints] of perComponent(find(dev, /^topologySpreadConstraints$/))) {
                assert.deepEqual(constraints, [], `${addon} ${path} in dev`);
            }
            for (const [path, budget] of budgets(addon, find(prod, /^podDisruptionBudget$/))) {
                assert.equal(budgetHolds(addon, budget), true, `${addon} ${path} in prod`);
            }
            for (const [path, constraints] of perComponent(find(prod, /^topologySpreadConstraints$/))) {
                const keys = (constraints as { topologyKey: string }[]).map((constraint) => constraint.topologyKey);
                assert.deepEqual(keys, ["topology.kubernetes.io/zone", "kubernetes.io/hostname"], `${addon} ${path} in prod`);
            }
        }
    });

    it("gives every sized workload requests and a memory limit, larger in prod", () => {
        for (const addon of addons) {
            // Pod resources, not the volume claims' storage requests.
            // KEDA's chart sizes each component under `resources.<component>`.
            const sized = (values: unknown) => find(values, /^resources$/)
                .flatMap(([path, value]) => (get(value, "requests.cpu") ? [[path, value] as const] : Object.entries(value as object).map(([key, nested]) => [`${path}.${key}`, nested] as const)))
                .filter(([, value]) => get(value, "requests.cpu"));
            const dev = sized(addonValues(addon, input("dev")));
            const prod = sized(addonValues(addon, input("prod")));
            assert.ok(dev.length > 0, addon);
            dev.forEach(([path, resources], index) => {
                assert.ok(get(resources, "requests.cpu") && get(resources, "requests.memory") && get(resources, "limits.memory"), `${addon} ${path}`);
                assert.notDeepEqual(resources, prod[index]![1], `${addon} ${path} is sized the same in dev and prod`);
            });
        }
    });
});

describe("add-on values", () => {
    it("runs Envoy Gateway's controller without the chart's CRDs (they come standard-channel from their own chart), redundant outside dev", () => {
        const dev = addonValues("gateway", input("dev"));
        const prod = addonValues("gateway", input("prod"));
        assert.deepEqual(get(prod, "crds"), { enabled: false });
        assert.equal(get(dev, "deployment.replicas"), 1);
        assert.equal(get(dev, "podDisruptionBudget.minAvailable"), 0);
        assert.equal(get(prod, "deployment.replicas"), 2);
        assert.equal(get(prod, "podDisruptionBudget.minAvailable"), 1);
        assert.equal((get(prod, "deployment.pod.topologySpreadConstraints") as unknown[]).length, 2);
    });

    it("lets cert-manager solve challenges through the Gateway API only when the gateway is on", () => {
        assert.equal(get(addonValues("certManager", input("prod")), "config.enableGatewayAPI"), true);
        assert.equal(get(addonValues("certManager", input("prod", { enabled: { ...allOn, gateway: false } })), "config.enableGatewayAPI"), false);
    });

    it("installs cert-manager's CRDs with the chart", () => {
        assert.deepEqual(get(addonValues("certManager", input("dev")), "crds"), { enabled: true, keep: true });
    });

    for (const [version, tag] of [["1.33", "v1.33.0"], ["1.35", "v1.35.0"], ["1.36", "v1.36.0"]] as const) {
        it(`runs the cluster autoscaler ${tag} on Kubernetes ${version}`, () => {
            assert.equal(get(addonValues("clusterAutoscaler", input("prod", { kubernetesVersion: version })), "image.tag"), tag);
        });
    }

    it("configures the cluster autoscaler around the cloud's values, keeping its service account", () => {
        const clusterName = Promise.resolve("platform-prod");
        const cloud = { cloudProvider: "aws", awsRegion: "eu-west-1", autoDiscovery: { clusterName }, rbac: { serviceAccount: { name: "other", annotations: { a: "b" } } } };
        const values = addonValues("clusterAutoscaler", input("prod", { clusterAutoscalerValues: cloud }));
        assert.equal(get(values, "awsRegion"), "eu-west-1");
        assert.equal(get(values, "autoDiscovery.clusterName"), clusterName);
        assert.deepEqual(get(values, "rbac.serviceAccount"), { create: true, name: "cluster-autoscaler", annotations: { a: "b" } });
        assert.deepEqual(get(values, "extraArgs"), { "balance-similar-node-groups": true, expander: "least-waste", "skip-nodes-with-local-storage": false });
        assert.equal(get(values, "replicaCount"), 2);
        assert.equal(get(addonValues("clusterAutoscaler", input("dev")), "replicaCount"), 1);
        assert.throws(() => addonValues("clusterAutoscaler", input("dev", { clusterAutoscalerValues: Promise.resolve({}) })), /must be a plain object/);
        assert.throws(() => autoscalerImageTag("1.35.2"), /must be a minor version such as "1.35"/);
    });

    it("passes the cloud identity to External Secrets and elects a leader when replicated", () => {
        const values = addonValues("externalSecrets", input("prod"));
        assert.deepEqual(get(values, "serviceAccount"), { create: true, name: "external-secrets", annotations: { "azure.workload.identity/client-id": "0000-1111" } });
        assert.deepEqual(get(values, "podLabels"), { "azure.workload.identity/use": "true" });
        assert.equal(get(values, "installCRDs"), true);
        assert.equal(get(values, "leaderElect"), true);
        assert.equal(get(addonValues("externalSecrets", input("dev")), "leaderElect"), false);
        const bare = addonValues("externalSecrets", input("dev", { externalSecrets: undefined }));
        assert.deepEqual([get(bare, "serviceAccount.annotations"), get(bare, "podLabels")], [{}, {}]);
    });

    it("sizes Prometheus retention and storage from the stack file and selects every chart's monitors", () => {
        const spec = get(addonValues("monitoring", input("prod")), "prometheus.prometheusSpec");
        assert.equal(get(spec, "retention"), "30d");
        assert.equal(get(spec, "retentionSize"), "170GB");
        assert.equal(get(spec, "storageSpec.volumeClaimTemplate.spec.resources.requests.storage"), "200Gi");
        assert.equal(get(spec, "replicas"), 2);
        for (const selector of ["serviceMonitor", "podMonitor", "rule", "probe"]) {
            assert.equal(get(spec, `${selector}SelectorNilUsesHelmValues`), false, selector);
        }
        const values = addonValues("monitoring", input("prod"));
        assert.equal(get(values, "alertmanager.alertmanagerSpec.replicas"), 3);
        assert.deepEqual(get(values, "grafana.admin"), { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        assert.equal(get(values, "grafana.persistence.enabled"), true);
    });

    it("keeps logs in one monolithic Loki on a volume, with compactor retention", () => {
        for (const environment of environments) {
            const values = addonValues("loki", input(environment));
            assert.equal(get(values, "deploymentMode"), "Monolithic");
            assert.equal(get(values, "singleBinary.replicas"), 1);
            assert.deepEqual([get(values, "backend.replicas"), get(values, "read.replicas"), get(values, "write.replicas")], [0, 0, 0]);
            assert.equal(get(values, "singleBinary.persistence.size"), "150Gi");
            // Multi-tenant mode: a push or query without the platform's tenant header is refused.
            assert.equal(get(values, "loki.auth_enabled"), true);
            assert.equal(get(values, "loki.storage.type"), "filesystem");
            assert.deepEqual(get(values, "loki.schemaConfig.configs.0.schema"), "v13");
            assert.deepEqual(get(values, "loki.schemaConfig.configs.0.store"), "tsdb");
            assert.equal(get(values, "loki.limits_config.retention_period"), "336h");
            assert.deepEqual(get(values, "loki.compactor"), { retention_enabled: true, delete_request_store: "filesystem" });
            assert.equal(get(values, "chunksCache.enabled"), false);
            assert.equal(get(values, "resultsCache.enabled"), environment === "prod");
        }
    });

    it("keeps traces in Jaeger's badger store on the claim, for the stack's retention", () => {
        const values = addonValues("jaeger", input("prod"));
        const claim = jaegerVolumeClaim(input("prod"));
        assert.deepEqual(claim, {
            metadata: { name: "jaeger-badger", namespace: "monitoring" },
            spec: { storageClassName: "platform-ssd", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } },
        });
        assert.deepEqual(get(values, "jaeger.extraVolumes"), [{ name: "badger", persistentVolumeClaim: { claimName: claim.metadata.name } }]);
        const badger = get(values, "userconfig.extensions.jaeger_storage.backends.primary_store.badger");
        assert.equal(get(badger, "ephemeral"), false);
        assert.equal(get(badger, "ttl.spans"), "168h");
        assert.ok(String(get(badger, "directories.keys")).startsWith(String(get(values, "jaeger.extraVolumeMounts.0.mountPath"))));
        assert.deepEqual(get(values, "userconfig.receivers.otlp.protocols"), { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } });
        assert.equal(get(values, "jaeger.replicas"), 1);
    });

    it("puts every persistent volume on the platform storage class", () => {
        const claims = [
            ...find(addonValues("monitoring", input("prod")), /^storageClassName$/),
            ...find(addonValues("loki", input("prod")), /^storageClass$/),
            ...find(jaegerVolumeClaim(input("prod")), /^storageClassName$/),
        ];
        assert.equal(claims.length, 5);
        for (const [path, storageClass] of claims) {
            assert.equal(storageClass, "platform-ssd", path);
        }
    });
});

describe("add-on cross-links", () => {
    for (const monitoring of [true, false]) {
        it(`${monitoring ? "creates" : "creates no"} ServiceMonitors when monitoring is ${monitoring ? "on" : "off"}`, () => {
            const enabled = { ...allOn, monitoring };
            // The Jaeger v2 chart has no ServiceMonitor; kube-prometheus-stack monitors itself. gateway-helm
            // has no ServiceMonitor switch either: Envoy Gateway's controller exposes its metrics through the
            // chart's prometheus.io/scrape pod annotations (deployment.pod.annotations), checked below.
            for (const addon of addons.filter((name) => name !== "monitoring" && name !== "jaeger" && name !== "gateway")) {
                const values = addonValues(addon, input("prod", { enabled }));
                const monitors = find(values, /^servicemonitor$/i);
                assert.ok(monitors.length > 0, `${addon} has no ServiceMonitor switch`);
                for (const [path, monitor] of monitors) {
                    assert.equal(get(monitor, "enabled"), monitoring, `${addon} ${path}`);
                }
            }
            const loki = addonValues("loki", input("prod", { enabled }));
            for (const part of ["rules", "alerts", "dashboards"]) {
                assert.equal(get(loki, `monitoring.${part}.enabled`), monitoring, part);
            }
            // The values leave the chart's scrape annotations alone and invent no monitor key the chart lacks.
            const gateway = addonValues("gateway", input("prod", { enabled }));
            assert.equal(get(gateway, "deployment.pod.annotations"), undefined);
            assert.deepEqual(find(gateway, /^servicemonitor$/i), []);
        });
    }

    const sourceCases = [
        [true, true, ["Loki", "Jaeger"]],
        [true, false, ["Loki"]],
        [false, true, ["Jaeger"]],
        [false, false, []],
    ] as const;
    for (const [loki, jaeger, names] of sourceCases) {
        it(`gives Grafana ${names.join(" and ") || "no extra"} data sources with loki ${loki} and jaeger ${jaeger}`, () => {
            const values = addonValues("monitoring", input("staging", { enabled: { ...allOn, loki, jaeger } }));
            const sources = get(values, "grafana.additionalDataSources") as { name: string; url: string }[];
            assert.deepEqual(sources.map((source) => source.name), names);
            const urls = Object.fromEntries(sources.map((source) => [source.name, source.url]));
            if (loki) {
                assert.equal(urls.Loki, "http://loki.monitoring.svc:3100");
            }
            if (jaeger) {
                assert.equal(urls.Jaeger, addonEndpoints.jaegerQuery);
            }
        });
    }

    it("links Loki log lines to Jaeger traces only when Jaeger runs", () => {
        const linked = get(addonValues("monitoring", input("prod")), "grafana.additionalDataSources.0.jsonData.derivedFields.0.datasourceUid");
        assert.equal(linked, "jaeger");
        const alone = get(addonValues("monitoring", input("prod", { enabled: { ...allOn, jaeger: false } })), "grafana.additionalDataSources.0.jsonData");
        assert.deepEqual(alone, { httpHeaderName1: "X-Scope-OrgID" });
    });

    it("queries Loki as the platform's tenant, which Loki requires with authentication on", () => {
        const loki = get(addonValues("monitoring", input("prod")), "grafana.additionalDataSources.0") as Record<string, any>;
        assert.equal(loki["jsonData"].httpHeaderName1, "X-Scope-OrgID");
        assert.equal(loki["secureJsonData"].httpHeaderValue1, lokiTenant);
    });
});

describe("log collector", () => {
    const config = (values: unknown) => String(get(values, "alloy.configMap.content"));

    it("pins Grafana Alloy to an exact version and installs it beside Loki", () => {
        assert.match(logCollectorChart.version, /^\d+\.\d+\.\d+$/);
        assert.match(logCollectorChart.repo, /^https:\/\//);
        assert.deepEqual([logCollectorChart.chart, logCollectorChart.releaseName, logCollectorChart.namespace], ["alloy", "alloy", charts.loki.namespace]);
    });

    it("tails every pod through the API, shares the targets between replicas and pushes to Loki", () => {
        const values = logCollectorValues(input("prod"));
        const content = config(values);
        assert.equal(get(values, "controller.type"), "deployment");
        assert.equal(get(values, "alloy.clustering.enabled"), true);
        assert.match(content, /discovery\.kubernetes "pods" \{\s*role = "pod"/);
        assert.match(content, /loki\.source\.kubernetes "pods" \{[^}]*clustering \{\s*enabled = true\s*\}/);
        assert.match(content, /loki\.source\.kubernetes_events "events"/);
        assert.match(content, new RegExp(`url\\s+= "${addonEndpoints.loki}/loki/api/v1/push"`), content);
        assert.ok(content.includes("http://loki.monitoring.svc:3100/loki/api/v1/push"));
        assert.match(content, new RegExp(`tenant_id = "${lokiTenant}"`), "pushes as the tenant Loki requires");
        for (const label of ["namespace", "pod", "container", "app"]) {
            assert.match(content, new RegExp(`target_label\\s*= "${label}"`), label);
        }
        // The chart passes the content through tpl: no template delimiters may leak in.
        assert.ok(!content.includes("{{"));
    });

    for (const [environment, replicas] of [["dev", 1], ["staging", 2], ["prod", 2]] as const) {
        it(`runs ${replicas} collector replica(s) in ${environment}, with a budget and spread only when replicated`, () => {
            const values = logCollectorValues(input(environment));
            assert.equal(get(values, "controller.replicas"), replicas);
            assert.equal(get(values, "controller.podDisruptionBudget.enabled"), replicas > 1);
            assert.equal((get(values, "controller.topologySpreadConstraints") as unknown[]).length, replicas > 1 ? 2 : 0);
            assert.ok(get(values, "alloy.resources.requests.cpu") && get(values, "alloy.resources.limits.memory"));
        });
    }

    for (const monitoring of [true, false]) {
        it(`${monitoring ? "creates" : "skips"} the collector's ServiceMonitor when monitoring is ${monitoring ? "on" : "off"}`, () => {
            const values = logCollectorValues(input("prod", { enabled: { ...allOn, monitoring } }));
            assert.equal(get(values, "serviceMonitor.enabled"), monitoring);
        });
    }
});

describe("mergeValues", () => {
    it("merges nested objects, replaces arrays and leaves, and lets the overlay win", () => {
        const leaf = Promise.resolve("x");
        const merged = mergeValues(
            { a: { b: 1, c: [1, 2] }, d: leaf, e: { f: 1 } },
            { a: { c: [3], g: 2 }, e: leaf },
        );
        assert.deepEqual(merged, { a: { b: 1, c: [3], g: 2 }, d: leaf, e: leaf });
    });
});
