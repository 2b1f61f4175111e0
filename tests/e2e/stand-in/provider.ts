/**
 * A stand-in resource provider plugin for the end-to-end tests: the engine loads it in place
 * of `aws`, `azure-native`, `kubernetes` and `random`, whose real plugins cannot be had here.
 * It accepts checks, diffs inputs, creates resources with the simulated cloud's ids and
 * computed outputs (tools/simulated-cloud/answers.ts), and keeps them in a CloudStore so refresh and
 * destroy see what up created. Never used outside the tests.
 *
 * Usage (as the engine starts it): node provider.ts <package> <version> [engine address]
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { simulatedCall, simulatedResource } from "../../../tools/simulated-cloud/answers.ts";
import { typeAndName } from "../../../tools/urn.ts";
import { awsProviderNamed } from "../../../tools/cloud-ids.ts";
import { changedKeys, cloudDirVariable, CloudStore, faultsVariable, plainValue, replacementKeys, type Properties } from "./cloud.ts";

// The generated gRPC stubs ship inside @pulumi/pulumi as CommonJS; load them (and the grpc and
// protobuf runtimes they were generated for) from there.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve("@pulumi/pulumi"));
const grpc = sdkRequire("@grpc/grpc-js");
const providerService = sdkRequire("./proto/provider_grpc_pb.js");
const providerProto = sdkRequire("./proto/provider_pb.js");
const resourceService = sdkRequire("./proto/resource_grpc_pb.js");
const resourceProto = sdkRequire("./proto/resource_pb.js");
const pluginProto = sdkRequire("./proto/plugin_pb.js");
const emptyProto = sdkRequire("google-protobuf/google/protobuf/empty_pb.js");
const structProto = sdkRequire("google-protobuf/google/protobuf/struct_pb.js");

// The generated stubs are untyped.
type Call = { request: any };
type Callback = (error: unknown, response?: unknown) => void;

const [packageName, version] = process.argv.slice(2);
const cloudDir = process.env[cloudDirVariable];
if (!packageName || !version || !cloudDir) {
    process.stderr.write(`usage: ${cloudDirVariable}=<dir> node provider.ts <package> <version> [engine]\n`);
    process.exit(2);
}
const store = new CloudStore(cloudDir, packageName);

/**
 * Test-only faults (`PLATFORM_STAND_IN_FAULTS`, JSON): `failCreate` fails the `nth` create of
 * `type` (counted across the run's provider processes) with the cloud's `message`;
 * `hangCreate` creates every `type` object in the cloud and then never answers, as when a
 * runner is lost mid-call.
 */
interface Faults {
    readonly failCreate?: { readonly type: string; readonly nth: number; readonly message: string };
    readonly hangCreate?: { readonly type: string };
}
const faults: Faults = JSON.parse(process.env[faultsVariable] ?? "{}") as Faults;

/** Counts creates of `type` in a file of the cloud's folder, so every provider process shares the count. */
function countCreate(type: string): number {
    const file = path.join(cloudDir!, `creates-${type.replace(/[^\w]/g, "_")}.log`);
    appendFileSync(file, "x");
    return readFileSync(file, "utf8").length;
}

const toStruct = (value: Properties) => structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
const fromStruct = (struct: any): Properties => (struct ? (struct.toJavaScript() as Properties) : {});

/** Computed outputs for new inputs: the simulated cloud's, with real randomness for `random`. */
function outputsOf(type: string, name: string, inputs: Properties): { id: string; outputs: Properties } {
    const { id, state } = simulatedResource(type, name, plainValue(inputs) as Properties);
    const outputs: Properties = { ...state, ...inputs };
    if (type.startsWith("random:")) {
        outputs["result"] = randomText(plainValue(inputs) as Properties);
        return { id: `${name}-${randomBytes(4).toString("hex")}`, outputs };
    }
    return { id, outputs };
}

/**
 * Random text from the character classes the inputs allow, as the random provider draws it
 * (`lower`, `upper`, `numeric`, `special` default to true; `overrideSpecial` replaces the
 * special set): a name built from `upper: false` must never hold an upper-case letter.
 */
