import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";
import { dockerDataServicesOnLoopback } from "../../policy/rules/docker";
import { tlsKeyStrength } from "../../policy/rules/tls";
import { CACHE_CONTAINER, DRAGONFLY_REMOTE_IMAGE, changed } from "./fixtures";
import { UNKNOWN_STRING, urnOf } from "./harness";

// The pack as `pulumi preview --policy-pack ./policy` runs it: the CLI's analyzer plugin starts
// `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> <pack dir>` in the pack's directory, which
// compiles index.ts with ts-node (type-checked, with the pack's tsconfig.json and typescript), and the
// pack prints the port of its gRPC Analyzer service. These tests talk to that service as the engine does.
// What the engine receives is the policy's description, a newline, then the rule's own message; a
// resource policy's diagnostics carry no URN (the engine puts the analyzed resource's), a stack
// policy's carry the URN the rule reported against.

const PACK_DIR = path.resolve(__dirname, "../../policy");
// Everything the client needs comes from the pack's own node_modules, the versions the CLI would load.
const packRequire = createRequire(path.join(PACK_DIR, "package.json"));

interface Message {
    setType(value: string): void;
    setName(value: string): void;
    setUrn(value: string): void;
    setProperties(value: unknown): void;
    setOptions(value: unknown): void;
}
interface AnalyzerResource extends Message {
    getPropertydependenciesMap(): { set(key: string, value: unknown): void };
}
interface Diagnostic {
    getPolicyname(): string;
    getMessage(): string;
    getEnforcementlevel(): number;
    getUrn(): string;
}
interface AnalyzeResponse {
    getDiagnosticsList(): Diagnostic[];
}
interface AnalyzerInfo {
    getName(): string;
    getVersion(): string;
    getPoliciesList(): Array<{ getName(): string; getEnforcementlevel(): number }>;
}
type Callback<T> = (error: Error | null, response: T) => void;
interface AnalyzerClient {
    analyze(request: Message, callback: Callback<AnalyzeResponse>): void;
    analyzeStack(request: { setResourcesList(resources: AnalyzerResource[]): void }, callback: Callback<AnalyzeResponse>): void;
    getAnalyzerInfo(request: unknown, callback: Callback<AnalyzerInfo>): void;
    close(): void;
}

const grpc = packRequire("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
const services = packRequire("@pulumi/pulumi/proto/analyzer_grpc_pb") as { AnalyzerClient: new (address: string, credentials: unknown) => AnalyzerClient };
const messages = packRequire("@pulumi/pulumi/proto/analyzer_pb") as {
    AnalyzeRequest: new () => Message;
    AnalyzeStackRequest: new () => { setResourcesList(resources: AnalyzerResource[]): void };
    AnalyzerResource: new () => AnalyzerResource;
    AnalyzerResourceOptions: new () => unknown;
    AnalyzerPropertyDependencies: new () => { setUrnsList(urns: string[]): void };
    EnforcementLevel: Record<string, number>;
};
const { Struct } = packRequire("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(value: Record<string, unknown>): unknown } };
const { Empty } = packRequire("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };

const levelName = (level: number) => Object.entries(messages.EnforcementLevel).find(([, v]) => v === level)![0].toLowerCase();
const call = <T>(method: (callback: Callback<T>) => void) => new Promise<T>((resolve, reject) => method((error, response) => (error ? reject(error) : resolve(response))));
const diagnostics = (response: AnalyzeResponse) => response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: levelName(d.getEnforcementlevel()), urn: d.getUrn(), message: d.getMessage() }));

function fill<T extends Message>(message: T, resource: { type: string; name: string; props: Record<string, unknown> }): T {
    message.setType(resource.type);
    message.setName(resource.name);
    message.setUrn(urnOf(resource));
    message.setProperties(Struct.fromJavaScript(resource.props));
    message.setOptions(new messages.AnalyzerResourceOptions());
    return message;
}

let pack: ChildProcess;
let client: AnalyzerClient;
let stderr = "";

