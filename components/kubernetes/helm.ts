import * as helmv3 from "@pulumi/kubernetes/helm/v3/index.js";
import type { Provider } from "@pulumi/kubernetes/provider.js";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartRef } from "./charts.ts";

/** `chart@version`, as the `kubernetesAddons` output lists it. */
export const chartLabel = (chart: ChartRef) => `${chart.chart}@${chart.version}`;

/** A pinned chart as an atomic Helm release: a failed install or upgrade rolls back instead of leaving it half-applied. */
export function helmRelease(name: string, chart: ChartRef, values: pulumi.Input<Record<string, unknown>>, opts: pulumi.CustomResourceOptions): helmv3.Release {
    return new helmv3.Release(name, {
        name: chart.releaseName,
        chart: chart.chart,
        version: chart.version,
        // OCI charts carry their registry in the chart reference.
        ...(chart.repo ? { repositoryOpts: { repo: chart.repo } } : {}),
        namespace: chart.namespace,
        values,
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 10,
        timeout: 900,
    }, opts);
}

/**
 * Installs charts as releases named `<prefix>-<release>` through `inCluster`, recording each
 * `chart@version` in `installed` for the `kubernetesAddons` output.
 */
export function releaser(prefix: string, inCluster: { readonly parent: pulumi.Resource; readonly provider: Provider }, installed: Record<string, string>) {
    return (chart: ChartRef, values: Record<string, unknown>, dependsOn: pulumi.Resource[]): helmv3.Release => {
        installed[chart.releaseName] = chartLabel(chart);
        return helmRelease(`${prefix}-${chart.releaseName}`, chart, values, { ...inCluster, dependsOn });
    };
}
