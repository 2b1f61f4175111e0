import type * as pulumi from "@pulumi/pulumi";
import type { Budget, BudgetArgs } from "../budget/budget.ts";
import type { Cache, CacheArgs } from "../cache/cache.ts";
import type { CiIdentity, CiIdentityArgs } from "../ci-identity/ci-identity.ts";
import type { Cluster, ClusterArgs } from "../cluster/cluster.ts";
import type { PlatformContext } from "../../config/context.ts";
import type { Database, DatabaseArgs } from "../database/database.ts";
import type { DnsArgs, DnsZone } from "../dns/dns.ts";
import type { KubernetesBindings, KubernetesBindingsArgs } from "../kubernetes/kubernetes.ts";
import type { Network, NetworkArgs } from "../network/network.ts";
import type { Registry, RegistryArgs } from "../registry/registry.ts";
import type { SecretsArgs, SecretStore } from "../secrets/secrets.ts";
import type { ObjectStorage, StorageArgs } from "../storage/storage.ts";

type Factory<Args, Result> = (name: string, args: Args, opts: pulumi.ComponentResourceOptions) => Result;

/** One cloud's implementation of every abstraction; `index.ts` wires whichever is selected. */
export interface Cloud {
    /** Region (AWS) or location (Azure) the stack deploys to. */
    region(context: PlatformContext): string;
    /** The explicit provider all of the stack's resources use, configured from the validated config. */
    provider(context: PlatformContext): pulumi.ProviderResource;
    network: Factory<NetworkArgs, Network>;
    cluster: Factory<ClusterArgs, Cluster>;
    secrets: Factory<SecretsArgs, SecretStore>;
    database: Factory<DatabaseArgs, Database>;
    cache: Factory<CacheArgs, Cache>;
    storage: Factory<StorageArgs, ObjectStorage>;
    registry: Factory<RegistryArgs, Registry>;
    /** The stack's public DNS zone, when `platform:dns` is set. */
    dns: Factory<DnsArgs, DnsZone>;
    budget: Factory<BudgetArgs, Budget>;
    /** Cloud identities and values of the Kubernetes platform layer. */
    kubernetesBindings: Factory<KubernetesBindingsArgs, KubernetesBindings>;
    /** OIDC identities GitHub Actions deploys and previews the stack with. */
    ciIdentity: Factory<CiIdentityArgs, CiIdentity>;
}
