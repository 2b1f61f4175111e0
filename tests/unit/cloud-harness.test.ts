/** The real-cloud harness's (tests/cloud) pure parts; tests/e2e runs the rest on the stand-in cloud. */
import assert from "node:assert/strict";
import { testStackCreated, testStackFile, testStackName } from "../cloud/harness.ts";
import { probePod } from "../cloud/kubectl-prober.ts";
import { missingPrerequisite } from "../cloud/run.ts";

describe("the real-cloud harness: pure parts", () => {
    it("names test stacks after their cloud, creation time and run, and reads the time back", () => {
        const created = new Date("2026-12-06T07:30:05Z");
        const name = testStackName("azure", created, "Run 1234");
        assert.equal(name, "it-azure-20261206073005-run-1234");
        assert.equal(testStackCreated(name)?.toISOString(), created.toISOString());
        assert.equal(testStackCreated("dev"), undefined, "the janitor never touches other stacks");
    });

    it("tags the test stack with its creation time and run", () => {
        const file = testStackFile("config:\n  platform:cloud: aws\n  platform:tags:\n    owner: x\n", "azure", new Date("2026-12-06T00:00:00Z"), "42");
        assert.match(file, /platform:cloud: azure/);
        assert.match(file, /created-at: 2026-12-06T00:00:00.000Z/);
        assert.match(file, /test-run: "42"/);
    });

    it("skips without credentials or a backend, saying which", () => {
        assert.match(String(missingPrerequisite("aws", {})), /^no aws credentials/);
        assert.match(String(missingPrerequisite("azure", { ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t", ARM_SUBSCRIPTION_ID: "s" })), /^no PULUMI_BACKEND_URL/);
        assert.equal(missingPrerequisite("aws", { AWS_PROFILE: "ci", PULUMI_BACKEND_URL: "s3://state", PULUMI_SECRETS_PROVIDER: "awskms://alias/x" }), undefined);
    });

    it("probes with pods that restricted Pod Security admits", () => {
        const pod = probePod("probe-db", "api", { name: "database", host: "db.internal", port: 5432 }) as any;
        assert.equal(pod.spec.securityContext.runAsNonRoot, true);
        assert.deepEqual(pod.spec.containers[0].securityContext.capabilities.drop, ["ALL"]);
        assert.deepEqual(pod.spec.containers[0].command, ["nc", "-z", "-w", "10", "db.internal", "5432"]);
    });
});
