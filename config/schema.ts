/**
 * The platform's configuration: every key under the `platform:` namespace of
 * `Pulumi.<stack>.yaml`, with its default and limits. Pure (no Pulumi runtime), so it is
 * validated and tested without a cloud; `config/index.ts` feeds it from the stack.
 */
import { z } from "zod";
import { postgresSku, type PostgresSku } from "../lib/sizing/azure.ts";
import { ci } from "./ci.ts";
import { cluster } from "./cluster.ts";
import { apiKeyConfig, dataServicesShape } from "./data-services.ts";
import { dns } from "./dns.ts";
import { kubernetes } from "./kubernetes.ts";
import { network } from "./network.ts";
import { ConfigError, describeIssue } from "./errors.ts";
import { rotation } from "./secrets.ts";
import { resolveWorkloads, workloadEntries, workloadProblems, type Workload } from "./workloads.ts";

export { kubernetesMinorFloor } from "./cluster.ts";
export { apiKeyConfig, budgetThresholds, postgresMajorFloor } from "./data-services.ts";
export { reservedNamespaces } from "./kubernetes.ts";
export { ConfigError, configKey, configNamespace } from "./errors.ts";

export const cloudNames = ["aws", "azure"] as const;
export const environmentNames = ["dev", "staging", "prod"] as const;

/** Retention values CloudWatch Logs accepts; Log Analytics takes them up to `azureMaxLogRetentionDays`. */
export const logRetentionChoices = [30, 60, 90, 180, 365, 731] as const;

/** Log Analytics workspaces keep logs at most 730 days, so two years (731) is AWS-only. */
export const azureMaxLogRetentionDays = 730;

/** Azure Database for PostgreSQL's shortest backup retention. */
export const azureMinBackupDays = 7;

/** Tags every stack must set. */
export const requiredTagKeys = ["owner", "cost-center"] as const;

/** Tags the program adds to every resource (config/index.ts). */
export const addedTagKeys = ["environment", "project", "stack", "managed-by"] as const;

const tags = z
    .record(
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.:/=+@-]{0,126}$/, { error: "tag keys are 1-127 letters, digits and _ . : / = + @ -" }),
        z.string().max(256),
    )
    .superRefine((value, context) => {
        for (const key of requiredTagKeys) {
            if (!value[key]) {
                context.addIssue({ code: "custom", path: [key], message: `is required (required tags: ${requiredTagKeys.join(", ")})` });
            }
        }
    });

