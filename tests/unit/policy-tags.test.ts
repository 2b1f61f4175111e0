import { requiredTags, tagRules } from "../../policy/rules/tags.ts";
import { awsStack, azureStack, itPassesTheCompliantStacks, launchTemplate, provider, tags } from "../support/compliant-stacks.ts";
import { assertOne, changed, messages } from "../support/policy.ts";

describe("policy: tag rules", () => {
    itPassesTheCompliantStacks(tagRules);

    describe("required-tags", () => {
        it("reports a provider whose default tags lack or blank a required tag", () => {
            const { owner: _owner, ...withoutOwner } = tags;
            assertOne(messages(requiredTags, changed(awsStack, provider.type, "aws", (props) => {
                props["defaultTags"] = JSON.stringify({ tags: { ...withoutOwner, "cost-center": " " } });
            })), /^AWS provider "aws" defaultTags: owner missing, cost-center empty; every resource needs owner, cost-center, environment/, /platform:tags/);
            assertOne(messages(requiredTags, changed(awsStack, provider.type, "aws", (props) => delete props["defaultTags"])), /AWS provider "aws" defaultTags: no tags/);
        });

        it("reports AWS resources without a provider to tag them", () => {
            assertOne(messages(requiredTags, awsStack.filter((entry) => entry !== provider)), /without an AWS provider carrying defaultTags/);
        });

        it("reports a resource that blanks a default tag", () => {
            assertOne(messages(requiredTags, changed(awsStack, "aws:ec2/vpc:Vpc", "network-vpc", (props) => {
                props["tags"]["owner"] = "";
            })), /^aws:ec2\/vpc:Vpc "network-vpc" blanks the default tag\(s\) owner/);
        });

        it("reports node launch templates that do not tag their instances and volumes", () => {
            assertOne(messages(requiredTags, changed(awsStack, launchTemplate.type, launchTemplate.name, (props) => {
                props["tagSpecifications"] = [{ resourceType: "instance", tags }];
            })), /launch template "cluster-nodes-template" tagSpecifications for volume: no tags/);
        });

        it("reports Azure resources, private endpoints and node pools without the tags", () => {
            assertOne(messages(requiredTags, changed(azureStack, "azure-native:network:PrivateEndpoint", "storage-blob", (props) => delete props["tags"])),
                /^PrivateEndpoint "storage-blob" tags: no tags; every resource needs/);
            assertOne(messages(requiredTags, changed(azureStack, "azure-native:containerservice:AgentPool", "cluster-workload", (props) => {
                props["tags"] = { ...tags, stack: "" };
            })), /^AgentPool "cluster-workload" tags: stack empty;/);
            assertOne(messages(requiredTags, changed(azureStack, "azure-native:containerservice:ManagedCluster", "cluster-aks", (props) => {
                props["agentPoolProfiles"] = [{ name: "system" }];
            })), /^AKS cluster "cluster-aks" node pool "system" tags: no tags/);
        });
    });
});
