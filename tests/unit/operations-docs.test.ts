/**
 * The operations runbooks state each stack's recovery and rotation figures; they must be the
 * figures its stack file gives (config/operations.ts derives them), on both clouds.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "mocha";
import { cloudNames, parsePlatformConfig } from "../../config/schema.ts";
import { recoveryFigures, recoveryRow, rotationRow } from "../../config/operations.ts";
import { projectRoot } from "../support/project.ts";
import { stackPlatformConfig, stacks } from "../support/stack-config.ts";

const runbook = (name: string) => readFileSync(path.join(projectRoot, "docs", "operations", name), "utf8");

const configOf = (stack: string, cloud: (typeof cloudNames)[number]) => parsePlatformConfig({ ...stackPlatformConfig(stack), cloud });

/** The table rows of `text` whose first cell is a stack's name. */
const stackRows = (text: string) => text.split("\n").filter((line) => stacks.some((stack) => line.startsWith(`| ${stack} |`)));

describe("operations runbooks", () => {
    const expectedRecovery = stacks.flatMap((stack) => cloudNames.map((cloud) => recoveryRow(recoveryFigures(stack, configOf(stack, cloud)))));
    const expectedRotation = stacks.flatMap((stack) => cloudNames.map((cloud) => rotationRow(stack, configOf(stack, cloud))));

    it("disaster-recovery.md states each stack's RPO and RTO as its stack file gives them", () => {
        assert.deepEqual(stackRows(runbook("disaster-recovery.md")), expectedRecovery);
    });

    it("backup-and-restore.md states the same restore windows", () => {
        assert.deepEqual(stackRows(runbook("backup-and-restore.md")), expectedRecovery);
    });

    it("secret-rotation.md states each stack's rotation schedule", () => {
        assert.deepEqual(stackRows(runbook("secret-rotation.md")), expectedRotation);
    });

    it("a changed stack file changes the figures (the test can fail)", () => {
        const prod = configOf("prod", "aws");
        const shorter = recoveryRow(recoveryFigures("prod", { ...prod, database: { ...prod.database!, backupRetentionDays: 14 } }));
        assert.ok(!expectedRecovery.includes(shorter));
        assert.match(shorter, /\| 14 days, RPO 5 min \|/);
    });
});
