import assert from "node:assert/strict";
import { cloudRejection, cloudWatchRetentionDays } from "../../tools/simulated-cloud/constraints.ts";

const now = new Date("2026-12-06T12:00:00Z");

describe("the simulated cloud refuses what the real APIs refuse", () => {
    const cases: [string, string, Record<string, unknown>, RegExp | undefined][] = [
        ["a KMS alias", "aws:kms/alias:Alias", { name: "alias/platform-prod-eu-2-data" }, undefined],
        ["a KMS alias with a dot", "aws:kms/alias:Alias", { name: "alias/platform-Prod_EU.2-data" }, /KMS CreateAlias/],
        ["an alias in the reserved aws/ space", "aws:kms/alias:Alias", { name: "alias/aws/platform" }, /KMS CreateAlias/],
        ["an RDS identifier", "aws:rds/instance:Instance", { identifier: "platform-prod-postgres" }, undefined],
        ["an RDS identifier with a double hyphen", "aws:rds/instance:Instance", { identifier: "platform--prod" }, /RDS CreateDBInstance/],
        ["an RDS identifier of 64 characters", "aws:rds/instance:Instance", { identifier: `a${"b".repeat(63)}` }, /RDS CreateDBInstance/],
        ["an ElastiCache id of 41 characters", "aws:elasticache/replicationGroup:ReplicationGroup", { replicationGroupId: "a".repeat(41) }, /ElastiCache/],
        ["an S3 bucket with capitals", "aws:s3/bucket:Bucket", { bucket: "platform-dev-data-BovK" }, /S3 bucket naming/],
        ["an S3 bucket", "aws:s3/bucket:Bucket", { bucket: "platform-dev-data-b0vk" }, undefined],
        ["an IAM role of 65 characters", "aws:iam/role:Role", { name: "r".repeat(65) }, /IAM CreateRole/],
        ["a log group retention CloudWatch offers", "aws:cloudwatch/logGroup:LogGroup", { name: "/aws/eks/x/cluster", retentionInDays: 731 }, undefined],
        ["a log group retention CloudWatch does not offer", "aws:cloudwatch/logGroup:LogGroup", { name: "/aws/eks/x/cluster", retentionInDays: 730 }, /PutRetentionPolicy/],
        ["Log Analytics keeping 730 days", "azure-native:operationalinsights:Workspace", { retentionInDays: 730 }, undefined],
        ["Log Analytics keeping 731 days", "azure-native:operationalinsights:Workspace", { retentionInDays: 731 }, /30-730/],
        ["a storage account with capitals", "azure-native:storage:StorageAccount", { accountName: "stplatformdev3mlO" }, /lowercase/],
        ["a Key Vault name of 25 characters", "azure-native:keyvault:Vault", { vaultName: `kv-${"a".repeat(22)}` }, /3-24/],
        ["a budget starting this month", "azure-native:consumption:Budget", { budgetName: "platform-dev", timePeriod: { startDate: "2026-12-01T00:00:00Z" } }, undefined],
        ["a budget starting last month", "azure-native:consumption:Budget", { budgetName: "platform-dev", timePeriod: { startDate: "2026-11-01T00:00:00Z" } }, /before the current month/],
        ["a budget starting mid-month", "azure-native:consumption:Budget", { budgetName: "platform-dev", timePeriod: { startDate: "2026-12-15T00:00:00Z" } }, /first day of a month/],
        ["a budget starting in 13 months", "azure-native:consumption:Budget", { budgetName: "platform-dev", timePeriod: { startDate: "2028-01-01T00:00:00Z" } }, /twelve months/],
        ["a type without rules", "aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16" }, undefined],
    ];
    for (const [what, type, inputs, refused] of cases) {
        it(`${refused ? "refuses" : "accepts"} ${what}`, () => {
            const problem = cloudRejection(type, inputs, now);
            if (refused) {
                assert.match(String(problem), refused);
            } else {
                assert.equal(problem, undefined);
            }
        });
    }

    it("knows CloudWatch's retention values, which include two years as 731 days", () => {
        assert.ok(cloudWatchRetentionDays.includes(731) && !cloudWatchRetentionDays.includes(730));
    });
});
