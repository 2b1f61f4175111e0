/** The provisioning jobs' shell scripts, run by the system's POSIX shell with the network tools stubbed. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "mocha";
import { entraTokenShell, schemaRegistrationScript } from "../../components/workload/azure-events.ts";
import { topicScript } from "../../components/workload/aws-events.ts";
import { iamRoleSql } from "../../components/workload/aws.ts";
import { entraRoleSql } from "../../components/workload/azure.ts";
import { managedAdminSecretFile, managedAdminSignIn } from "../../components/database/aws.ts";
import { databaseProvisioningSql, kubeletLiteral } from "../../components/workload/specs.ts";

/**
 * What the kubelet does to a container's command (Kubernetes' expansion rules): `$$` becomes `$`,
 * `$(NAME)` becomes the variable's value when the container defines it; anything else stays.
 */
function kubeletExpand(text: string, defined: Record<string, string>): string {
    return text.replace(/\$(\$|\(([A-Za-z_][A-Za-z0-9_]*)\))/g, (match, escaped: string, name: string | undefined) =>
        escaped === "$" ? "$" : name !== undefined && name in defined ? defined[name]! : match);
}

const dir = mkdtempSync(path.join(os.tmpdir(), "provisioning-scripts-"));
const tokenFile = path.join(dir, "token");
writeFileSync(tokenFile, "federated.jwt.value");
const env = { PATH: process.env["PATH"] ?? "", AZURE_CLIENT_ID: "client", AZURE_TENANT_ID: "tenant", AZURE_AUTHORITY_HOST: "https://login.example/", AZURE_FEDERATED_TOKEN_FILE: tokenFile };

/** Runs `script` after defining `wget` as a shell function that records its arguments and prints `answer`. */
function withWget(script: string, answer: string) {
    const stub = `wget() { printf '%s\\n' "$@" > ${dir}/wget-args; printf '%s' '${answer}'; }\n`;
    return spawnSync("sh", ["-c", `${stub}${script}`], { env, encoding: "utf8" });
}

describe("provisioning scripts", () => {
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("signs in with the password of the secret RDS manages, JSON escapes undone, and leaves no copy behind", () => {
        // RDS passwords may hold any printable ASCII but `"`, `/`, `@` and space; Secrets Manager escapes a backslash as `\\`.
        const password = "a\\b$c`d'e!f&g<h>i%j";
        const secretFile = path.join(dir, managedAdminSecretFile);
        writeFileSync(secretFile, JSON.stringify({ username: "platform_admin", password }));
        const script = managedAdminSignIn.replaceAll(`/tmp/${managedAdminSecretFile}`, secretFile);
        const run = spawnSync("sh", ["-c", `${kubeletExpand(kubeletLiteral(script), {})}\nprintf '%s' "$PGPASSWORD"`], { env, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, password);
        assert.ok(!existsSync(secretFile), "the secret's file is gone");
    });

    it("fails the job when the managed secret holds no password", () => {
        const secretFile = path.join(dir, managedAdminSecretFile);
        writeFileSync(secretFile, "{}");
        const run = spawnSync("sh", ["-c", managedAdminSignIn.replaceAll(`/tmp/${managedAdminSecretFile}`, secretFile)], { env, encoding: "utf8" });
        assert.equal(run.status, 1);
        assert.match(run.stderr, /no password in the managed admin secret/);
    });

    it("exchanges the pod's federated token for an Entra access token", () => {
        const run = withWget(`${entraTokenShell("PGPASSWORD", "https://ossrdbms-aad.database.windows.net/.default")}\nprintf '%s' "$PGPASSWORD"`,
            '{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0.eyJ1.sig"}');
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "eyJ0.eyJ1.sig");
        const args = spawnSync("cat", [path.join(dir, "wget-args")], { encoding: "utf8" }).stdout;
        assert.match(args, /client_assertion=federated\.jwt\.value/);
        assert.match(args, /scope=https%3A%2F%2Fossrdbms-aad\.database\.windows\.net%2F\.default/);
        assert.match(args, /^https:\/\/login\.example\/tenant\/oauth2\/v2\.0\/token$/m);
    });

    it("fails when Entra answers without a token", () => {
        const run = withWget(`${entraTokenShell("TOKEN", "https://eventhubs.azure.net/.default")}\necho signed-in`, '{"error":"invalid_client"}');
        assert.equal(run.status, 1);
        assert.doesNotMatch(run.stdout, /signed-in/);
        assert.match(run.stderr, /Entra ID returned no token for https:\/\/eventhubs\.azure\.net\/\.default/);
    });

    it("reach the shell exactly as written once the kubelet has expanded the command", () => {
        const defined = { HOME: "/tmp", PGHOST: "db", TOPIC: "t", AZURE_CLIENT_ID: "c" };
        const database = { name: "catalog_api", user: "catalog_api", pooled: false, recoveryWindowDays: 7 };
        const scripts = [
            topicScript(),
            schemaRegistrationScript(),
            entraTokenShell("PGPASSWORD", "https://ossrdbms-aad.database.windows.net/.default"),
            databaseProvisioningSql(database, iamRoleSql("catalog_api")),
            databaseProvisioningSql(database, entraRoleSql("catalog_api", "00000000-0000-0000-0000-000000000001")),
            "echo $$ $(HOME) $(date)",
        ];
        for (const script of scripts) {
            assert.equal(kubeletExpand(kubeletLiteral(script), defined), script);
        }
        assert.equal(kubeletExpand("DO $$ BEGIN END $$", defined), "DO $ BEGIN END $", "unescaped, the kubelet would have broken a dollar quote");
    });

    it("writes scripts the shell parses", () => {
        for (const script of [topicScript(), schemaRegistrationScript()]) {
            const run = spawnSync("sh", ["-n", "-c", script], { encoding: "utf8" });
            assert.equal(run.status, 0, run.stderr);
        }
    });
});
