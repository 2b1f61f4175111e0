/** Waivers (policy/waivers.ts): matching, expiry on a fixed clock, stale entries and refusals. */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import YAML from "yaml";
import { readFileSync } from "node:fs";
import { loadWaivers, policyConfigPath, policyPackConfig } from "../../policy/config.ts";
import type { PolicyViolation } from "../../policy/run.ts";
import { rules } from "../../policy/rules/index.ts";
import { applyWaivers, parseWaivers, waivedViolationsPolicy, waiverStatus, type Waiver } from "../../policy/waivers.ts";

const today = new Date("2026-12-06T10:00:00Z");
const ruleNames = rules.map((rule) => rule.name);
const waiver = (entry: Partial<Waiver> = {}): Waiver => ({
    rule: "no-public-endpoints",
    stacks: ["staging"],
    resource: { type: "aws:s3/*", name: "storage-*" },
    reason: "Public web assets until the CDN serves them",
    approvedBy: "security@example.org",
    expires: "2027-01-15",
    ...entry,
});
const violation = (entry: Partial<PolicyViolation> = {}): PolicyViolation => ({
    rule: "no-public-endpoints", severity: "critical", enforcement: "mandatory", type: "aws:s3/bucketPolicy:BucketPolicy", name: "storage-policy", message: "public", ...entry,
});
const parse = (text: string) => parseWaivers(YAML.parse(text), ruleNames, today);

describe("policy waivers", () => {
    it("turn a covered violation into waived, with its reason, approver and days left; others stay", () => {
        const { violations, notices } = applyWaivers([violation(), violation({ name: "database-primary", type: "aws:rds/instance:Instance" })], [waiver()], "staging", today);
        assert.deepEqual(violations[0], { ...violation(), enforcement: "waived", waiver: { reason: waiver().reason, approvedBy: "security@example.org", expires: "2027-01-15", daysLeft: 40 } });
        assert.equal(violations[1]!.enforcement, "mandatory", "a name outside the glob");
        assert.deepEqual(notices, []);
    });

    it("match only their rule, their stacks, and the type and name globs", () => {
        const judged = (stack: string, entry: Partial<PolicyViolation>) => applyWaivers([violation(entry)], [waiver()], stack, today).violations[0]!.enforcement;
        assert.equal(judged("prod", {}), "mandatory", "another stack");
        assert.equal(judged("staging", { rule: "encryption-at-rest" }), "mandatory", "another rule");
        assert.equal(judged("staging", { type: "azure-native:storage:StorageAccount" }), "mandatory", "another type");
        assert.equal(judged("staging", { name: "storage-replica-policy" }), "waived", "a name the glob covers");
    });

    it("lapse after their last day: the rule is mandatory again and the plan says the waiver expired", () => {
        const lastDay = new Date("2027-01-15T23:59:00Z");
        assert.equal(applyWaivers([violation()], [waiver()], "staging", lastDay).violations[0]!.enforcement, "waived", "its last day still counts");
        assert.deepEqual(waiverStatus(waiver(), lastDay), { status: "active", daysLeft: 0 });
        const after = applyWaivers([violation()], [waiver()], "staging", new Date("2027-01-16T00:00:00Z"));
        assert.equal(after.violations[0]!.enforcement, "mandatory");
        assert.deepEqual(after.notices, ["the waiver of no-public-endpoints for aws:s3/* storage-* expired on 2027-01-15: no-public-endpoints applies again to aws:s3/* storage-*"]);
    });

    it("report a waiver of the stack that covers nothing as stale, and ignore other stacks' waivers", () => {
        const { notices } = applyWaivers([], [waiver(), waiver({ stacks: ["prod"] })], "staging", today);
        assert.deepEqual(notices, ["the waiver of no-public-endpoints for aws:s3/* storage-* is stale: it covers no violation of staging; remove it"]);
    });

    it("are refused, naming the entry and key, when incomplete, unknown, or longer than 90 days", () => {
        const entry = (extra: string) => `waivers:\n  - rule: no-public-endpoints\n    stacks: [staging]\n    resource: { type: "aws:s3/*", name: "storage-*" }\n    approvedBy: security@example.org\n${extra}`;
        assert.throws(() => parse(entry("    reason: Public assets for the launch\n    expires: 2027-03-07\n")), /waivers\.0\.expires: 2027-03-07 is more than 90 days ahead; the latest allowed is 2027-03-06$/);
        assert.equal(parse(entry("    reason: Public assets for the launch\n    expires: 2027-03-06\n")).length, 1, "90 days ahead is allowed");
        assert.throws(() => parse(entry("    expires: 2027-01-15\n")), /^ConfigError: invalid policy\/waivers\.yaml: waivers\.0\.reason: is required$/);
        assert.throws(() => parse(entry("    reason: Public assets for the launch\n    expires: soon\n")), /waivers\.0\.expires: "soon" is not a date/);
        assert.throws(() => parse(entry("    reason: Public assets for the launch\n    expires: 2027-01-15\n    scope: all\n")), /waivers\.0\.scope: unknown key/);
        assert.throws(() => parse(entry("    reason: Public assets for the launch\n    expires: 2027-01-15\n").replace("no-public-endpoints", "no-such-rule")), /waivers\.0\.rule: "no-such-rule" is not a rule of the pack/);
        assert.throws(() => parse(entry("    reason: Public assets for the launch\n    expires: 2027-01-15\n").replace("security@example.org", "security")), /waivers\.0\.approvedBy: "security" is not an e-mail address or @handle/);
    });

    it("reach the engine through each rule's pack config, with the waived-violations policy advisory", () => {
        const config = policyPackConfig("staging", [waiver()]) as Record<string, Record<string, unknown>>;
        assert.deepEqual(config["no-public-endpoints"]!["waivers"], [waiver()]);
        assert.deepEqual(config["encryption-at-rest"]!["waivers"], []);
        assert.deepEqual(config[waivedViolationsPolicy], { enforcementLevel: "advisory" });
    });

    it("the checked-in waivers file is valid today, and the pack's config files carry it", () => {
        const checkedIn = loadWaivers();
        for (const environment of ["dev", "staging", "prod"] as const) {
            const file = JSON.parse(readFileSync(policyConfigPath(environment), "utf8")) as Record<string, { waivers?: Waiver[] }>;
            for (const rule of ruleNames) {
                assert.deepEqual(file[rule]!.waivers, checkedIn.filter((entry) => entry.rule === rule), `${environment}: ${rule} (run npm run policy-config)`);
            }
        }
    });
});
