/**
 * Identities that cannot escalate (AWS): every role under a permissions boundary, tagging
 * that cannot claim another stack's keys or roles, no CI read of the data bucket, and no
 * unconditioned write on every resource.
 *
 * The document rules read the IAM policies that grant: inline role policies and customer
 * managed policies. A managed policy used only as a permissions boundary grants nothing, so
 * it is not read.
 */
import { adminSecretNames } from "../../components/secrets/catalog.ts";
import {
    at, containsUnknown, decoded, enforcedEverywhere, isUnknown, unknownValue, type PolicyResource, type ResourceRule, type Rule, type StackRule, type StackViolation,
} from "../rule.ts";

const roleType = "aws:iam/role:Role";
const rolePolicyType = "aws:iam/rolePolicy:RolePolicy";
const managedPolicyType = "aws:iam/policy:Policy";
const attachmentType = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const bucketType = "aws:s3/bucket:Bucket";

interface Statement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

interface GrantingDocument {
    readonly resource: PolicyResource;
    readonly what: string;
    readonly statements: readonly Statement[];
}

const list = (value: unknown): string[] => (value === undefined ? [] : [value].flat().map(String));

/** IAM's wildcard matching: `*` spans anything, `?` one character; action names ignore case. */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
    const key = `${ignoreCase ? "i" : "s"}${pattern}`;
    let expression = globExpressions.get(key);
    if (!expression) {
        const source = [...pattern].map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
        expression = new RegExp(`^${source}$`, ignoreCase ? "i" : "");
        globExpressions.set(key, expression);
    }
    return expression.test(value);
}

/** Compiled once per pattern: the identity rules match the same few hundred patterns over and over. */
const globExpressions = new Map<string, RegExp>();

/** Whether an Allow statement grants `action` (through Action or NotAction). */
function allowsAction(statement: Statement, action: string): boolean {
    if (statement.Effect !== "Allow") {
        return false;
    }
    if (statement.NotAction !== undefined) {
        return !list(statement.NotAction).some((pattern) => globMatches(pattern, action, true));
    }
    return list(statement.Action).some((pattern) => globMatches(pattern, action, true));
}

/** Whether the statement reaches `arn` (through Resource or NotResource). */
function reaches(statement: Statement, arn: string): boolean {
    if (statement.NotResource !== undefined) {
        return !list(statement.NotResource).some((pattern) => globMatches(pattern, arn));
    }
    return list(statement.Resource).some((pattern) => globMatches(pattern, arn));
}

function conditionKeys(statement: Statement): string[] {
    return Object.values(statement.Condition ?? {}).flatMap((operands) => Object.keys(operands ?? {}));
}

function statementName(statement: Statement): string {
    return statement.Sid ? `statement ${statement.Sid}` : "a statement without Sid";
}

/** The physical name a policy ARN ends with (`…:policy/<path/>name`); unknown for an unknown ARN. */
function policyNameOf(arn: unknown): unknown {
    return typeof arn === "string" ? arn.split("/").at(-1) : isUnknown(arn) ? arn : undefined;
}

/**
 * Every inline role policy, and every customer managed policy unless it serves only as a
 * permissions boundary. A managed policy that may be a boundary (a role's boundary or the
 * policy's name is unknown) and is not known to be attached is left out: what it grants, if
 * anything, cannot be told yet.
 */
function grantingDocuments(resources: readonly PolicyResource[]): GrantingDocument[] {
    const boundaries = new Set(resources.filter((resource) => resource.type === roleType).map((role) => policyNameOf(role.props["permissionsBoundary"])));
    const attached = new Set(resources.filter((resource) => resource.type === attachmentType).map((attachment) => policyNameOf(attachment.props["policyArn"])));
    const anyBoundary = [...boundaries].some((boundary) => boundary !== undefined);
    return resources.flatMap((resource): GrantingDocument[] => {
        if (resource.type !== rolePolicyType && resource.type !== managedPolicyType) {
            return [];
        }
        const name = resource.props["name"];
        const mayBeBoundary = boundaries.has(name) || boundaries.has(unknownValue) || (isUnknown(name) && anyBoundary);
        if (resource.type === managedPolicyType && mayBeBoundary && !(attached.has(name) && !isUnknown(name))) {
            return [];
        }
        const what = resource.type === rolePolicyType ? `role policy "${resource.name}"` : `IAM policy "${resource.name}"`;
        return [{ resource, what, statements: [at(decoded(resource.props["policy"]), "Statement") ?? []].flat() }];
    });
}

