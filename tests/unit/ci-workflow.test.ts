import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../support/project.ts";
import { cliVersion, languageHostVersion } from "../../tools/go/go-tools.ts";

function read(file: string): { text: string; document: Record<string, any> } {
    const text = readFileSync(path.join(projectRoot, file), "utf8");
    return { text, document: parse(text) };
}

const workflow = read(".github/workflows/platform.yml");
const upWorkflow = read(".github/workflows/platform-up.yml");
const recoverWorkflow = read(".github/workflows/platform-recover.yml");
const setup = read(".github/actions/platform-setup/action.yml");
const jobs = workflow.document["jobs"];

describe("GitHub Actions workflow", () => {
    it("shows every waiver in each preview's summary, and fails the nightly run a week before one ends", () => {
        const previewSteps: any[] = jobs["preview"].steps;
        const waivers = previewSteps.findIndex((step) => step.run === "npm run -s policy -- waivers --markdown >> preview.md");
        assert.ok(waivers > previewSteps.findIndex((step) => step.id === "preview"), "after the preview");
        assert.ok(waivers < previewSteps.findIndex((step) => String(step.uses).startsWith("marocchino/sticky-pull-request-comment")), "before the comment");
        const driftSteps: any[] = jobs["drift"].steps;
        assert.ok(driftSteps.some((step) => step.if === "always()" && /^npm run -s policy -- waivers --markdown --fail-within 7 /.test(step.run)));
    });

    it("tests with the whole history checked out, so npm test's secret scan reads every commit", () => {
        const steps: any[] = jobs["test"].steps;
        const checkout = steps.find((step) => String(step.uses).startsWith("actions/checkout@"));
        assert.equal(checkout.with?.["fetch-depth"], 0);
        assert.ok(steps.findIndex((step) => step.run === "npm test") > steps.indexOf(checkout));
    });

    it("previews every stack on pull requests with the read-only identity and comments the summary", () => {
        const preview = jobs["preview"];
        assert.equal(preview.if, "github.event_name == 'pull_request'");
        assert.deepEqual(preview.strategy.matrix.stack, ["dev", "staging", "prod"]);
        assert.equal(preview.permissions["id-token"], "write");
        const steps: any[] = preview.steps;
        assert.equal(steps.find((step) => step.uses === "./.github/actions/platform-setup").with["aws-role-arn"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        assert.match(steps.find((step) => step.id === "preview").run, /^npm run ci -- preview \$\{\{ matrix\.stack \}\} .*--summary-out preview\.md/);
        assert.equal(steps.find((step) => String(step.uses).startsWith("marocchino/sticky-pull-request-comment")).with.path, "preview.md");
    });

    it("runs up on main: dev, then staging, then prod behind the prod environment", () => {
        assert.equal(jobs["up-dev"].if, "github.event_name == 'push'");
        assert.deepEqual([jobs["up-staging"].needs, jobs["up-prod"].needs], ["up-dev", "up-staging"]);
        assert.deepEqual(
            ["up-dev", "up-staging", "up-prod"].map((job) => [jobs[job].with.stack, jobs[job].with.environment]),
            [["dev", "dev"], ["staging", "staging"], ["prod", "prod"]],
        );
        const up = upWorkflow.document["jobs"]["up"];
        assert.equal(up.environment, "${{ inputs.environment }}");
        assert.equal(up.concurrency["cancel-in-progress"], false);
        assert.match(up.steps.at(-2).run, /^npm run ci -- up \$\{\{ inputs\.stack \}\} /);
        const upSetup = up.steps.find((step: any) => step.uses === "./.github/actions/platform-setup").with;
        assert.deepEqual([upSetup["aws-role-arn"], upSetup["azure-client-id"]], ["${{ vars.AWS_DEPLOY_ROLE_ARN }}", "${{ vars.AZURE_DEPLOY_CLIENT_ID }}"]);
    });

    it("recovers a stack by hand, serialised with its updates, so that no update can hold the lock it removes", () => {
        const recover = recoverWorkflow.document["jobs"]["recover"];
        assert.deepEqual(Object.keys(recoverWorkflow.document["on"]), ["workflow_dispatch"]);
        const up = upWorkflow.document["jobs"]["up"];
        assert.equal(recover.concurrency.group.replace("inputs.stack", "STACK"), up.concurrency.group.replace("inputs.stack", "STACK"), "the up jobs' concurrency group");
        assert.equal(recover.concurrency["cancel-in-progress"], false);
        assert.equal(recover.environment, "${{ inputs.stack }}");
        assert.match(recover.steps.find((step: any) => String(step.run).includes("recover")).run, /^npm run ci -- recover \$\{\{ inputs\.stack \}\} --no-update-running /);
        assert.deepEqual(recoverWorkflow.document["permissions"], { contents: "read" });
    });

    it("checks drift on a schedule", () => {
        assert.ok(workflow.document["on"].schedule[0].cron);
        assert.match(jobs["drift"].steps.find((step: any) => String(step.run).includes("drift")).run, /^npm run ci -- drift \$\{\{ matrix\.stack \}\}/);
    });

    it("signs in through OIDC only: no long-lived cloud keys anywhere", () => {
        for (const { text } of [workflow, upWorkflow, recoverWorkflow, setup]) {
            assert.doesNotMatch(text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|ARM_CLIENT_SECRET|AZURE_CREDENTIALS/);
        }
        assert.match(setup.text, /role-to-assume:/);
        assert.match(setup.text, /ARM_USE_OIDC=true/);
        assert.deepEqual(workflow.document["permissions"], { contents: "read" }, "write scopes only where a job needs them");
    });

    it("installs the Pulumi CLI that matches the project's SDK, the version the end-to-end tests build", () => {
        const sdk = JSON.parse(readFileSync(path.join(projectRoot, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version;
        const step = setup.document["runs"].steps.find((candidate: any) => String(candidate.uses).startsWith("pulumi/actions"));
        assert.equal(step.with["pulumi-version"], "${{ inputs.pulumi-version }}");
        const callers = [...Object.values(jobs), ...Object.values(upWorkflow.document["jobs"])].flatMap((job: any) => job.steps ?? [])
            .filter((candidate: any) => candidate.uses === "./.github/actions/platform-setup");
        assert.ok(callers.length >= 3);
        for (const caller of callers) {
            assert.equal(caller.with["pulumi-version"], sdk, "every caller installs the SDK's CLI");
        }
        assert.equal(cliVersion(), `v${sdk}`, "tools/go/go.mod builds the same CLI");
        assert.equal(languageHostVersion(), `v${sdk}`, "the official language host builds against the same Pulumi");
    });
});

describe("GitHub Actions: the setup action", () => {
    it("takes every setting as an input and reads no repository variable itself", () => {
        assert.doesNotMatch(setup.text, /\bvars\./);
        assert.deepEqual(Object.keys(setup.document["inputs"]).sort(), ["aws-region", "aws-role-arn", "azure-client-id", "azure-subscription-id", "azure-tenant-id", "cloud", "pulumi-version"]);
    });
});

describe("GitHub Actions: signing in to AKS", () => {
    const steps: any[] = setup.document["runs"].steps;
    const azureSteps = steps.filter((step) => step.if === "inputs.cloud == 'azure'");

    it("signs the Azure CLI in through OIDC and installs kubelogin, which the program's AKS kubeconfig runs", () => {
        assert.ok(azureSteps.some((step) => String(step.uses).startsWith("azure/login@")));
        assert.match(String(azureSteps.find((step) => String(step.uses).startsWith("azure/use-kubelogin@"))?.with["kubelogin-version"]), /^v\d+\.\d+\.\d+$/);
    });

    it("makes kubelogin use workload identity with a renewed GitHub token, never a device-code prompt", () => {
        const exported = azureSteps.map((step) => String(step.run ?? "")).join("\n");
        for (const variable of ["AAD_LOGIN_METHOD=workloadidentity", "AZURE_FEDERATED_TOKEN_FILE=", "AZURE_CLIENT_ID=", "AZURE_TENANT_ID=", "AZURE_AUTHORITY_HOST="]) {
            assert.ok(exported.includes(variable), variable);
        }
        assert.match(exported, /audience=api:\/\/AzureADTokenExchange/);
        assert.match(exported, /while sleep \d+; do renew/, "the token file is renewed while the job runs");
        assert.doesNotMatch(exported, /devicecode|interactive/);
    });
});

describe("GitHub Actions: who can decrypt a stack's secrets", () => {
    const secretKeys = /PULUMI_CONFIG_PASSPHRASE|PULUMI_SECRETS_PROVIDER|secrets\./;

    it("keeps no secret or secrets provider in any workflow's top-level env, and none in the test job", () => {
        for (const { document } of [workflow, upWorkflow]) {
            assert.doesNotMatch(JSON.stringify(document["env"] ?? {}), secretKeys);
        }
        assert.doesNotMatch(JSON.stringify(jobs["test"]), secretKeys, "the test job runs the pull request's code");
        for (const job of ["up-dev", "up-staging", "up-prod"]) {
            assert.equal(jobs[job].secrets, undefined, `${job} passes no repository secret down; its environment holds the stack's`);
        }
    });

    it("reads a stack's secrets provider only in that stack's GitHub environments", () => {
        assert.equal(jobs["preview"].environment, "${{ matrix.stack }}-preview", "staging and prod previews wait for their environment's reviewers");
        assert.equal(jobs["drift"].environment, "${{ matrix.stack }}-drift");
        assert.equal(upWorkflow.document["jobs"]["up"].environment, "${{ inputs.environment }}");
        for (const job of [jobs["preview"], jobs["drift"], upWorkflow.document["jobs"]["up"]]) {
            assert.equal(job.env["PULUMI_CONFIG_PASSPHRASE"], "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
        }
    });
});

describe("GitHub Actions: pinned actions", () => {
    const references = [workflow, upWorkflow, setup].flatMap(({ text }) => [...text.matchAll(/uses: ([^\s#]+)(?: # (\S+))?/g)])
        .map(([, target, comment]) => ({ target: target!, comment }));

    it("pins every third-party action by full commit SHA, with its version in a comment", () => {
        const external = references.filter(({ target }) => !target.startsWith("./"));
        assert.ok(external.length >= 8);
        for (const { target, comment } of external) {
            assert.match(target, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${target} is not pinned by SHA`);
            assert.match(String(comment), /^v\d+(\.\d+){1,2}$/, `${target} has no version comment`);
        }
    });

    it("uses one version of each action everywhere", () => {
        const byAction = new Map<string, Set<string>>();
        for (const { target } of references.filter(({ target }) => !target.startsWith("./"))) {
            const [action, sha] = target.split("@") as [string, string];
            byAction.set(action, (byAction.get(action) ?? new Set()).add(sha));
        }
        for (const [action, shas] of byAction) {
            assert.equal(shas.size, 1, `${action} is pinned to ${[...shas].join(", ")}`);
        }
    });
});
