/**
 * Sample values that pass validation but must not be deployed: documentation addresses,
 * accounts and ranges, the sample identities of the checked-in stack files, and regions that
 * do not exist. Each finding is one line naming the key, like a schema error, but it only
 * warns: `npm run plan -- <stack> --strict` turns warnings into a failure. Pure (no Pulumi
 * runtime, no provider SDK); every list is explicit, so a real value is never flagged by a guess.
 */
import { overlaps, parseCidr } from "../lib/addressing.ts";
import { configKey, type PlatformConfig } from "./schema.ts";

/**
 * IPv4 documentation ranges (RFC 5737 §3). The schema accepts only IPv4 ranges in
 * `cluster.authorizedCidrs`, so IPv6's documentation prefix 2001:db8::/32 (RFC 3849) cannot
 * reach this check; add it here when the schema takes IPv6.
 */
export const documentationCidrs = {
    "192.0.2.0/24": "TEST-NET-1",
    "198.51.100.0/24": "TEST-NET-2",
    "203.0.113.0/24": "TEST-NET-3",
} as const;

/**
 * Domains reserved for documentation and testing, with their subdomains: example.com, .net
 * and .org (RFC 2606 §3) and the top-level names .example, .test, .invalid and .localhost
 * (RFC 2606 §2, RFC 6761 §6). No mailbox exists there.
 */
export const documentationDomains = ["example.com", "example.net", "example.org", "example", "test", "invalid", "localhost"] as const;

/**
 * Account ids used in AWS documentation: 123456789012 and 012345678901 throughout, and
 * 111122223333, 444455556666 and 777788889999 in the IAM user guide's cross-account examples.
 */
export const documentationAccountIds = ["111122223333", "123456789012", "012345678901", "444455556666", "777788889999"] as const;

/**
 * Object ids known to be samples. The schema's UUID check already refuses made-up patterns
 * such as 12345678-1234-1234-1234-123456789012 or aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee (their
 * variant digit is not 8-b), so only ids it accepts are listed.
 */
export const sampleObjectIds: Readonly<Record<string, string>> = {
    "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b": "the sample Entra group of the checked-in stack files",
    "00000000-0000-0000-0000-000000000000": "the nil UUID",
    "ffffffff-ffff-ffff-ffff-ffffffffffff": "the max UUID",
};

/** GitHub owners that stand for "your organization" in documentation and templates. */
export const placeholderRepositoryOwners = [
    "acme", "example", "your-org", "your-organization", "my-org", "org", "owner", "octo-org", "octocat",
] as const;

/**
 * AWS regions of the commercial, GovCloud and China partitions, as of December 2026: the
 * `Region` enum of @pulumi/aws 7.48.0 (types/enums/index.d.ts; pulumi/pulumi-aws#6613, August
 * 2026, synced it with aws-sdk-go-base), less the ISO and European Sovereign Cloud partitions;
 * cross-checked with aws-sdk-js-v3's packages/util-endpoints/src/lib/aws/partitions.json (the
 * copy read predates ap-east-2, Taipei, and ap-southeast-6, New Zealand, added in 2025-26).
 */
export const awsRegions = [
    "af-south-1",
    "ap-east-1", "ap-east-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2",
    "eu-north-1",
    "eu-south-1", "eu-south-2",
    "eu-west-1", "eu-west-2", "eu-west-3",
    "il-central-1",
    "me-central-1", "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1", "us-east-2",
    "us-west-1", "us-west-2",
    // GovCloud (US)
    "us-gov-east-1", "us-gov-west-1",
    // China
    "cn-north-1", "cn-northwest-1",
] as const;

/**
 * Azure public-cloud locations that hold resources (programmatic names), as of December 2026:
 * Microsoft Learn's "Azure regions list" (learn.microsoft.com/azure/reliability/regions-list,
 * MicrosoftDocs/reliability-docs, dated 2025-09-23), including restricted-access regions and
 * Denmark East (listed there as coming soon, so that a stack using it is not flagged), plus the restricted and canary
 * locations `az account list-locations` returns that the page leaves out (swedensouth,
 * jioindiacentral, jioindiawest, centraluseuap, eastus2euap). Logical locations such as
 * `europe` hold no resources and are left out. The May 2026 Azure blog announced regions in
 * Greece, Finland and a second one in Denmark whose programmatic names were not published where
 * checked; add them when they appear in `az account list-locations`.
 */
export const azureLocations = [
    "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth", "brazilsoutheast",
    "canadacentral", "canadaeast",
    "centralindia", "southindia", "westindia", "jioindiacentral", "jioindiawest",
    "chilecentral",
    "denmarkeast",
    "eastasia", "southeastasia",
    "francecentral", "francesouth",
    "germanynorth", "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast", "japanwest",
    "koreacentral", "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northeurope", "westeurope",
    "norwayeast", "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth", "southafricawest",
    "spaincentral",
    "swedencentral", "swedensouth",
    "switzerlandnorth", "switzerlandwest",
    "uaecentral", "uaenorth",
    "uksouth", "ukwest",
    "centralus", "eastus", "eastus2", "northcentralus", "southcentralus", "westcentralus", "westus", "westus2", "westus3",
    "centraluseuap", "eastus2euap",
] as const;

type Path = readonly (string | number)[];

