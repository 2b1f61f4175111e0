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

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = args.inputs as Outputs;
        this.registered.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs });
        if (args.custom === false) {
            return { id: undefined, state: inputs };
        }
        try {
            return simulatedResource(args.type, args.name, inputs);
        } catch (error) {
            if (!(error instanceof CloudRejectionError)) {
                throw error;
            }
            // Recorded rather than thrown: the mock runtime would end the process on the rejection.
            this.rejections.push(error.message);
            return { id: resourceId(args.type, args.name, inputs), state: inputs };
        }
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        return simulatedCall(args.token, args.inputs as Outputs);
    }
}
