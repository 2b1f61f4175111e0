import assert from "node:assert/strict";
import { PlanConfigError } from "../../tools/offline/evaluate.ts";
import { planWith } from "../support/plans.ts";

describe("configuration errors in the program", () => {
    it("stop the program before any resource exists, with the key in the message", async () => {
        await assert.rejects(
            planWith({ stack: "dev", configOverrides: { "platform:network": { cidr: "10.0.0.0/16", zones: 0, natGateways: "single" } } }),
            (error: unknown) => error instanceof PlanConfigError && /platform:network\.zones/.test(error.message),
        );
    });

    it("report a --cloud switch to a cloud whose settings are missing", async () => {
        await assert.rejects(
            planWith({ stack: "dev", cloud: "azure", configOverrides: { "platform:azure": undefined } }),
            /platform:azure: is required when cloud is "azure"/,
        );
    });
});
