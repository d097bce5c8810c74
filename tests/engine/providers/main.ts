import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { planChange } from "./diff";
import { type EmulatedProvider, emulatedProvider, PROVIDER_PACKAGES, type ProviderPackage } from "./provider";

// `pulumi-resource-<package>`: the engine starts it with its own address as the argument and reads the
// port it prints (@pulumi/pulumi provider/server.js main).

type DiffCall = grpc.ServerUnaryCall<provproto.DiffRequest, provproto.DiffResponse>;
type DiffCallback = grpc.sendUnaryData<provproto.DiffResponse>;
type ConfigureCall = grpc.ServerUnaryCall<provproto.ConfigureRequest, provproto.ConfigureResponse>;
type Handler = (call: unknown, callback: unknown) => unknown;

/**
 * Two handlers of the SDK's server are replaced. Its Diff drops `stables` from a DiffResult
 * (provider/server.js Server.diff sets only changes, replaces and deleteBeforeReplace), so `diff` sends
 * them all. Its Configure answers without reading the configuration, so `configure` first hands the
 * provider its arguments and `pkg:config:*` variables (the aws region). The SDK builds its gRPC server
 * inside `main`; addService is the one place to reach the handler object.
 */
function patchServer(provider: EmulatedProvider, now: () => Date): void {
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, implementation) {
        const handlers = implementation as Record<string, Handler>;
        const configure = handlers.configure!;
        handlers.configure = (call, callback) => {
            const req = (call as ConfigureCall).request;
            provider.configure({ args: req.getArgs()?.toJavaScript() ?? {}, variables: Object.fromEntries(req.getVariablesMap().entries()) });
            return configure.call(implementation, call, callback);
        };
        (implementation as Record<string, unknown>).diff = (call: DiffCall, callback: DiffCallback) => {
            try {
                const req = call.request;
                const type = req.getUrn().split("::")[2]!.split("$").pop()!;
                const plan = planChange(type, req.getOlds()?.toJavaScript() ?? {}, req.getNews()?.toJavaScript() ?? {}, now());
                const resp = new provproto.DiffResponse();
                resp.setChanges(plan.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
                resp.setReplacesList(plan.replaces);
                resp.setStablesList(plan.stables);
                resp.setDeletebeforereplace(plan.deleteBeforeReplace);
                callback(null, resp);
            } catch (error) {
                callback({ code: grpc.status.UNKNOWN, details: (error as Error).message }, null);
            }
        };
        return addService.call(this, service, implementation);
    };
}

const [pkg, ...engineArgs] = process.argv.slice(2);
if (!pkg || !(pkg in PROVIDER_PACKAGES)) {
    console.error(`usage: main.js <${Object.keys(PROVIDER_PACKAGES).join("|")}> <engine address>`);
    process.exit(2);
}
const now = () => (process.env.PROVIDER_EMULATOR_NOW ? new Date(process.env.PROVIDER_EMULATOR_NOW) : new Date());
const provider = emulatedProvider(pkg as ProviderPackage, now);
patchServer(provider, now);
void pulumi.provider.main(provider, engineArgs);