export const platformConfigSchema = z
    .strictObject({
        /** Which cloud to deploy to. */
        cloud: z.enum(cloudNames),
        /** Sizing and guardrail profile; independent of the stack's name. */
        environment: z.enum(environmentNames),
        /** AWS settings; required when `cloud` is `aws`. */
        aws: z
            .strictObject({
                region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: (issue) => `"${String(issue.input)}" is not an AWS region such as eu-west-1` }),
                /** Zone names in the order subnets use them. @default ["<region>a", "<region>b", "<region>c"] */
                availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { error: (issue) => `"${String(issue.input)}" is not an availability zone name such as eu-west-1a` })).optional(),
                /** Where backups and object replicas are copied (`database.crossRegionBackups`, `storage.crossRegionReplication`). */
                recoveryRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: (issue) => `"${String(issue.input)}" is not an AWS region such as eu-central-1` }).optional(),
            })
            .transform(({ region, availabilityZones, recoveryRegion }) => ({
                region,
                availabilityZones: availabilityZones ?? ["a", "b", "c"].map((letter) => region + letter),
                recoveryRegion,
            }))
            .optional(),
        /** Azure settings; required when `cloud` is `azure`. */
        azure: z.strictObject({ location: z.string().regex(/^[a-z][a-z0-9]+$/, { error: (issue) => `"${String(issue.input)}" is not an Azure location such as westeurope` }) }).optional(),
        /** Tags on every resource; `owner` and `cost-center` are required. */
        tags,
        /** Days to keep control-plane and flow logs: 30, 60, 90, 180, 365, or 731 (AWS only). @default 90 */
        logRetentionDays: z
            .number()
            .refine((days) => (logRetentionChoices as readonly number[]).includes(days), {
                error: (issue) => `must be one of ${logRetentionChoices.join(", ")}, got ${String(issue.input)}`,
            })
            .default(90),
        network,
        cluster,
        ...dataServicesShape,
        /** The stack's public DNS zone, for the gateway's hosts and certificates; see `dns.ts`. Without it the gateway answers on its load balancer's address. */
        dns: dns.optional(),
        /** Add-ons, workload namespaces and developer access on the cluster; see `kubernetes.ts`. */
        kubernetes,
        /** GitHub Actions runs that may deploy or preview the stack through OIDC; see `ci.ts`. No CI identity when unset. */
        ci: ci.optional(),
        /** How long generated passwords and API keys live; see `secrets.ts`. */
        rotation,
        /** Services teams run on the platform, each from a pattern; see `workloads.ts` and `patterns/`. @default [] */
        workloads: workloadEntries,
    })
    .superRefine((value, context) => {
        workloadIssues(value).forEach((problem) => context.addIssue({ code: "custom", ...problem }));
        if (cloudNames.includes(value.cloud) && !value[value.cloud]) {
            context.addIssue({ code: "custom", path: [value.cloud], message: `is required when cloud is "${value.cloud}"` });
        }
        // Cross-key checks run even when a key above failed; each one guards its own inputs.
        if (value.aws && Array.isArray(value.aws.availabilityZones)) {
            const foreign = value.aws.availabilityZones.find((zone) => !zone.startsWith(value.aws!.region));
            if (foreign) {
                context.addIssue({ code: "custom", path: ["aws", "availabilityZones"], message: `${foreign} is not in ${value.aws.region}` });
            }
            // Database subnets always span two zones (an RDS requirement), even for a one-zone stack.
            const zonesNeeded = Math.max(value.network?.zones, 2);
            if (value.cloud === "aws" && value.aws.availabilityZones.length < zonesNeeded) {
                context.addIssue({
                    code: "custom",
                    path: ["aws", "availabilityZones"],
                    message: `lists ${value.aws.availabilityZones.length} zones but ${zonesNeeded} are needed (network.zones, and at least 2 for database subnets)`,
                });
            }
        }
        if (value.cloud === "aws" && value.aws) {
            recoveryRegionProblems(value).forEach((problem) => context.addIssue({ code: "custom", ...problem }));
        }
        if (value.cloud === "azure" && value.logRetentionDays > azureMaxLogRetentionDays) {
            context.addIssue({
                code: "custom",
                path: ["logRetentionDays"],
                message: `${value.logRetentionDays} is more than Log Analytics keeps (${azureMaxLogRetentionDays} days); use 365 or less on Azure`,
            });
        }
        if (value.environment === "prod" && value.cluster?.apiAccess === "public") {
            context.addIssue({
                code: "custom",
                path: ["cluster", "apiAccess"],
                message: `prod needs "restricted" or "private", not "public"`,
            });
        }
        if (value.database && value.database.backupRetentionDays < azureMinBackupDays && value.cloud === "azure") {
            context.addIssue({
                code: "custom",
                path: ["database", "backupRetentionDays"],
                message: `Azure keeps PostgreSQL backups at least ${azureMinBackupDays} days, got ${value.database.backupRetentionDays}`,
            });
        }
        if (value.cloud === "azure" && value.database) {
            burstableProblems(value.database).forEach((problem) => context.addIssue({ code: "custom", ...problem }));
        }
        if (value.database?.crossRegionBackups && value.database.backupRetentionDays === 0) {
            context.addIssue({ code: "custom", path: ["database", "crossRegionBackups"], message: "copies automated backups, which backupRetentionDays 0 turns off; set at least 1" });
        }
        if (value.database && value.database.readReplicas > 0 && value.database.backupRetentionDays === 0) {
            context.addIssue({ code: "custom", path: ["database", "backupRetentionDays"], message: "read replicas need automated backups on the primary; set at least 1" });
        }
        if (value.cloud === "azure" && value.environment !== "dev" && value.registry?.azure?.sku !== undefined && value.registry.azure.sku !== "Premium") {
            context.addIssue({
                code: "custom",
                path: ["registry", "azure", "sku"],
                message: `must be "Premium" outside dev: only Premium registries take the private endpoint that keeps ${value.environment} images off the internet`,
            });
        }
        if (value.dns?.parentZone !== undefined && value.cloud === "azure" && value.dns.azure === undefined) {
            context.addIssue({ code: "custom", path: ["dns", "azure", "parentResourceGroup"], message: "is required with dns.parentZone on Azure: it names the resource group holding the parent zone" });
        }
        if (value.dns !== undefined && value.kubernetes?.addons?.gateway === false) {
            context.addIssue({ code: "custom", path: ["dns"], message: "the zone's records point at the gateway; enable kubernetes.addons.gateway or remove dns" });
        }
        if (value.environment !== "dev" && value.ci?.pullRequests === true) {
            context.addIssue({
                code: "custom",
                path: ["ci", "pullRequests"],
                message: `a pull request's own code would preview ${value.environment} with its secrets; preview in a reviewed GitHub environment listed in ci.previewEnvironments instead`,
            });
        }
        if (value.environment === "prod" && value.kubernetes?.developers?.access === "edit") {
            context.addIssue({
                code: "custom",
                path: ["kubernetes", "developers", "access"],
                message: `developers only read in prod; use "view"`,
            });
        }
    });

