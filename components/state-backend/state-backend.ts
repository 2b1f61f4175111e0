import type * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "../../config/bootstrap.ts";

/** `platform-bootstrap:` settings every cloud's store uses (keys, defaults and limits in config/bootstrap.ts). */
export interface StateBackendArgs extends Pick<BootstrapConfig, "platform" | "noncurrentVersionDays" | "releasing"> {
    /** Tags for every resource that takes them. */
    readonly tags: Record<string, string>;
    /** The bootstrap stack itself: its state moves into the store too, under a secrets provider of its own. */
    readonly self: { readonly project: string; readonly stack: string };
}

/** The store as the bootstrap program exports it, the same on every cloud. */
export interface StateBackend {
    /** What `pulumi login` takes. */
    readonly backendUrl: pulumi.Output<string>;
    /** Per platform stack: what `pulumi stack init <stack> --secrets-provider` takes. */
    readonly secretsProviders: pulumi.Output<Record<string, string>>;
    /** The bootstrap stack's own secrets provider. */
    readonly ownSecretsProvider: pulumi.Output<string>;
}
