import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as containerregistry from "@pulumi/azure-native/containerregistry/index.js";
import * as pulumi from "@pulumi/pulumi";
import { globalNames } from "../global-names.ts";
import { AzureCluster } from "../cluster/azure.ts";
import { builtInRoleDefinition, builtInRoles } from "../cluster/azure-roles.ts";
import type { NameRule } from "../naming.ts";
import { AzureNetwork } from "../network/azure.ts";
import { privateEndpoint } from "../network/azure-endpoints.ts";
import type { Registry, RegistryArgs } from "./registry.ts";

/** Registry names: globally unique, 5-50 letters and digits. */
const registryRule: NameRule = { maxLength: 50, allowed: /[a-z0-9]/, separator: "", lowercase: true };

/** Days Premium keeps untagged manifests before its retention policy deletes them. */
export const untaggedRetentionDays = 7;
/** When the purge task runs (UTC, cron). */
export const purgeSchedule = "0 3 * * *";

/**
 * ACR with the admin user and anonymous pull off, pull access for the cluster's kubelets,
 * and a daily ACR Task that runs `acr purge` to keep only the newest `keepImages` tags per
 * repository and drop untagged manifests (ACR has no count-based retention of its own).
 * Premium adds zone redundancy, a private endpoint and the untagged-manifest retention
 * policy. Outside dev a delete lock and Pulumi protect guard the registry.
 */
export class AzureRegistry extends pulumi.ComponentResource implements Registry {
    readonly registryUrl: pulumi.Output<string>;
    readonly repositoryUrls: pulumi.Output<string>[];

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:registry:AzureRegistry", name, {}, opts);
        const { context } = args;
        const network = AzureNetwork.from(args.network);
        const kubeletPrincipalId = AzureCluster.from(args.cluster).kubeletPrincipalId;
        const sku = args.azure?.sku ?? "Standard";
        const premium = sku === "Premium";
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
            // CI runners push from outside the VNet, so the public endpoint stays open (Entra ID
            // tokens only, no admin user); nodes pull through the private endpoint on Premium.
            publicNetworkAccess: "Enabled",
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

        new authorization.RoleAssignment(`${name}-pull`, {
            principalId: kubeletPrincipalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: builtInRoleDefinition(network.resourceGroupId, builtInRoles.acrPull),
            scope: registry.id,
        }, parent);
        if (premium) {
            privateEndpoint(`${name}-acr`, { network, targetId: registry.id, groupId: "registry", dnsZone: "registry", tags: context.tags }, this);
        }
        if (context.protectStateful) {
            new authorization.ManagementLockByScope(`${name}-lock`, {
                scope: registry.id,
                level: "CanNotDelete",
                notes: "Protected environment: remove this lock deliberately before deleting the registry.",
            }, parent);
        }

        this.registryUrl = registry.loginServer;
        this.repositoryUrls = args.repositories.map((repository) => pulumi.interpolate`${registry.loginServer}/${repository}`);
        this.registerOutputs({ registryUrl: this.registryUrl, repositoryUrls: this.repositoryUrls });
    }
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
