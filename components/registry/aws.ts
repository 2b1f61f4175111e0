import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsCluster } from "../cluster/aws.ts";
import type { Registry, RegistryArgs } from "./registry.ts";
import { narrow } from "../narrow.ts";
import { buildCacheRepository } from "../../config/workloads.ts";
import { stackPrefix } from "../../lib/naming.ts";

/** What the nodes need to pull an image. */
export const pullActions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];

/**
 * One ECR repository per configured name: immutable tags, scan on push, encrypted with
 * KMS, a lifecycle policy that drops untagged images after a day and keeps the newest
 * `keepImages` tagged ones, and pull access for the cluster's nodes. Outside dev the
 * repositories are protected and refuse to be deleted while they hold images.
 */
export class AwsRegistry extends pulumi.ComponentResource implements Registry {
    readonly registryUrl: pulumi.Output<string>;
    readonly repositoryUrls: pulumi.Output<string>[];

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:registry:AwsRegistry", name, {}, opts);
        const { context } = args;
        const cluster = narrow(args.cluster, AwsCluster);
        const nodeRoleArn = cluster.nodeRoleArn;
        // The CI deploy role's registry grants name exactly these repositories.
        cluster.addImageRepositories(args.repositories);
        const parent = { parent: this };
        const lifecycle = JSON.stringify(lifecyclePolicy(args.keepImages));

        const repositories = args.repositories.map((repositoryName) => {
            const role = `${name}-${repositoryName.replace(/[^a-z0-9]+/g, "-")}`;
            const repository = new aws.ecr.Repository(role, {
                name: repositoryName,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                // The AWS-managed ECR key: the registry has no secrets store to borrow a key from.
                encryptionConfigurations: [{ encryptionType: "KMS" }],
                forceDelete: !context.protectStateful,
            }, { parent: this, protect: context.protectStateful });
            new aws.ecr.LifecyclePolicy(role, { repository: repository.name, policy: lifecycle }, parent);
            new aws.ecr.RepositoryPolicy(role, {
                repository: repository.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "ClusterNodesPull", Effect: "Allow", Principal: { AWS: nodeRoleArn }, Action: pullActions }],
                }),
            }, parent);
            return repository;
        });

        // CI's `cache-to` overwrites the cache tag, so only tags starting with it may move; the rest stay immutable.
        for (const cache of args.buildCaches) {
            const role = `${name}-build-cache-${cache.workload}`;
            const repository = new aws.ecr.Repository(role, {
                name: buildCacheRepository(stackPrefix(context), cache.workload),
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: [{ filter: `${buildCacheTag}*`, filterType: "WILDCARD" }],
                encryptionConfigurations: [{ encryptionType: "KMS" }],
                // Layers only, rebuilt by the next CI run: nothing to protect.
                forceDelete: true,
            }, parent);
            new aws.ecr.LifecyclePolicy(role, { repository: repository.name, policy: JSON.stringify(buildCacheLifecycle(cache.expiryDays)) }, parent);
        }

        // `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: the host is the registry.
        this.registryUrl = repositories[0]!.repositoryUrl.apply((url) => url.split("/")[0]!);
        this.repositoryUrls = repositories.map((repository) => repository.repositoryUrl);
        this.registerOutputs({ registryUrl: this.registryUrl, repositoryUrls: this.repositoryUrls });
    }
}

/** The tag CI's `--cache-to type=registry,ref=<repository>:buildcache` writes. */
export const buildCacheTag = "buildcache";

/** Everything in a build cache expires `days` after it was pushed: the cache's storage stays bounded. */
export function buildCacheLifecycle(days: number) {
    return {
        rules: [{
            rulePriority: 1,
            description: `Expire cache layers ${days} days after they were pushed`,
            selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: days },
            action: { type: "expire" },
        }],
    };
}

/** Untagged images expire after a day; of the tagged ones only the newest `keep` stay. */
export function lifecyclePolicy(keep: number) {
    return {
        rules: [
            {
                rulePriority: 1,
                description: "Expire untagged images after a day",
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the newest ${keep} tagged images`,
                selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    };
}
