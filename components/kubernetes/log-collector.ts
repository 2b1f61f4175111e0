/**
 * The log collector installed with Loki: Grafana Alloy tailing every pod through the API.
 * Pure, like the other add-on values.
 */
import { addonEndpoints, addonProfile, disruptionBudget, logCollectorChart, lokiTenant, resources, spread, type AddonValuesInput } from "./charts.ts";

export { logCollectorChart } from "./charts.ts";

type Values = Record<string, unknown>;

/**
 * Alloy pipeline: every pod's containers tailed through the API (no host mounts, no DaemonSet),
 * with the clustered replicas sharing the targets, plus the cluster's events. Labels stay few
 * (namespace, pod, container, app) to keep Loki's streams small.
 */
function logCollectorConfig(pushUrl: string): string {
    return `discovery.kubernetes "pods" {
  role = "pod"
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets

  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  // app.kubernetes.io/name wins over the older app label; "(.+)" leaves app alone when a label is absent.
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app"]
    regex         = "(.+)"
    target_label  = "app"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    regex         = "(.+)"
    target_label  = "app"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.write.loki.receiver]

  clustering {
    enabled = true
  }
}

// Events cannot be sharded: every replica ships them, and Loki drops the identical copies.
loki.source.kubernetes_events "events" {
  forward_to = [loki.write.loki.receiver]
}

loki.write "loki" {
  endpoint {
    url       = "${pushUrl}"
    tenant_id = "${lokiTenant}"
  }
}
`;
}

/**
 * Helm values for the log collector, installed whenever Loki is: a clustered Deployment, sized
 * and made redundant like the controllers. The chart's default RBAC covers pods/log and events.
 */
export function logCollectorValues(input: AddonValuesInput): Values {
    const profile = addonProfile(input.environment);
    return {
        controller: {
            type: "deployment",
            replicas: profile.replicas,
            podDisruptionBudget: disruptionBudget(profile, profile.replicas),
            topologySpreadConstraints: spread(profile, {
                "app.kubernetes.io/name": logCollectorChart.chart, "app.kubernetes.io/instance": logCollectorChart.releaseName,
            }),
        },
        alloy: {
            clustering: { enabled: true },
            configMap: { create: true, content: logCollectorConfig(`${addonEndpoints.loki}/loki/api/v1/push`) },
            // No anonymous usage reports from inside the platform.
            enableReporting: false,
            resources: resources("alloy", profile),
        },
        serviceMonitor: { enabled: input.enabled.monitoring },
    };
}
