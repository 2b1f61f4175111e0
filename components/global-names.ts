import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { suffixedName, type NameRule } from "../lib/naming.ts";

/**
 * Names that must be unique across every tenant of a cloud (vaults, buckets, registries,
 * servers). A random suffix, created once as a child of `owner` and kept in state, keeps
 * same-named stacks elsewhere apart; every name the returned function builds shares it.
 */
export function globalNames(
    logicalName: string,
    owner: pulumi.Resource,
    suffixLength = 4,
): (parts: readonly string[], rule: NameRule) => pulumi.Output<string> {
    const suffix = new random.RandomString(logicalName, { length: suffixLength, special: false, upper: false }, { parent: owner });
    return (parts, rule) => suffix.result.apply((value) => suffixedName(parts, rule, value));
}
