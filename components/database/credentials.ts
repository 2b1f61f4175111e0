import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SecretValue } from "../secrets/secrets.ts";

/** Passwords safe in connection URLs: URL-unreserved specials only, every character class present. */
const passwordSettings = { length: 32, special: true, overrideSpecial: "-_.~", minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 1 };

export interface DatabaseCredentials {
    /** The admin password, a Pulumi secret, for the server's own configuration. */
    readonly adminPassword: pulumi.Output<string>;
    /** Both passwords, for the program to store. */
    readonly secrets: readonly SecretValue[];
}

/** Generates the admin and application passwords. */
export function databaseCredentials(name: string, owner: pulumi.ComponentResource): DatabaseCredentials {
    const admin = new random.RandomPassword(`${name}-admin-password`, passwordSettings, { parent: owner });
    const app = new random.RandomPassword(`${name}-app-password`, passwordSettings, { parent: owner });
    return {
        adminPassword: pulumi.secret(admin.result),
        secrets: [
            { name: "postgres-admin-password", value: admin.result, owner },
            // The application role lives inside PostgreSQL; whoever creates it reads this secret.
            { name: "postgres-app-password", value: app.result, owner },
        ],
    };
}
