import * as aws from "@pulumi/aws";
import { AwsBudget } from "../budget/aws.ts";
import { AwsCache } from "../cache/aws.ts";
import { AwsCiIdentity } from "../ci-identity/aws.ts";
import { AwsCluster } from "../cluster/aws.ts";
import { cloudSettings } from "../../config/context.ts";
import { AwsDatabase } from "../database/aws.ts";
import { AwsDnsZone } from "../dns/aws.ts";
import { AwsNetwork } from "../network/aws.ts";
import { AwsRegistry } from "../registry/aws.ts";
import { AwsSecretStore } from "../secrets/aws.ts";
import { AwsObjectStorage } from "../storage/aws.ts";
import { AwsKubernetesBindings } from "../kubernetes/aws.ts";
import type { Cloud } from "./cloud.ts";

export const awsCloud: Cloud = {
    region: (context) => cloudSettings(context, "aws").region,
    // Default tags reach every taggable resource without repeating them at each call site.
    provider: (context) =>
        new aws.Provider("aws", { region: cloudSettings(context, "aws").region, defaultTags: { tags: context.tags } }),
    network: (name, args, opts) => new AwsNetwork(name, args, opts),
    cluster: (name, args, opts) => new AwsCluster(name, args, opts),
    secrets: (name, args, opts) => new AwsSecretStore(name, args, opts),
    database: (name, args, opts) => new AwsDatabase(name, args, opts),
    cache: (name, args, opts) => new AwsCache(name, args, opts),
    storage: (name, args, opts) => new AwsObjectStorage(name, args, opts),
    registry: (name, args, opts) => new AwsRegistry(name, args, opts),
    dns: (name, args, opts) => new AwsDnsZone(name, args, opts),
    budget: (name, args, opts) => new AwsBudget(name, args, opts),
    kubernetesBindings: (name, args, opts) => new AwsKubernetesBindings(name, args, opts),
    ciIdentity: (name, args, opts) => new AwsCiIdentity(name, args, opts),
};
