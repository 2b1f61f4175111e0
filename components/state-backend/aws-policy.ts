/**
 * The state bucket's policy and the secrets key's policy: what each platform stack's CI roles
 * may do with the store, and nothing more. Pure JSON, no provider SDK.
 *
 * The CI roles (`<project>-<stack>-ci-deploy` / `-ci-preview`, components/ci-identity/aws.ts)
 * are created later, by each platform stack's first `up`. Bucket and key policies refuse a
 * principal that does not exist ("Invalid principal in policy"; KMS PutKeyPolicy: "The
 * principals in the key policy must exist"), so each grant names `Principal: "*"` and pins
 * the caller with `aws:PrincipalArn` (the role's ARN for any of its sessions) and the
 * account. Fixed principal values keep the bucket policy non-public for Block Public Access
 * (S3 User Guide, "The meaning of public"). Unlike an account principal, which only delegates
 * to IAM policies, these statements grant by themselves: the roles need no policy of their own.
 */
import { nameRules, physicalName } from "../../lib/naming.ts";
import { accountKeyPolicy, type AwsAccount } from "../aws/iam.ts";
import { encryptionContext, encryptionContextKey, metaFile, stackFiles } from "./layout.ts";

export interface AwsStateScope extends AwsAccount {
    readonly region: string;
    readonly bucketArn: string;
    /** The platform project and the stacks whose state the store keeps. */
    readonly project: string;
    readonly stacks: readonly string[];
}

export const ciPurposes = ["deploy", "preview"] as const;
export type CiPurpose = (typeof ciPurposes)[number];

/** The role the platform stack creates, named as components/ci-identity/aws.ts names it. */
export function ciRoleArn(scope: AwsAccount & { readonly project: string }, stack: string, purpose: CiPurpose): string {
    return `arn:${scope.partition}:iam::${scope.account}:role/${physicalName([scope.project, stack, "ci", purpose], nameRules.iamRole)}`;
}

/** `cn-north-1` → `aws-cn`: the partition of a region, for ARNs built before anything exists. */
export function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/**
 * What each role reads and writes, as key patterns under the bucket, checked against the DIY
 * backend (pkg/backend/diy): a preview takes no lock and writes nothing (`Preview` runs
 * `apply` as a dry run: no snapshot persister, no history, no backup); it reads meta.yaml,
 * finds the checkpoint by listing its prefix (`stackPath`) and reads it and the tags file.
 * An update also takes and drops a lock (`Lock` lists the stack's lock folder and reads any
 * other lock to name its owner; `Unlock` deletes its own), backs up the checkpoint to
 * `.bak` and rewrites it (`saveCheckpoint`), and copies it to history and backups.
 */
export function stateObjectGrants(project: string, stack: string) {
    const files = stackFiles(project, stack);
    const checkpoint = `${files.checkpoint}*`;
    const locks = `${files.locks}*`;
    return {
        preview: { read: [metaFile, checkpoint] },
        deploy: {
            read: [metaFile, checkpoint, locks],
            write: [checkpoint, `${files.history}*`, `${files.backups}*`, locks],
            delete: [locks],
        },
    };
}

type Statement = Record<string, unknown>;

/** `Principal: "*"` narrowed to exactly `roleArns` of this account. */
function onlyRoles(roleArns: readonly string[], accountKey: "aws:PrincipalAccount" | "kms:CallerAccount", account: string, extra: Record<string, Record<string, string>> = {}) {
    const { StringEquals: stringEquals, ...others } = extra;
    return {
        Principal: "*",
        Condition: { ArnEquals: { "aws:PrincipalArn": [...roleArns] }, StringEquals: { [accountKey]: account, ...stringEquals }, ...others },
    };
}

/** `dev` → `Dev`, `eu-prod` → `EuProd`: statement ids take letters and digits only. */
function sidOf(stack: string): string {
    return stack.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
}

/**
 * The bucket's policy: TLS 1.2+ only; no role of the platform project but a stack's own CI
 * roles may touch that stack's files, whatever its IAM policies allow; every CI role may list the bucket (S3 answers a read of
 * a missing key, such as a stack without a tags file, with 404 only to a principal that may
 * list; otherwise 403, which the backend reports as a failure); each stack's roles may touch
 * only that stack's files (`stateObjectGrants`). Multipart uploads, which the SDK's transfer
 * manager uses for a large checkpoint, are `s3:PutObject` too; a failed one is aborted.
 */
