import assert from "node:assert/strict";
import {
    awsRegions,
    azureLocations,
    placeholderWarnings,
    sampleObjectIds,
} from "../../config/placeholders.ts";
import { parsePlatformConfig } from "../../config/schema.ts";
import { makeRealistic, realAccount, stackPlatformConfig } from "../support/stack-config.ts";

type Raw = Record<string, any>;

/** The dev stack's configuration with real values, then `change`, validated and checked. */
function warningsWith(change: (config: Raw) => void = () => {}): string[] {
    const config = stackPlatformConfig("dev");
    makeRealistic(config);
    change(config);
    return placeholderWarnings(parsePlatformConfig(config));
}

function restrictTo(...cidrs: string[]): (config: Raw) => void {
    return (config) => {
        config["cluster"]["apiAccess"] = "restricted";
        config["cluster"]["authorizedCidrs"] = cidrs;
    };
}

describe("placeholder warnings", () => {
    it("are empty for the dev stack with real values in place of its samples", () => {
        assert.deepEqual(warningsWith(), []);
    });

    const placeholders: [string, (config: Raw) => void, string, string][] = [
        ["an authorized range equal to TEST-NET-1", restrictTo("10.1.0.0/16", "192.0.2.0/24"), "platform:cluster.authorizedCidrs.1", "is the documentation range 192.0.2.0/24 (TEST-NET-1, RFC 5737)"],
        ["an authorized range inside TEST-NET-2", restrictTo("198.51.100.128/25"), "platform:cluster.authorizedCidrs.0", "is inside the documentation range 198.51.100.0/24"],
        ["an authorized address in TEST-NET-3", restrictTo("203.0.113.7/32"), "platform:cluster.authorizedCidrs.0", "TEST-NET-3"],
        ["an alert address at example.net", (c) => (c["budget"]["alertEmails"] = ["ops@company.io", "finance@example.net"]), "platform:budget.alertEmails.1", `"finance@example.net" is a documentation address (example.net); budget alerts would go nowhere`],
        ["an alert address at a subdomain of example.org", (c) => (c["budget"]["alertEmails"] = ["ops@mail.example.org"]), "platform:budget.alertEmails.0", "(example.org)"],
        ["an ACME contact at example.com in capitals", (c) => (c["kubernetes"]["acmeEmail"] = "OPS@EXAMPLE.COM"), "platform:kubernetes.acmeEmail", "Let's Encrypt refuses it"],
        ["an ACME contact under .test", (c) => (c["kubernetes"]["acmeEmail"] = "certs@cluster.test"), "platform:kubernetes.acmeEmail", "(.test)"],
        ["an ACME contact under .invalid", (c) => (c["kubernetes"]["acmeEmail"] = "certs@nowhere.invalid"), "platform:kubernetes.acmeEmail", "(.invalid)"],
        ["an ACME contact under .localhost", (c) => (c["kubernetes"]["acmeEmail"] = "root@box.localhost"), "platform:kubernetes.acmeEmail", "(.localhost)"],
        ["an ACME contact under .example", (c) => (c["kubernetes"]["acmeEmail"] = "certs@docs.example"), "platform:kubernetes.acmeEmail", "(.example)"],
        ["an admin role in 123456789012", (c) => (c["cluster"]["aws"] = { adminRoleArns: ["arn:aws:iam::123456789012:role/admin"] }), "platform:cluster.aws.adminRoleArns.0", "is in 123456789012, an AWS documentation account"],
        ["a developer role in 444455556666", (c) => (c["kubernetes"]["developers"]["aws"]["roleArns"].push("arn:aws:iam::444455556666:role/dev")), "platform:kubernetes.developers.aws.roleArns.1", "444455556666"],
        ["a GovCloud developer role in 777788889999", (c) => (c["kubernetes"]["developers"]["aws"]["roleArns"] = ["arn:aws-us-gov:iam::777788889999:role/dev"]), "platform:kubernetes.developers.aws.roleArns.0", "777788889999"],
        ["an OIDC provider in 111122223333", (c) => (c["ci"]["aws"] = { oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }), "platform:ci.aws.oidcProviderArn", "111122223333"],
        ["the nil UUID as admin group", (c) => (c["cluster"]["azure"]["adminGroupObjectIds"] = ["00000000-0000-0000-0000-000000000000"]), "platform:cluster.azure.adminGroupObjectIds.0", "the nil UUID"],
        ["the stack files' sample group in capitals", (c) => (c["kubernetes"]["developers"]["azure"]["groupObjectIds"] = ["6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B"]), "platform:kubernetes.developers.azure.groupObjectIds.0", "the sample Entra group"],
        ["a repository of your-org", (c) => (c["ci"]["repository"] = "your-org/platform"), "platform:ci.repository", `has the placeholder owner "your-org"; set the owner/name`],
        ["a repository of Octocat", (c) => (c["ci"]["repository"] = "Octocat/Hello-World"), "platform:ci.repository", `"Octocat"`],
        ["a zone under example.com", (c) => (c["dns"]["zone"] = "dev.platform.example.com"), "platform:dns.zone", `"dev.platform.example.com" is under example.com, reserved for documentation: nobody can delegate it to the stack`],
        ["a zone under .test", (c) => (c["dns"]["zone"] = "platform.test"), "platform:dns.zone", `"platform.test" is under .test,`],
        ["no zone while the gateway runs", (c) => delete c["dns"], "platform:dns", "not set, so the gateway answers only on its load balancer's address with a self-signed certificate"],
        ["an AWS region that does not exist", (c) => (c["aws"]["region"] = "eu-west-9"), "platform:aws.region", `"eu-west-9" is not an AWS region`],
        ["an Azure logical location", (c) => (c["azure"]["location"] = "europe"), "platform:azure.location", `"europe" is not an Azure location`],
        ["a misspelt Azure location of the cloud not selected", (c) => (c["azure"]["location"] = "westeuropa"), "platform:azure.location", "westeuropa"],
        ["a misspelt AWS region of the cloud not selected", (c) => ((c["cloud"] = "azure"), (c["aws"]["region"] = "us-north-1")), "platform:aws.region", "us-north-1"],
    ];
    for (const [what, change, key, fragment] of placeholders) {
        it(`report ${what} under ${key}, on one line`, () => {
            const warnings = warningsWith(change);
            assert.equal(warnings.length, 1, warnings.join("\n"));
            assert.ok(warnings[0]!.startsWith(`${key}: `), warnings[0]);
            assert.ok(warnings[0]!.includes(fragment), `"${warnings[0]}" should include "${fragment}"`);
            assert.ok(!warnings[0]!.includes("\n"));
        });
    }

    const realistic: [string, (config: Raw) => void][] = [
        ["a range that merely contains a documentation range", restrictTo("192.0.0.0/16")],
        ["ranges next to the documentation ranges", restrictTo("192.0.3.0/24", "198.51.101.0/24", "203.0.112.0/24")],
        ["a domain that ends in example.com without being under it", (c) => (c["budget"]["alertEmails"] = ["ops@myexample.com"])],
        ["a domain that contains example", (c) => (c["kubernetes"]["acmeEmail"] = "certs@example.co.uk")],
        ["a local part that looks like a domain", (c) => (c["kubernetes"]["acmeEmail"] = "example.com@company.io")],
        ["a role whose name mentions a documentation account", (c) => (c["cluster"]["aws"] = { adminRoleArns: [`arn:aws:iam::${realAccount}:role/not-111122223333`] })],
        ["an owner that starts with a placeholder", (c) => (c["ci"]["repository"] = "acme-payments/platform")],
        ["a repository named like a placeholder owner", (c) => (c["ci"]["repository"] = "payments-co/octocat")],
        ["a zone that ends in example.com without being under it", (c) => (c["dns"]["zone"] = "dev.myexample.com")],
        ["no zone and no gateway to serve one", (c) => ((delete c["dns"]), Object.assign(c["kubernetes"]["addons"], { gateway: false, certManager: false }))],
        ["a new AWS region", (c) => (c["aws"]["region"] = "ap-southeast-6")],
        ["a GovCloud region", (c) => (c["aws"]["region"] = "us-gov-west-1")],
        ["a China region", (c) => (c["aws"]["region"] = "cn-northwest-1")],
        ["a restricted Azure region", (c) => (c["azure"]["location"] = "swedensouth")],
    ];
    for (const [what, change] of realistic) {
        it(`leave ${what} alone`, () => assert.deepEqual(warningsWith(change), []));
    }

    it("list only sample object ids the schema accepts, each one reported", () => {
        const ids = Object.keys(sampleObjectIds);
        const warnings = warningsWith((c) => (c["kubernetes"]["developers"]["azure"]["groupObjectIds"] = ids));
        assert.deepEqual(
            warnings.map((warning) => warning.split(":")[1]),
            ids.map((_, index) => `kubernetes.developers.azure.groupObjectIds.${index}`),
        );
    });

    it("accept every listed AWS region and Azure location, each of them once", () => {
        for (const list of [awsRegions, azureLocations]) {
            assert.equal(new Set(list).size, list.length);
        }
        for (const region of awsRegions) {
            assert.deepEqual(warningsWith((c) => (c["aws"] = { region })), [], region);
        }
        for (const location of azureLocations) {
            assert.deepEqual(warningsWith((c) => (c["azure"] = { location })), [], location);
        }
    });
});
