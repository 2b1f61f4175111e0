import * as helmv3 from "@pulumi/kubernetes/helm/v3/index.js";
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
