/**
 * The small slice of a Pulumi stack the CI driver uses. `automation.ts` implements it with
 * the Automation API; the tests implement it with a fake, so nothing here loads Pulumi.
 * The event shapes are the subset of the Automation API's `EngineEvent` that the driver reads.
 */

/** Step, policy and summary events, as the engine reports them. */
export interface DriverEvent {
    readonly resourcePreEvent?: {
        /** `diffs`: the top-level properties the provider reports as changed. */
        readonly metadata: { readonly op: string; readonly type: string; readonly urn: string; readonly diffs?: readonly string[] };
    };
    readonly policyEvent?: {
        readonly policyName: string;
        readonly policyPackName: string;
        /** "warning" is how the engine reports an advisory policy. */
        readonly enforcementLevel: string;
        readonly resourceUrn?: string;
        readonly message: string;
    };
    readonly summaryEvent?: { readonly resourceChanges: Readonly<Record<string, number | undefined>> };
    /** A resource's error (the provider's message) or a warning. */
    readonly diagnosticEvent?: { readonly urn?: string; readonly message: string; readonly severity: string };
}

export interface OperationOptions {
    /** The CLI's output as it runs, stdout and stderr. */
    readonly onOutput: (text: string) => void;
    readonly onEvent: (event: DriverEvent) => void;
    /** Aborting it interrupts the CLI the way Ctrl-C does. */
    readonly signal: AbortSignal;
}

export interface PolicyOptions {
    /** Policy pack directories. */
    readonly policyPacks: string[];
    /** `--policy-pack-config` files, one per pack. */
    readonly policyPackConfigs: string[];
}

export interface PreviewOptions extends OperationOptions, PolicyOptions {
    /** Fail the preview when it proposes changes. */
    readonly expectNoChanges?: boolean;
}

/** An operation the engine began but never recorded the end of (the update was killed). */
export interface PendingOperation {
    readonly type: "creating" | "updating" | "deleting" | "reading" | "importing";
    readonly urn: string;
    /** The resource's inputs as the engine sent them, and its parent and provider. */
    readonly inputs: Record<string, unknown>;
    readonly parent?: string | undefined;
    /** `<provider URN>::<provider id>`. */
    readonly provider?: string | undefined;
}

/** What the stack's state holds, as `pulumi stack export` shows it. */
export interface DriverState {
    readonly resources: readonly { readonly urn: string; readonly id?: string | undefined }[];
    readonly pendingOperations: readonly PendingOperation[];
    /** The whole exported deployment (Pulumi's `DeploymentV3`), to write back changed. */
    readonly deployment: Record<string, unknown>;
}

export interface RefreshPreviewOptions extends OperationOptions {
    /** URNs left out of the refresh. */
    readonly exclude: string[];
}

export interface DriverOutput {
    readonly value: unknown;
    readonly secret: boolean;
}

/** A stack opened on the backend. Operations reject when the CLI fails. */
export interface DriverStack {
    preview(options: PreviewOptions): Promise<void>;
    up(options: OperationOptions & PolicyOptions): Promise<void>;
    refresh(options: OperationOptions): Promise<void>;
    /** A refresh that only reports what it would change and never writes state. */
    previewRefresh(options: RefreshPreviewOptions): Promise<void>;
    /** The URNs the stack's state holds. */
    resourceUrns(): Promise<string[]>;
    destroy(options: OperationOptions): Promise<void>;
    outputs(): Promise<Record<string, DriverOutput>>;
    /** `pulumi cancel`: stops the update holding the stack's lock; the last resort. */
    cancel(): Promise<void>;
    /** The state's resources and pending operations. */
    state(): Promise<DriverState>;
    /** `pulumi stack import` of a deployment: takes the stack's lock, as an update does. */
    replaceState(deployment: Record<string, unknown>): Promise<void>;
}

/** Where state lives and how its secrets are encrypted; read from the environment only. */
export interface BackendSettings {
    readonly backendUrl: string;
    /** For a stack this run creates; an existing stack keeps its own provider. */
    readonly secretsProvider?: string;
}

/** Selects the stack, creating it when the backend has none by that name. */
export type OpenStack = (stackName: string, backend: BackendSettings) => Promise<DriverStack>;

/** What the Automation API throws when another update holds the stack's lock. */
export function isLockedError(error: unknown): boolean {
    return error instanceof Error && error.name === "ConcurrentUpdateError";
}
