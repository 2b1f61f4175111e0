import assert from "node:assert/strict";
import { cloudNames, planOf, resourcesOf } from "../support/plans.ts";
import { stacks } from "../support/stack-config.ts";

/** The stack files' workload namespaces (`platform:kubernetes.namespaces`). */
const workloadNamespaces = ["api", "worker"];

describe("platform namespaces' NetworkPolicies", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`puts default-deny in every platform namespace of ${stack} on ${cloud}, and none in kube-system`, async () => {
                const plan = await planOf(stack, cloud);
                const policies = resourcesOf(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((resource) => resource.inputs["metadata"]);
                const denied = policies.filter((metadata) => metadata.name === "default-deny").map((metadata) => metadata.namespace).sort();
                assert.deepEqual(denied, ["api", "cert-manager", "envoy-gateway-system", "external-dns", "external-secrets", "gateway", "keda", "monitoring", "worker"]);
                const credentials = policies.filter((metadata) => metadata.name === "allow-cloud-credentials").map((metadata) => metadata.namespace).sort();
                // The add-ons with a cloud identity: External Secrets, cert-manager (DNS-01), external-dns and KEDA (queue depth);
                // and the workload namespaces, whose workloads have identities of their own.
                assert.deepEqual(credentials, cloud === "aws" ? ["api", "cert-manager", "external-dns", "external-secrets", "keda", "worker"] : [],
                    "only EKS hands out credentials on a link-local address");
                if (cloud === "aws") {
                    // Among the platform's namespaces, exactly those whose service accounts Pod Identity hands a role to.
                    const associated = resourcesOf(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
                        .map((association) => association.inputs["namespace"]).filter((namespace) => namespace !== "kube-system").sort();
                    assert.deepEqual(credentials.filter((namespace) => !workloadNamespaces.includes(namespace)), associated);
                }
            });
        }
    }
});
