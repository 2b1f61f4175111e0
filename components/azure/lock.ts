import * as authorization from "@pulumi/azure-native/authorization/index.js";
import type * as pulumi from "@pulumi/pulumi";

/**
 * A `CanNotDelete` lock on `scope` for protected environments: Azure refuses to delete the
 * resource (and what it contains, since locks are inherited) until someone removes the lock.
 */
export function deleteLock(name: string, scope: pulumi.Input<string>, what: string, parent: pulumi.Resource): authorization.ManagementLockByScope {
    return new authorization.ManagementLockByScope(name, {
        scope,
        level: "CanNotDelete",
        notes: `Protected environment: remove this lock deliberately before deleting ${what}.`,
    }, { parent });
}