beforeAll(async () => {
    // A fresh compile each run (ts-node would otherwise reuse its cache from an earlier run).
    pack = spawn(process.execPath, [packRequire.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."], { cwd: PACK_DIR, env: { ...process.env, TS_NODE_CACHE: "false" }, stdio: ["ignore", "pipe", "pipe"] });
    pack.stderr!.on("data", (chunk) => (stderr += chunk));
    const port = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        pack.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const match = /^(\d+)\s*$/m.exec(stdout);
            if (match) {
                resolve(match[1]!);
            }
        });
        pack.on("exit", (code) => reject(new Error(`the policy pack exited with ${code} before serving:\n${stderr}`)));
    });
    client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 180_000);

afterAll(() => {
    client?.close();
    pack?.kill();
});

describe("the policy pack, loaded as the Pulumi CLI loads it", () => {
    it("compiles and serves every rule, with its enforcement level, under the package's version", async () => {
        const info = await call<AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
        expect(info.getName()).toBe("tls-platform");
        expect(info.getVersion()).toBe("0.1.0");
        expect(info.getPoliciesList().map((p) => [p.getName(), levelName(p.getEnforcementlevel())])).toEqual(policies.map((p) => [p.name, p.enforcementLevel]));
    });

    it("blocks an ECDSA key without a curve, and passes one on P256", async () => {
        const weak = { type: "tls:index/privateKey:PrivateKey", name: "db-tls-key", props: { algorithm: "ECDSA" } };
        expect(diagnostics(await call<AnalyzeResponse>((cb) => client.analyze(fill(new messages.AnalyzeRequest(), weak), cb)))).toEqual([
            {
                policy: "tls-key-strength",
                level: "mandatory",
                urn: "",
                message:
                    `${tlsKeyStrength.description}\n` +
                    '`ecdsaCurve` is not set, so the provider uses its default `P224`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. Set `ecdsaCurve: "P256"` or `"P384"`.',
            },
        ]);
        const strong = { ...weak, props: { algorithm: "ECDSA", ecdsaCurve: "P256" } };
        expect(diagnostics(await call<AnalyzeResponse>((cb) => client.analyze(fill(new messages.AnalyzeRequest(), strong), cb)))).toEqual([]);
    });

    it("passes a preview's replication group whose AUTH token is still unknown", async () => {
        const group = { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "cache-group", props: { engine: "valkey", transitEncryptionEnabled: true, transitEncryptionMode: "required", atRestEncryptionEnabled: true, authToken: UNKNOWN_STRING } };
        expect(diagnostics(await call<AnalyzeResponse>((cb) => client.analyze(fill(new messages.AnalyzeRequest(), group), cb)))).toEqual([]);
    });

    it("follows a container's property dependency to its RemoteImage during preview, and blocks Dragonfly on 0.0.0.0", async () => {
        const image = fill(new messages.AnalyzerResource(), { ...DRAGONFLY_REMOTE_IMAGE, props: changed(DRAGONFLY_REMOTE_IMAGE.props, { imageId: UNKNOWN_STRING, repoDigest: UNKNOWN_STRING }) });
        const containerResource = { type: "docker:index/container:Container", name: "cache", props: changed(CACHE_CONTAINER, { image: UNKNOWN_STRING, ports: [{ internal: 6379, external: 6380, ip: "0.0.0.0", protocol: "tcp" }] }) };
        const container = fill(new messages.AnalyzerResource(), containerResource);
        const dependency = new messages.AnalyzerPropertyDependencies();
        dependency.setUrnsList([urnOf(DRAGONFLY_REMOTE_IMAGE)]);
        container.getPropertydependenciesMap().set("image", dependency);
        const request = new messages.AnalyzeStackRequest();
        request.setResourcesList([image, container]);
        expect(diagnostics(await call<AnalyzeResponse>((cb) => client.analyzeStack(request, cb)))).toEqual([
            {
                policy: "docker-data-services-loopback-only",
                level: "mandatory",
                urn: urnOf(containerResource),
                message:
                    `${dockerDataServicesOnLoopback.description}\n` +
                    '`ports[0]`: container port 6379 is published on `0.0.0.0`, not a loopback address; a cache image (`docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1`) may be published on loopback only (127.0.0.0/8 or ::1). Set `ip: "127.0.0.1"`.',
            },
        ]);
    });
});
