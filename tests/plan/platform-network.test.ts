import assert from "node:assert/strict";
import { cloudNames, planOf, resourcesOf } from "../support/plans.ts";
import { stacks } from "../support/stack-config.ts";

describe("platform namespaces' NetworkPolicies", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`puts default-deny in every platform namespace of ${stack} on ${cloud}, and none in kube-system`, async () => {
                const plan = await planOf(stack, cloud);
                const policies = resourcesOf(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((resource) => resource.inputs["metadata"]);
                const denied = policies.filter((metadata) => metadata.name === "default-deny").map((metadata) => metadata.namespace).sort();
                assert.deepEqual(denied, ["api", "cert-manager", "external-secrets", "ingress-nginx", "monitoring", "worker"]);
                const credentials = policies.filter((metadata) => metadata.name === "allow-cloud-credentials").map((metadata) => metadata.namespace);
                assert.deepEqual(credentials, cloud === "aws" ? ["external-secrets"] : [], "only EKS hands out credentials on a link-local address");
            });
        }
    }
});
