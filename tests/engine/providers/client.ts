import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";

type Props = Record<string, any>;

export interface PlannedDiff {
    readonly changes: "some" | "none" | "unknown";
    readonly replaces: string[];
    readonly stables: string[];
    readonly deleteBeforeReplace: boolean;
}

/** A provider plugin process and the ResourceProvider calls the engine would make, as plain objects. */
export interface PluginClient {
    version(): Promise<string>;
    /** Configure, as the engine sends it: the provider's arguments and its `pkg:config:key` variables. */
    configure(args: Props, variables?: Record<string, string>): Promise<void>;
    check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: string[] }>;
    create(urn: string, inputs: Props): Promise<{ id: string; outs: Props }>;
    diff(urn: string, id: string, olds: Props, news: Props): Promise<PlannedDiff>;
    update(urn: string, id: string, olds: Props, news: Props): Promise<Props>;
    read(urn: string, id: string, props: Props): Promise<{ id: string; props: Props }>;
    delete(urn: string, id: string, props: Props): Promise<void>;
    invoke(token: string, args: Props): Promise<Props>;
    stop(): void;
}

export const urnOf = (type: string, name: string) => `urn:pulumi:test::providers::${type}::${name}`;

function unary<Req, Res>(client: ResourceProviderClient, method: string, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
        (client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[method]!.call(client, request, (error, response) => (error ? reject(error) : resolve(response)));
    });
}

/**
 * Starts `<bin>/pulumi-resource-<name>` as the engine does (its one argument is the engine's address,
 * unused unless a provider calls back) and connects to the port it prints.
 */
export async function startPlugin(bin: string, name: string, env: NodeJS.ProcessEnv = process.env): Promise<PluginClient> {
    const child: ChildProcess = spawn(path.join(bin, `pulumi-resource-${name}`), ["127.0.0.1:1"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(() => reject(new Error(`pulumi-resource-${name} printed no port in 20 s; stderr: ${stderr}`)), 20_000);
        child.stdout!.on("data", (d) => {
            stdout += d;
            const line = /^(\d+)\n/.exec(stdout);
            if (line) {
                clearTimeout(timer);
                resolve(line[1]!);
            }
        });
        child.on("exit", (code) => reject(new Error(`pulumi-resource-${name} exited (${code}) before serving; stderr: ${stderr}`)));
    });
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const struct = (props: Props) => Struct.fromJavaScript(props as Record<string, any>);
    return {
        async version() {
            return (await unary<Empty, PluginInfo>(client, "getPluginInfo", new Empty())).getVersion();
        },
        async configure(args, variables = {}) {
            const req = new proto.ConfigureRequest().setArgs(struct(args));
            for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(k, v);
            await unary(client, "configure", req);
        },
        async check(urn, olds, news) {
            const res = await unary<proto.CheckRequest, proto.CheckResponse>(client, "check", new proto.CheckRequest().setUrn(urn).setOlds(struct(olds)).setNews(struct(news)));
            return { inputs: res.getInputs()?.toJavaScript() ?? {}, failures: res.getFailuresList().map((f) => `${f.getProperty()}: ${f.getReason()}`) };
        },
        async create(urn, inputs) {
            const res = await unary<proto.CreateRequest, proto.CreateResponse>(client, "create", new proto.CreateRequest().setUrn(urn).setProperties(struct(inputs)));
            return { id: res.getId(), outs: res.getProperties()?.toJavaScript() ?? {} };
        },
        async diff(urn, id, olds, news) {
            const res = await unary<proto.DiffRequest, proto.DiffResponse>(client, "diff", new proto.DiffRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)));
            const changes = { [proto.DiffResponse.DiffChanges.DIFF_SOME]: "some", [proto.DiffResponse.DiffChanges.DIFF_NONE]: "none", [proto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown" } as const;
            return { changes: changes[res.getChanges()], replaces: res.getReplacesList(), stables: res.getStablesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
        },
        async update(urn, id, olds, news) {
            const res = await unary<proto.UpdateRequest, proto.UpdateResponse>(client, "update", new proto.UpdateRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)));
            return res.getProperties()?.toJavaScript() ?? {};
        },
        async read(urn, id, props) {
            const res = await unary<proto.ReadRequest, proto.ReadResponse>(client, "read", new proto.ReadRequest().setUrn(urn).setId(id).setProperties(struct(props)));
            return { id: res.getId(), props: res.getProperties()?.toJavaScript() ?? {} };
        },
        async delete(urn, id, props) {
            await unary(client, "delete", new proto.DeleteRequest().setUrn(urn).setId(id).setProperties(struct(props)));
        },
        async invoke(token, args) {
            const res = await unary<proto.InvokeRequest, proto.InvokeResponse>(client, "invoke", new proto.InvokeRequest().setTok(token).setArgs(struct(args)));
            return res.getReturn()?.toJavaScript() ?? {};
        },
        stop() {
            client.close();
            child.kill();
        },
    };
}
