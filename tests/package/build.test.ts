import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installEmulator, type ProviderEmulator } from "../emulator";
import { construct, type FakeEngine, getSchema, type PluginHost, startFakeEngine, startPluginHost } from "./engine";
import { danglingReferences, emptyProject, ENTRY_FILES, filesUnder, npmInstall, pack, ROOT, ROOT_PACKAGE, run, SHIPPABLE, snapshotSourceTree, undeclaredImports } from "./packaging";

// The package as another team gets it: `npm pack` (which runs `prepare`, a clean build) on a
// snapshot of this working tree, the tarball installed with npm into an empty project, then used
// the ways the README promises: require(), a TypeScript program, the verifier's bin, and the
// component package that Python, Go and C# programs start through `pulumi package add`.

const work = fs.mkdtempSync(path.join(os.tmpdir(), "tls-platform-pack-"));
const source = path.join(work, "source");
const consumer = path.join(work, "consumer");
const installed = path.join(consumer, "node_modules", ROOT_PACKAGE.name);
let packed: { tarball: string; files: string[] };

beforeAll(() => {
    // A snapshot, not the repository itself: the build starts from no dist/ as in a fresh clone, and
    // the shared working tree's dist/ is left alone.
    snapshotSourceTree(source, { linkNodeModules: true });
    packed = pack(source, work);
    emptyProject(consumer);
    npmInstall(consumer, packed.tarball);
}, 150_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("the tarball `npm pack` makes", () => {
    it("holds the compiled package and the component-package folder, not the repository's program, tests or sources", () => {
        expect(packed.files.filter((file) => !SHIPPABLE.test(file))).toEqual([]);
        expect(packed.files).toEqual(expect.arrayContaining(ENTRY_FILES));
        // npm installed exactly the tarball's files (plus the lockfile npm may write): the checks below read the real thing.
        expect(filesUnder(installed).filter((file) => file !== "package-lock.json")).toEqual(packed.files);
    });

    it("points at no file it does not ship: relative imports, package.json entry points, source-map sources", () => {
        expect(danglingReferences(installed, packed.files)).toEqual([]);
    });

    it("imports, at run time and in its declarations, only its `dependencies` and Node's built-ins", () => {
        expect(undeclaredImports(installed, packed.files, ROOT_PACKAGE.dependencies, ROOT_PACKAGE.name)).toEqual([]);
    });

    it("gives a consumer the built components as `main`, not the repository's own Pulumi program", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
        expect(manifest.main).toBe("dist/components/index.js");
        expect(manifest.exports["."].default).toBe(`./${manifest.main}`);
    });

    it("names the component package like the npm package, so the schema's version is the package's", () => {
        const plugin = JSON.parse(fs.readFileSync(path.join(installed, "plugin/package.json"), "utf8"));
        expect({ name: plugin.name, version: plugin.version }).toEqual({ name: ROOT_PACKAGE.name, version: ROOT_PACKAGE.version });
        expect(plugin.dependencies).toBeUndefined(); // it runs on the package's own dependencies, installed beside it
    });
});

describe("installed from the tarball into an empty project", () => {
    it("exports the components, the connection helpers and the defaults from one entry point", () => {
        const names = JSON.parse(run(process.execPath, ["-e", `console.log(JSON.stringify(Object.keys(require("${ROOT_PACKAGE.name}")).sort()))`], consumer));
        expect(names).toEqual(
            expect.arrayContaining(["CertificateAuthority", "Certificate", "DragonflyCache", "PostgresDatabase", "NginxProxy", "ElastiCacheCache", "RdsPostgres", "SecretsManagerSink", "redisConnection", "pgClientConfig", "DEFAULT_LEAF_VALIDITY_DAYS"]),
        );
        expect(names).not.toContain("validateServiceArgs"); // internal
    });

    it("type-checks a TypeScript program against the shipped declarations, which carry real types", () => {
        fs.writeFileSync(
            path.join(consumer, "main.ts"),
            [
                'import { CertificateAuthority, type ConnectionDocument } from "tls-platform";',
                'export const make = (): CertificateAuthority => new CertificateAuthority("ca", { commonName: "x" });',
                "export type Doc = ConnectionDocument;",
                "// Fails to compile if the declarations degraded to `any`: the directive would be unused.",
                "// @ts-expect-error commonName is a string",
                'export const wrong = new CertificateAuthority("ca", { commonName: 42 });',
                "",
            ].join("\n"),
        );
        // Everything resolves from the consumer's node_modules; only @types/node, which a TypeScript
        // team has installed anyway, comes from this project.
        const compilerOptions = {
            noEmit: true, strict: true, module: "commonjs", moduleResolution: "node", target: "ES2022", lib: ["ES2022"], skipLibCheck: true,
            types: ["node"], typeRoots: [path.join(ROOT, "node_modules/@types")],
        };
        fs.writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }));
        expect(() => run(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", "."], consumer)).not.toThrow();
    });

    it("puts the verifier on PATH as `tls-platform-verify`, runnable from node_modules/.bin", () => {
        expect(run(path.join(consumer, "node_modules/.bin/tls-platform-verify"), ["--help"], consumer)).toMatch(/^Usage: tls-platform-verify /);
    });
});

