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
                assert.deepEqual(denied, ["api", "cert-manager", "envoy-gateway-system", "external-dns", "external-secrets", "gateway", "monitoring", "worker"]);
                const credentials = policies.filter((metadata) => metadata.name === "allow-cloud-credentials").map((metadata) => metadata.namespace).sort();
                // The add-ons with a cloud identity: External Secrets, cert-manager (DNS-01) and external-dns.
                assert.deepEqual(credentials, cloud === "aws" ? ["cert-manager", "external-dns", "external-secrets"] : [], "only EKS hands out credentials on a link-local address");
                if (cloud === "aws") {
                    // Exactly the policed namespaces whose service accounts Pod Identity hands a role to.
                    const associated = resourcesOf(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
                        .map((association) => association.inputs["namespace"]).filter((namespace) => namespace !== "kube-system").sort();
                    assert.deepEqual(credentials, associated);
                }
            });
        }
    }
});
