/**
 * The workload rules of the policy pack (policy/rules/workloads.ts), each both ways: the
 * platform's own workload objects (components/workload/specs.ts and aws.ts, from the
 * two-pattern fixture resolved for a stack) pass, and objects that break a rule are reported
 * by name; with the enforcement per environment, the platform's namespaces left alone, and
 * what a new stack's first preview leaves unknown judged neither offline nor through the
 * engine's proxy.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { workloadPolicy } from "../../components/workload/aws.ts";
import { deploymentSpec, disruptionBudgetSpec, horizontalAutoscalerSpec, scaledObjectSpec, workloadLabels } from "../../components/workload/specs.ts";
import { parsePlatformConfig } from "../../config/schema.ts";
import type { Workload } from "../../config/workloads.ts";
import { environments, unknownValue, type Environment, type PolicyResource, type Rule } from "../../policy/rule.ts";
import { workloadRules } from "../../policy/rules/workloads.ts";
import { runRules } from "../../policy/run.ts";
import { engineMessages } from "../support/engine-policy.ts";
import { assertOne, messages, resource, ruleNamed } from "../support/policy.ts";
import { projectRoot } from "../support/project.ts";
import { stackPlatformConfig } from "../support/stack-config.ts";

const u = unknownValue;
const security = ruleNamed("workload-restricted-security-context");
const probes = ruleNamed("workload-probes");
const sizing = ruleNamed("workload-requests-and-limits");
const digestRule = ruleNamed("workload-image-digest");
const budgetRule = ruleNamed("workload-disruption-budget");
const identity = ruleNamed("workload-identity-no-wildcards");

/** The fixture's workloads (orders: web_api on an HPA; billing-jobs: background_worker on KEDA), resolved for `stack`. */
function fixtureWorkloads(stack: "dev" | "prod"): { orders: Workload; billing: Workload } {
    const config = stackPlatformConfig(stack);
    config["workloads"] = YAML.parse(readFileSync(path.join(projectRoot, "tests/fixtures/workloads/all-patterns.yaml"), "utf8"));
    const [orders, billing] = parsePlatformConfig(config).workloads;
    assert.ok(orders && billing);
    return { orders, billing };
}

const prod = fixtureWorkloads("prod");
const dev = fixtureWorkloads("dev");

const metadata = (workload: Workload) => ({ name: workload.name, namespace: workload.namespace, labels: workloadLabels(workload) });

/** The Workload component's Deployment (components/workload/workload.ts), with `change` applied to a copy of its props. */
function deployment(workload: Workload, change: (props: any) => void = () => {}): PolicyResource {
    const props: any = structuredClone({
        apiVersion: "apps/v1", kind: "Deployment", metadata: metadata(workload),
        spec: deploymentSpec(workload, { serviceAccountName: workload.name, podLabels: {}, env: { AWS_REGION: "eu-west-1" } }),
    });
    change(props);
    return resource("kubernetes:apps/v1:Deployment", `workload-${workload.name}-deployment`, props);
}

/** The first container of a Deployment's props, to change. */
const container = (props: any) => props.spec.template.spec.containers[0];

/** Everything the Workload component creates around a Deployment that the budget rule reads. */
function scalingObjects(workload: Workload): PolicyResource[] {
    const hpa = horizontalAutoscalerSpec(workload);
    const scaled = scaledObjectSpec(workload, { type: "aws-sqs-queue", metadata: {}, authentication: { podIdentity: { provider: "aws" } } }, workload.name);
    const budget = disruptionBudgetSpec(workload);
    return [
        ...(hpa ? [resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `workload-${workload.name}-autoscaler`, { metadata: metadata(workload), spec: hpa })] : []),
        ...(scaled ? [resource("kubernetes:keda.sh/v1alpha1:ScaledObject", `workload-${workload.name}-scaler`, { metadata: metadata(workload), spec: scaled })] : []),
        ...(budget ? [pdb(workload, budget.selector)] : []),
    ];
}

const pdb = (workload: Workload, selector: unknown, namespace: unknown = workload.namespace) =>
    resource("kubernetes:policy/v1:PodDisruptionBudget", `workload-${workload.name}-disruption-budget`, {
        metadata: { name: workload.name, namespace, labels: workloadLabels(workload) }, spec: { maxUnavailable: 1, selector },
    });