/** One line per placeholder or nonexistent value, in schema key order; empty when the configuration is real. */
export function placeholderWarnings(config: PlatformConfig): string[] {
    const warnings: string[] = [];
    const warn = (path: Path, message: string | undefined) => {
        if (message !== undefined) {
            warnings.push(`${configKey(path)}: ${message}`);
        }
    };
    if (config.aws && !(awsRegions as readonly string[]).includes(config.aws.region)) {
        warn(["aws", "region"], `"${config.aws.region}" is not an AWS region (commercial, GovCloud or China, as of December 2026); see aws account list-regions`);
    }
    if (config.aws?.recoveryRegion !== undefined && !(awsRegions as readonly string[]).includes(config.aws.recoveryRegion)) {
        warn(["aws", "recoveryRegion"], `"${config.aws.recoveryRegion}" is not an AWS region (commercial, GovCloud or China, as of December 2026); see aws account list-regions`);
    }
    if (config.azure && !(azureLocations as readonly string[]).includes(config.azure.location)) {
        warn(["azure", "location"], `"${config.azure.location}" is not an Azure location (public cloud, as of December 2026); see az account list-locations`);
    }
    config.cluster.authorizedCidrs.forEach((cidr, index) => warn(["cluster", "authorizedCidrs", index], documentationCidr(cidr)));
    config.cluster.aws.adminRoleArns.forEach((arn, index) => warn(["cluster", "aws", "adminRoleArns", index], documentationAccount(arn)));
    config.cluster.azure.adminGroupObjectIds.forEach((id, index) => warn(["cluster", "azure", "adminGroupObjectIds", index], sampleObjectId(id)));
    config.budget.alertEmails.forEach((email, index) => warn(["budget", "alertEmails", index], documentationEmail(email, "budget alerts would go nowhere")));
    warn(
        ["kubernetes", "acmeEmail"],
        documentationEmail(config.kubernetes.acmeEmail, "Let's Encrypt refuses it as an account contact, so the letsencrypt issuer would not register"),
    );
    if (config.dns) {
        warn(["dns", "zone"], documentationZone(config.dns.zone));
    } else if (config.kubernetes.addons.gateway) {
        warnings.push(`${configKey(["dns"])}: not set, so the gateway answers only on its load balancer's address with a self-signed certificate; set dns.zone for hosts and trusted certificates`);
    }
    config.kubernetes.developers.aws.roleArns.forEach((arn, index) => warn(["kubernetes", "developers", "aws", "roleArns", index], documentationAccount(arn)));
    config.kubernetes.developers.azure.groupObjectIds.forEach((id, index) => warn(["kubernetes", "developers", "azure", "groupObjectIds", index], sampleObjectId(id)));
    if (config.ci) {
        warn(["ci", "repository"], placeholderRepository(config.ci.repository));
        const providerArn = config.ci.aws?.oidcProviderArn;
        if (providerArn !== undefined) {
            warn(["ci", "aws", "oidcProviderArn"], documentationAccount(providerArn));
        }
    }
    return warnings;
}

function documentationCidr(cidr: string): string | undefined {
    const { prefix } = parseCidr(cidr);
    const match = Object.entries(documentationCidrs).find(([range]) => prefix >= parseCidr(range).prefix && overlaps(cidr, range));
    if (!match) {
        return undefined;
    }
    const [range, name] = match;
    return `"${cidr}" ${cidr === range ? "is" : "is inside"} the documentation range ${range} (${name}, RFC 5737); no real client has those addresses`;
}

function documentationDomain(domain: string): string | undefined {
    const reserved = documentationDomains.find((name) => domain === name || domain.endsWith(`.${name}`));
    return reserved === undefined ? undefined : reserved.includes(".") ? reserved : `.${reserved}`;
}

function documentationEmail(email: string, consequence: string): string | undefined {
    const reserved = documentationDomain(email.slice(email.lastIndexOf("@") + 1).toLowerCase());
    return reserved === undefined ? undefined : `"${email}" is a documentation address (${reserved}); ${consequence}`;
}

function documentationZone(zone: string): string | undefined {
    const reserved = documentationDomain(zone);
    return reserved === undefined
        ? undefined
        : `"${zone}" is under ${reserved}, reserved for documentation: nobody can delegate it to the stack, so no certificate would be issued; use a zone of your own`;
}

/** `arn:<partition>:iam::<account>:…`; the schema has checked the shape. */
function documentationAccount(arn: string): string | undefined {
    const account = arn.split(":")[4] ?? "";
    return (documentationAccountIds as readonly string[]).includes(account)
        ? `"${arn}" is in ${account}, an AWS documentation account; use one of your own`
        : undefined;
}

function sampleObjectId(id: string): string | undefined {
    const sample = sampleObjectIds[id.toLowerCase()];
    return sample === undefined ? undefined : `"${id}" is ${sample}; use the object id of your own Entra group`;
}

/** `owner/name`; GitHub owner names are case-insensitive. */
function placeholderRepository(repository: string): string | undefined {
    const owner = repository.split("/")[0] ?? "";
    if (!(placeholderRepositoryOwners as readonly string[]).includes(owner.toLowerCase())) {
        return undefined;
    }
    return `"${repository}" has the placeholder owner "${owner}"; set the owner/name of the GitHub repository whose workflows deploy this stack, or remove platform:ci`;
}