export function stateBucketPolicy(scope: AwsStateScope): string {
    const bucket = scope.bucketArn;
    const objects = (keys: readonly string[]) => keys.map((key) => `${bucket}/${key}`);
    const role = (stack: string, purpose: CiPurpose) => ciRoleArn(scope, stack, purpose);
    const allow = (sid: string, roles: readonly string[], action: string | string[], resource: string | string[]): Statement =>
        ({ Sid: sid, Effect: "Allow", ...onlyRoles(roles, "aws:PrincipalAccount", scope.account), Action: action, Resource: resource });
    const everyRole = scope.stacks.flatMap((stack) => ciPurposes.map((purpose) => role(stack, purpose)));
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket, `${bucket}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket, `${bucket}/*`], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
            allow("CiListsState", everyRole, "s3:ListBucket", bucket),
            ...scope.stacks.flatMap((stack) => {
                const grants = stateObjectGrants(scope.project, stack);
                const sid = sidOf(stack);
                const files = Object.values(stackFiles(scope.project, stack)).map((prefix) => `${bucket}/${prefix}*`);
                return [
                    // IAM policies add to this one in the same account, and the preview roles carry ReadOnlyAccess:
                    // no other stack's CI role touches this stack's files.
                    {
                        Sid: `${sid}StateIsItsOwn`,
                        Effect: "Deny",
                        Principal: "*",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        Resource: files,
                        Condition: {
                            // The project's CI roles (`<project>-<stack>-ci-<purpose>`), not administrators' or developers' roles.
                            ArnLike: { "aws:PrincipalArn": ciPurposes.map((purpose) => `arn:${scope.partition}:iam::${scope.account}:role/${scope.project}-*-ci-${purpose}`) },
                            ArnNotEquals: { "aws:PrincipalArn": ciPurposes.map((purpose) => role(stack, purpose)) },
                        },
                    },
                    allow(`${sid}PreviewReads`, [role(stack, "preview")], "s3:GetObject", objects(grants.preview.read)),
                    allow(`${sid}DeployReads`, [role(stack, "deploy")], "s3:GetObject", objects(grants.deploy.read)),
                    allow(`${sid}DeployWrites`, [role(stack, "deploy")], ["s3:PutObject", "s3:AbortMultipartUpload"], objects(grants.deploy.write)),
                    allow(`${sid}DeployUnlocks`, [role(stack, "deploy")], "s3:DeleteObject", objects(grants.deploy.delete)),
                ];
            }),
        ],
    });
}

/**
 * The key's policy: the account administers it through IAM (`accountKeyPolicy`), which is how
 * an administrator runs `stack init` (Encrypt) and the bootstrap stack itself. CI roles:
 * - through S3 only, for the bucket's default encryption (the bucket key's encryption context
 *   is the bucket ARN): Decrypt to read state, and GenerateDataKey too to write it (deploy);
 * - their own stack's data key: Decrypt, under the encryption context `stack=<project>/<stack>`
 *   that stack's secrets provider URL sets. `stack init` (an administrator's) is the only
 *   Encrypt; every later run decrypts the data key from the stack file once
 *   (pkg/secrets/cloud/manager.go), so no CI role encrypts.
 */
export function stateKeyPolicy(scope: AwsStateScope): string {
    const viaS3 = { StringEquals: { "kms:ViaService": `s3.${scope.region}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": scope.bucketArn } };
    const role = (stack: string, purpose: CiPurpose) => ciRoleArn(scope, stack, purpose);
    const allow = (sid: string, roles: readonly string[], action: string | string[], extra: Record<string, Record<string, string>>): Statement =>
        ({ Sid: sid, Effect: "Allow", ...onlyRoles(roles, "kms:CallerAccount", scope.account, extra), Action: action, Resource: "*" });
    const rolesFor = (purpose: CiPurpose) => scope.stacks.map((stack) => role(stack, purpose));
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...(JSON.parse(accountKeyPolicy(scope)) as { Statement: Statement[] }).Statement,
            allow("CiReadsStateThroughS3", [...rolesFor("deploy"), ...rolesFor("preview")], "kms:Decrypt", viaS3),
            allow("CiDeployWritesStateThroughS3", rolesFor("deploy"), "kms:GenerateDataKey", viaS3),
            ...scope.stacks.map((stack) => allow(`${sidOf(stack)}DecryptsItsSecrets`, [role(stack, "deploy"), role(stack, "preview")], "kms:Decrypt", {
                StringEquals: { [`kms:EncryptionContext:${encryptionContextKey}`]: encryptionContext(scope.project, stack) },
            })),
        ],
    });
}
