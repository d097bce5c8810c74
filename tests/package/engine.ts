import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import type * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

// The Pulumi engine's side of the provider protocol, for starting a component package's host the
// way `pulumi package add` and `pulumi up` do and talking to it over gRPC. What it stands in for:
//   - the engine (pulumi/pulumi pkg/host/host_server.go): Engine.Log, kept so a test can show what
//     the host reported;
//   - the resource monitor that a constructed component's children are registered with: the SDK's
//     own MockMonitor (@pulumi/pulumi runtime/mocks.js) behind a real gRPC server, answering with the
//     given mocks (the provider emulator): GetDeploymentInfo, RegisterResource and
//     RegisterResourceOutputs, the calls a construct makes (registerResourceOutputs answered with a
//     real Empty message, where MockMonitor passes a plain object that only works in-process).
// Every other engine or monitor call is left unimplemented, so gRPC fails it loudly.

// The gRPC and protobuf runtime the SDK's generated stubs use: the same copies, loaded from the SDK.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = sdkRequire("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const { Empty } = sdkRequire("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };
const { Struct } = sdkRequire("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(value: Record<string, unknown>): unknown } };
const engineStubs = sdkRequire("@pulumi/pulumi/proto/engine_grpc_pb") as { EngineService: import("@grpc/grpc-js").ServiceDefinition };
const engineMessages = sdkRequire("@pulumi/pulumi/proto/engine_pb") as typeof engineProto;
const resourceStubs = sdkRequire("@pulumi/pulumi/proto/resource_grpc_pb") as { ResourceMonitorService: import("@grpc/grpc-js").ServiceDefinition };
const providerStubs = sdkRequire("@pulumi/pulumi/proto/provider_grpc_pb") as typeof providerGrpc;
const providerMessages = sdkRequire("@pulumi/pulumi/proto/provider_pb") as typeof providerProto;

type Callback = (error: Error | null, response?: unknown) => void;
type Handler = (call: { request: any }, callback: Callback) => void;

export interface EngineLog {
    readonly severity: string;
    readonly message: string;
}

export interface FakeEngine {
    /** host:port of the Engine service, the argument Pulumi starts a provider plugin with. */
    readonly engineAddress: string;
    /** host:port of the resource monitor, sent in each Construct request. */
    readonly monitorAddress: string;
    readonly logs: EngineLog[];
    stop(): void;
}

async function serve(service: import("@grpc/grpc-js").ServiceDefinition, handlers: Record<string, Handler>): Promise<{ address: string; server: import("@grpc/grpc-js").Server }> {
    const server = new grpc.Server();
    server.addService(service, handlers as import("@grpc/grpc-js").UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    return { address: `127.0.0.1:${port}`, server };
}

/** An engine and a resource monitor answering with `mocks`. The monitor's URNs use the stack and project `setMocks` set. */
export async function startFakeEngine(mocks: pulumi.runtime.Mocks): Promise<FakeEngine> {
    const logs: EngineLog[] = [];
    const severities = Object.fromEntries(Object.entries(engineMessages.LogSeverity).map(([name, value]) => [value, name]));
    const engine = await serve(engineStubs.EngineService, {
        log: (call, callback) => {
            logs.push({ severity: severities[call.request.getSeverity()] ?? String(call.request.getSeverity()), message: call.request.getMessage() });
            callback(null, new Empty());
        },
    });

    const monitor = new MockMonitor(mocks);
    const monitorServer = await serve(resourceStubs.ResourceMonitorService, {
        getDeploymentInfo: (call, callback) => monitor.getDeploymentInfo(call.request, callback),
        registerResource: (call, callback) => void monitor.registerResource(call.request, callback),
        registerResourceOutputs: (call, callback) => monitor.registerResourceOutputs(call.request, (error) => callback(error, new Empty())),
    });

    return {
        engineAddress: engine.address,
        monitorAddress: monitorServer.address,
        logs,
        stop: () => {
            engine.server.forceShutdown();
            monitorServer.server.forceShutdown();
        },
    };
}

export interface PluginHost {
    readonly client: providerGrpc.ResourceProviderClient;
    /** What the host wrote to stderr, for a failing test's message. */
    readonly stderr: () => string;
    stop(): void;
}

/**
 * Starts the component package in `pluginDir` as the nodejs language host's RunPlugin does
 * (sdk/nodejs/cmd/pulumi-language-nodejs/main.go): `node <@pulumi/pulumi/cmd/run-plugin, resolved
 * from the plugin folder> <plugin folder> <engine address>` in the program's directory, then reads
 * the port the provider prints on its first line of stdout.
 */
export async function startPluginHost(pluginDir: string, cwd: string, engineAddress: string): Promise<PluginHost> {
    const runPlugin = createRequire(path.join(pluginDir, "package.json")).resolve("@pulumi/pulumi/cmd/run-plugin");
    const child: ChildProcess = spawn(process.execPath, [runPlugin, pluginDir, engineAddress], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
    const port = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        child.stdout!.on("data", (chunk) => {
            stdout += String(chunk);
            const line = /^(\d+)\n/.exec(stdout);
            if (line) {
                resolve(line[1]!);
            }
        });
        child.once("exit", (code) => reject(new Error(`the plugin host exited (${code}) before printing its port:\n${stdout}\n${stderr}`)));
    });
    const client = new providerStubs.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        client,
        stderr: () => stderr,
        stop: () => {
            client.close();
            child.kill();
        },
    };
}

/** GetSchema over gRPC: the schema JSON the host serves. */
export function getSchema(host: PluginHost): Promise<string> {
    return new Promise((resolve, reject) =>
        host.client.getSchema(new providerMessages.GetSchemaRequest(), (error, response) => (error ? reject(new Error(`${error.message}\n${host.stderr()}`)) : resolve(response.getSchema()))),
    );
}

export interface ConstructResult {
    readonly urn: string;
    readonly state: Record<string, unknown>;
}

/** Construct over gRPC, as the engine sends it for a component a Python or Go program declares. */
export function construct(host: PluginHost, engine: FakeEngine, request: { project: string; stack: string; type: string; name: string; inputs: Record<string, unknown> }): Promise<ConstructResult> {
    const message = new providerMessages.ConstructRequest()
        .setProject(request.project)
        .setStack(request.stack)
        .setMonitorendpoint(engine.monitorAddress)
        .setDryrun(false)
        .setParallel(1)
        .setType(request.type)
        .setName(request.name)
        .setInputs(Struct.fromJavaScript(request.inputs) as never);
    return new Promise((resolve, reject) =>
        host.client.construct(message, (error, response) =>
            error
                ? reject(new Error(`${error.message}\n${host.stderr()}\n${engine.logs.map((l) => `${l.severity}: ${l.message}`).join("\n")}`))
                : resolve({ urn: response.getUrn(), state: pulumi.runtime.deserializeProperties(response.getState()!) }),
        ),
    );
}
