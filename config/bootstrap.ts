/**
 * The bootstrap project's configuration (`bootstrap/Pulumi.<cloud>.yaml`, namespace
 * `platform-bootstrap:`): one stack per cloud account or subscription, holding the state
 * backend and secrets-provider key every platform stack of that account uses. Pure: validated
 * without a cloud, by the program and by `tools/bootstrap.ts` alike.
 */
import { z } from "zod";
import { describeIssue, ConfigError } from "./errors.ts";
import { cloudNames, environmentNames, platformConfigSchema } from "./schema.ts";

/** The bootstrap project's name, which is also its config namespace. */
export const bootstrapNamespace = "platform-bootstrap";

/** `["aws", "region"]` → `platform-bootstrap:aws.region`. */
export function bootstrapKey(path: readonly PropertyKey[]): string {
    return `${bootstrapNamespace}:${path.map(String).join(".")}`;
}

/**
 * Stack names the store serves. Narrower than Pulumi's (no dots, no upper case): the grants
 * match a stack's files by `<stack>.*`, so a dot would let `dev` match `dev.x`'s state.
 */
const stackName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: (issue) => `"${String(issue.input)}" is not a stack name of lowercase letters, digits and inner hyphens`,
});

/** An Entra object id: the CI managed identities' principal ids are GUIDs. */
const objectId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    error: (issue) => `"${String(issue.input)}" is not an object id (a GUID such as 00000000-0000-0000-0000-000000000000)`,
});

/** S3 noncurrent-version expiry and Azure soft delete share one figure; Azure keeps soft-deleted blobs at most 365 days. */
export const maxNoncurrentVersionDays = 365;

/** Stacks one store serves: each adds five statements to the bucket policy, which S3 caps at 20 KB. */
export const maxServedStacks = 5;

export const bootstrapConfigSchema = z
    .strictObject({
        /** Which cloud this stack's account or subscription is on. */
        cloud: z.enum(cloudNames),
        /** Required when `cloud` is `aws`. */
        aws: z.strictObject({
            region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: (issue) => `"${String(issue.input)}" is not an AWS region such as eu-west-1` }),
            /** The account the store belongs to; the provider refuses credentials of any other (`allowedAccountIds`). */
            accountId: z.string().regex(/^\d{12}$/, { error: (issue) => `"${String(issue.input)}" is not a 12-digit AWS account id` }),
        }).optional(),
        /** Required when `cloud` is `azure`. */
        azure: z.strictObject({
            location: platformConfigSchema.shape.azure.unwrap().shape.location,
            /**
             * Object ids of each platform stack's CI managed identities (the `ci-identity` outputs of
             * its first `up`); a stack without an entry gets no grant yet. @default {}
             */
            ciPrincipals: z.record(stackName, z.strictObject({ deploy: objectId, preview: objectId.optional() })).default({}),
        }).optional(),
        /** Tags on every resource; `owner` and `cost-center` are required, as on the platform. */
        tags: platformConfigSchema.shape.tags,
        /** The platform project whose stacks keep their state here. */
        platform: z.strictObject({
            /** @default "platform" */
            project: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, { error: (issue) => `"${String(issue.input)}" is not a project name of lowercase letters, digits and hyphens` }).default("platform"),
            /** At most `maxServedStacks`. @default ["dev", "staging", "prod"] */
            stacks: z.array(stackName).min(1).max(maxServedStacks, { error: `must list at most ${maxServedStacks} stacks: their grants fill the bucket policy, which S3 caps at 20 KB` }).default([...environmentNames]),
        }).default({ project: "platform", stacks: [...environmentNames] }),
        /** Days a replaced or deleted state file stays recoverable (S3 noncurrent versions, Azure versions and soft delete). @default 90 */
        noncurrentVersionDays: z.number().int().min(1).max(maxNoncurrentVersionDays).default(90),
        /** The store's URL, recorded by `tools/bootstrap.ts` once the state moved there; the program ignores it. */
        backendUrl: z.string().regex(/^(s3|azblob):\/\/\S+$/, { error: "must be an s3:// or azblob:// URL; tools/bootstrap.ts records it" }).optional(),
        /**
         * Set only by `tools/bootstrap.ts --destroy`, for one `up` before the destroy: it lifts
         * `protect`, the delete lock and S3's refusal to delete a non-empty bucket. @default false
         */
        releasing: z.boolean().default(false),
    })
    .superRefine((value, context) => {
        if (cloudNames.includes(value.cloud) && !value[value.cloud]) {
            context.addIssue({ code: "custom", path: [value.cloud], message: `is required when cloud is "${value.cloud}"` });
        }
        const stacks = value.platform?.stacks ?? [];
        if (new Set(stacks).size !== stacks.length) {
            context.addIssue({ code: "custom", path: ["platform", "stacks"], message: "lists a stack twice" });
        }
        for (const stack of Object.keys(value.azure?.ciPrincipals ?? {})) {
            if (!stacks.includes(stack)) {
                context.addIssue({ code: "custom", path: ["azure", "ciPrincipals", stack], message: `is not one of platform.stacks (${stacks.join(", ")})` });
            }
        }
    });

export type BootstrapConfig = z.output<typeof bootstrapConfigSchema>;

/** Validates `platform-bootstrap:` values (keys without the namespace); throws a `ConfigError` naming each bad key. */
export function parseBootstrapConfig(raw: Record<string, unknown>): BootstrapConfig {
    const result = bootstrapConfigSchema.safeParse(raw, { reportInput: true });
    if (result.success) {
        return result.data;
    }
    throw new ConfigError(`invalid configuration: ${result.error.issues.map((issue) => describeIssue(issue, bootstrapKey)).join("; ")}`);
}
