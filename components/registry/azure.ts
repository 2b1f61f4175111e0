import * as containerregistry from "@pulumi/azure-native/containerregistry/index.js";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { builtInRoles } from "../azure/roles.ts";
import { stackPrefix, type NameRule } from "../../lib/naming.ts";
import { buildCacheRepository } from "../../config/workloads.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../azure/private-endpoint.ts";
import type { Registry, RegistryArgs } from "./registry.ts";
import { deleteLock } from "../azure/lock.ts";
import { narrow } from "../narrow.ts";

/** Registry names: globally unique, 5-50 letters and digits. */
const registryRule: NameRule = { maxLength: 50, allowed: /[a-z0-9]/, separator: "", lowercase: true };

/** Days Premium keeps untagged manifests before its retention policy deletes them. */
export const untaggedRetentionDays = 7;
/** When the purge task runs (UTC, cron). */
export const purgeSchedule = "0 3 * * *";

/**
 * ACR with the admin user and anonymous pull off, pull access for the cluster's kubelets,
 * push access for the CI deploy identity, and a daily ACR Task that runs `acr purge` to keep
 * only the newest `keepImages` tags per repository and drop untagged manifests (ACR has no
 * count-based retention of its own). Premium adds zone redundancy, the untagged-manifest
 * retention policy and, outside dev, private access only: public network access off and a
 * private endpoint in the endpoints subnet. Outside dev a delete lock and Pulumi protect guard
 * the registry.
 *
 * Permissions stay in ACR's RBAC registry mode: the installed SDK's registry API (2023-01-01-
 * preview) has no `roleAssignmentMode`, so ABAC repository permissions cannot be set from
 * here. In that mode Reader includes pull, so the CI preview identity reads the stack through
 * a custom role without the registry's data reads instead (ci-identity).
 *
 * How CI gets images in outside dev: a GitHub-hosted runner cannot reach a private registry's
 * data plane, and a public endpoint behind a Deny firewall would not help either, since hosted
 * runners leave from GitHub's whole, shared Azure address ranges. The deploy identity holds
 * AcrPush on the registry for a runner that has network access (self-hosted in the VNet, or
 * GitHub-hosted with Azure private networking); without one, images are promoted with
 * `az acr import` from the registry they were built into, an ARM call (Contributor on the
 * stack's group) that ACR carries out as a trusted service despite public access being off
 * (`networkRuleBypassOptions: AzureServices`). No workflow here builds or pushes images yet.
 */
export class AzureRegistry extends pulumi.ComponentResource implements Registry {
    readonly registryUrl: pulumi.Output<string>;
    readonly repositoryUrls: pulumi.Output<string>[];

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:registry:AzureRegistry", name, {}, opts);
        const { context } = args;
        const network = narrow(args.network, AzureNetwork);
        const cluster = narrow(args.cluster, AzureCluster);
        const sku = args.azure.sku;
        const premium = sku === "Premium";
        // Private endpoints are Premium-only; the schema requires Premium outside dev.
        const privateAccess = premium && context.environment !== "dev";
        const inGroup = { resourceGroupName: network.resourceGroupName, location: network.location, tags: context.tags };
        const parent = { parent: this };

        // Registry names are global; a random suffix keeps same-named stacks of other tenants apart.
        const uniqueName = globalNames(`${name}-suffix`, this);
        const registry = new containerregistry.Registry(`${name}-acr`, {
            ...inGroup,
            registryName: uniqueName(["acr", context.project, context.stack], registryRule),
            sku: { name: sku },
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            // Entra ID tokens only (no admin user, no anonymous pull); outside dev nothing reaches the
            // registry from the internet, and nodes pull through the private endpoint.
            publicNetworkAccess: privateAccess ? "Disabled" : "Enabled",
            // Trusted services (image import, Defender scans) still reach it.
            networkRuleBypassOptions: "AzureServices",
            // Retention and zone redundancy are Premium features; the API rejects them on other tiers.
            policies: premium ? { retentionPolicy: { status: "enabled", days: untaggedRetentionDays } } : undefined,
            zoneRedundancy: premium && network.zones.length > 1 ? "Enabled" : "Disabled",
        }, { parent: this, protect: context.protectStateful });

        new containerregistry.Task(`${name}-purge`, {
            ...inGroup,
            registryName: registry.name,
            taskName: "purge",
            status: "Enabled",
            platform: { os: "Linux" },
            step: { type: "EncodedTask", encodedTaskContent: Buffer.from(purgeTask(args.repositories, args.keepImages)).toString("base64") },
            trigger: { timerTriggers: [{ name: "daily", schedule: purgeSchedule, status: "Enabled" }] },
        }, parent);

        if (args.buildCaches.length > 0) {
            new containerregistry.Task(`${name}-purge-build-caches`, {
                ...inGroup,
                registryName: registry.name,
                taskName: "purge-build-caches",
                status: "Enabled",
                platform: { os: "Linux" },
                step: {
                    type: "EncodedTask",
                    encodedTaskContent: Buffer.from(buildCachePurgeTask(stackPrefix(context), args.buildCaches)).toString("base64"),
                },
                trigger: { timerTriggers: [{ name: "daily", schedule: purgeSchedule, status: "Enabled" }] },
            }, parent);
        }

        cluster.identities.assign(`${name}-pull`, {
            principalId: cluster.kubeletPrincipalId,
            principalType: "ServicePrincipal",
            role: builtInRoles.acrPull,
            scope: registry.id,
        }, parent);
        // Contributor on the stack's group can push in this mode too; this grant keeps pushes working
        // if that is narrowed, and names the one registry CI writes to.
        cluster.identities.grantToDeploy({ purpose: "push", role: builtInRoles.acrPush, scope: registry.id });
        if (premium) {
            privateEndpoint(`${name}-acr`, { network, targetId: registry.id, groupId: "registry", dnsZone: "registry", tags: context.tags }, this);
        }
        if (context.protectStateful) {
            deleteLock(`${name}-lock`, registry.id, "the registry", this);
        }

        this.registryUrl = registry.loginServer;
        this.repositoryUrls = args.repositories.map((repository) => pulumi.interpolate`${registry.loginServer}/${repository}`);
        this.registerOutputs({ registryUrl: this.registryUrl, repositoryUrls: this.repositoryUrls });
    }
}

/** Per build cache, every tag older than its expiry goes, then the untagged layers nothing references. */
export function buildCachePurgeTask(stackPrefix: string, caches: RegistryArgs["buildCaches"]): string {
    return [
        "version: v1.1.0",
        "steps:",
        ...caches.flatMap((cache) => [
            `  - cmd: acr purge --filter '${buildCacheRepository(stackPrefix, cache.workload)}:.*' --ago ${cache.expiryDays}d --untagged`,
            "    disableWorkingDirectoryOverride: true",
            "    timeout: 3600",
        ]),
        "",
    ].join("\n");
}

/**
 * The ACR Task that enforces `keep`: per repository, every tag but the newest `keep`
 * goes, then untagged manifests no kept tag references (`acr purge` runs with the
 * registry's own credentials inside the task).
 */
export function purgeTask(repositories: readonly string[], keep: number): string {
    // acr purge anchors the repository regex; only "." in a repository name is special.
    const filters = repositories.map((repository) => `--filter '${repository.replaceAll(".", "\\.")}:.*'`).join(" ");
    return [
        "version: v1.1.0",
        "steps:",
        `  - cmd: acr purge ${filters} --ago 0d --keep ${keep} --untagged`,
        "    disableWorkingDirectoryOverride: true",
        "    timeout: 3600",
        "",
    ].join("\n");
}