describe("the component package, started from node_modules/tls-platform/plugin as Pulumi starts it", () => {
    let emulator: ProviderEmulator;
    let engine: FakeEngine;
    let host: PluginHost;
    const pluginDir = path.join(installed, "plugin");

    beforeAll(async () => {
        // `pulumi package add` first installs the folder's dependencies with the command the nodejs
        // language host runs there (sdk/nodejs/npm/npm.go, installCmd).
        run("npm", ["install", "--loglevel=error"], pluginDir);
        emulator = await installEmulator({ stack: "dev" });
        engine = await startFakeEngine(emulator);
        // The engine starts the host in the program's directory; a Python program's has no tsconfig.json
        // (run-plugin registers ts-node with the one it finds there).
        const pythonProgram = path.join(work, "python-program");
        fs.mkdirSync(pythonProgram);
        host = await startPluginHost(pluginDir, pythonProgram, engine.engineAddress);
    }, 60_000);

    afterAll(() => {
        host?.stop();
        engine?.stop();
    });

    it("gets nothing of its own from Pulumi's `npm install` in the folder: one @pulumi/pulumi, the package's", () => {
        expect(fs.existsSync(path.join(pluginDir, "node_modules", "@pulumi"))).toBe(false);
    });

    it("serves over gRPC the schema that the repository's source gives", async () => {
        const { ComponentProvider, getPulumiComponents } = await import("@pulumi/pulumi/provider/experimental");
        const fromSource = new ComponentProvider({ components: getPulumiComponents(await import("../../components")), name: ROOT_PACKAGE.name, dirname: path.join(source, "plugin") });
        const [served, sourceSchema] = await Promise.all([getSchema(host).then(JSON.parse), fromSource.getSchema().then(JSON.parse)]);
        expect(Object.keys(served.resources).sort()).toEqual(
            ["CertificateAuthority", "Certificate", "DragonflyCache", "ElastiCacheCache", "NginxProxy", "PostgresDatabase", "RdsPostgres", "SecretsManagerSink"].map((n) => `tls-platform:index:${n}`).sort(),
        );
        expect(served.version).toBe(ROOT_PACKAGE.version);
        expect(withoutInlineTags(served)).toEqual(withoutInlineTags(sourceSchema));
    }, 60_000);

    it("constructs a CertificateAuthority from plain inputs over gRPC, as a Python program's request would", async () => {
        const result = await construct(host, engine, { project: "tls-platform", stack: "dev", type: "tls-platform:index:CertificateAuthority", name: "py-ca", inputs: { commonName: "from python" } });
        expect(result.urn).toMatch(/tls-platform:index:CertificateAuthority::py-ca$/);
        expect(result.state.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
        expect(emulator.get("tls:index/privateKey:PrivateKey", "py-ca-key").inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        expect(engine.logs.filter((log) => log.severity === "WARNING" || log.severity === "ERROR")).toEqual([]);
    }, 60_000);
});

/**
 * The schema with each description cut at an inline JSDoc tag (`Text. @default - false`). A host
 * without `typescript` installed (a Python team's) analyzes with the TypeScript 3.8.3 that
 * @pulumi/pulumi vendors (typescript-shim.js), whose parser only starts a tag at the beginning of a
 * line and so keeps an inline one in the text; TypeScript 5 drops it.
 */
function withoutInlineTags(schema: unknown): unknown {
    return JSON.parse(JSON.stringify(schema), (key, value) => (key === "description" && typeof value === "string" ? value.replace(/\s+@\w+\b.*$/s, "") : value));
}
