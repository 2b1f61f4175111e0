/** The checked-in stack files' `platform:` values, for what-if plans and configuration tests. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ConfigError, parsePlatformConfig } from "../../config/schema.ts";
import { readStackFile } from "../../tools/stack-file.ts";
import { namespaceValues } from "../../config/values.ts";
import { projectRoot } from "./project.ts";

/** The checked-in stack files, `Pulumi.<stack>.yaml`. */
export const stacks = ["dev", "staging", "prod"] as const;
export type StackName = (typeof stacks)[number];

/** Every `platform:` key of a stack file (namespace stripped), decoded as the program decodes them. */
export function stackPlatformConfig(stack: string): Record<string, any> {
    return namespaceValues(readStackFile(projectRoot, stack).config, "platform");
}

/** A stack file's `platform:<key>` object with `change` applied. */
export function stackValue(stack: string, key: string, change: (value: Record<string, any>) => void = () => {}): Record<string, any> {
    const value = JSON.parse(readStackFile(projectRoot, stack).config[`platform:${key}`]!);
    change(value);
    return value;
}

/** An AWS account a real team would use in place of the stack files' documentation accounts. */
export const realAccount = "403921557810";
const realGroup = randomUUID();

/** Replaces the stack files' sample values (platform: keys, namespace stripped) with values a real team would set. */
export function makeRealistic(config: Record<string, any>): void {
    config["budget"]["alertEmails"] = ["platform-team@company.io"];
    config["kubernetes"]["acmeEmail"] = "platform-team@company.io";
    config["kubernetes"]["developers"]["aws"] = { roleArns: [`arn:aws:iam::${realAccount}:role/platform-developers`] };
    config["kubernetes"]["developers"]["azure"] = { groupObjectIds: [realGroup] };
    config["ci"]["repository"] = "payments-co/platform";
    if (config["dns"]) {
        config["dns"]["zone"] = String(config["dns"]["zone"]).replace(/example\.com$/, "company.io");
    }
}

/** Validates `stack`'s configuration with `change` applied; returns the error message, or fails if it was accepted. */
export function configRejection(stack: string, change: (config: Record<string, any>) => void): string {
    const config = stackPlatformConfig(stack);
    change(config);
    try {
        parsePlatformConfig(config);
    } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.message;
    }
    assert.fail("the configuration was accepted");
}
