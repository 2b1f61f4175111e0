/**
 * The names Pulumi generates from the project's `pulumi:autonaming` patterns
 * (`${project}-${stack}-${name}` for IAM roles, their inline policies and log groups): each fits
 * the cloud's limit, in every stack with every workload pattern, so no create fails on a name
 * too long.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "mocha";
import YAML from "yaml";
import { awsProviderNamed } from "../../tools/cloud-ids.ts";
import { planWithWorkloads } from "../support/plans.ts";
import { projectRoot } from "../support/project.ts";
import { stacks } from "../support/stack-config.ts";

/** AWS name limits tighter than 128 characters, per type (IAM User Guide, "IAM and AWS STS quotas"). */
const limits: Record<string, number> = { "aws:iam/role:Role": 64, "aws:iam/instanceProfile:InstanceProfile": 128 };

const patterns: Record<string, { pattern: string }> = YAML.parse(readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")).config["pulumi:autonaming"].value.providers.aws.resources;

describe("names the AWS provider generates", () => {
    it("follow a pattern without randomness for roles, their policies and log groups only", () => {
        assert.deepEqual(Object.keys(patterns).sort(), ["aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]);
        for (const { pattern } of Object.values(patterns)) {
            assert.equal(pattern, "${project}-${stack}-${name}");
        }
    });

    for (const stack of stacks) {
        it(`fit AWS's limits in ${stack}`, async () => {
            const plan = await planWithWorkloads(stack, "aws");
            const generated = plan.resources
                .filter((resource) => awsProviderNamed(resource.type) && resource.inputs["name"] === undefined && patterns[resource.type])
                .map((resource) => ({ type: resource.type, name: patterns[resource.type]!.pattern.replace("${project}", "platform").replace("${stack}", stack).replace("${name}", resource.name) }));
            assert.ok(generated.some((each) => each.type === "aws:iam/role:Role"), "roles are among them");
            const tooLong = generated.filter((each) => each.name.length > (limits[each.type] ?? 128));
            assert.deepEqual(tooLong, []);
        });
    }
});
