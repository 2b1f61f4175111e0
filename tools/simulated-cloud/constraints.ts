/**
 * What the real cloud APIs refuse, so the simulated cloud refuses it too: name rules,
 * accepted values and dates for the resources the program creates. Each rule names the
 * documentation it was checked against. Pure: the simulated cloud (answers.ts) calls
 * `cloudRejection` before it accepts a resource, for the offline plan and the stand-in provider alike.
 */

type Inputs = Record<string, unknown>;
/** A problem with one input, or undefined when the cloud accepts it. */
type Check = (inputs: Inputs, now: Date) => string | undefined;

function named(key: string, pattern: RegExp, rule: string): Check {
    return (inputs) => {
        const value = inputs[key];
        return typeof value === "string" && !pattern.test(value) ? `${key} "${value}" breaks the rule: ${rule}` : undefined;
    };
}

/** CloudWatch Logs PutRetentionPolicy: the only values `retentionInDays` accepts. */
export const cloudWatchRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Log Analytics (PerGB2018): retention from 30 to 730 days. */
export const logAnalyticsRetention = { min: 30, max: 730 };

const rules: Record<string, Check[]> = {
    // KMS CreateAlias: "alias/" then letters, digits, / _ -; aliases under alias/aws/ are reserved.
    "aws:kms/alias:Alias": [named("name", /^alias\/(?!aws\/)[A-Za-z0-9/_-]{1,250}$/, "alias/ then 1-250 letters, digits, / _ - (KMS CreateAlias)")],
    // RDS CreateDBInstance: 1-63 letters, digits, hyphens; starts with a letter; no -- or trailing hyphen.
    "aws:rds/instance:Instance": [named("identifier", /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/, "1-63 lowercase letters, digits and single hyphens, starting with a letter (RDS CreateDBInstance)")],
    "aws:rds/subnetGroup:SubnetGroup": [named("name", /^[a-z0-9 ._-]{1,255}$/, "1-255 lowercase letters, digits, spaces, . _ - (RDS CreateDBSubnetGroup)")],
    "aws:rds/parameterGroup:ParameterGroup": [named("name", /^[a-z](?!.*--)[a-z0-9-]{0,253}[a-z0-9]$/, "letters, digits, single hyphens, starting with a letter (RDS CreateDBParameterGroup)")],
    // ElastiCache CreateReplicationGroup: 1-40 characters, same shape as RDS identifiers.
    "aws:elasticache/replicationGroup:ReplicationGroup": [named("replicationGroupId", /^[a-z](?!.*--)[a-z0-9-]{0,38}[a-z0-9]$/, "1-40 lowercase letters, digits and single hyphens, starting with a letter (ElastiCache CreateReplicationGroup)")],
    "aws:elasticache/subnetGroup:SubnetGroup": [named("name", /^[a-z0-9-]{1,255}$/, "1-255 lowercase letters, digits and hyphens (ElastiCache CreateCacheSubnetGroup)")],
    "aws:elasticache/parameterGroup:ParameterGroup": [named("name", /^[a-z][a-z0-9-]{0,254}$/, "letters, digits and hyphens, starting with a letter (ElastiCache CreateCacheParameterGroup)")],
    // EKS CreateCluster: 1-100 characters, ^[0-9A-Za-z][A-Za-z0-9\-_]*.
    "aws:eks/cluster:Cluster": [named("name", /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, "1-100 letters, digits, - and _, starting with a letter or digit (EKS CreateCluster)")],
    // S3 general purpose bucket naming rules.
    "aws:s3/bucket:Bucket": [named("bucket", /^(?!xn--|sthree-)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "3-63 lowercase letters, digits, dots and hyphens (S3 bucket naming rules)")],
    "aws:s3/bucketV2:BucketV2": [named("bucket", /^(?!xn--|sthree-)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "3-63 lowercase letters, digits, dots and hyphens (S3 bucket naming rules)")],
    // IAM CreateRole: up to 64 of [\w+=,.@-].
    "aws:iam/role:Role": [named("name", /^[\w+=,.@-]{1,64}$/, "1-64 letters, digits and + = , . @ _ - (IAM CreateRole)")],
    "aws:iam/policy:Policy": [named("name", /^[\w+=,.@-]{1,128}$/, "1-128 letters, digits and + = , . @ _ - (IAM CreatePolicy)")],
    // CloudWatch Logs CreateLogGroup and PutRetentionPolicy.
    "aws:cloudwatch/logGroup:LogGroup": [
        named("name", /^[\w.\-/#]{1,512}$/, "1-512 letters, digits and . - _ / # (CloudWatch CreateLogGroup)"),
        (inputs) => {
            const days = inputs["retentionInDays"];
            return typeof days === "number" && !cloudWatchRetentionDays.includes(days)
                ? `retentionInDays ${days} is not one of ${cloudWatchRetentionDays.join(", ")} (CloudWatch PutRetentionPolicy)`
                : undefined;
        },
    ],
    "aws:ecr/repository:Repository": [named("name", /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, "2-256 characters of lowercase path components (ECR CreateRepository)")],
    "aws:secretsmanager/secret:Secret": [named("name", /^[A-Za-z0-9/_+=.@-]{1,512}$/, "1-512 letters, digits and / _ + = . @ - (Secrets Manager CreateSecret)")],
    "aws:budgets/budget:Budget": [named("name", /^[^:\\]{1,100}$/, "1-100 characters without : or \\ (Budgets CreateBudget)")],
    // Azure naming rules: "Naming rules and restrictions for Azure resources" (learn.microsoft.com).
    "azure-native:resources:ResourceGroup": [named("resourceGroupName", /^[\w.()-]{0,89}[\w()-]$/, "1-90 letters, digits, . _ - ( ), not ending in a dot")],
    "azure-native:keyvault:Vault": [named("vaultName", /^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$/, "3-24 letters, digits and single hyphens, starting with a letter")],
    "azure-native:storage:StorageAccount": [named("accountName", /^[a-z0-9]{3,24}$/, "3-24 lowercase letters and digits")],
    "azure-native:containerregistry:Registry": [named("registryName", /^[A-Za-z0-9]{5,50}$/, "5-50 letters and digits")],
    "azure-native:containerservice:ManagedCluster": [
        named("resourceName", /^[A-Za-z0-9][A-Za-z0-9_-]{0,61}[A-Za-z0-9]$/, "1-63 letters, digits, _ and -, starting and ending with a letter or digit"),
        named("dnsPrefix", /^[A-Za-z0-9][A-Za-z0-9-]{0,52}[A-Za-z0-9]$/, "1-54 letters, digits and hyphens, starting and ending with a letter or digit"),
    ],
    "azure-native:dbforpostgresql:Server": [named("serverName", /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "3-63 lowercase letters, digits and hyphens")],
    "azure-native:redisenterprise:RedisEnterprise": [named("clusterName", /^(?!.*--)[A-Za-z0-9][A-Za-z0-9-]{0,58}[A-Za-z0-9]$/, "1-60 letters, digits and single hyphens")],
    "azure-native:consumption:Budget": [
        named("budgetName", /^[A-Za-z0-9_-]{1,63}$/, "1-63 letters, digits, _ and -"),
        budgetStartDate,
    ],
    "azure-native:operationalinsights:Workspace": [
        (inputs) => {
            const days = inputs["retentionInDays"];
            return typeof days === "number" && (days < logAnalyticsRetention.min || days > logAnalyticsRetention.max)
                ? `retentionInDays ${days} is outside ${logAnalyticsRetention.min}-${logAnalyticsRetention.max} (Log Analytics workspaces)`
                : undefined;
        },
    ],
};

/**
 * Consumption budgets: the start date is the first of a month, no earlier than the current
 * month (the current time grain) and at most twelve months ahead.
 */
function budgetStartDate(inputs: Inputs, now: Date): string | undefined {
    const start = (inputs["timePeriod"] as Inputs | undefined)?.["startDate"];
    if (typeof start !== "string") {
        return undefined;
    }
    const date = new Date(start);
    const currentMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const latest = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 12, 1);
    if (Number.isNaN(date.getTime()) || date.getUTCDate() !== 1 || date.getUTCHours() !== 0) {
        return `timePeriod.startDate "${start}" must be the first day of a month`;
    }
    if (date.getTime() < currentMonth) {
        return `timePeriod.startDate "${start}" is before the current month; a new budget must start within the current time grain`;
    }
    if (date.getTime() > latest) {
        return `timePeriod.startDate "${start}" is more than twelve months ahead`;
    }
    return undefined;
}

/** Why the cloud would refuse to create `type` with `inputs`, or undefined when it accepts it. */
export function cloudRejection(type: string, inputs: Inputs, now: Date = new Date()): string | undefined {
    for (const check of rules[type] ?? []) {
        const problem = check(inputs, now);
        if (problem) {
            return problem;
        }
    }
    return undefined;
}
