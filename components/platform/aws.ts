import * as aws from "@pulumi/aws";
import { AwsCluster } from "../cluster/aws.ts";
import { cloudSettings } from "../context.ts";
import { AwsNetwork } from "../network/aws.ts";
import type { Cloud } from "./cloud.ts";

export const awsCloud: Cloud = {
    region: (context) => cloudSettings(context, "aws").region,
    // Default tags reach every taggable resource without repeating them at each call site.
    provider: (context) =>
        new aws.Provider("aws", { region: cloudSettings(context, "aws").region, defaultTags: { tags: context.tags } }),
    network: (name, args, opts) => new AwsNetwork(name, args, opts),
    cluster: (name, args, opts) => new AwsCluster(name, args, opts),
};
