import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

// The package as another team installs it: compiled with tsconfig.build.json, resolved through
// package.json's "exports"/"types", loaded by plain node and type-checked by a consumer's tsc.
const ROOT = path.resolve(__dirname, "../..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tls-platform-package-"));
const installed = path.join(work, "consumer", "node_modules", "tls-platform");

beforeAll(() => {
    execFileSync(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json", "--outDir", path.join(installed, "dist")], { cwd: ROOT, stdio: "pipe" });
    fs.copyFileSync(path.join(ROOT, "package.json"), path.join(installed, "package.json"));
}, 120_000);

const consumer = (...args: string[]) =>
    execFileSync(process.execPath, args, { cwd: path.join(work, "consumer"), encoding: "utf8", env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") } });

describe("the built package", () => {
    it("exports the components, the connection helpers and the defaults from one entry point", () => {
        const names = JSON.parse(consumer("-e", "console.log(JSON.stringify(Object.keys(require('tls-platform')).sort()))"));
        expect(names).toEqual(
            expect.arrayContaining(["CertificateAuthority", "Certificate", "DragonflyCache", "PostgresDatabase", "NginxProxy", "ElastiCacheCache", "RdsPostgres", "SecretsManagerSink", "redisConnection", "pgClientConfig", "DEFAULT_LEAF_VALIDITY_DAYS"]),
        );
        expect(names).not.toContain("validateServiceArgs"); // internal
    });

    it("ships type declarations that a consumer's tsc resolves through package.json", () => {
        fs.writeFileSync(
            path.join(work, "consumer", "main.ts"),
            'import { CertificateAuthority, type ConnectionDocument } from "tls-platform";\nexport const make = (): CertificateAuthority => new CertificateAuthority("ca", { commonName: "x" });\nexport type Doc = ConnectionDocument;\n',
        );
        const tsc = path.join(ROOT, "node_modules/.bin/tsc");
        // @pulumi/* and @types resolve from the project's node_modules, as from the consumer's own.
        const compilerOptions = {
            noEmit: true, strict: true, module: "commonjs", moduleResolution: "node", target: "ES2022", lib: ["ES2022", "DOM"], skipLibCheck: true,
            types: ["node"], typeRoots: [path.join(ROOT, "node_modules/@types")], baseUrl: ".", paths: { "@pulumi/*": [path.join(ROOT, "node_modules/@pulumi/*")] },
        };
        fs.writeFileSync(path.join(work, "consumer", "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }));
        const args = ["-p", "."];
        expect(() => execFileSync(tsc, args, { cwd: path.join(work, "consumer"), encoding: "utf8", stdio: "pipe" })).not.toThrow();
    });
});
