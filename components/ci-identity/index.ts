export type { CiIdentity, CiIdentityArgs, TrustedSubject, TrustedSubjects } from "./ci-identity.ts";
export { githubIssuer, trustedSubjects } from "./ci-identity.ts";
export { AwsCiIdentity } from "./aws.ts";
export { AzureCiIdentity } from "./azure.ts";
