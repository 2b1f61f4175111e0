/**
 * Physical resource names. Pure: no provider SDK.
 *
 * Logical (Pulumi) names are `<component>-<role>` and never change; physical names are
 * derived from the project and stack and must fit each cloud's rules. A name too long for
 * its rule is cut and given a stable hash of the full name, so two long stack names that
 * share a prefix still get different physical names.
 */
import { createHash } from "node:crypto";

export interface NameRule {
    readonly maxLength: number;
    /** Characters allowed; anything else becomes the separator (or is dropped without one). */
    readonly allowed: RegExp;
    readonly separator: "-" | "";
    readonly lowercase: boolean;
}

export const nameRules = {
    /** `Name` tags and other display-only names. */
    display: { maxLength: 128, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** SQS queue: letters, digits, hyphens and underscores; 80 characters. */
    sqsQueue: { maxLength: 80, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** Service Bus queue: letters, digits, periods, hyphens, underscores; 260 characters. */
    serviceBusQueue: { maxLength: 260, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** EKS cluster: letters, digits, hyphens; 100 characters. */
    eksCluster: { maxLength: 100, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** AKS cluster resource: 63 characters. */
    aksCluster: { maxLength: 63, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** AKS DNS prefix: 54 characters. */
    aksDnsPrefix: { maxLength: 54, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** Azure resource group: 90 characters. */
    resourceGroup: { maxLength: 90, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** Key Vault: globally unique, 3-24 letters, digits and hyphens. */
    keyVault: { maxLength: 24, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** CloudWatch log group path segment. */
    logGroup: { maxLength: 200, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** KMS alias after `alias/`: letters, digits, / _ - (no dots); 250 characters. */
    kmsAlias: { maxLength: 250, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** IAM role names: 64 characters. */
    iamRole: { maxLength: 64, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** MSK cluster: a letter first, letters, digits and hyphens; 64 characters. */
    mskCluster: { maxLength: 64, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** Firehose stream: letters, digits, `_ . -`; 64 characters. */
    firehoseStream: { maxLength: 64, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
    /** Event Hubs namespace: a letter first, letters, digits and hyphens, 6-50 characters, globally unique. */
    eventHubsNamespace: { maxLength: 50, allowed: /[a-z0-9-]/, separator: "-", lowercase: true },
} as const satisfies Record<string, NameRule>;

const hashLength = 6;

/** Joins `parts` into a name that satisfies `rule`. */
export function physicalName(parts: readonly string[], rule: NameRule): string {
    const full = parts.map((part) => normalize(part, rule)).filter(Boolean).join(rule.separator);
    if (full.length <= rule.maxLength) {
        return full;
    }
    const hash = createHash("sha256").update(full).digest("hex").slice(0, hashLength);
    const keep = rule.maxLength - hash.length - rule.separator.length;
    const head = full.slice(0, keep).replace(/-+$/, "");
    return `${head}${rule.separator}${hash}`;
}

function normalize(part: string, rule: NameRule): string {
    const text = rule.lowercase ? part.toLowerCase() : part;
    const mapped = [...text].map((char) => (rule.allowed.test(char) ? char : rule.separator)).join("");
    return rule.separator ? mapped.replace(/-{2,}/g, "-").replace(/^-|-$/g, "") : mapped;
}

/**
 * `parts` cut to leave room for `suffix`, then the suffix: a name unique across a cloud's
 * tenants that still fits `rule`.
 */
/** `<project>-<stack>` as physical names spell it (`platform-dev`): what the stack's own names start with. */
export function stackPrefix(scope: { readonly project: string; readonly stack: string }): string {
    return physicalName([scope.project, scope.stack], nameRules.display);
}

export function suffixedName(parts: readonly string[], rule: NameRule, suffix: string): string {
    const head = physicalName(parts, { ...rule, maxLength: rule.maxLength - suffix.length - rule.separator.length });
    return `${head}${rule.separator}${suffix}`;
}