const enforcementOf = (rule: Rule, resources: PolicyResource[]) =>
    environments.map((environment) => runRules([rule], resources, environment).map((violation) => violation.enforcement));

/** Nothing reported while unknown, offline and through the engine; the known violation still reported both ways. */
function assertJudgesKnownOnly(rule: Rule, withUnknowns: PolicyResource[], withKnownViolation: PolicyResource[], reported: RegExp): void {
    assert.deepEqual(messages(rule, withUnknowns), []);
    assert.deepEqual(engineMessages(rule, withUnknowns), []);
    for (const found of [messages(rule, withKnownViolation), engineMessages(rule, withKnownViolation)]) {
        assert.ok(found.some((message) => reported.test(message)), `expected ${reported} among:\n${found.join("\n")}`);
    }
}

describe("policy: the workload rules", () => {
    it("are in the pack, each with a one-sentence description, mandatory in prod", () => {
        assert.deepEqual(workloadRules.map((rule) => rule.name), [security, probes, sizing, digestRule, budgetRule, identity].map((rule) => rule.name));
        for (const rule of workloadRules) {
            assert.doesNotMatch(rule.description, /[.:;]\s+[A-Z]/, `${rule.name}: one sentence`);
            assert.equal(rule.enforcement.prod, "mandatory", rule.name);
        }
    });

    it("pass the platform's own workloads in prod and dev", () => {
        for (const { orders, billing } of [prod, dev]) {
            const stack = [deployment(orders), deployment(billing), ...scalingObjects(orders), ...scalingObjects(billing)];
            assert.deepEqual(runRules(workloadRules, stack, "prod"), []);
        }
    });
});

