import assert from "node:assert/strict";
import { rotationPeriod } from "../../config/secrets.ts";
import { createHash } from "node:crypto";
import { PlanConfigError, secretMask, type PlanReport } from "../../tools/offline/evaluate.ts";
import { cloudNames, expected, inputsOf, planOf, planWith, resourceOf, resourcesOf } from "../support/plans.ts";
import { stacks, stackValue } from "../support/stack-config.ts";

/** Section 2 of the brief, as each cloud's SKUs. */
const want = {
    dev: { storageGiB: 20, multiAz: false, replicas: 0, backupDays: 7, pooling: false, rds: "db.t4g.small", azure: { name: "Standard_B1ms", tier: "Burstable" }, azureDiskGiB: 32, azureHa: "Disabled" },
    staging: { storageGiB: 50, multiAz: true, replicas: 0, backupDays: 7, pooling: true, rds: "db.m7g.large", azure: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" }, azureDiskGiB: 64, azureHa: "SameZone" },
    prod: { storageGiB: 200, multiAz: true, replicas: 1, backupDays: 30, pooling: true, rds: "db.m7g.xlarge", azure: { name: "Standard_D4ds_v5", tier: "GeneralPurpose" }, azureDiskGiB: 256, azureHa: "ZoneRedundant" },
} as const;

const rdsInstance = "aws:rds/instance:Instance";
const flexibleServer = "azure-native:dbforpostgresql:Server";
const passwordNames = ["database-admin-password", "database-app-password"];

/** The value the mock runtime gives a RandomPassword (tools/simulated-cloud/answers.ts), to prove it never leaks. */
function mockPassword(name: string): string {
    return `Mock-${createHash("sha256").update(`${name}/0`).digest("hex").slice(0, 27)}`;
}

function assertNoPasswordLeaks(plan: PlanReport, names: readonly string[] = passwordNames): void {
    const text = JSON.stringify(plan);
    for (const name of names) {
        assert.equal(resourcesOf(plan, "random:index/randomPassword:RandomPassword").filter((r) => r.name === name).length, 1, name);
        assert.ok(!text.includes(mockPassword(name)), `${name} appears in the plan`);
    }
}

describe("database on AWS (RDS for PostgreSQL)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const size = want[stack];
            const protect = expected[stack].protect;

            it(`runs PostgreSQL 17 on ${size.rds} with ${size.storageGiB} GiB of gp3 that may grow to twice that`, async () => {
                const plan = await planOf(stack, "aws");
                const primary = inputsOf(plan, rdsInstance, "database-primary");
                assert.deepEqual([primary["engine"], primary["engineVersion"], primary["autoMinorVersionUpgrade"]], ["postgres", "17", true]);
                assert.equal(primary["instanceClass"], size.rds);
                assert.deepEqual([primary["allocatedStorage"], primary["maxAllocatedStorage"], primary["storageType"]], [size.storageGiB, size.storageGiB * 2, "gp3"]);
                assert.equal(plan.outputs["databaseSku"], size.rds);
            });

            it(`is ${size.multiAz ? "Multi-AZ" : "single-AZ"} with ${size.replicas} read replica(s) in other zones`, async () => {
                const plan = await planOf(stack, "aws");
                const primary = inputsOf(plan, rdsInstance, "database-primary");
                assert.equal(primary["multiAz"], size.multiAz);
                const replicas = resourcesOf(plan, rdsInstance).filter((instance) => instance.name.startsWith("database-replica-"));
                assert.equal(replicas.length, size.replicas);
                for (const replica of replicas) {
                    assert.equal(replica.inputs["replicateSourceDb"], primary["identifier"]);
                    assert.equal(replica.inputs["instanceClass"], size.rds);
                    assert.notEqual(replica.inputs["availabilityZone"], "eu-west-1a");
                    assert.equal(replica.inputs["username"], undefined, "a replica inherits its credentials");
                }
                assert.equal((plan.outputs["databaseReplicaHosts"] as string[]).length, size.replicas);
            });

            it(`keeps ${size.backupDays} days of automated backups`, async () => {
                const plan = await planOf(stack, "aws");
                const primary = inputsOf(plan, rdsInstance, "database-primary");
                assert.equal(primary["backupRetentionPeriod"], size.backupDays);
                assert.equal(primary["copyTagsToSnapshot"], true);
                assert.equal(primary["deleteAutomatedBackups"], !protect);
                const copies = resourcesOf(plan, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
                if (stack === "prod") {
                    // Replicated to the recovery region over the same window, under that region's stack key.
                    const recoveryKey = resourceOf(plan, "aws:kms/key:Key", "secrets-recovery-key");
                    assert.deepEqual(copies.map((copy) => [copy.inputs["region"], copy.inputs["sourceDbInstanceArn"], copy.inputs["retentionPeriod"], copy.protect]), [
                        ["eu-central-1", `arn:aws:rds:eu-west-1:123456789012:db:${primary["identifier"]}`, size.backupDays, true],
                    ]);
                    assert.equal(recoveryKey.inputs["region"], "eu-central-1");
                    assert.match(copies[0]!.inputs["kmsKeyId"], /^arn:aws:kms:eu-central-1:123456789012:key\//);
                    assert.equal(recoveryKey.inputs["enableKeyRotation"], true);
                } else {
                    assert.deepEqual(copies, []);
                }
            });

            it("encrypts storage and Performance Insights under the stack's KMS key and forces TLS", async () => {
                const plan = await planOf(stack, "aws");
                const keyArn = plan.outputs["secretsStoreId"];
                assert.match(String(keyArn), /^arn:aws:kms:/);
                const parameters = inputsOf(plan, "aws:rds/parameterGroup:ParameterGroup", "database-params");
                assert.equal(parameters["family"], "postgres17");
                const values = Object.fromEntries(parameters["parameters"].map((p: any) => [p.name, p.value]));
                assert.equal(values["rds.force_ssl"], "1");
                assert.equal(values["ssl_min_protocol_version"], "TLSv1.2");
                for (const instance of resourcesOf(plan, rdsInstance)) {
                    assert.equal(instance.inputs["storageEncrypted"], true, instance.name);
                    assert.equal(instance.inputs["kmsKeyId"], keyArn, instance.name);
                    assert.equal(instance.inputs["performanceInsightsKmsKeyId"], keyArn, instance.name);
                    assert.match(instance.inputs["parameterGroupName"], /^database-params/);
                    assert.deepEqual(instance.inputs["enabledCloudwatchLogsExports"], ["postgresql", "upgrade"]);
                }
            });

            it("is private: database subnets, and only the node subnets (and the proxy, with pooling) may reach port 5432", async () => {
                const plan = await planOf(stack, "aws");
                const nodeCidrs = resourcesOf(plan, "aws:ec2/subnet:Subnet")
                    // Node subnets are the first `zones` private ones; a one-zone stack has a second for the EKS control plane.
                    .filter((subnet) => /^network-private-\d+$/.test(subnet.name) && Number(subnet.name.split("-").pop()) < expected[stack].zones)
                    .map((subnet) => subnet.inputs["cidrBlock"]);
                assert.equal(nodeCidrs.length, expected[stack].zones);
                const group = inputsOf(plan, "aws:ec2/securityGroup:SecurityGroup", "database-sg");
                assert.equal(group["vpcId"], plan.outputs["networkId"]);
                const proxyGroup = size.pooling ? [{ description: "PostgreSQL from the RDS Proxy", protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [group["ingress"][1]?.securityGroups?.[0]] }] : [];
                if (size.pooling) {
                    assert.match(group["ingress"][1].securityGroups[0], /^database-proxy-sg-/);
                }
                assert.deepEqual(group["ingress"], [{ description: "PostgreSQL from the node subnets", protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: nodeCidrs }, ...proxyGroup]);
                assert.deepEqual(group["egress"], []);
                assert.deepEqual(inputsOf(plan, "aws:rds/subnetGroup:SubnetGroup", "database-subnets")["subnetIds"], plan.outputs["databaseSubnetIds"]);
                for (const instance of resourcesOf(plan, rdsInstance)) {
                    assert.equal(instance.inputs["publiclyAccessible"], false, instance.name);
                    assert.equal(instance.inputs["vpcSecurityGroupIds"].length, 1);
                    assert.match(instance.inputs["vpcSecurityGroupIds"][0], /^database-sg-/);
                }
            });

            // RDS refuses a read replica of an instance whose admin secret it manages: prod, with a replica, rolls its own.
            const managedAdmin = stack !== "prod";
            it(managedAdmin
                ? "lets RDS keep the admin password in Secrets Manager under the stack key, rotated every 30 days; stores the generated app password"
                : "stores generated admin and app passwords (a source of replicas cannot have an RDS-managed secret), rolled every 30 days", async () => {
                const plan = await planOf(stack, "aws");
                const primary = inputsOf(plan, rdsInstance, "database-primary");
                assert.deepEqual([primary["username"], primary["dbName"]], ["platform_admin", "platform"]);
                assert.equal(primary["iamDatabaseAuthenticationEnabled"], true);
                if (managedAdmin) {
                    assert.deepEqual([primary["password"], primary["manageMasterUserPassword"], primary["masterUserSecretKmsKeyId"]], [undefined, true, plan.outputs["secretsStoreId"]]);
                    const rotation = inputsOf(plan, "aws:secretsmanager/secretRotation:SecretRotation", "database-admin-rotation");
                    assert.match(rotation["secretId"], /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-/);
                    assert.deepEqual([rotation["rotationRules"], rotation["rotationLambdaArn"], rotation["rotateImmediately"]], [{ automaticallyAfterDays: 30 }, undefined, false]);
                } else {
                    assert.equal(primary["password"], secretMask);
                    assert.equal(primary["manageMasterUserPassword"], undefined);
                    assert.deepEqual(resourcesOf(plan, "aws:secretsmanager/secretRotation:SecretRotation"), []);
                }
                const refs = plan.outputs["secretRefs"] as Record<string, string>;
                for (const secret of managedAdmin ? ["postgres-app-password"] : ["postgres-admin-password", "postgres-app-password"]) {
                    const stored = resourceOf(plan, "aws:secretsmanager/secret:Secret", `secrets-${secret}`);
                    assert.equal(stored.inputs["name"], `platform/${stack}/${secret}`);
                    assert.equal(stored.parent, "database");
                    assert.equal(inputsOf(plan, "aws:secretsmanager/secretVersion:SecretVersion", `secrets-${secret}`)["secretString"], secretMask);
                    assert.match(refs[secret]!, new RegExp(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/${stack}/${secret}-[A-Za-z0-9]{6}$`));
                    const generated = inputsOf(plan, "random:index/randomPassword:RandomPassword", `database-${secret.replace("postgres-", "").replace("-password", "")}-password`);
                    assert.deepEqual(generated["keepers"], { rotationPeriod: rotationPeriod(new Date(), 30) });
                }
                assertNoPasswordLeaks(plan, managedAdmin ? ["database-app-password"] : passwordNames);
            });

            it(protect ? "is deletion-protected and leaves a final snapshot" : "stays deletable without a final snapshot in dev", async () => {
                const plan = await planOf(stack, "aws");
                for (const instance of resourcesOf(plan, rdsInstance)) {
                    assert.equal(instance.protect, protect, instance.name);
                    assert.equal(instance.inputs["deletionProtection"], protect, instance.name);
                }
                const primary = inputsOf(plan, rdsInstance, "database-primary");
                assert.equal(primary["skipFinalSnapshot"], !protect);
                assert.equal(primary["finalSnapshotIdentifier"], protect ? `platform-${stack}-postgres-final` : undefined);
            });
        });
    }

    it("uses the instance class override", async () => {
        const plan = await planWith({
            stack: "dev",
            cloud: "aws",
            configOverrides: { "platform:database": stackValue("dev", "database", (d) => (d["aws"] = { instanceClass: "db.r7g.large" })) },
        });
        assert.equal(inputsOf(plan, rdsInstance, "database-primary")["instanceClass"], "db.r7g.large");
        assert.equal(plan.outputs["databaseSku"], "db.r7g.large");
    });
});

describe("database on Azure (Flexible Server)", () => {
    for (const stack of stacks) {
        describe(stack, () => {
            const size = want[stack];
            const protect = expected[stack].protect;

            it(`runs PostgreSQL 17 on ${size.azure.name} (${size.azure.tier}) with a ${size.azureDiskGiB} GiB auto-growing disk`, async () => {
                const plan = await planOf(stack, "azure");
                const server = resourceOf(plan, flexibleServer, "database-server");
                assert.equal(server.inputs["version"], "17");
                assert.deepEqual(server.inputs["sku"], size.azure);
                assert.deepEqual(server.inputs["storage"], { storageSizeGB: size.azureDiskGiB, autoGrow: "Enabled" });
                assert.ok(server.ignoreChanges.includes("storage.storageSizeGB"), "autogrow owns the live size");
                assert.match(server.inputs["serverName"], new RegExp(`^platform-${stack}-postgres-[a-z0-9]{4}$`));
                assert.equal(plan.outputs["databaseSku"], size.azure.name);
            });

            it(`has high availability "${size.azureHa}" and ${size.replicas} read replica(s) in other zones`, async () => {
                const plan = await planOf(stack, "azure");
                const server = inputsOf(plan, flexibleServer, "database-server");
                assert.equal(server["highAvailability"].mode, size.azureHa);
                if (size.azureHa === "ZoneRedundant") {
                    assert.notEqual(server["highAvailability"].standbyAvailabilityZone, server["availabilityZone"]);
                }
                const replicas = resourcesOf(plan, flexibleServer).filter((s) => s.name.startsWith("database-replica-"));
                assert.equal(replicas.length, size.replicas);
                for (const replica of replicas) {
                    assert.equal(replica.inputs["createMode"], "Replica");
                    assert.ok(replica.inputs["sourceServerResourceId"].endsWith(`/flexibleServers/${server["serverName"]}`));
                    assert.deepEqual(replica.inputs["sku"], size.azure);
                    assert.notEqual(replica.inputs["availabilityZone"], server["availabilityZone"]);
                    assert.notEqual(replica.inputs["availabilityZone"], server["highAvailability"].standbyAvailabilityZone);
                }
                assert.equal((plan.outputs["databaseReplicaHosts"] as string[]).length, size.replicas);
            });

            it(`keeps ${size.backupDays} days of backups${stack === "prod" ? ", also in the paired region" : ""}`, async () => {
                const plan = await planOf(stack, "azure");
                const geoRedundantBackup = stack === "prod" ? "Enabled" : "Disabled";
                assert.deepEqual(inputsOf(plan, flexibleServer, "database-server")["backup"], { backupRetentionDays: size.backupDays, geoRedundantBackup });
            });

            it("requires TLS 1.2 or later on every connection", async () => {
                const plan = await planOf(stack, "azure");
                const serverName = inputsOf(plan, flexibleServer, "database-server")["serverName"];
                const settings = Object.fromEntries(resourcesOf(plan, "azure-native:dbforpostgresql:Configuration").map((c) => {
                    assert.equal(c.inputs["serverName"], serverName);
                    return [c.inputs["configurationName"], c.inputs["value"]];
                }));
                // With pooling, the built-in PgBouncer too (on 6432).
                assert.deepEqual(settings, { require_secure_transport: "on", ssl_min_protocol_version: "TLSv1.2", ...(size.pooling ? { "pgbouncer.enabled": "true" } : {}) });
                assert.equal(inputsOf(plan, "azure-native:dbforpostgresql:Database")["serverName"], serverName);
            });

            it("is injected into the delegated database subnet with no public access", async () => {
                const plan = await planOf(stack, "azure");
                const subnetId = (plan.outputs["databaseSubnetIds"] as string[])[0];
                assert.match(String(subnetId), /\/subnets\/database$/);
                for (const server of resourcesOf(plan, flexibleServer)) {
                    assert.equal(server.inputs["network"].publicNetworkAccess, "Disabled", server.name);
                    assert.equal(server.inputs["network"].delegatedSubnetResourceId, subnetId, server.name);
                    assert.match(server.inputs["network"].privateDnsZoneArmResourceId, /\/privateDnsZones\/private\.postgres\.database\.azure\.com$/);
                }
                assert.equal(resourcesOf(plan, "azure-native:dbforpostgresql:FirewallRule").length, 0);
                assert.match(String(plan.outputs["databaseHost"]), /\.postgres\.database\.azure\.com$/);
            });

            it("stores generated admin and app passwords in Key Vault and never shows them", async () => {
                const plan = await planOf(stack, "azure");
                const server = inputsOf(plan, flexibleServer, "database-server");
                assert.deepEqual([server["administratorLogin"], server["administratorLoginPassword"]], ["platform_admin", secretMask]);
                for (const secret of ["postgres-admin-password", "postgres-app-password"]) {
                    const stored = resourceOf(plan, "azure-native:keyvault:Secret", `secrets-${secret}`);
                    assert.equal(stored.inputs["secretName"], secret);
                    assert.equal(stored.inputs["properties"], secretMask);
                    assert.equal(stored.parent, "database");
                }
                assertNoPasswordLeaks(plan);
            });

            it(protect ? "is guarded by delete locks and Pulumi protect" : "stays deletable in dev", async () => {
                const plan = await planOf(stack, "azure");
                const servers = resourcesOf(plan, flexibleServer);
                assert.ok(servers.every((server) => server.protect === protect));
                assert.equal(resourceOf(plan, "azure-native:dbforpostgresql:Database").protect, protect);
                const locks = resourcesOf(plan, "azure-native:authorization:ManagementLockByScope")
                    .filter((lock) => lock.inputs["scope"].includes("/flexibleServers/"));
                assert.ok(locks.every((lock) => lock.inputs["level"] === "CanNotDelete"));
                const lockedNames = locks.map((lock) => lock.inputs["scope"].split("/").pop()).sort();
                assert.deepEqual(lockedNames, protect ? servers.map((server) => server.inputs["serverName"]).sort() : []);
            });
        });
    }

    it("refuses high availability on a Burstable SKU before creating anything", async () => {
        await assert.rejects(
            planWith({ stack: "dev", cloud: "azure", configOverrides: { "platform:database": stackValue("dev", "database", (d) => (d["highAvailability"] = "standby")) } }),
            (error: Error) => error instanceof PlanConfigError && /platform:database\.highAvailability: "standby" needs a non-Burstable SKU, but Standard_B1ms is Burstable/.test(error.message),
        );
    });

    it("refuses read replicas on a Burstable SKU", async () => {
        await assert.rejects(
            planWith({ stack: "dev", cloud: "azure", configOverrides: { "platform:database": stackValue("dev", "database", (d) => (d["readReplicas"] = 1)) } }),
            (error: Error) => error instanceof PlanConfigError && /platform:database\.readReplicas/.test(error.message),
        );
    });

    it("accepts the same request on AWS, where burstable classes support Multi-AZ", async () => {
        const plan = await planWith({ stack: "dev", cloud: "aws", configOverrides: { "platform:database": stackValue("dev", "database", (d) => (d["highAvailability"] = "standby")) } });
        assert.equal(inputsOf(plan, rdsInstance, "database-primary")["multiAz"], true);
    });

    it("uses the SKU override with its tier", async () => {
        const plan = await planWith({
            stack: "staging",
            cloud: "azure",
            configOverrides: { "platform:database": stackValue("staging", "database", (d) => (d["azure"] = { skuName: "Standard_E4ds_v5" })) },
        });
        assert.deepEqual(inputsOf(plan, flexibleServer, "database-server")["sku"], { name: "Standard_E4ds_v5", tier: "MemoryOptimized" });
    });
});

describe("database outputs", () => {
    for (const stack of stacks) {
        for (const cloud of cloudNames) {
            it(`exports the same names on ${cloud} for ${stack}, with secret references only`, async () => {
                const plan = await planOf(stack, cloud);
                assert.equal(plan.outputs["databasePort"], 5432);
                assert.equal(plan.outputs["databaseName"], "platform");
                assert.equal(plan.outputs["databaseAdminUsername"], "platform_admin");
                assert.match(String(plan.outputs["databaseHost"]), new RegExp(`^platform-${stack}-postgres[.-]`));
                assert.equal((plan.outputs["databaseReplicaHosts"] as string[]).length, want[stack].replicas);
                assert.equal(plan.outputs["databaseSku"], cloud === "aws" ? want[stack].rds : want[stack].azure.name);
                assert.ok(!plan.secretOutputs.some((name) => name.startsWith("database")), "no database output is a secret");
            });
        }
    }
});

describe("connection pooling (platform:database.pooling)", () => {
    for (const stack of stacks) {
        it(`${want[stack].pooling ? "pools" : "does not pool"} connections in ${stack} on AWS: RDS Proxy with TLS required and IAM end to end, its own role`, async () => {
            const plan = await planOf(stack, "aws");
            const proxies = resourcesOf(plan, "aws:rds/proxy:Proxy");
            assert.equal(proxies.length, want[stack].pooling ? 1 : 0);
            if (!want[stack].pooling) {
                assert.equal(plan.outputs["databasePooler"], undefined);
                return;
            }
            const proxy = proxies[0]!.inputs;
            assert.deepEqual([proxy["engineFamily"], proxy["defaultAuthScheme"], proxy["requireTls"], proxy["auths"]], ["POSTGRESQL", "IAM_AUTH", true, undefined]);
            assert.deepEqual(proxy["vpcSubnetIds"], plan.outputs["databaseSubnetIds"], "the isolated database subnets, two zones or more");
            assert.equal(proxy["name"], `platform-${stack}-postgres`);
            const role = inputsOf(plan, "aws:iam/role:Role", "database-proxy");
            assert.match(proxy["roleArn"], /:role\/database-proxy-/);
            assert.deepEqual(JSON.parse(role["assumeRolePolicy"]).Statement[0].Principal, { Service: "rds.amazonaws.com" });
            assert.equal(inputsOf(plan, "aws:rds/proxyTarget:ProxyTarget")["dbInstanceIdentifier"], `platform-${stack}-postgres`);
            const proxyGroup = inputsOf(plan, "aws:ec2/securityGroup:SecurityGroup", "database-proxy-sg");
            assert.deepEqual(proxyGroup["ingress"].map((rule: any) => rule.fromPort), [5432]);
            assert.deepEqual(proxyGroup["egress"].map((rule: any) => [rule.fromPort, rule.cidrBlocks.length > 0]), [[5432, true]]);
            assert.match(String((plan.outputs["databasePooler"] as any)?.host), /\.proxy-[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com$/);
        });

        it(`${want[stack].pooling ? "pools" : "does not pool"} connections in ${stack} on Azure, and signs workloads in with Entra ID`, async () => {
            const plan = await planOf(stack, "azure");
            const server = inputsOf(plan, flexibleServer, "database-server");
            assert.deepEqual(server["authConfig"], { passwordAuth: "Enabled", activeDirectoryAuth: "Enabled", tenantId: "11111111-1111-1111-1111-111111111111" });
            const pooler = plan.outputs["databasePooler"] as { host: string; port: number } | undefined;
            assert.equal(pooler?.port, want[stack].pooling ? 6432 : undefined);
            if (pooler) {
                assert.equal(pooler.host, plan.outputs["databaseHost"], "PgBouncer answers on the server's own name");
            }
        });
    }
});