/** The pattern engine's refusals, once the keys it reads are valid on their own. */
function workloadIssues(value: Record<string, unknown>): { path: (string | number)[]; message: string }[] {
    const workloads = workloadEntries.safeParse(value["workloads"]);
    const kubernetesConfig = kubernetes.safeParse(value["kubernetes"]);
    const stack = z.object({ cloud: z.enum(cloudNames), environment: z.enum(environmentNames), dns: dns.optional(), database: dataServicesShape.database }).safeParse(value);
    if (!workloads.success || !kubernetesConfig.success || !stack.success || workloads.data.length === 0) {
        return [];
    }
    return workloadProblems({ ...stack.data, kubernetes: kubernetesConfig.data, workloads: workloads.data })
        .map((problem) => ({ path: ["workloads", ...problem.path], message: problem.message }));
}

/** Cross-region copies need a second region on AWS (Azure uses the region's pair). */
function recoveryRegionProblems(value: { aws?: { region: string; recoveryRegion?: string | undefined } | undefined; database?: { crossRegionBackups?: boolean } | undefined; storage?: { crossRegionReplication?: boolean } }): { path: string[]; message: string }[] {
    const recoveryRegion = value.aws?.recoveryRegion;
    if (recoveryRegion !== undefined && recoveryRegion === value.aws?.region) {
        return [{ path: ["aws", "recoveryRegion"], message: `must differ from aws.region (${recoveryRegion}): a copy in the same region survives nothing the original does not` }];
    }
    const needs = [
        ...(value.database?.crossRegionBackups ? ["database.crossRegionBackups"] : []),
        ...(value.storage?.crossRegionReplication ? ["storage.crossRegionReplication"] : []),
    ];
    return recoveryRegion === undefined && needs.length > 0
        ? [{ path: ["aws", "recoveryRegion"], message: `is required with ${needs.join(" and ")}: it names the region the copies go to` }]
        : [];
}

/** Flexible Server's Burstable tier has neither high availability, read replicas nor the built-in PgBouncer. */
function burstableProblems(database: NonNullable<z.output<typeof dataServicesShape.database>>): { path: string[]; message: string }[] {
    let sku: PostgresSku;
    try {
        sku = postgresSku({ vcpu: database.vcpu, memoryGiB: database.memoryGiB }, database.azure?.skuName);
    } catch (error) {
        const path = database.azure?.skuName ? ["database", "azure", "skuName"] : ["database", "vcpu"];
        return [{ path, message: (error as Error).message }];
    }
    if (sku.tier !== "Burstable") {
        return [];
    }
    const fix = `use at least 2 vCPU / 8 GiB or a GeneralPurpose/MemoryOptimized platform:database.azure.skuName`;
    return [
        ...(database.highAvailability !== "none"
            ? [{ path: ["database", "highAvailability"], message: `"${database.highAvailability}" needs a non-Burstable SKU, but ${sku.name} is Burstable; set it to "none" or ${fix}` }]
            : []),
        ...(database.readReplicas > 0
            ? [{ path: ["database", "readReplicas"], message: `${database.readReplicas} needs a non-Burstable SKU, but ${sku.name} is Burstable; set it to 0 or ${fix}` }]
            : []),
        ...(database.pooling
            ? [{ path: ["database", "pooling"], message: `the built-in PgBouncer needs a non-Burstable SKU, but ${sku.name} is Burstable; set it to false or ${fix}` }]
            : []),
    ];
}

/** The validated configuration, workloads with their patterns applied. */
export type PlatformConfig = Omit<z.output<typeof platformConfigSchema>, "workloads"> & { readonly workloads: readonly Workload[] };
export type CloudName = PlatformConfig["cloud"];
export type EnvironmentName = PlatformConfig["environment"];
export type NetworkConfig = PlatformConfig["network"];
export type ClusterConfig = PlatformConfig["cluster"];
export type DatabaseConfig = NonNullable<PlatformConfig["database"]>;
export type CacheConfig = PlatformConfig["cache"];
export type StorageConfig = PlatformConfig["storage"];
export type RegistryConfig = PlatformConfig["registry"];
export type BudgetConfig = PlatformConfig["budget"];
export type KubernetesConfig = PlatformConfig["kubernetes"];
export type DnsConfig = NonNullable<PlatformConfig["dns"]>;
export type CiConfig = NonNullable<PlatformConfig["ci"]>;
export type { RotationConfig } from "./secrets.ts";

/** Validates the `platform:` keys (namespace stripped, values already JSON-decoded). */
export function parsePlatformConfig(raw: Record<string, unknown>): PlatformConfig {
    const validated = Object.fromEntries(Object.entries(raw).filter(([key]) => !(key in apiKeyConfig)));
    const result = platformConfigSchema.safeParse(validated, { reportInput: true });
    if (result.success) {
        return { ...result.data, workloads: resolveWorkloads(result.data) };
    }
    throw new ConfigError(`invalid configuration: ${result.error.issues.map((issue) => describeIssue(issue)).join("; ")}`);
}

