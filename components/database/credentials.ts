import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../../config/context.ts";
import type { SecretValue } from "../secrets/secrets.ts";
import { rotatingPassword } from "../secrets/rotating-password.ts";

/** Passwords safe in connection URLs: URL-unreserved specials only, every character class present. */
const passwordSettings = { length: 32, special: true, overrideSpecial: "-_.~", minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 1 };

export interface DatabaseCredentials {
    /** The admin password, a Pulumi secret, for the server's own configuration; undefined where the cloud manages it. */
    readonly adminPassword: pulumi.Output<string> | undefined;
    /** The passwords the program made, for it to store. */
    readonly secrets: readonly SecretValue[];
}

/**
 * The application password, and the admin password unless the cloud keeps that itself
 * (`adminManagedByCloud`: RDS in Secrets Manager); both roll each rotation period.
 */
export function databaseCredentials(name: string, owner: pulumi.ComponentResource, context: Pick<PlatformContext, "passwordRotation">, adminManagedByCloud: boolean): DatabaseCredentials {
    const admin = adminManagedByCloud ? undefined : rotatingPassword(`${name}-admin-password`, context, passwordSettings, { parent: owner });
    const app = rotatingPassword(`${name}-app-password`, context, passwordSettings, { parent: owner });
    return {
        adminPassword: admin && pulumi.secret(admin.result),
        secrets: [
            ...(admin ? [{ name: "postgres-admin-password", value: admin.result, owner }] : []),
            // The application role lives inside PostgreSQL; whoever creates it reads this secret.
            { name: "postgres-app-password", value: app.result, owner },
        ],
    };
}
