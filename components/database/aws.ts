import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nameRules, physicalName, type NameRule } from "../../lib/naming.ts";
import { AwsSecretStore } from "../secrets/aws.ts";
import { AwsNetwork } from "../network/aws.ts";
import { sameAccountServiceTrustPolicy } from "../aws/iam.ts";
import type { PortRange } from "../cache/cache.ts";
import { rdsInstanceClass } from "../../lib/sizing/aws.ts";
import type { SecretValue } from "../secrets/secrets.ts";
import { databaseCredentials } from "./credentials.ts";
import { adminUsername, databaseName, postgresPort, type Database, type DatabaseArgs } from "./database.ts";
import { narrow } from "../narrow.ts";

/** RDS instance identifiers: letters, digits and hyphens, 63 characters. */
const rdsIdentifier: NameRule = { ...nameRules.display, maxLength: 63 };

/** RDS Proxy names: a letter first, letters, digits and single hyphens, 63 characters. */
const rdsProxyName: NameRule = { ...nameRules.display, maxLength: 63 };

/** Where a provisioning job keeps the managed admin secret's JSON (/tmp, its scratch volume) until it signs in. */
export const managedAdminSecretFile = "postgres-admin.json";

/**
 * Sets PGPASSWORD from the managed secret's `{"username":…,"password":…}` and removes the
 * file. RDS passwords never hold `"`, `/` or `@` (RDS API, MasterUserPassword), so the only
 * JSON escape left to undo is a doubled backslash.
 */
export const managedAdminSignIn = [
    `PGPASSWORD="$(sed -n 's/.*"password" *: *"\\([^"]*\\)".*/\\1/p' /tmp/${managedAdminSecretFile} | sed 's/\\\\\\\\/\\\\/g')"`,
    `rm -f /tmp/${managedAdminSecretFile}`,
    `[ -n "$PGPASSWORD" ] || { echo "no password in the managed admin secret" >&2; exit 1; }`,
    "export PGPASSWORD",
].join("\n");

/**
 * The ARN of the admin secret RDS manages. An instance that had a password until this update
 * has none yet in a preview (unknown, so the plan goes on); after the update RDS has made it,
 * unless the change is still pending, which needs another `up` once RDS applied it.
 */
export function managedSecretArn(secrets: readonly { readonly secretArn: string }[], identifier: string): string {
    const arn = secrets[0]?.secretArn;
    if (arn) {
        return arn;
    }
    if (pulumi.runtime.isDryRun()) {
        return pulumi.unknown as unknown as string;
    }
    throw new pulumi.RunError(`RDS has not made the admin secret of ${identifier} yet (the switch to a managed password is still being applied); run the update again once \`aws rds describe-db-instances --db-instance-identifier ${identifier}\` shows MasterUserSecret`);
}

/** Storage autoscaling ceiling, as a multiple of the allocated storage. */
export const rdsStorageGrowthFactor = 2;

/** Server logging: slow statements, lock waits and sessions, for the CloudWatch export. */
export const rdsLogParameters: Record<string, string> = {
    log_min_duration_statement: "1000",
    log_lock_waits: "1",
    log_connections: "1",
    log_disconnections: "1",
};

/**
 * RDS for PostgreSQL in the isolated database subnets, admitting only the node subnets on
 * 5432. Storage and Performance Insights are encrypted under the stack's KMS key, TLS is
 * forced by the parameter group, and logs go to CloudWatch. Multi-AZ when high
 * availability is asked for, plus read replicas in the other zones. Outside dev every
 * instance is deletion-protected and the primary leaves a final snapshot. With pooling, an
 * RDS Proxy in the database subnets pools connections to the primary: TLS required and IAM
 * end to end (clients sign in with their role; the proxy reaches the database with its own
 * role, so no password is stored for it). RDS Proxy has no reader endpoint for RDS instances,
 * so replicas are reached directly.
 */
