/**
 * `platform:dns` and the add-on switches it depends on (config/dns.ts, config/schema.ts,
 * config/kubernetes.ts): what the schema accepts, and that each refusal names the key to fix.
 */
import assert from "node:assert/strict";
import { parsePlatformConfig } from "../../config/schema.ts";
import { configRejection, stackPlatformConfig } from "../support/stack-config.ts";

type Raw = Record<string, any>;

/** Puts the dev stack file on `cloud` with `dns` as given (removed when undefined), then applies `change`. */
function edit(cloud: "aws" | "azure", dns: unknown, change: (raw: Raw) => void = () => {}): (raw: Raw) => void {
    return (raw) => {
        raw["cloud"] = cloud;
        if (dns === undefined) {
            delete raw["dns"];
        } else {
            raw["dns"] = dns;
        }
        change(raw);
    };
}

/** The dev stack file, edited. */
function config(cloud: "aws" | "azure", dns: unknown, change?: (raw: Raw) => void): Raw {
    const raw = stackPlatformConfig("dev");
    edit(cloud, dns, change)(raw);
    return raw;
}

/** The refusal of the edited dev stack file; fails if it was accepted. */
function refusal(cloud: "aws" | "azure", dns: unknown, change?: (raw: Raw) => void): string {
    return configRejection("dev", edit(cloud, dns, change));
}

const addons = (switches: { certManager: boolean; gateway: boolean }) => (raw: Raw) => Object.assign(raw["kubernetes"]["addons"], switches);

describe("configuration: platform:dns", () => {
    it("accepts a lower-case zone of two or more labels, on both clouds", () => {
        for (const cloud of ["aws", "azure"] as const) {
            for (const zone of ["example.io", "dev.platform.example.com", "k8s-1.example.co.uk"]) {
                assert.deepEqual(parsePlatformConfig(config(cloud, { zone })).dns, { zone }, `${zone} on ${cloud}`);
            }
        }
    });

    it("is optional: without it there is no zone", () => {
        assert.equal(parsePlatformConfig(config("aws", undefined)).dns, undefined);
    });

    const badZones: [string, string][] = [
        ["upper case", "Dev.Example.com"],
        ["a single label", "example"],
        ["a trailing dot", "dev.example.com."],
        ["an empty label", "dev..example.com"],
        ["a label starting with a hyphen", "-dev.example.com"],
        ["a numeric top-level label", "dev.example.123"],
    ];
    for (const [what, zone] of badZones) {
        it(`refuses a zone with ${what}, naming platform:dns.zone`, () => {
            const message = refusal("aws", { zone });
            assert.match(message, new RegExp(`platform:dns\\.zone: "${zone.replace(/\./g, "\\.")}" is not a lower-case DNS zone name`));
            assert.doesNotMatch(message, /platform:dns\.parentZone/);
        });
    }

    it("refuses an unknown key under dns", () => {
        assert.match(refusal("aws", { zone: "dev.example.com", zones: ["x"] }), /platform:dns\.zones: unknown key/);
    });

    it("accepts a parent zone the zone is a subdomain of", () => {
        for (const [zone, parentZone] of [["dev.example.com", "example.com"], ["a.b.example.com", "example.com"], ["a.b.example.com", "b.example.com"]]) {
            assert.deepEqual(parsePlatformConfig(config("aws", { zone, parentZone })).dns, { zone, parentZone });
        }
    });

    const notParents: [string, string, string][] = [
        ["another domain", "dev.example.com", "example.org"],
        ["a suffix that is not a whole label", "dev.example.com", "ample.com"],
        ["the zone itself", "dev.example.com", "dev.example.com"],
        ["a subdomain of the zone", "dev.example.com", "team.dev.example.com"],
    ];
    for (const [what, zone, parentZone] of notParents) {
        it(`refuses a parentZone that is ${what}, naming platform:dns.parentZone`, () => {
            const message = refusal("aws", { zone, parentZone });
            assert.match(message, /platform:dns\.parentZone: /);
            assert.ok(message.includes(`"${parentZone}" is not a parent of "${zone}"`), message);
        });
    }

    it("refuses a malformed parentZone by its own key", () => {
        assert.match(refusal("aws", { zone: "dev.example.com", parentZone: "Example.com" }), /platform:dns\.parentZone: "Example\.com" is not a lower-case DNS zone name/);
    });

    it("requires the parent zone's resource group on Azure, and only there", () => {
        const dns = { zone: "dev.example.com", parentZone: "example.com" };
        assert.match(refusal("azure", dns), /platform:dns\.azure\.parentResourceGroup: is required with dns\.parentZone on Azure/);
        assert.deepEqual(parsePlatformConfig(config("aws", dns)).dns, dns);
        const withGroup = { ...dns, azure: { parentResourceGroup: "rg-dns" } };
        assert.deepEqual(parsePlatformConfig(config("azure", withGroup)).dns, withGroup);
        assert.deepEqual(parsePlatformConfig(config("azure", { zone: "dev.example.com" })).dns, { zone: "dev.example.com" }, "no parent zone, no group needed");
    });

    it("refuses a malformed Azure resource group name", () => {
        const message = refusal("azure", { zone: "dev.example.com", parentZone: "example.com", azure: { parentResourceGroup: "rg dns." } });
        assert.match(message, /platform:dns\.azure\.parentResourceGroup: "rg dns\." is not an Azure resource group name/);
    });
});

describe("configuration: the gateway and cert-manager go together", () => {
    it("refuses the gateway without cert-manager, naming kubernetes.addons.gateway", () => {
        const message = refusal("aws", { zone: "dev.example.com" }, addons({ certManager: false, gateway: true }));
        assert.match(message, /platform:kubernetes\.addons\.gateway: the gateway serves HTTPS with cert-manager's certificates/);
        assert.doesNotMatch(message, /platform:dns:/, "dns is fine while the gateway is on");
    });

    it("refuses cert-manager without the gateway, naming kubernetes.addons.certManager", () => {
        const message = refusal("aws", undefined, addons({ certManager: true, gateway: false }));
        assert.match(message, /platform:kubernetes\.addons\.certManager: the cluster issuer answers HTTP-01 challenges through the gateway/);
    });

    it("accepts both off when the stack has no zone", () => {
        const parsed = parsePlatformConfig(config("azure", undefined, addons({ certManager: false, gateway: false })));
        assert.deepEqual([parsed.kubernetes.addons.gateway, parsed.kubernetes.addons.certManager, parsed.dns], [false, false, undefined]);
    });

    it("refuses a zone with the gateway off, naming platform:dns", () => {
        for (const cloud of ["aws", "azure"] as const) {
            const message = refusal(cloud, { zone: "dev.example.com" }, addons({ certManager: false, gateway: false }));
            assert.match(message, /platform:dns: the zone's records point at the gateway; enable kubernetes\.addons\.gateway or remove dns/, cloud);
        }
    });
});