/** Runs `check` on every statement of every granting document; a statement with an unknown in it (or an unknown document) cannot be judged. */
function perStatement(resources: readonly PolicyResource[], check: (document: GrantingDocument, statement: Statement) => string | undefined): StackViolation[] {
    return grantingDocuments(resources).flatMap((document) =>
        document.statements.filter((statement) => !containsUnknown(statement)).flatMap((statement) => {
            const message = check(document, statement);
            return message ? [{ resource: document.resource, message }] : [];
        }));
}

export const roleBoundary: ResourceRule = {
    name: "iam-role-permissions-boundary",
    description: "Every IAM role carries a permissions boundary, so no policy later put on it can give it more than the boundary allows.",
    remediation:
        "Set permissionsBoundary on the role: the stack's workload boundary (network.workloadBoundaryArn, components/aws/iam.ts) for workload roles, " +
        "the CI boundary for the CI roles; the CI deploy role may create and change roles only with the workload boundary.",
    severity: "high",
    enforcement: enforcedEverywhere,
    resourceTypes: [roleType],
    check: ({ name, props }) => {
        const boundary = props["permissionsBoundary"];
        // On a new stack the boundary policy's ARN is unknown: it is there all the same.
        return (typeof boundary === "string" && boundary !== "") || isUnknown(boundary)
            ? []
            : [`IAM role "${name}" has no permissionsBoundary; whoever may write its policies could give it any permission`];
    },
};

/** Tagging actions whose tags the stack's statements trust as ownership. */
const ownershipTagActions = ["kms:TagResource", "iam:TagRole"];

