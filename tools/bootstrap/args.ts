/** `npm run bootstrap -- <aws|azure> [--destroy]`: the arguments, checked before anything loads. Pure. */
import { cloudNames, type CloudName } from "../../config/schema.ts";

export const usage = "usage: npm run bootstrap -- <aws|azure> [--destroy]";

/** Bad arguments: one line naming the argument. */
export class BootstrapInputError extends Error {
    override name = "BootstrapInputError";
}

export interface BootstrapArgs {
    readonly cloud: CloudName;
    /** Destroy the store (refused while any platform stack's state is in it). */
    readonly destroy: boolean;
}

export function parseBootstrapArgs(argv: readonly string[]): BootstrapArgs {
    const flags = argv.filter((arg) => arg.startsWith("-"));
    const positional = argv.filter((arg) => !arg.startsWith("-"));
    const unknown = flags.find((flag) => flag !== "--destroy");
    if (unknown) {
        throw new BootstrapInputError(`unknown option ${unknown}; ${usage}`);
    }
    const [cloud, ...extra] = positional;
    if (cloud === undefined) {
        throw new BootstrapInputError(`the cloud is missing; ${usage}`);
    }
    if (!(cloudNames as readonly string[]).includes(cloud)) {
        throw new BootstrapInputError(`cloud "${cloud}" must be one of ${cloudNames.join(", ")}; ${usage}`);
    }
    if (extra.length > 0) {
        throw new BootstrapInputError(`unexpected argument "${extra[0]}"; ${usage}`);
    }
    return { cloud: cloud as CloudName, destroy: flags.includes("--destroy") };
}
