/**
 * Schema of `platform:cluster`: the Kubernetes version, control plane, API access and node
 * pools. Pure, like the rest of the schema.
 */
import { z } from "zod";
import { machineLimits } from "../lib/sizing/shapes.ts";
import { cidr } from "./network.ts";

/** Oldest Kubernetes minor version accepted. */
export const kubernetesMinorFloor = 28;

const nodePool = z
    .strictObject({
        /** vCPUs per node, 2 to 64. */
        vcpu: z.int().min(machineLimits.vcpu.min).max(machineLimits.vcpu.max),
        /** Memory per node in GiB, 4 to 512. */
        memoryGiB: z.number().min(machineLimits.memoryGiB.min).max(machineLimits.memoryGiB.max),
        /** Autoscaling floor, 1 to 100. */
        min: z.int().min(1).max(100),
        /** Autoscaling ceiling, at least `min`, at most 100. */
        max: z.int().min(1).max(100),
        /** Nodes at creation; the autoscaler owns the count afterwards. @default min */
        count: z.int().min(1).max(100).optional(),
    })
    .superRefine((pool, context) => {
        if (pool.min > pool.max) {
            context.addIssue({ code: "custom", path: ["min"], message: `${pool.min} is greater than max (${pool.max})` });
        }
        if (pool.min <= pool.max && pool.count !== undefined && (pool.count < pool.min || pool.count > pool.max)) {
            context.addIssue({
                code: "custom",
                path: ["count"],
                message: `${pool.count} is outside min..max (${pool.min}..${pool.max})`,
            });
        }
    })
    .transform((pool) => ({ ...pool, count: pool.count ?? pool.min }));

const kubernetesVersion = z
    .string({
        error: (issue) =>
            typeof issue.input === "number"
                ? `must be a quoted string such as "1.35" (YAML reads an unquoted 1.30 as the number 1.3)`
                : undefined,
    })
    .regex(/^1\.\d{1,2}$/, { error: (issue) => `"${String(issue.input)}" must be a minor version such as "1.35"` })
    .refine((version) => Number(version.split(".")[1]) >= kubernetesMinorFloor, {
        error: (issue) => `${String(issue.input)} is below the supported floor 1.${kubernetesMinorFloor}`,
    });

const arn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
    error: (issue) => `"${String(issue.input)}" is not an IAM role ARN`,
});

const defaultSystemNodes = { vcpu: 2, memoryGiB: 8, count: 2 };

export const cluster = z
    .strictObject({
        /** Kubernetes minor version, at least 1.28; pick one in standard support on both clouds. */
        kubernetesVersion,
        /**
         * Control-plane tier: `free` (AKS Free; EKS standard support), `standard` (AKS
         * Standard), `sla` (AKS Standard with zones, 99.95 %; EKS always carries that SLA).
         */
        controlPlaneTier: z.enum(["free", "standard", "sla"]),
        /** API endpoint: `public`, `restricted` to `authorizedCidrs`, or `private` to the network. Not `public` in prod. */
        apiAccess: z.enum(["public", "restricted", "private"]),
        /** Client ranges allowed to reach a `restricted` endpoint. @default [] */
        authorizedCidrs: z.array(cidr).default([]),
        /** The workload node pool. */
        nodes: nodePool,
        /** AWS-only settings. */
        aws: z
            .strictObject({
                /** Escape hatch: an EC2 instance type instead of the sizing map's choice. */
                instanceType: z
                    .string()
                    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: (issue) => `"${String(issue.input)}" is not an EC2 instance type` })
                    .optional(),
                /** IAM roles given cluster-admin through EKS access entries. @default [] */
                adminRoleArns: z.array(arn).default([]),
            })
            .default({ adminRoleArns: [] }),
        /** Azure-only settings. */
        azure: z
            .strictObject({
                /** Escape hatch: a VM size instead of the sizing map's choice. */
                vmSize: z
                    .string()
                    .regex(/^Standard_[A-Za-z0-9_]+$/, { error: (issue) => `"${String(issue.input)}" is not an Azure VM size` })
                    .optional(),
                /** Entra ID groups given cluster-admin through Azure RBAC. @default [] */
                adminGroupObjectIds: z.array(z.uuid()).default([]),
                /**
                 * AKS system pool, reserved for critical add-ons; the autoscaler may double it.
                 * @default { vcpu: 2, memoryGiB: 8, count: 2 }
                 */
                systemNodes: z
                    .strictObject({
                        vcpu: z.int().min(machineLimits.vcpu.min).max(machineLimits.vcpu.max),
                        memoryGiB: z.number().min(machineLimits.memoryGiB.min).max(machineLimits.memoryGiB.max),
                        count: z.int().min(1).max(10),
                    })
                    .default(defaultSystemNodes),
            })
            .default({ adminGroupObjectIds: [], systemNodes: defaultSystemNodes }),
    })
    .superRefine((value, context) => {
        if (value.apiAccess === "restricted" && value.authorizedCidrs.length === 0) {
            context.addIssue({
                code: "custom",
                path: ["authorizedCidrs"],
                message: `must list at least one range when apiAccess is "restricted"`,
            });
        }
        if (value.apiAccess !== "restricted" && value.authorizedCidrs.length > 0) {
            context.addIssue({
                code: "custom",
                path: ["authorizedCidrs"],
                message: `is only used when apiAccess is "restricted" (it is "${value.apiAccess}")`,
            });
        }
        if (value.authorizedCidrs.includes("0.0.0.0/0")) {
            context.addIssue({
                code: "custom",
                path: ["authorizedCidrs"],
                message: `0.0.0.0/0 restricts nothing; use apiAccess "public" outside prod instead`,
            });
        }
    });