export const taggingNeedsResourceTags: StackRule = {
    name: "tagging-needs-resource-tags",
    description: "No IAM policy allows kms:TagResource or iam:TagRole on a wildcard resource without an aws:ResourceTag condition, which would let it tag any key or role as its own.",
    remediation:
        "Condition the tagging statement on the stack's resource tags (aws:ResourceTag/stack and project) as well as the request tags, and create keys and roles " +
        "with their tags (aws:RequestTag on kms:CreateKey and iam:CreateRole).",
    severity: "critical",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => perStatement(resources, ({ what }, statement) => {
        const actions = ownershipTagActions.filter((action) => allowsAction(statement, action));
        const wildcard = statement.NotResource !== undefined || list(statement.Resource).some((resource) => resource.includes("*"));
        const resourceTagged = conditionKeys(statement).some((key) => /^(aws|iam):ResourceTag\//i.test(key));
        return actions.length > 0 && wildcard && !resourceTagged
            ? `${what} allows ${actions.join(", ")} on ${list(statement.Resource ?? statement.NotResource).join(", ")} without an aws:ResourceTag condition ` +
                `(${statementName(statement)}); it could tag another stack's keys or roles as this stack's and then use them`
            : undefined;
    }),
};

/**
 * A CI deploy policy: inline on, or attached to, a role named `…-ci-deploy`, or named
 * `…-ci-deploy[-part]`. A role or policy whose name is unknown is not known to be one.
 */
function isCiDeployPolicy(document: GrantingDocument, resources: readonly PolicyResource[]): boolean {
    const { resource } = document;
    const known = (value: unknown) => (isUnknown(value) ? "" : String(value ?? ""));
    if (resource.type === rolePolicyType) {
        return /-ci-deploy$/.test(known(resource.props["role"]));
    }
    const name = known(resource.props["name"]);
    return /-ci-deploy(-[A-Za-z0-9]+)?$/.test(name) || resources.some((attachment) =>
        attachment.type === attachmentType && /-ci-deploy$/.test(known(attachment.props["role"])) && policyNameOf(attachment.props["policyArn"]) === name);
}

const objectReads = ["s3:GetObject", "s3:GetObjectVersion"];

export const ciDeployReadsNoData: StackRule = {
    name: "ci-deploy-reads-no-data",
    description: "The CI deploy role's policies allow no object read (s3:GetObject, s3:* or *) on the data bucket's objects or on every resource.",
    remediation:
        "List the bucket configuration actions the program needs on the bucket ARN instead of s3:*, keep object deletes (to empty a dev bucket) apart, " +
        "and deny s3:GetObject* on the bucket's objects (components/ci-identity/aws-policy.ts).",
    severity: "critical",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => {
        const buckets = resources.filter((resource) => resource.type === bucketType).map((bucket) => bucket.props["bucket"]).filter((name) => typeof name === "string" && name !== "");
        // Without a bucket in the stack, or before its name is known, any bucket named like the program's data buckets.
        const objects = (buckets.length > 0 ? buckets : ["platform-stack-data-suffix"]).map((bucket) => `arn:aws:s3:::${bucket}/any/object`);
        return perStatement(resources, (document, statement) => {
            if (!isCiDeployPolicy(document, resources)) {
                return undefined;
            }
            const actions = objectReads.filter((action) => allowsAction(statement, action));
            const reached = objects.filter((object) => reaches(statement, object));
            return actions.length > 0 && reached.length > 0
                ? `${document.what} lets the CI deploy role read data: ${actions.join(", ")} on ${reached.map((object) => object.replace("/any/object", "/*")).join(", ")} ` +
                    `through ${list(statement.Action ?? statement.NotAction).join(", ")} on ${list(statement.Resource ?? statement.NotResource).join(", ")} (${statementName(statement)})`
                : undefined;
        });
    },
};

/** Action names that only read; anything else, and any wildcard that could cover a write, writes. */
const readVerbs = /^(Get|List|Describe|Head|View|Search|Lookup|Query|Scan|Select|Check|BatchGet|BatchCheck|Validate|Simulate|Estimate)/;

export function isWriteAction(action: string): boolean {
    const [service, name] = action.split(":");
    if (service === "*" || name === undefined || name === "" || name.startsWith("*")) {
        return true;
    }
    return !readVerbs.test(name);
}

/** Resource types of the services the program uses, as ARNs spell them (Service Authorization Reference). */
const resourceTypes = [
    "vpc", "subnet", "route-table", "internet-gateway", "elastic-ip", "natgateway", "security-group", "security-group-rule", "network-interface", "vpc-endpoint",
    "vpc-flow-log", "launch-template", "instance", "volume", "snapshot", "db", "cluster", "pg", "subgrp", "og", "secgrp", "replicationgroup", "parametergroup",
    "subnetgroup", "user", "usergroup", "repository", "key", "alias", "role", "policy", "oidc-provider", "secret", "log-group", "budget", "nodegroup", "addon",
];

/**
 * Every resource of the account, or of one type: `*`, an ARN whose resource part is only a
 * wildcard (`arn:aws:ec2:…:*`), or a type followed by one (`…:pg:*`, `…:repository/*`, `…:key/*`).
 */
export function isAccountWide(resource: string): boolean {
    const match = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:(?:([A-Za-z-]+)[:/])?\*$/.exec(resource);
    return resource === "*" || (match !== null && (match[1] === undefined || resourceTypes.includes(match[1])));
}

/**
 * Writes that take no resource ARN (CloudWatch Logs' log deliveries and account-level
 * resource policies, which ElastiCache's vended slow log needs; Route 53's CreateHostedZone):
 * only the region can scope them.
 */
export const resourcelessWrites: readonly string[] = [
    "logs:CreateLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy", "route53:CreateHostedZone",
];

/** A condition that leaves the statement on every resource of the account: none, or one on the region only. */
function unscoped(statement: Statement): boolean {
    return conditionKeys(statement).every((key) => key.toLowerCase() === "aws:requestedregion");
}

export const noUnconditionedAccountWideWrites: StackRule = {
    name: "no-unconditioned-account-wide-writes",
    description:
        "No IAM policy allows a write action on Resource \"*\" (or on every resource of a type, such as pg:* or repository/*) without a condition that narrows it " +
        "to the stack: such a grant reaches every resource in the account, other stacks' included. A region condition does not narrow it.",
    remediation:
        "Name the resources (the stack's ARNs), or condition the statement on the stack's tags (aws:ResourceTag for changes, aws:RequestTag for creates) or a " +
        "service key; only writes that take no resource (log deliveries) may rest on aws:RequestedRegion alone.",
    severity: "high",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => perStatement(resources, ({ what }, statement) => {
        const wide = list(statement.Resource).filter(isAccountWide);
        if (statement.Effect !== "Allow" || wide.length === 0 || !unscoped(statement)) {
            return undefined;
        }
        const writes = statement.NotAction !== undefined
            ? [`every action but ${list(statement.NotAction).join(", ")}`]
            : list(statement.Action).filter(isWriteAction).filter((action) => !(statement.Condition && resourcelessWrites.includes(action)));
        return writes.length > 0
            ? `${what} allows ${writes.join(", ")} on ${wide.join(", ")} without a condition that narrows it to the stack (${statementName(statement)})`
            : undefined;
    }),
};

/** Key Vault roles that read secret values: Secrets User, Secrets Officer, Administrator. */
const vaultSecretReaders = ["4633458b-17de-408a-b874-0445c86b69e6", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "00482a5a-887f-4fb3-b363-3b7fe8e74483"];
const roleAssignmentType = "azure-native:authorization:RoleAssignment";

/** A grant to External Secrets: the platform names the operator's cloud identity and its grants after it. */
const forExternalSecrets = (resource: PolicyResource) => resource.name.includes("external-secrets");

/**
 * External Secrets serves every workload namespace, so it may read application secrets only:
 * an admin credential in its reach (a Secrets Manager pattern that matches one, a Key Vault role
 * on the whole vault or on an admin secret) is in every workload's reach.
 */
export const externalSecretsApplicationOnly: StackRule = {
    name: "external-secrets-application-only",
    description: "The External Secrets identity can read application secrets only, never admin credentials (database or Grafana admin passwords).",
    remediation: "Grant External Secrets only the application secrets of components/secrets/catalog.ts, secret by secret; never the whole vault or a wildcard.",
    severity: "critical",
    enforcement: enforcedEverywhere,
    checkStack: (resources) => {
        const admin = adminSecretNames();
        const aws = perStatement(resources.filter(forExternalSecrets), ({ what }, statement) => {
            if (!allowsAction(statement, "secretsmanager:GetSecretValue")) {
                return undefined;
            }
            const exposed = admin.filter((name) => list(statement.Resource).some((pattern) => pattern === "*" || secretPatternCovers(pattern, name)));
            return exposed.length > 0 ? `${what} lets External Secrets read admin credentials: ${exposed.join(", ")} (${statementName(statement)})` : undefined;
        });
        const azure = resources.filter((resource) => resource.type === roleAssignmentType && forExternalSecrets(resource)).flatMap((assignment): StackViolation[] => {
            // An unknown role or scope cannot be judged.
            if (isUnknown(assignment.props["roleDefinitionId"]) || isUnknown(assignment.props["scope"])) {
                return [];
            }
            const role = String(assignment.props["roleDefinitionId"] ?? "");
            const scope = String(assignment.props["scope"] ?? "");
            if (!vaultSecretReaders.some((id) => role.endsWith(id))) {
                return [];
            }
            const secret = /\/secrets\/([^/]+)$/.exec(scope)?.[1];
            if (secret === undefined && /\/vaults\/[^/]+$/i.test(scope)) {
                return [{ resource: assignment, message: `role assignment "${assignment.name}" lets External Secrets read every secret of the vault, admin credentials included` }];
            }
            return secret !== undefined && admin.includes(secret)
                ? [{ resource: assignment, message: `role assignment "${assignment.name}" lets External Secrets read the admin credential ${secret}` }]
                : [];
        });
        return [...aws, ...azure];
    },
};

/** Whether a Secrets Manager ARN pattern of this stack (`…:secret:<project>/<stack>/<name>-…`) covers secret `name`. */
function secretPatternCovers(pattern: string, name: string): boolean {
    const path = /:secret:(.+)$/.exec(pattern)?.[1];
    return path !== undefined && globMatches(path, `${path.split("/").slice(0, -1).join("/")}/${name}-AbCdEf`);
}

export const identityRules: Rule[] = [roleBoundary, taggingNeedsResourceTags, ciDeployReadsNoData, noUnconditionedAccountWideWrites, externalSecretsApplicationOnly];
