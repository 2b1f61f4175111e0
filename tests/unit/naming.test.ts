import assert from "node:assert/strict";
import { nameRules, physicalName, suffixedName } from "../../lib/naming.ts";
import { renderKubeconfig } from "../../components/cluster/kubeconfig.ts";
import { roleDefinitionId, subscriptionScope } from "../../components/azure/roles.ts";

describe("naming rules", () => {
    it("joins, lowercases and replaces characters a cloud does not allow", () => {
        assert.equal(physicalName(["Platform", "Feature_X"], nameRules.eksCluster), "platform-feature-x");
        assert.equal(physicalName(["rg", "platform", "prod"], nameRules.resourceGroup), "rg-platform-prod");
        assert.equal(physicalName(["a--b", "-c-"], nameRules.aksCluster), "a-b-c");
    });

    it("cuts long names to the limit with a stable hash, keeping similar stacks apart", () => {
        const rule = nameRules.keyVault;
        const first = physicalName(["kv", "platform", "feature-branch-one"], rule);
        const second = physicalName(["kv", "platform", "feature-branch-two"], rule);
        assert.equal(first.length, rule.maxLength);
        assert.equal(second.length, rule.maxLength);
        assert.notEqual(first, second);
        assert.equal(first, physicalName(["kv", "platform", "feature-branch-one"], rule));
        assert.match(first, /^kv-platform-featu-[0-9a-f]{6}$/);
    });

    it("keeps a globally unique suffix whole, cutting the rest of the name to make room", () => {
        assert.equal(suffixedName(["kv", "platform", "prod"], nameRules.keyVault, "ab12"), "kv-platform-prod-ab12");
        const long = suffixedName(["kv", "platform", "feature-branch-one"], nameRules.keyVault, "ab12");
        assert.ok(long.length <= nameRules.keyVault.maxLength);
        assert.match(long, /^kv-platform-[0-9a-f]{6}-ab12$/);
        const compact = { maxLength: 14, allowed: /[a-z0-9]/, separator: "", lowercase: true } as const;
        assert.match(suffixedName(["acr", "platform"], compact, "ab12"), /^acrp[0-9a-f]{6}ab12$/);
    });

    it("leaves names within the limit untouched", () => {
        assert.equal(physicalName(["platform", "prod"], nameRules.keyVault), "platform-prod");
    });
});

describe("kubeconfig and role helpers", () => {
    it("renders a kubeconfig that authenticates through an exec plugin only", () => {
        const document = JSON.parse(renderKubeconfig({
            clusterName: "platform-dev",
            server: "https://example.eks.amazonaws.com",
            certificateAuthorityData: "Q0E=",
            exec: { command: "aws", args: ["eks", "get-token"] },
        }));
        assert.equal(document["current-context"], "platform-dev");
        assert.equal(document.clusters[0].cluster.server, "https://example.eks.amazonaws.com");
        assert.deepEqual(Object.keys(document.users[0].user), ["exec"]);
        assert.equal(document.users[0].user.exec.command, "aws");
    });

    it("derives subscription-scoped role definition ids from a resource group id", () => {
        const scope = subscriptionScope("/subscriptions/abc/resourceGroups/rg-platform-dev");
        assert.equal(scope, "/subscriptions/abc");
        assert.equal(roleDefinitionId(scope, "guid"), "/subscriptions/abc/providers/Microsoft.Authorization/roleDefinitions/guid");
        assert.throws(() => subscriptionScope("rg-platform-dev"), /not a resource group id/);
    });
});
