/**
 * Schema of `platform:ci`: which GitHub Actions runs may deploy or preview this stack,
 * through OpenID Connect and never a stored key. Pure, like the rest of the schema.
 */
import { z } from "zod";

/**
 * Subjects one identity may trust. Azure takes at most 20 federated credentials per
 * managed identity; the AWS trust policy keeps the same cap so both clouds accept a stack.
 */
export const maxCiSubjects = 20;

/** `owner/name`: GitHub's owner names (39 characters, no leading hyphen) and repository names. */
const repository = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/, {
    error: (issue) => `"${String(issue.input)}" is not a GitHub repository such as acme/platform`,
});

/** Why `name` cannot be trusted as a branch, or undefined when it can. */
function branchProblem(name: string): string | undefined {
    if (/[*?[\]]/.test(name)) {
        return `"${name}" is a pattern; list exact branch names (a wildcard would widen the trust)`;
    }
    if (name.startsWith("refs/")) {
        return `"${name}" is a ref; give the branch name, such as main`;
    }
    const valid = /^[A-Za-z0-9._/-]+$/.test(name) &&
        !/(^[/.-]|\/\.|\.\.|\/\/|[/.]$|\.lock$)/.test(name);
    return valid ? undefined : `"${name}" is not a branch name`;
}

const branch = z.string().superRefine((name, context) => {
    const problem = branchProblem(name);
    if (problem) {
        context.addIssue({ code: "custom", message: problem });
    }
});

/** GitHub environment names as they appear in the `sub` claim; spaces and punctuation are refused. */
const environment = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, {
    error: (issue) => `"${String(issue.input)}" is not a GitHub environment name (letters, digits, . _ -)`,
});

const oidcProviderArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, {
    error: (issue) => `"${String(issue.input)}" is not the ARN of a GitHub Actions OIDC provider`,
});

function duplicate(values: readonly string[]): string | undefined {
    return values.find((value, index) => values.indexOf(value) !== index);
}

export const ci = z
    .strictObject({
        /** The GitHub repository, `owner/name`, whose workflows may assume the identities. Case as GitHub spells it. */
        repository,
        /**
         * Branches whose runs outside an environment (scheduled drift checks) may read through
         * the preview identity: exact names. Each becomes `repo:<repository>:ref:refs/heads/<branch>`. @default []
         */
        branches: z.array(branch).default([]),
        /**
         * GitHub environments whose jobs may deploy (`repo:<repository>:environment:<name>`), at
         * least one: the only subjects the deploy identity trusts, so the environment's required
         * reviewers gate every deployment. Limit each environment's deployment branches in GitHub.
         */
        environments: z.array(environment).min(1, { error: "must list at least one GitHub environment: only jobs in one may deploy" }),
        /**
         * GitHub environments whose jobs may preview or check drift through the read-only identity
         * (`repo:<repository>:environment:<name>`). Each holds only this stack's secrets provider, so
         * a pull request reaches a stack's secrets only through its environment's reviewers. @default []
         */
        previewEnvironments: z.array(environment).default([]),
        /**
         * Any pull request may preview through the read-only identity (`repo:<repository>:pull_request`),
         * with no reviewer; dev only, since the preview decrypts the stack's secrets. @default false
         */
        pullRequests: z.boolean().default(false),
        /** AWS-only settings. */
        aws: z
            .strictObject({
                /**
                 * An existing GitHub OIDC provider to trust instead of creating one. IAM allows one
                 * provider per URL and account, so the second stack in an account must set it.
                 */
                oidcProviderArn: oidcProviderArn.optional(),
            })
            .optional(),
    })
    .superRefine((value, context) => {
        for (const key of ["branches", "environments", "previewEnvironments"] as const) {
            const repeated = Array.isArray(value[key]) ? duplicate(value[key]) : undefined;
            if (repeated !== undefined) {
                context.addIssue({ code: "custom", path: [key], message: `lists "${repeated}" twice` });
            }
        }
        const subjects = (value.branches?.length ?? 0) + (value.environments?.length ?? 0) + (value.previewEnvironments?.length ?? 0);
        if (subjects > maxCiSubjects) {
            context.addIssue({
                code: "custom",
                path: ["branches"],
                message: `${subjects} branches and environments exceed ${maxCiSubjects}, the most federated credentials an Azure identity takes`,
            });
        }
        const both = value.previewEnvironments?.find((name) => value.environments?.includes(name));
        if (both !== undefined) {
            context.addIssue({ code: "custom", path: ["previewEnvironments"], message: `"${both}" is also a deploy environment; a job there would hold both identities` });
        }
    });