describe("policy: workload-restricted-security-context", () => {
    for (const [what, change, reported] of [
        ["runs as root (runAsNonRoot false on the pod)", (props: any) => {
            props.spec.template.spec.securityContext.runAsNonRoot = false;
            delete container(props).securityContext.runAsNonRoot;
        }, /runAsNonRoot false \(set true on the pod\)/],
        ["overrides the pod's runAsNonRoot in the container", (props: any) => (container(props).securityContext.runAsNonRoot = false), /runAsNonRoot false/],
        ["sets no seccomp profile", (props: any) => {
            delete props.spec.template.spec.securityContext.seccompProfile;
            delete container(props).securityContext.seccompProfile;
        }, /seccompProfile\.type unset \(set "RuntimeDefault" on the pod\)/],
        ["runs Unconfined in the container", (props: any) => (container(props).securityContext.seccompProfile = { type: "Unconfined" }), /seccompProfile\.type "Unconfined"/],
        ["allows privilege escalation", (props: any) => (container(props).securityContext.allowPrivilegeEscalation = true), /allowPrivilegeEscalation true \(must be false\)/],
        ["leaves allowPrivilegeEscalation unset (it defaults to true)", (props: any) => delete container(props).securityContext.allowPrivilegeEscalation, /allowPrivilegeEscalation unset/],
        ["writes its root filesystem", (props: any) => (container(props).securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem false \(must be true\)/],
        ["keeps capabilities", (props: any) => (container(props).securityContext.capabilities = { drop: ["NET_RAW"] }), /capabilities\.drop \["NET_RAW"\] \(must contain "ALL"\)/],
        ["is privileged", (props: any) => (container(props).securityContext.privileged = true), /privileged true/],
    ] as const) {
        it(`reports a container that ${what}, naming the Deployment and the container`, () => {
            assertOne(messages(security, [deployment(prod.orders, change)]),
                /^Deployment "workload-orders-deployment" \(orders\/orders\) container "orders" breaks the restricted Pod Security Standard: /, reported);
        });
    }

    it("lists every problem of a container without a securityContext in one message", () => {
        const found = messages(security, [deployment(prod.orders, (props) => {
            delete props.spec.template.spec.securityContext;
            delete container(props).securityContext;
        })]);
        assertOne(found, /runAsNonRoot unset/, /seccompProfile\.type unset/, /allowPrivilegeEscalation unset/, /readOnlyRootFilesystem unset/, /capabilities\.drop unset/);
    });

    it("accepts runAsNonRoot and seccomp set on every container instead of the pod, as the standard does", () => {
        assert.deepEqual(messages(security, [deployment(prod.orders, (props) => delete props.spec.template.spec.securityContext)]), []);
    });

    it("reports host namespaces on the pod, and init containers like the others", () => {
        assertOne(messages(security, [deployment(prod.orders, (props) => Object.assign(props.spec.template.spec, { hostNetwork: true, hostPID: true, hostIPC: false }))]),
            /^Deployment "workload-orders-deployment" \(orders\/orders\) pod shares the node's namespaces \(hostNetwork true, hostPID true\)/);
        assertOne(messages(security, [deployment(prod.orders, (props) => (props.spec.template.spec.initContainers = [{ name: "migrate", image: "ghcr.io/acme/migrate" }]))]),
            /init container "migrate" breaks the restricted Pod Security Standard: allowPrivilegeEscalation unset/);
    });

    it("leaves the platform's namespaces (and default) alone: only workload namespaces are judged", () => {
        const privileged = (namespace: string | undefined) => deployment(prod.orders, (props) => {
            props.metadata.namespace = namespace;
            container(props).securityContext.privileged = true;
        });
        assert.deepEqual(messages(security, ["keda", "monitoring", "kube-system", undefined].map(privileged)), []);
        assertOne(messages(security, [privileged("payments")]), /\(payments\/orders\) container "orders" breaks/);
    });

    it("is advisory in dev and mandatory in staging and prod", () => {
        assert.deepEqual(enforcementOf(security, [deployment(prod.orders, (props) => (container(props).securityContext.privileged = true))]), [["advisory"], ["mandatory"], ["mandatory"]]);
    });

    it("judges what a first preview knows: unknown settings, containers or namespace are not reported", () => {
        assertJudgesKnownOnly(security, [
            deployment(prod.orders, (props) => (container(props).securityContext = u)),
            deployment(prod.billing, (props) => (props.spec.template.spec.containers = u)),
            deployment(prod.orders, (props) => {
                props.metadata.namespace = u;
                container(props).securityContext.privileged = true;
            }),
            deployment(prod.orders, (props) => Object.assign(container(props).securityContext, { allowPrivilegeEscalation: u, capabilities: { drop: [u] } })),
        ], [
            deployment(prod.orders, (props) => (container(props).securityContext = u)),
            deployment(prod.billing, (props) => Object.assign(container(props).securityContext, { allowPrivilegeEscalation: u, readOnlyRootFilesystem: false })),
        ], /Deployment "workload-billing-jobs-deployment" .* readOnlyRootFilesystem false/);
    });
});

describe("policy: workload-probes", () => {
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        it(`reports a container without a ${probe}`, () => {
            assertOne(messages(probes, [deployment(prod.billing, (props) => delete container(props)[probe])]),
                new RegExp(`^Deployment "workload-billing-jobs-deployment" \\(billing-jobs/billing-jobs\\) container "billing-jobs" has no ${probe}$`));
        });
    }

    it("names every missing probe of every container, and asks none of init containers", () => {
        const found = messages(probes, [deployment(prod.orders, (props) => {
            const spec = props.spec.template.spec;
            spec.containers.push({ name: "sidecar", image: "ghcr.io/acme/proxy" });
            spec.initContainers = [{ name: "migrate", image: "ghcr.io/acme/migrate" }];
        })]);
        assert.deepEqual(found, ['Deployment "workload-orders-deployment" (orders/orders) container "sidecar" has no startupProbe, readinessProbe, livenessProbe']);
    });

    it("leaves the platform's namespaces alone, is advisory in dev, and counts an unknown probe as present", () => {
        const bare = (namespace: string) => deployment(prod.orders, (props) => {
            props.metadata.namespace = namespace;
            delete container(props).livenessProbe;
        });
        assert.deepEqual(messages(probes, [bare("monitoring")]), []);
        assert.deepEqual(enforcementOf(probes, [bare("orders")]), [["advisory"], ["mandatory"], ["mandatory"]]);
        assertJudgesKnownOnly(probes, [deployment(prod.orders, (props) => (container(props).livenessProbe = u))],
            [deployment(prod.orders, (props) => Object.assign(container(props), { livenessProbe: u, startupProbe: undefined }))], /container "orders" has no startupProbe$/);
    });
});

describe("policy: workload-requests-and-limits", () => {
    for (const [kind, resourceName] of [["requests", "cpu"], ["requests", "memory"], ["limits", "cpu"], ["limits", "memory"]] as const) {
        it(`reports a container without resources.${kind}.${resourceName}`, () => {
            assertOne(messages(sizing, [deployment(prod.orders, (props) => delete container(props).resources[kind][resourceName])]),
                new RegExp(`^Deployment "workload-orders-deployment" \\(orders/orders\\) container "orders" sets no resources\\.${kind}\\.${resourceName}$`));
        });
    }

    it("reports a container with no resources at all, init containers included", () => {
        assertOne(messages(sizing, [deployment(prod.orders, (props) => delete container(props).resources)]),
            /sets no resources\.requests\.cpu, resources\.requests\.memory, resources\.limits\.cpu, resources\.limits\.memory/);
        assertOne(messages(sizing, [deployment(prod.orders, (props) => (props.spec.template.spec.initContainers = [{ name: "migrate", resources: { requests: { cpu: "100m", memory: "64Mi" } } }]))]),
            /init container "migrate" sets no resources\.limits\.cpu, resources\.limits\.memory/);
    });

    it("leaves the platform's namespaces alone, is advisory in dev, and counts unknown sizes as set", () => {
        const unsized = (namespace: string) => deployment(prod.orders, (props) => {
            props.metadata.namespace = namespace;
            delete container(props).resources;
        });
        assert.deepEqual(messages(sizing, [unsized("external-secrets")]), []);
        assert.deepEqual(enforcementOf(sizing, [unsized("orders")]), [["advisory"], ["mandatory"], ["mandatory"]]);
        assertJudgesKnownOnly(sizing, [deployment(prod.orders, (props) => (container(props).resources = u)), deployment(prod.billing, (props) => (container(props).resources.limits = { cpu: u, memory: u }))],
            [deployment(prod.billing, (props) => (container(props).resources.limits = { cpu: u }))], /container "billing-jobs" sets no resources\.limits\.memory$/);
    });
});

describe("policy: workload-image-digest", () => {
    const image = (value: unknown, namespace = "orders") => deployment(prod.orders, (props) => {
        props.metadata.namespace = namespace;
        container(props).image = value;
    });
    const digest = `@sha256:${"0a".repeat(32)}`;

    it("passes images pinned by digest, with or without a tag", () => {
        assert.deepEqual(messages(digestRule, [image(`ghcr.io/acme/orders${digest}`), image(`ghcr.io/acme/orders:1.4.2${digest}`)]), []);
    });

    for (const value of ["ghcr.io/acme/orders:1.4.2", "ghcr.io/acme/orders", `ghcr.io/acme/orders@sha256:${"0a".repeat(31)}`, `ghcr.io/acme/orders@sha256:${"0A".repeat(32)}`, `ghcr.io/acme/orders${digest}:latest`]) {
        it(`reports ${value} outside dev, naming the Deployment and the container`, () => {
            assertOne(messages(digestRule, [image(value)], "staging"),
                new RegExp(`^Deployment "workload-orders-deployment" \\(orders/orders\\) container "orders" runs image "${value.replace(/[.]/g, "\\.")}", which is not pinned by digest`));
        });
    }

    it("checks init containers too", () => {
        assertOne(messages(digestRule, [deployment(prod.orders, (props) => (props.spec.template.spec.initContainers = [{ name: "migrate", image: "ghcr.io/acme/migrate:2" }]))]),
            /init container "migrate" runs image "ghcr\.io\/acme\/migrate:2"/);
    });

    it("requires digests in staging and prod only, mandatory there; dev may follow a tag", () => {
        assert.deepEqual(environments.map((environment: Environment) => digestRule.config?.byEnvironment[environment]), [{ requireDigest: false }, { requireDigest: true }, { requireDigest: true }]);
        assert.deepEqual(enforcementOf(digestRule, [image("ghcr.io/acme/orders:1.4.2")]), [[], ["mandatory"], ["mandatory"]]);
    });

    it("leaves the platform's namespaces alone and does not judge an unknown image", () => {
        assert.deepEqual(messages(digestRule, [image("ghcr.io/acme/orders:1.4.2", "gateway")]), []);
        assertJudgesKnownOnly(digestRule, [image(u)], [image(u), image("ghcr.io/acme/orders:1.4.2", "payments")], /\(payments\/orders\) container "orders" runs image "ghcr\.io\/acme\/orders:1\.4\.2"/);
    });
});

describe("policy: workload-disruption-budget", () => {
    const { orders, billing } = prod;
    const withoutBudget = (workload: Workload) => scalingObjects(workload).filter((entry) => entry.type !== "kubernetes:policy/v1:PodDisruptionBudget");
    const selector = { matchLabels: { "app.kubernetes.io/name": "orders" } };

    it("passes the platform's workloads: a budget wherever the autoscaler keeps more than one replica, none needed at one or zero", () => {
        assert.deepEqual(messages(budgetRule, [deployment(orders), deployment(billing), ...scalingObjects(orders), ...scalingObjects(billing)]), []);
        assert.equal(dev.orders.replicas.min, 1);
        assert.equal(dev.billing.replicas.min, 0);
        assert.deepEqual(messages(budgetRule, [deployment(dev.orders), deployment(dev.billing), ...withoutBudget(dev.orders), ...withoutBudget(dev.billing)]), []);
    });

    it("reports a Deployment whose HPA keeps more than one replica and no budget", () => {
        assertOne(messages(budgetRule, [deployment(orders), ...withoutBudget(orders)]),
            /^Deployment "workload-orders-deployment" \(orders\/orders\) keeps at least 3 replicas \(HorizontalPodAutoscaler "workload-orders-autoscaler" minReplicas 3\) but no PodDisruptionBudget \(policy\/v1\) in namespace "orders" selects its pods/);
    });

    it("reports a Deployment whose KEDA ScaledObject keeps more than one replica and no budget", () => {
        assertOne(messages(budgetRule, [deployment(billing), ...withoutBudget(billing)]),
            /^Deployment "workload-billing-jobs-deployment" \(billing-jobs\/billing-jobs\) keeps at least 2 replicas \(KEDA ScaledObject "workload-billing-jobs-scaler" minReplicaCount 2\)/);
    });

    it("reports a Deployment with spec.replicas above one and no autoscaler, but not one replica", () => {
        assertOne(messages(budgetRule, [deployment(orders, (props) => (props.spec.replicas = 2))]), /keeps at least 2 replicas \(spec\.replicas 2\)/);
        assert.deepEqual(messages(budgetRule, [deployment(orders, (props) => (props.spec.replicas = 1))]), []);
    });

    it("does not count a budget of another namespace, or one that selects other pods", () => {
        assertOne(messages(budgetRule, [deployment(orders), ...withoutBudget(orders), pdb(orders, selector, "billing-jobs")]), /"workload-orders-deployment"/);
        assertOne(messages(budgetRule, [deployment(orders), ...withoutBudget(orders), pdb(orders, { matchLabels: { "app.kubernetes.io/name": "billing-jobs" } })]), /"workload-orders-deployment"/);
        // A label the pods lack; no selector at all, which selects nothing.
        assertOne(messages(budgetRule, [deployment(orders), ...withoutBudget(orders), pdb(orders, { matchLabels: { ...selector.matchLabels, tier: "web" } })]), /"workload-orders-deployment"/);
        assertOne(messages(budgetRule, [deployment(orders), ...withoutBudget(orders), pdb(orders, undefined)]), /"workload-orders-deployment"/);
        assertOne(messages(budgetRule, [deployment(orders), ...withoutBudget(orders), pdb(orders, { matchExpressions: [{ key: "platform.io/pattern", operator: "NotIn", values: ["web_api"] }] })]),
            /"workload-orders-deployment"/);
    });

    it("takes a budget whose selector is a subset of the pod labels, by labels or expressions, or empty (every pod)", () => {
        for (const candidate of [
            { matchLabels: { "app.kubernetes.io/name": "orders", "platform.io/pattern": "web_api" } },
            { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["orders", "api"] }, { key: "tier", operator: "DoesNotExist" }] },
            {},
        ]) {
            assert.deepEqual(messages(budgetRule, [deployment(orders), ...withoutBudget(orders), pdb(orders, candidate)]), [], JSON.stringify(candidate));
        }
    });

    it("reads only the autoscalers that target the Deployment in its namespace", () => {
        const elsewhere = withoutBudget(orders).map((entry) => ({ ...entry, props: { ...entry.props, metadata: { ...entry.props["metadata"], namespace: "billing-jobs" } } }));
        const otherTarget = withoutBudget(orders).map((entry) => ({ ...entry, props: { ...entry.props, spec: { ...entry.props["spec"], scaleTargetRef: { kind: "Deployment", name: "web" } } } }));
        assert.deepEqual(messages(budgetRule, [deployment(orders), ...elsewhere]), []);
        assert.deepEqual(messages(budgetRule, [deployment(orders), ...otherTarget]), []);
    });

    it("leaves the platform's namespaces alone and is advisory in dev", () => {
        assert.deepEqual(messages(budgetRule, [deployment(orders, (props) => {
            props.metadata.namespace = "keda";
            props.spec.replicas = 2;
        })]), []);
        assert.deepEqual(enforcementOf(budgetRule, [deployment(orders), ...withoutBudget(orders)]), [["advisory"], ["mandatory"], ["mandatory"]]);
    });

    it("judges what a first preview knows: a budget whose namespace or selector is unknown may cover the pods, an unknown minimum raises nothing", () => {
        const unknownMinimum = withoutBudget(orders).map((entry) => ({ ...entry, props: { ...entry.props, spec: { ...entry.props["spec"], minReplicas: u } } }));
        assertJudgesKnownOnly(budgetRule, [
            deployment(orders), ...withoutBudget(orders), pdb(orders, selector, u),
            deployment(billing), ...withoutBudget(billing), pdb(billing, { matchLabels: u }),
            deployment(orders, (props) => (props.metadata.namespace = u)),
        ], [
            deployment(orders), ...withoutBudget(orders), pdb(orders, selector, "billing-jobs"),
        ], /"workload-orders-deployment" .* keeps at least 3 replicas/);
        assert.deepEqual(messages(budgetRule, [deployment(orders), ...unknownMinimum]), []);
    });
});

