import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { planChange } from "./diff";
import { emulatedProvider, PROVIDER_PACKAGES, type ProviderPackage } from "./provider";

// `pulumi-resource-<package>`: the engine starts it with its own address as the argument and reads the
// port it prints (@pulumi/pulumi provider/server.js main).

type DiffCall = grpc.ServerUnaryCall<provproto.DiffRequest, provproto.DiffResponse>;
type DiffCallback = grpc.sendUnaryData<provproto.DiffResponse>;

/**
 * The SDK's server drops `stables` from a DiffResult (provider/server.js Server.diff sets only changes,
 * replaces and deleteBeforeReplace), so its `diff` handler is replaced by one that sends them all. The
 * SDK builds its gRPC server inside `main`; addService is the one place to reach the handler object.
 */
function serveDiffWithStables(now: () => Date): void {
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, implementation) {
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
serveDiffWithStables(now);
void pulumi.provider.main(emulatedProvider(pkg as ProviderPackage, now), engineArgs);
