import * as monitor from "@pulumi/azure-native/monitor/index.js";
import type * as pulumi from "@pulumi/pulumi";

/** An action group (global, as Azure Monitor's are) that e-mails `emails` in the common alert schema. */
export function emailActionGroup(
    logicalName: string,
    args: { readonly resourceGroupName: pulumi.Input<string>; readonly shortName: string; readonly emails: readonly string[]; readonly tags: Record<string, string> },
    parent: pulumi.Resource,
): monitor.ActionGroup {
    return new monitor.ActionGroup(logicalName, {
        resourceGroupName: args.resourceGroupName,
        location: "Global",
        groupShortName: args.shortName,
        enabled: true,
        emailReceivers: args.emails.map((emailAddress, index) => ({ name: `email-${index}`, emailAddress, useCommonAlertSchema: true })),
        tags: args.tags,
    }, { parent });
}
