import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformContext } from "../../config/context.ts";

/**
 * A generated secret that the first `up` of each rotation period replaces
 * (`platform:rotation.passwordDays`): its keeper is the period's first day.
 */
export function rotatingPassword(
    name: string,
    context: Pick<PlatformContext, "passwordRotation">,
    settings: Omit<random.RandomPasswordArgs, "keepers">,
    opts: pulumi.CustomResourceOptions,
): random.RandomPassword {
    return new random.RandomPassword(name, { ...settings, keepers: { rotationPeriod: context.passwordRotation.period } }, opts);
}
