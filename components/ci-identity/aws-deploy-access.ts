/**
 * The deploy policy's "roles", "oidc" and "keys" parts: which roles the deploy role may create,
 * change and pass (only under the workload boundary), the cluster's OIDC provider, and what it
 * may do with the stack's KMS keys. Pure: plain JSON. The other parts and the scoping rules are in `aws-deploy-policy.ts`.
 */
import { passedToServices } from "../aws/iam.ts";
import { attachablePolicies, autonamedPatterns, ciPolicyPrefix, keyViaServices, policyDocument, scoped, type AwsDeployScope } from "./aws-policy.ts";

/**
 * The stack's roles (only with its permissions boundary) and the roles it passes — and the
 * denies that keep it from widening any of that.
 */
export function rolesPolicy(scope: AwsDeployScope): string {
    const { arn, ours, creatingOurs, keepsOwnership } = scoped(scope);
    const roles = autonamedPatterns(scope).map((pattern) => arn("iam", `role/${pattern}`, false));
    const withBoundary = { "iam:PermissionsBoundary": scope.boundaryArn };

    return policyDocument([
        {
            Sid: "RolesCreate",
            Effect: "Allow",
            Action: "iam:CreateRole",
            Resource: roles,
            Condition: { StringEquals: { ...withBoundary, ...creatingOurs } },
        },
        {
            Sid: "RolePolicies",
            Effect: "Allow",
            Action: ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"],
            Resource: roles,
            Condition: { StringEquals: { ...withBoundary, ...ours } },
        },
        {
            Sid: "RoleAttachments",
            Effect: "Allow",
            Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            Resource: roles,
            Condition: { StringEquals: { ...withBoundary, ...ours }, ArnEquals: { "iam:PolicyARN": [...attachablePolicies] } },
        },
        {
            // IAM has no iam:PermissionsBoundary key for these: the stack's tags and role names scope them.
            Sid: "Roles",
            Effect: "Allow",
            Action: ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy"],
            Resource: roles,
            Condition: { StringEquals: ours },
        },
        // Tags decide what the statements above reach, so only roles already the stack's may be (un)tagged. CreateRole's
        // own tags are authorized as iam:TagRole on the new role too: should IAM not see the request's tags as the new
        // role's, a new role is created by an administrator's `up`, as the boundary is.
        { Sid: "RoleTags", Effect: "Allow", Action: "iam:TagRole", Resource: roles, Condition: { StringEquals: ours, StringEqualsIfExists: creatingOurs } },
        { Sid: "RoleUntags", Effect: "Allow", Action: "iam:UntagRole", Resource: roles, Condition: { StringEquals: ours, ...keepsOwnership } },
        // PassRole ignores resource tags: the role names and the receiving services are its scope.
        { Sid: "PassRoles", Effect: "Allow", Action: "iam:PassRole", Resource: roles, Condition: { StringEquals: { "iam:PassedToService": [...passedToServices] } } },
        { Sid: "DenyBoundaryRemoval", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
        {
            Sid: "DenyOtherBoundaries",
            Effect: "Deny",
            Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
            Condition: { StringNotEquals: withBoundary },
        },
        {
            // The boundaries and the CI identity's own policies are an administrator's: CI may neither rewrite nor delete them.
            Sid: "DenyPolicyChanges",
            Effect: "Deny",
            Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
            Resource: [scope.boundaryArn, arn("iam", `policy/${ciPolicyPrefix(scope)}*`, false)],
        },
        {
            // CI cannot widen its own access: changes to the CI identity are applied by an administrator.
            Sid: "DenyCiIdentityChanges",
            Effect: "Deny",
            Action: ["iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:PassRole", "iam:Put*", "iam:Remove*", "iam:Tag*", "iam:Untag*", "iam:Update*"],
            Resource: [
                ...scope.ciRoleNames.map((name) => arn("iam", `role/${name}`, false)),
                arn("iam", "oidc-provider/token.actions.githubusercontent.com", false),
            ],
        },
        // No hopping into a role it manages, whatever that role's trust policy says.
        { Sid: "DenyRoleChaining", Effect: "Deny", Action: ["sts:AssumeRole"], Resource: "*" },
    ]);
}

/** The cluster's IAM OIDC provider, which workload identities federate through: only the region's EKS issuers. */
export function oidcProviderPolicy(scope: AwsDeployScope): string {
    const { arn, creatingOurs } = scoped(scope);
    const issuers = arn("iam", `oidc-provider/oidc.eks.${scope.region}.amazonaws.com/id/*`, false);
    return policyDocument([
        {
            Sid: "ClusterOidcProviderCreate",
            Effect: "Allow",
            Action: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
            Resource: issuers,
            Condition: { StringEquals: creatingOurs },
        },
        {
            Sid: "ClusterOidcProvider",
            Effect: "Allow",
            Action: [
                "iam:DeleteOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
            ],
            Resource: scope.oidcProviderArn ?? issuers,
        },
    ]);
}

/** The stack's KMS keys: administration without the key policy, tags only on its own keys, data keys only through its services. */
export function keysPolicy(scope: AwsDeployScope): string {
    const { ours, creatingOurs, keepsOwnership } = scoped(scope);
    // Any region: the recovery region's key is the stack's too (tagged), and named alike.
    const keys = `arn:${scope.partition}:kms:*:${scope.account}:key/*`;

    return policyDocument([
        // Keys are created with their tags (CreateKey's Tags, aws:RequestTag). KMS authorizes those as kms:TagResource
        // too, which the deploy role has only on keys already the stack's; KMS documents that tag-on-create needs that
        // permission on every key ("Controlling access to tags"), which is exactly the takeover closed here, so a key
        // KMS would refuse on those grounds is created by an administrator's `up`.
        { Sid: "KeysCreate", Effect: "Allow", Action: "kms:CreateKey", Resource: "*", Condition: { StringEquals: creatingOurs } },
        // Tags decide what the key statements reach, so only keys already the stack's may be (un)tagged.
        { Sid: "KeyTags", Effect: "Allow", Action: "kms:TagResource", Resource: keys, Condition: { StringEquals: ours, StringEqualsIfExists: creatingOurs } },
        { Sid: "KeyUntags", Effect: "Allow", Action: "kms:UntagResource", Resource: keys, Condition: { StringEquals: ours, ...keepsOwnership } },
        {
            // No kms:PutKeyPolicy: key policies are an administrator's.
            Sid: "Keys",
            Effect: "Allow",
            Action: [
                "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ListGrants", "kms:EnableKeyRotation", "kms:DisableKeyRotation",
                "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:UpdateKeyDescription", "kms:CreateGrant", "kms:RetireGrant", "kms:RevokeGrant",
            ],
            Resource: keys,
            Condition: { StringEquals: ours },
        },
        {
            // Data keys only through the services that store the stack's data.
            Sid: "KeyUse",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            Resource: keys,
            Condition: { StringEquals: { ...ours, "kms:ViaService": keyViaServices(scope) } },
        },
        {
            // Alias calls authorize the alias and its key: the alias by name, the key by the stack's tags.
            Sid: "KeyAliases",
            Effect: "Allow",
            Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            Resource: `arn:${scope.partition}:kms:*:${scope.account}:alias/${scope.prefix}-*`,
        },
        { Sid: "KeyAliasTargets", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], Resource: keys, Condition: { StringEquals: ours } },
        {
            // ECR encrypts with the AWS managed key through a grant; only ECR, for its own resource.
            Sid: "RegistryKeyGrants",
            Effect: "Allow",
            Action: ["kms:CreateGrant", "kms:RetireGrant"],
            Resource: keys,
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" }, StringEquals: { "kms:ViaService": `ecr.${scope.region}.amazonaws.com` } },
        },
    ]);
}
