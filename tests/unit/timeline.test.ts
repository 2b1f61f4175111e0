/** The first `up`'s duration follows the plan's dependency graph (tools/offline/timeline.ts). */
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { firstUpTimeline, loadCreationTimes, type CreationTimes, type TimelineResource } from "../../tools/offline/timeline.ts";

const times: CreationTimes = {
    taken: "2026-12-06",
    default: { seconds: 2, source: "test" },
    types: { "aws:eks/cluster:Cluster": { seconds: 600, source: "test" }, "aws:rds/instance:Instance": { seconds: 500, source: "test" }, "aws:eks/nodeGroup:NodeGroup": { seconds: 200, source: "test" } },
};
const resource = (type: string, name: string, waitsFor: string[] = [], parentKey?: string): TimelineResource => ({ type, name, waitsFor, parentKey });
const vpc = resource("aws:ec2/vpc:Vpc", "network-vpc");
const parentKey = "platform:cluster:AwsCluster::cluster";
const cluster = resource("aws:eks/cluster:Cluster", "cluster-eks", ["aws:ec2/vpc:Vpc::network-vpc"], parentKey);
const nodes = resource("aws:eks/nodeGroup:NodeGroup", "cluster-nodes", ["aws:eks/cluster:Cluster::cluster-eks"], parentKey);
const component = resource("platform:cluster:AwsCluster", "cluster");

describe("the first up's timeline", () => {
    it("lasts as long as its longest chain, and names it", () => {
        const timeline = firstUpTimeline([vpc, cluster, nodes, component], times);
        assert.equal(timeline.seconds, 2 + 600 + 200);
        assert.deepEqual(timeline.chain.map((step) => [step.name, step.doneAt]), [["network-vpc", 2], ["cluster-eks", 602], ["cluster-nodes", 802]]);
    });

    it("grows when a chain is added behind the longest one", () => {
        const chart = resource("kubernetes:helm.sh/v3:Release", "monitoring", [parentKey]);
        const after = firstUpTimeline([vpc, cluster, nodes, component, chart], times);
        // Waiting for a component waits for all its children: the node group too.
        assert.equal(after.seconds, 802 + 2);
        assert.equal(after.chain.at(-1)!.name, "monitoring");
    });

    it("tells resources of one name apart by their type", () => {
        // A role, its access entry and the entry's policy association share a logical name.
        const role = resource("aws:iam/role:Role", "ci-deploy");
        const entry = resource("aws:eks/accessEntry:AccessEntry", "ci-deploy", ["aws:iam/role:Role::ci-deploy", "aws:eks/cluster:Cluster::cluster-eks"]);
        const association = resource("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "ci-deploy", ["aws:eks/accessEntry:AccessEntry::ci-deploy"]);
        assert.equal(firstUpTimeline([vpc, cluster, role, entry, association], times).seconds, 2 + 600 + 2 + 2);
    });

    it("does not grow for work that runs beside it", () => {
        const database = resource("aws:rds/instance:Instance", "database-primary", ["aws:ec2/vpc:Vpc::network-vpc"]);
        const parameters = resource("aws:rds/parameterGroup:ParameterGroup", "database-params");
        assert.equal(firstUpTimeline([vpc, cluster, nodes, component, database, parameters], times).seconds, 802);
    });

    it("has a dated, sourced figure for every type it times", () => {
        const data = loadCreationTimes();
        assert.match(data.taken, /^\d{4}-\d{2}-\d{2}$/);
        for (const [type, entry] of Object.entries(data.types)) {
            assert.ok(entry.seconds > 0 && entry.source.length > 10, type);
        }
        // Re-measured at least once a year: creation times change as the services do.
        assert.ok(Date.now() - Date.parse(data.taken) < 366 * 86_400_000, `creation-times.json was taken ${data.taken}; refresh it`);
    });
});
