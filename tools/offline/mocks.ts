/** The simulated cloud (tools/simulated-cloud) served through Pulumi's mock runtime, recording what the program registers. */
import type * as pulumi from "@pulumi/pulumi";
import { CloudRejectionError, resourceId, simulatedCall, simulatedResource } from "../simulated-cloud/answers.ts";

type Outputs = Record<string, unknown>;

/** One `newResource` call as the program registered it. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

export class PlatformMocks implements pulumi.runtime.Mocks {
    readonly registered: RegisteredResource[] = [];
    /** Creates the real cloud would refuse, each on one line; the plan fails on any. */
    readonly rejections: string[] = [];
    /** Strings the simulated cloud made up (ids, ARNs, endpoints, generated names): what only the real cloud can know. */
    readonly invented = new Set<string>();

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = args.inputs as Outputs;
        this.registered.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs });
        if (args.custom === false) {
            return { id: undefined, state: inputs };
        }
        try {
            const result = simulatedResource(args.type, args.name, inputs);
            // A Kubernetes object's id is its namespace/name, which the program decides.
            if (!args.type.startsWith("kubernetes:")) {
                this.recordInvented(result, inputs);
            }
            return result;
        } catch (error) {
            if (!(error instanceof CloudRejectionError)) {
                throw error;
            }
            // Recorded rather than thrown: the mock runtime would end the process on the rejection.
            this.rejections.push(error.message);
            return { id: resourceId(args.type, args.name, inputs), state: inputs };
        }
    }

    /** Every string of the answer (the id, the outputs) the program did not send itself. */
    private recordInvented(result: pulumi.runtime.MockResourceResult, inputs: Outputs): void {
        const sent = new Set(stringsIn(inputs));
        for (const text of stringsIn([result.id, result.state])) {
            if (!sent.has(text)) {
                this.invented.add(text);
            }
        }
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        return simulatedCall(args.token, args.inputs as Outputs);
    }
}

/** Every string inside `value`. */
export function stringsIn(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value)) {
        return value.flatMap(stringsIn);
    }
    return value && typeof value === "object" ? Object.values(value).flatMap(stringsIn) : [];
}
