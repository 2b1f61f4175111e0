/**
 * The stand-in provider's diff rules and cloud store (tests/e2e/stand-in): what the
 * end-to-end tests rely on to see exactly the changes a real provider would report.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "mocha";
import { typeAndName } from "../../tools/urn.ts";
import { changedKeys, cloudContents, CloudStore, plainValue, replacementKeys, secretSignature, signatureKey } from "../e2e/stand-in/cloud.ts";

const secret = (value: unknown) => ({ [signatureKey]: secretSignature, value });

describe("stand-in provider: diffs", () => {
    it("reports changed, added and removed top-level keys, whatever the key order inside values", () => {
        assert.deepEqual(changedKeys({ a: 1, b: { x: 1, y: 2 }, c: "gone" }, { a: 2, b: { y: 2, x: 1 }, d: true }), ["a", "c", "d"]);
        assert.deepEqual(changedKeys({ tags: { owner: "a" } }, { tags: { owner: "a" } }), []);
    });

    it("compares secrets by value and sees an unknown value as a change", () => {
        assert.deepEqual(changedKeys({ password: secret("p1") }, { password: secret("p1") }), []);
        assert.deepEqual(changedKeys({ password: secret("p1") }, { password: secret("p2") }), ["password"]);
        assert.deepEqual(changedKeys({ arn: "arn:aws:kms:key" }, { arn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }), ["arn"]);
    });

    it("replaces on the changes a real provider cannot apply in place", () => {
        assert.deepEqual(replacementKeys("aws:rds/instance:Instance", ["identifier", "instanceClass"], {}, {}), ["identifier"]);
        assert.deepEqual(replacementKeys("aws:rds/instance:Instance", ["instanceClass"], {}, {}), []);
        assert.deepEqual(replacementKeys("random:index/randomPassword:RandomPassword", ["length"], {}, {}), ["length"]);
        assert.deepEqual(replacementKeys("azure-native:dbforpostgresql:Server", ["location", "serverName", "sku"], {}, {}), ["location", "serverName"]);
        const namespace = (name: string) => ({ metadata: { name, labels: { team: "a" } } });
        assert.deepEqual(replacementKeys("kubernetes:core/v1:Namespace", ["metadata"], namespace("api"), namespace("web")), ["metadata"]);
        assert.deepEqual(replacementKeys("kubernetes:core/v1:Namespace", ["metadata"], namespace("api"), { metadata: { name: "api" } }), []);
    });

    it("reads type and name from a URN, parent types included", () => {
        assert.deepEqual(typeAndName("urn:pulumi:dev::platform::platform:database$aws:rds/instance:Instance::database-primary"), {
            type: "aws:rds/instance:Instance",
            name: "database-primary",
        });
    });

    it("unwraps secrets for computing outputs", () => {
        assert.deepEqual(plainValue({ a: secret({ b: [secret("c")] }) }), { a: { b: ["c"] } });
    });
});

describe("stand-in provider: the cloud it keeps", () => {
    it("stores, reads back and removes resources per package", () => {
        const root = mkdtempSync(path.join(tmpdir(), "stand-in-"));
        try {
            const aws = new CloudStore(root, "aws");
            const record = { type: "aws:s3/bucket:Bucket", urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::data", id: "data-1", inputs: { a: 1 }, outputs: { a: 1, arn: "arn" } };
            aws.put(record);
            new CloudStore(root, "random").put({ ...record, type: "random:index/randomString:RandomString", id: "r-1" });
            assert.deepEqual(aws.get(record.type, record.id), record);
            assert.equal(aws.get("aws:s3/bucket:Bucket", "other"), undefined);
            assert.equal(cloudContents(root).length, 2);
            aws.remove(record.type, record.id);
            assert.deepEqual(cloudContents(root).map((resource) => resource.id), ["r-1"]);
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    });
});