describe("policy: workload-identity-no-wildcards", () => {
    const account = "123456789012";
    const queueArn = `arn:aws:sqs:eu-west-1:${account}:platform-prod-billing-jobs`;
    const grants = { queueArn, deadLetterArn: `${queueArn}-dlq`, modelArns: ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"] };
    const document = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const rolePolicy = (name: string, role: unknown, policy: unknown) => resource("aws:iam/rolePolicy:RolePolicy", name, { role, policy });
    const workloadRole = resource("aws:iam/role:Role", "workload-billing-jobs-role", { permissionsBoundary: `arn:aws:iam::${account}:policy/platform-prod-workload-boundary` });
    /** The workload's own policy (components/workload/aws.ts `workloadPolicy`) on its role, its statements changed by `change`. */
    const ownPolicy = (change: (statements: any[]) => void = () => {}) => {
        const parsed = JSON.parse(workloadPolicy(grants)!);
        change(parsed.Statement);
        return rolePolicy("workload-billing-jobs-role", "workload-billing-jobs-role-32eb24f", JSON.stringify(parsed));
    };
    const subscription = "/subscriptions/00000000-0000-0000-0000-000000000000";
    const group = `${subscription}/resourceGroups/rg-platform-prod`;
    const assignment = (name: string, scope: unknown) => resource("azure-native:authorization:RoleAssignment", name, {
        principalId: "70e7c2a3-8168-527a-40dd-c95f538722bb", principalType: "ServicePrincipal",
        roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0`, scope,
    });

    it("passes the platform's workload policy and the platform's workload role assignments", () => {
        assert.deepEqual(messages(identity, [workloadRole, ownPolicy()]), []);
        assert.deepEqual(messages(identity, [
            assignment("workload-billing-jobs-receive", `${group}/providers/Microsoft.ServiceBus/namespaces/sb-platform-prod-d0f4/queues/billing-jobs`),
            assignment("workload-billing-jobs-keda", `${group}/providers/Microsoft.ServiceBus/namespaces/sb-platform-prod-d0f4/queues/billing-jobs`),
            assignment("workload-orders-models", `${group}/providers/Microsoft.CognitiveServices/accounts/oai-platform-prod-d0f4`),
        ]), []);
    });

    for (const [what, change, reported] of [
        ["every action", (statements: any[]) => (statements[0].Action = "*"), /allows action "\*" \(statement ConsumeOwnQueue\)/],
        ["every SQS action", (statements: any[]) => (statements[0].Action = [...statements[0].Action, "sqs:*"]), /allows action "sqs:\*" \(statement ConsumeOwnQueue\)/],
        ["every resource", (statements: any[]) => (statements[1].Resource = "*"), /allows resource "\*" \(statement DeadLetterOwnMessages\)/],
        ["every queue of the account", (statements: any[]) => (statements[1].Resource = `arn:aws:sqs:eu-west-1:${account}:*`), /allows resource "arn:aws:sqs:eu-west-1:123456789012:\*"/],
        ["every action but one (NotAction)", (statements: any[]) => { statements[2].NotAction = "iam:*"; delete statements[2].Action; }, /allows NotAction \(every action but iam:\*\) \(statement InvokeListedModels\)/],
        ["every resource but one (NotResource)", (statements: any[]) => { statements[2].NotResource = queueArn; delete statements[2].Resource; }, /allows NotResource \(every resource but arn:aws:sqs/],
    ] as const) {
        it(`reports the workload's role policy when it allows ${what}, naming the policy`, () => {
            assertOne(messages(identity, [workloadRole, ownPolicy(change)]), /^workload role policy "workload-billing-jobs-role" allows /, reported);
        });
    }

    it("reports any inline policy on a workload's role, and a policy with the workload's statements, whatever its name", () => {
        const wildcard = document({ Sid: "Extra", Effect: "Allow", Action: "s3:*", Resource: "*" });
        assertOne(messages(identity, [workloadRole, rolePolicy("extra", "workload-billing-jobs-role-32eb24f", wildcard)]), /workload role policy "extra" allows action "s3:\*", resource "\*" \(statement Extra\)/);
        const named = resource("aws:iam/role:Role", "workload-orders-role", { name: "platform-prod-orders" });
        assertOne(messages(identity, [named, rolePolicy("extra", "platform-prod-orders", wildcard)]), /"extra"/);
        assertOne(messages(identity, [rolePolicy("renamed", "some-role", document({ Sid: "ConsumeOwnQueue", Effect: "Allow", Action: "sqs:*", Resource: queueArn }))]),
            /workload role policy "renamed" allows action "sqs:\*"/);
    });

    it("leaves other identities' policies and denials alone", () => {
        assert.deepEqual(messages(identity, [
            workloadRole,
            rolePolicy("kubernetes-bindings-cluster-autoscaler", "kubernetes-bindings-cluster-autoscaler-95425f5", document({ Effect: "Allow", Action: "autoscaling:Describe*", Resource: "*" })),
            rolePolicy("workload-billing-jobs-keda", "kubernetes-bindings-keda-f30360a", document({ Sid: "ReadQueueDepth", Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: queueArn })),
            ownPolicy((statements) => statements.push({ Sid: "DenyEverythingElse", Effect: "Deny", NotAction: "sqs:*", Resource: "*" })),
        ]), []);
    });

    it("reports a workload role assignment at subscription, resource-group or management-group scope", () => {
        assertOne(messages(identity, [assignment("workload-orders-models", group)]),
            /^workload role assignment "workload-orders-models" is made at resource group scope "\/subscriptions\/0{8}-0{4}-0{4}-0{4}-0{12}\/resourceGroups\/rg-platform-prod"; assign a workload's roles on its own resources/);
        assertOne(messages(identity, [assignment("workload-orders-models", subscription)]), /"workload-orders-models" is made at subscription scope/);
        assertOne(messages(identity, [assignment("workload-orders-models", "/providers/Microsoft.Management/managementGroups/platform")]), /is made at management group scope/);
        assertOne(messages(identity, [assignment("workload-orders-models", `${group}/`)]), /is made at resource group scope/);
        assertOne(messages(identity, [assignment("workload-orders-models", undefined)]), /is made without a scope/);
    });

    it("leaves role assignments that are not a workload's alone", () => {
        assert.deepEqual(messages(identity, [assignment("ci-identity-deploy-contributor", group), assignment("ci-identity-deploy-ci-reader", subscription)]), []);
    });

    it("is mandatory in every environment", () => {
        assert.deepEqual(enforcementOf(identity, [assignment("workload-orders-models", group)]), [["mandatory"], ["mandatory"], ["mandatory"]]);
    });

    it("judges what a first preview knows: an unknown document, ARN or scope is not reported, a known wildcard still is", () => {
        assertJudgesKnownOnly(identity, [
            workloadRole,
            rolePolicy("workload-billing-jobs-role", u, u),
            ownPolicy((statements) => (statements[0].Resource = u)),
            assignment("workload-orders-models", u),
        ], [
            workloadRole,
            ownPolicy((statements) => Object.assign(statements[0], { Resource: u, Action: "sqs:*" })),
            assignment("workload-orders-models", u),
        ], /workload role policy "workload-billing-jobs-role" allows action "sqs:\*"/);
    });
});
