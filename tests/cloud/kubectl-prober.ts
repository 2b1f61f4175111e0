/**
 * Checks from inside the cluster with kubectl and the stack's kubeconfig: the API answers,
 * then one short-lived pod per target opens a TCP connection to it. The pods meet the
 * workload namespace's restricted Pod Security and NetworkPolicies, as a workload would.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCommand, type CommandResult } from "../support/command.ts";
import type { ClusterProber, ProbeTarget } from "./harness.ts";

/** A small image with `nc`; pinned by tag to what the pods run. */
export const probeImage = "busybox:1.37";

/** A pod that `restricted` Pod Security admits. */
export function probePod(name: string, namespace: string, target: ProbeTarget): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels: { "app.kubernetes.io/name": "platform-probe" } },
        spec: {
            restartPolicy: "Never",
            securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{
                name: "probe",
                image: probeImage,
                command: ["nc", "-z", "-w", "10", target.host, String(target.port)],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
            }],
        },
    };
}

export class KubectlProber implements ClusterProber {
    private readonly kubectl: string;

    constructor(kubectl = "kubectl") {
        this.kubectl = kubectl;
    }

    async probe(kubeconfig: string, namespace: string, targets: readonly ProbeTarget[]): Promise<void> {
        const dir = mkdtempSync(path.join(tmpdir(), "probe-"));
        const config = path.join(dir, "kubeconfig");
        writeFileSync(config, kubeconfig, { mode: 0o600 });
        const kubectl = (args: string[], input?: string) => this.run(["--kubeconfig", config, ...args], input);
        try {
            await expectSuccess(kubectl(["get", "--raw", "/readyz"]), "the cluster API");
            for (const target of targets) {
                const pod = `probe-${target.name}-${randomBytes(3).toString("hex")}`;
                await expectSuccess(kubectl(["apply", "-f", "-"], JSON.stringify(probePod(pod, namespace, target))), `creating ${pod}`);
                try {
                    await expectSuccess(
                        kubectl(["wait", "--namespace", namespace, "--for=jsonpath={.status.phase}=Succeeded", `pod/${pod}`, "--timeout=180s"]),
                        `${target.name} (${target.host}:${target.port}) from inside the cluster`,
                    );
                } finally {
                    await kubectl(["delete", "pod", pod, "--namespace", namespace, "--ignore-not-found", "--wait=false"]);
                }
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }

    private run(args: string[], input?: string): Promise<CommandResult> {
        return runCommand(this.kubectl, args, { input: input ?? "" });
    }
}

async function expectSuccess(running: Promise<CommandResult>, what: string): Promise<void> {
    const result = await running;
    if (result.code !== 0) {
        throw new Error(`${what} failed: ${(result.stderr || result.stdout).trim().slice(-1000)}`);
    }
}
