import assert from "node:assert/strict";
import { parsePlatformConfig, type PlatformConfig } from "../../config/schema.ts";
import { configRejection, stackPlatformConfig, stacks } from "../support/stack-config.ts";

/** Parses prod's config with `change` applied; returns the error message, or fails if it parsed. */
function rejection(change: (config: Record<string, any>) => void): string {
    return configRejection("prod", change);
}

describe("configuration schema", () => {
    for (const stack of stacks) {
        it(`accepts the checked-in ${stack} stack file with explicit sizing`, () => {
            const raw = stackPlatformConfig(stack);
            const config: PlatformConfig = parsePlatformConfig(raw);
            assert.equal(config.environment, stack);
            assert.ok(raw["network"]["zones"] && raw["cluster"]["nodes"]["vcpu"] && raw["cluster"]["nodes"]["max"]);
            assert.ok(raw["aws"]["region"] && raw["azure"]["location"], "both clouds' settings are in the stack file");
        });
    }

    it("applies documented defaults", () => {
        const raw = stackPlatformConfig("dev");
        delete raw["logRetentionDays"];
        delete raw["cluster"]["nodes"]["count"];
        delete raw["cluster"]["azure"];
        const config = parsePlatformConfig(raw);
        assert.equal(config.logRetentionDays, 90);
        assert.equal(config.cluster.nodes.count, config.cluster.nodes.min);
        assert.deepEqual(config.cluster.azure.systemNodes, { vcpu: 2, memoryGiB: 8, count: 2 });
        assert.deepEqual(config.aws?.availabilityZones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    });

    const invalid: [string, (config: Record<string, any>) => void, string][] = [
        ["an unknown cloud", (c) => (c["cloud"] = "gcp"), `platform:cloud: must be one of "aws", "azure", got "gcp"`],
        ["min above max nodes", (c) => (c["cluster"]["nodes"]["min"] = 20), "platform:cluster.nodes.min: 20 is greater than max (15)"],
        ["an initial count outside the bounds", (c) => (c["cluster"]["nodes"]["count"] = 16), "platform:cluster.nodes.count: 16 is outside min..max (5..15)"],
        ["zero zones", (c) => (c["network"]["zones"] = 0), "platform:network.zones: must be at least 1, got 0"],
        ["four zones", (c) => (c["network"]["zones"] = 4), "platform:network.zones: must be at most 3, got 4"],
        ["Kubernetes below 1.28", (c) => (c["cluster"]["kubernetesVersion"] = "1.27"), "platform:cluster.kubernetesVersion: 1.27 is below the supported floor 1.28"],
        ["an unquoted Kubernetes version", (c) => (c["cluster"]["kubernetesVersion"] = 1.3), `platform:cluster.kubernetesVersion: must be a quoted string such as "1.35"`],
        ["a malformed version", (c) => (c["cluster"]["kubernetesVersion"] = "v1.35.2"), `platform:cluster.kubernetesVersion: "v1.35.2" must be a minor version`],
        ["a malformed CIDR", (c) => (c["network"]["cidr"] = "10.0.0.300/16"), `platform:network.cidr: "10.0.0.300/16" is not an IPv4 CIDR`],
        ["a CIDR with host bits", (c) => (c["network"]["cidr"] = "10.0.0.1/16"), "platform:network.cidr: \"10.0.0.1/16\" has host bits set"],
        ["a network too small for the layout", (c) => (c["network"]["cidr"] = "10.0.0.0/24"), "platform:network.cidr: \"10.0.0.0/24\" must be a /16 to /20 block"],
        ["a network over the service range", (c) => (c["network"]["cidr"] = "172.20.0.0/16"), "overlaps the Kubernetes service range 172.20.0.0/16"],
        ["a malformed authorized range", (c) => (c["cluster"]["authorizedCidrs"] = ["office"]), `platform:cluster.authorizedCidrs.0: "office" is not an IPv4 CIDR`],
        ["an unknown top-level key", (c) => (c["clustr"] = {}), "platform:clustr: unknown key"],
        ["an unknown nested key", (c) => (c["cluster"]["nodes"]["cpu"] = 4), "platform:cluster.nodes.cpu: unknown key"],
        ["a wrong type", (c) => (c["network"]["zones"] = "three"), `platform:network.zones: must be a number, got "three"`],
        ["a fractional node count", (c) => (c["cluster"]["nodes"]["min"] = 2.5), "platform:cluster.nodes.min: must be an int"],
        ["a missing section", (c) => delete c["cluster"], "platform:cluster: is required"],
        ["a missing required tag", (c) => delete c["tags"]["owner"], "platform:tags.owner: is required"],
        ["an unsupported log retention", (c) => (c["logRetentionDays"] = 7), "platform:logRetentionDays: must be one of 30, 60, 90, 180, 365, 731, got 7"],
        ["a public API in prod", (c) => ((c["cluster"]["apiAccess"] = "public"), (c["cluster"]["authorizedCidrs"] = [])), `platform:cluster.apiAccess: prod needs "restricted" or "private"`],
        ["a restricted API without ranges", (c) => (c["cluster"]["authorizedCidrs"] = []), "platform:cluster.authorizedCidrs: must list at least one range"],
        ["an API open to 0.0.0.0/0", (c) => (c["cluster"]["authorizedCidrs"] = ["0.0.0.0/0"]), "platform:cluster.authorizedCidrs: 0.0.0.0/0 restricts nothing"],
        ["an oversized node", (c) => (c["cluster"]["nodes"]["vcpu"] = 128), "platform:cluster.nodes.vcpu: must be at most 64, got 128"],
        ["a malformed SKU override", (c) => (c["cluster"]["aws"] = { instanceType: "huge" }), `platform:cluster.aws.instanceType: "huge" is not an EC2 instance type`],
        ["a malformed AWS region", (c) => (c["aws"]["region"] = "Ireland"), `platform:aws.region: "Ireland" is not an AWS region`],
        ["a zone from another region", (c) => (c["aws"]["availabilityZones"] = ["us-east-1a", "eu-west-1b", "eu-west-1c"]), "platform:aws.availabilityZones: us-east-1a is not in eu-west-1"],
        ["too few zone names", (c) => (c["aws"]["availabilityZones"] = ["eu-west-1a"]), "platform:aws.availabilityZones: lists 1 zones but 3 are needed"],
        ["the selected cloud's settings missing", (c) => ((c["cloud"] = "azure"), delete c["azure"]), `platform:azure: is required when cloud is "azure"`],
        ["PostgreSQL below 15", (c) => (c["database"]["version"] = "14"), "platform:database.version: 14 is below the supported floor 15"],
        ["an unquoted PostgreSQL version", (c) => (c["database"]["version"] = 17), `platform:database.version: must be a quoted string such as "17"`],
        ["an unknown HA mode", (c) => (c["database"]["highAvailability"] = "multi"), `platform:database.highAvailability: must be one of "none", "standby", "zoneRedundant", got "multi"`],
        ["too many read replicas", (c) => (c["database"]["readReplicas"] = 6), "platform:database.readReplicas: must be at most 5, got 6"],
        ["a negative backup window", (c) => (c["database"]["backupRetentionDays"] = -1), "platform:database.backupRetentionDays: must be at least 0, got -1"],
        ["a backup window Azure cannot keep", (c) => ((c["cloud"] = "azure"), (c["database"]["backupRetentionDays"] = 3)), "platform:database.backupRetentionDays: Azure keeps PostgreSQL backups at least 7 days, got 3"],
        ["no backups under read replicas", (c) => (c["database"]["backupRetentionDays"] = 0), "platform:database.backupRetentionDays: read replicas need automated backups on the primary"],
        ["an unknown database key", (c) => (c["database"]["size"] = "large"), "platform:database.size: unknown key"],
        ["a clustered cache without replicas", (c) => (c["cache"]["replicasPerShard"] = 0), "platform:cache.replicasPerShard: a clustered cache needs at least 1 replica per shard"],
        ["a cache larger than any cloud offers", (c) => (c["cache"]["memoryGiB"] = 300), "platform:cache.memoryGiB: 3 shards × 300 GiB exceeds 720 GiB"],
        ["a malformed temporary prefix", (c) => (c["storage"]["temporaryPrefix"] = "Tmp"), "platform:storage.temporaryPrefix: must be a lowercase prefix ending in /"],
        ["object lock without versioning", (c) => ((c["storage"]["objectLockDays"] = 30), (c["storage"]["versioning"] = false)), "platform:storage.objectLockDays: needs versioning"],
        ["no repositories", (c) => (c["registry"]["repositories"] = []), "platform:registry.repositories: must be at least 1 items, got []"],
        ["a malformed repository name", (c) => (c["registry"]["repositories"] = ["Team App"]), `platform:registry.repositories.0: "Team App" is not a repository name`],
        ["a malformed alert address", (c) => (c["budget"]["alertEmails"] = ["finance"]), `platform:budget.alertEmails.0: "finance" is not an e-mail address`],
        ["a negative budget", (c) => (c["budget"]["monthlyUsd"] = -1), "platform:budget.monthlyUsd: must be at least 0"],
        ["a malformed start month", (c) => (c["budget"]["startMonth"] = "2026-13"), `platform:budget.startMonth: "2026-13" must be a month such as 2027-01`],
    ];
    for (const [what, change, message] of invalid) {
        it(`rejects ${what}, naming the key on one line`, () => {
            const error = rejection(change);
            assert.ok(error.includes(message), `"${error}" should include "${message}"`);
            assert.ok(!error.includes("\n"), "one line");
        });
    }
});

describe("API keys in configuration", () => {
    it("are left out of schema validation, so no error message can echo a key", () => {
        const raw = { ...stackPlatformConfig("dev"), openaiApiKey: "sk-live-123", anthropicApiKey: { unexpected: "shape" } };
        assert.doesNotThrow(() => parsePlatformConfig(raw));
    });
});