function randomText(inputs: Properties): string {
    const length = Number(inputs["length"] ?? 16);
    const special = typeof inputs["overrideSpecial"] === "string" ? inputs["overrideSpecial"] : "!@#$%&*()-_=+[]{}<>:?";
    const classes = [
        [inputs["lower"], "abcdefghijklmnopqrstuvwxyz"],
        [inputs["upper"], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
        [inputs["numeric"] ?? inputs["number"], "0123456789"],
        [inputs["special"], special],
    ] as const;
    const alphabet = classes.filter(([enabled]) => enabled !== false).map(([, characters]) => characters).join("");
    return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

function handle<T>(callback: Callback, work: () => T): void {
    try {
        callback(null, work());
    } catch (error) {
        process.stderr.write(`stand-in ${packageName}: ${String((error as Error).stack ?? error)}\n`);
        callback({ code: grpc.status.INTERNAL, details: String((error as Error).message ?? error) });
    }
}

/**
 * The checked inputs. With the engine's autonaming options (the project's `pulumi:autonaming`),
 * an AWS resource the provider names gets the proposed name, or keeps the one it has: the
 * real provider does the same.
 */
function checkResponse(request: any) {
    const response = new providerProto.CheckResponse();
    const autonaming = request.getAutonaming?.();
    const type = request.getUrn ? typeAndName(request.getUrn()).type : "";
    if (autonaming && packageName === "aws" && awsProviderNamed(type)) {
        const news = fromStruct(request.getNews());
        if (news["name"] === undefined) {
            news["name"] = fromStruct(request.getOlds())["name"] ?? autonaming.getProposedName();
            response.setInputs(toStruct(news));
            return response;
        }
    }
    response.setInputs(request.getNews());
    return response;
}

/** A diff of the request's old inputs (its old state when the engine sends none) against its new ones. */
function diffResponse(request: any, replaces: (changed: string[], oldInputs: Properties, newInputs: Properties) => string[]) {
    const oldInputs = fromStruct(request.getOldInputs() ?? request.getOlds());
    const newInputs = fromStruct(request.getNews());
    const changed = changedKeys(oldInputs, newInputs);
    const response = new providerProto.DiffResponse();
    response.setChanges(changed.length === 0 ? providerProto.DiffResponse.DiffChanges.DIFF_NONE : providerProto.DiffResponse.DiffChanges.DIFF_SOME);
    response.setDiffsList(changed);
    response.setReplacesList(replaces(changed, oldInputs, newInputs));
    return response;
}

/**
 * A provider-side component (the Kubernetes provider's Helm v4 Chart) registered as the real
 * provider does it, with the engine's resource monitor, but with no children: the real one
 * renders the chart, which needs the chart's registry. Its `resources` output is empty.
 */
async function construct(request: any) {
    const monitor = new resourceService.ResourceMonitorClient(request.getMonitorendpoint(), grpc.credentials.createInsecure());
    const rpc = (method: string, message: unknown) => new Promise<any>((resolve, reject) =>
        monitor[method](message, (error: Error | null, response: unknown) => (error ? reject(error) : resolve(response))));
    try {
        const registration = new resourceProto.RegisterResourceRequest();
        registration.setType(request.getType());
        registration.setName(request.getName());
        registration.setParent(request.getParent());
        registration.setCustom(false);
        registration.setObject(request.getInputs());
        registration.setAcceptsecrets(true);
        registration.setAcceptresources(true);
        const urn: string = (await rpc("registerResource", registration)).getUrn();
        const state = toStruct({ resources: [] });
        const outputs = new resourceProto.RegisterResourceOutputsRequest();
        outputs.setUrn(urn);
        outputs.setOutputs(state);
        await rpc("registerResourceOutputs", outputs);
        const response = new providerProto.ConstructResponse();
        response.setUrn(urn);
        response.setState(state);
        return response;
    } finally {
        monitor.close();
    }
}

const implementation = {
    getPluginInfo: (_call: Call, callback: Callback) =>
        handle(callback, () => {
            const info = new pluginProto.PluginInfo();
            info.setVersion(version);
            return info;
        }),
    getSchema: (_call: Call, callback: Callback) =>
        handle(callback, () => {
            const response = new providerProto.GetSchemaResponse();
            response.setSchema("{}");
            return response;
        }),
    checkConfig: (call: Call, callback: Callback) => handle(callback, () => checkResponse(call.request)),
    // A provider's configuration changes in place.
    diffConfig: (call: Call, callback: Callback) => handle(callback, () => diffResponse(call.request, () => [])),
    configure: (_call: Call, callback: Callback) =>
        handle(callback, () => {
            const response = new providerProto.ConfigureResponse();
            response.setAcceptsecrets(true);
            response.setAcceptresources(true);
            // As the real (Terraform-bridged and native) providers do: the engine asks for planned
            // outputs, so an in-place update keeps the outputs it does not change known in preview.
            response.setSupportspreview(true);
            // The engine then proposes names from the project's `pulumi:autonaming` (checkResponse).
            response.setSupportsAutonamingConfiguration(true);
            return response;
        }),
    check: (call: Call, callback: Callback) => handle(callback, () => checkResponse(call.request)),
    diff: (call: Call, callback: Callback) =>
        handle(callback, () => {
            const { type } = typeAndName(call.request.getUrn());
            return diffResponse(call.request, (changed, oldInputs, newInputs) => replacementKeys(type, changed, oldInputs, newInputs));
        }),
    create: (call: Call, callback: Callback) => {
        const { type } = typeAndName(call.request.getUrn());
        const failing = faults.failCreate?.type === type && !call.request.getPreview() && countCreate(type) === faults.failCreate.nth;
        const hanging = faults.hangCreate?.type === type && !call.request.getPreview();
        handle(hanging ? () => {} : callback, () => {
            const urn: string = call.request.getUrn();
            const { name } = typeAndName(urn);
            const inputs = fromStruct(call.request.getProperties());
            if (call.request.getPreview()) {
                // What the cloud computes is not known before it exists: only the inputs come back.
                const response = new providerProto.CreateResponse();
                response.setProperties(toStruct(inputs));
                return response;
            }
            if (failing) {
                throw new Error(faults.failCreate!.message);
            }
            const { id, outputs } = outputsOf(type, name, inputs);
            // As a cloud answers a name clash: the id is taken.
            if (store.get(type, id)) {
                throw new Error(`${type} ${id} already exists`);
            }
            store.put({ type, urn, id, inputs, outputs });
            const response = new providerProto.CreateResponse();
            response.setId(id);
            response.setProperties(toStruct(outputs));
            return response;
        });
    },
    read: (call: Call, callback: Callback) =>
        handle(callback, () => {
            const { type } = typeAndName(call.request.getUrn());
            const record = store.get(type, call.request.getId());
            const response = new providerProto.ReadResponse();
            // An empty id tells the engine the resource is gone from the cloud.
            if (record) {
                response.setId(record.id);
                response.setProperties(toStruct(record.outputs));
                response.setInputs(toStruct(record.inputs));
            }
            return response;
        }),
    update: (call: Call, callback: Callback) =>
        handle(callback, () => {
            const urn: string = call.request.getUrn();
            const { type, name } = typeAndName(urn);
            const id: string = call.request.getId();
            const inputs = fromStruct(call.request.getNews());
            if (call.request.getPreview()) {
                // An in-place change keeps what the cloud computed (an address, a resource id).
                const response = new providerProto.UpdateResponse();
                response.setProperties(toStruct({ ...fromStruct(call.request.getOlds()), ...inputs }));
                return response;
            }
            // Every change to a `random` resource replaces it, so an update keeps the id it has.
            const { outputs } = outputsOf(type, name, inputs);
            store.put({ type, urn, id, inputs, outputs });
            const response = new providerProto.UpdateResponse();
            response.setProperties(toStruct(outputs));
            return response;
        }),
    delete: (call: Call, callback: Callback) =>
        handle(callback, () => {
            store.remove(typeAndName(call.request.getUrn()).type, call.request.getId());
            return new emptyProto.Empty();
        }),
    invoke: (call: Call, callback: Callback) =>
        handle(callback, () => {
            const response = new providerProto.InvokeResponse();
            response.setReturn(toStruct(simulatedCall(call.request.getTok(), plainValue(fromStruct(call.request.getArgs())) as Properties)));
            return response;
        }),
    construct: (call: Call, callback: Callback) => {
        construct(call.request).then((response) => callback(null, response), (error: Error) => {
            process.stderr.write(`stand-in ${packageName}: ${String(error.stack ?? error)}\n`);
            callback({ code: grpc.status.INTERNAL, details: error.message });
        });
    },
    cancel: (_call: Call, callback: Callback) => handle(callback, () => new emptyProto.Empty()),
};

const server = new grpc.Server();
server.addService(providerService.ResourceProviderService, implementation);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, port: number) => {
    if (error) {
        process.stderr.write(`stand-in ${packageName}: ${error.message}\n`);
        process.exit(1);
    }
    // The engine reads the port from the first line of stdout.
    process.stdout.write(`${port}\n`);
});
