/**
 * The deploy role's rights over the stack's day-two machinery: the log of secret reads (a
 * CloudTrail Lake event data store), the admin secret RDS manages and its rotation schedule,
 * backups replicated to the recovery region, and the reminders before API keys expire. Pure:
 * plain JSON, tested against what the program creates.
 */
import { policyDocument, scoped, type AwsDeployScope } from "./aws-policy.ts";

export function operationsPolicy(scope: AwsDeployScope): string {
    const { prefix } = scope;
    const { arn, ours, creatingOurs } = scoped(scope);
    const readLogs = arn("cloudtrail", "eventdatastore/*");
    return policyDocument([
        // Event data stores are named by a generated id: created with the stack's tags, changed only while they carry them.
        { Sid: "SecretReadLogCreate", Effect: "Allow", Action: ["cloudtrail:CreateEventDataStore", "cloudtrail:AddTags"], Resource: readLogs, Condition: { StringEquals: creatingOurs } },
        {
            Sid: "SecretReadLog",
            Effect: "Allow",
            Action: [
                "cloudtrail:GetEventDataStore", "cloudtrail:UpdateEventDataStore", "cloudtrail:DeleteEventDataStore", "cloudtrail:ListTags",
                "cloudtrail:AddTags", "cloudtrail:RemoveTags",
            ],
            Resource: readLogs,
            Condition: { StringEquals: ours },
        },
        {
            // RDS makes `rds!db-…` as the caller (RDS User Guide, "Permissions required for Secrets Manager integration");
            // the program sets its rotation schedule.
            Sid: "DatabaseAdminSecret",
            Effect: "Allow",
            Action: [
                "secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret", "secretsmanager:RotateSecret",
                "secretsmanager:CancelRotateSecret", "secretsmanager:DeleteSecret",
            ],
            Resource: arn("secretsmanager", "secret:rds!db-*"),
        },
        {
            // The copies live in the recovery region; the source instance is the stack's (data policy).
            Sid: "DatabaseBackupCopies",
            Effect: "Allow",
            Action: ["rds:StartDBInstanceAutomatedBackupsReplication", "rds:StopDBInstanceAutomatedBackupsReplication", "rds:DescribeDBInstanceAutomatedBackups", "rds:DeleteDBInstanceAutomatedBackup"],
            Resource: scope.recoveryRegion ? [`arn:${scope.partition}:rds:${scope.recoveryRegion}:${scope.account}:auto-backup:*`, arn("rds", `db:${prefix}-*`)] : arn("rds", `db:${prefix}-*`),
        },
        {
            // Schedules take no tags; the default group, by name.
            Sid: "SecretReminders",
            Effect: "Allow",
            Action: ["scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
            Resource: arn("scheduler", `schedule/default/${prefix}-*`),
        },
    ]);
}