export class AwsDatabase extends pulumi.ComponentResource implements Database {
    readonly host: pulumi.Output<string>;
    readonly port = postgresPort;
    readonly databaseName = databaseName;
    readonly adminUsername = adminUsername;
    readonly credentials: readonly SecretValue[];
    readonly replicaHosts: pulumi.Output<string>[];
    readonly sku: string;
    pooler: { readonly host: pulumi.Output<string>; readonly port: number } | undefined;
    readonly clientPorts: readonly PortRange[] = [{ port: postgresPort }];
    readonly backupRetentionDays: number;
    /**
     * How provisioning jobs sign in as the admin, which has no IAM login: the secret RDS
     * manages and rotates, or, on a source of read replicas (where RDS refuses a managed
     * secret), the password the program rolls each rotation period.
     */
    readonly adminLogin: { readonly managedSecretArn: pulumi.Output<string> } | { readonly password: pulumi.Output<string> };
    readonly managedAdminSecretRef: pulumi.Output<string> | undefined;
    /** `dbi-resource-id`s that IAM database authentication names (`rds-db:connect`): primary first, then replicas. */
    readonly instanceResourceIds: pulumi.Output<string>[];
    /** The proxy's resource id (`prx-…`) and role, with pooling: each workload allows the proxy its own user. */
    readonly proxy: { readonly resourceId: pulumi.Output<string>; readonly roleName: pulumi.Output<string> } | undefined;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const sku = rdsInstanceClass({ vcpu: args.vcpu, memoryGiB: args.memoryGiB }, args.aws?.instanceClass);
        super("platform:database:AwsDatabase", name, {}, opts);
        const { context, network } = args;
        const store = narrow(args.secrets, AwsSecretStore);
        const keyArn = store.keyArn;
        const protect = context.protectStateful;
        const multiAz = args.highAvailability !== "none";
        const identifier = physicalName([context.project, context.stack, "postgres"], rdsIdentifier);
        const label = (role: string) => ({ Name: physicalName([context.project, context.stack, role], nameRules.display) });
        const parent = { parent: this };

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, {
            description: `Isolated database subnets of ${identifier}`,
            subnetIds: network.databaseSubnetIds,
            tags: label("postgres"),
        }, parent);
        // The proxy's group: clients in, the database out; the database admits it by group.
        const proxyGroup = args.pooling
            ? new aws.ec2.SecurityGroup(`${name}-proxy-sg`, {
                description: "RDS Proxy: PostgreSQL from the node subnets, to the database only",
                vpcId: network.networkId,
                ingress: [{ description: "PostgreSQL from the node subnets", protocol: "tcp", fromPort: postgresPort, toPort: postgresPort, cidrBlocks: [...network.nodeCidrs] }],
                egress: [{ description: "PostgreSQL to the database", protocol: "tcp", fromPort: postgresPort, toPort: postgresPort, cidrBlocks: [...narrow(network, AwsNetwork).databaseCidrs] }],
                tags: label("postgres-proxy"),
            }, parent)
            : undefined;
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            description: "PostgreSQL from the cluster node subnets only",
            vpcId: network.networkId,
            ingress: [{
                description: "PostgreSQL from the node subnets",
                protocol: "tcp",
                fromPort: postgresPort,
                toPort: postgresPort,
                cidrBlocks: [...network.nodeCidrs],
            }, ...(proxyGroup ? [{
                description: "PostgreSQL from the RDS Proxy",
                protocol: "tcp",
                fromPort: postgresPort,
                toPort: postgresPort,
                securityGroups: [proxyGroup.id],
            }] : [])],
            // The database only answers; it opens no connections of its own.
            egress: [],
            tags: label("postgres"),
        }, parent);
        const parameters = new aws.rds.ParameterGroup(`${name}-params`, {
            family: `postgres${args.version}`,
            description: `TLS-only PostgreSQL ${args.version} with statement and session logging`,
            parameters: Object.entries({ "rds.force_ssl": "1", ssl_min_protocol_version: "TLSv1.2", ...rdsLogParameters })
                .map(([parameter, value]) => ({ name: parameter, value })),
        }, parent);

        // RDS keeps the admin password in Secrets Manager and rotates it, but refuses to create a
        // read replica of an instance that does (RDS User Guide, "Limitations for Secrets Manager integration").
        const managedAdmin = args.readReplicas === 0;
        const credentials = databaseCredentials(name, this, context, managedAdmin);
        this.credentials = credentials.secrets;

        // Settings every instance shares, replicas included.
        const common = {
            instanceClass: sku,
            storageType: "gp3",
            maxAllocatedStorage: args.storageGiB * rdsStorageGrowthFactor,
            storageEncrypted: true,
            kmsKeyId: keyArn,
            parameterGroupName: parameters.name,
            vpcSecurityGroupIds: [securityGroup.id],
            publiclyAccessible: false,
            autoMinorVersionUpgrade: true,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: keyArn,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
            iamDatabaseAuthenticationEnabled: true,
            copyTagsToSnapshot: true,
            deletionProtection: protect,
            port: postgresPort,
        };

        const primary = new aws.rds.Instance(`${name}-primary`, {
            ...common,
            identifier,
            engine: "postgres",
            engineVersion: args.version,
            // Standard support only: an unupgraded major version must fail loudly, not bill extended support.
            engineLifecycleSupport: "open-source-rds-extended-support-disabled",
            allocatedStorage: args.storageGiB,
            dbSubnetGroupName: subnetGroup.name,
            multiAz,
            // RDS picks the zones of a Multi-AZ pair itself.
            availabilityZone: multiAz ? undefined : network.zones[0],
            dbName: databaseName,
            username: adminUsername,
            password: credentials.adminPassword,
            manageMasterUserPassword: managedAdmin || undefined,
            masterUserSecretKmsKeyId: managedAdmin ? keyArn : undefined,
            backupRetentionPeriod: args.backupRetentionDays,
            deleteAutomatedBackups: !protect,
            skipFinalSnapshot: !protect,
            finalSnapshotIdentifier: protect ? `${identifier}-final` : undefined,
        }, { parent: this, protect });

        // Replicas go to the zones the primary is not pinned to, round robin.
        const otherZones = network.zones.slice(1);
        const replicas = Array.from({ length: args.readReplicas }, (_, index) =>
            new aws.rds.Instance(`${name}-replica-${index + 1}`, {
                ...common,
                identifier: physicalName([context.project, context.stack, "postgres", `replica-${index + 1}`], rdsIdentifier),
                // Same region: the source's identifier, and its subnet group by default.
                replicateSourceDb: primary.identifier,
                availabilityZone: otherZones.length > 0 ? otherZones[index % otherZones.length] : undefined,
                // A replica's data lives on in its source; RDS refuses a final snapshot of a replica.
                skipFinalSnapshot: true,
            }, { parent: this, protect }));

        if (managedAdmin) {
            const secretArn = primary.masterUserSecrets.apply((secrets) => managedSecretArn(secrets, identifier));
            // RDS rotates its secret every 7 days by default; the stack's period instead, from the next one on.
            new aws.secretsmanager.SecretRotation(`${name}-admin-rotation`, {
                secretId: secretArn,
                rotationRules: { automaticallyAfterDays: context.passwordRotation.days },
                rotateImmediately: false,
            }, parent);
            this.adminLogin = { managedSecretArn: secretArn };
            this.managedAdminSecretRef = secretArn;
        } else {
            this.adminLogin = { password: credentials.adminPassword! };
            this.managedAdminSecretRef = undefined;
        }
        if (args.crossRegionBackups) {
            const recovery = store.recoveryKey();
            // Point-in-time restore in the recovery region over the same window (RDS User Guide, "Replicating automated backups to another AWS Region").
            new aws.rds.InstanceAutomatedBackupsReplication(`${name}-backups`, {
                region: recovery.region,
                sourceDbInstanceArn: primary.arn,
                kmsKeyId: recovery.keyArn,
                retentionPeriod: args.backupRetentionDays,
            }, { parent: this, protect });
        }

        this.proxy = args.pooling && proxyGroup ? this.createProxy(name, args, primary, proxyGroup, label("postgres-proxy")) : undefined;
        this.host = primary.address;
        this.replicaHosts = replicas.map((replica) => replica.address);
        this.instanceResourceIds = [primary, ...replicas].map((instance) => instance.resourceId);
        this.sku = sku;
        this.backupRetentionDays = args.backupRetentionDays;
        this.registerOutputs({
            host: this.host,
            port: this.port,
            databaseName: this.databaseName,
            adminUsername: this.adminUsername,
            replicaHosts: this.replicaHosts,
            sku: this.sku,
            pooler: this.pooler,
        });
    }

    /** RDS Proxy before the primary: TLS only, IAM end to end, its own role under the stack boundary. */
    private createProxy(name: string, args: DatabaseArgs, primary: aws.rds.Instance, group: aws.ec2.SecurityGroup, tags: Record<string, string>) {
        const { context } = args;
        const network = narrow(args.network, AwsNetwork);
        const parent = { parent: this };
        const role = new aws.iam.Role(`${name}-proxy`, {
            // Confused-deputy protection: only RDS acting for this account (RDS User Guide, "Setting up IAM for RDS Proxy").
            assumeRolePolicy: network.account.apply((account) => sameAccountServiceTrustPolicy("rds.amazonaws.com", account)),
            permissionsBoundary: network.workloadBoundaryArn,
            tags: context.tags,
        }, parent);
        const proxy = new aws.rds.Proxy(`${name}-proxy`, {
            name: physicalName([context.project, context.stack, "postgres"], rdsProxyName),
            engineFamily: "POSTGRESQL",
            // Clients and the proxy both sign in with IAM: no password exists to store or rotate.
            defaultAuthScheme: "IAM_AUTH",
            requireTls: true,
            roleArn: role.arn,
            // The database subnets always span two zones, as RDS Proxy requires.
            vpcSubnetIds: network.databaseSubnetIds,
            vpcSecurityGroupIds: [group.id],
            idleClientTimeout: 1800,
            tags: { ...context.tags, ...tags },
        }, parent);
        new aws.rds.ProxyDefaultTargetGroup(`${name}-proxy`, {
            dbProxyName: proxy.name,
            // Headroom for the admin and the replicas' replication slots.
            connectionPoolConfig: { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, connectionBorrowTimeout: 120 },
        }, parent);
        new aws.rds.ProxyTarget(`${name}-proxy`, { dbProxyName: proxy.name, targetGroupName: "default", dbInstanceIdentifier: primary.identifier }, parent);
        this.pooler = { host: proxy.endpoint, port: postgresPort };
        // `arn:…:db-proxy:prx-…`: IAM database authentication names the proxy by its resource id.
        return { resourceId: proxy.arn.apply((arn) => arn.split(":").pop()!), roleName: role.name };
    }
}
