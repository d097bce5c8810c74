import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";

// The README as a user reads it: its TypeScript samples compile as another team's program would write
// them (importing the package by name), and its commands pass what the tools take.

const ROOT = path.resolve(__dirname, "../..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const PACKAGE_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };
const PACKAGE_NAME = PACKAGE_JSON.name;
/** Client libraries the package depends on (installed with it), which a sample's application may import beside it. */
const CLIENT_LIBRARIES = ["ioredis", "redis", "pg"].filter((d) => d in PACKAGE_JSON.dependencies);

/** The fenced blocks of one language, with the line each starts on. */
function blocks(language: string): Array<{ line: number; code: string }> {
    return [...README.matchAll(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```$", "gm"))].map((m) => ({
        line: README.slice(0, m.index).split("\n").length,
        code: m[1]!,
    }));
}

describe("README TypeScript samples", () => {
    const samples = blocks("ts");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "readme-ts-"));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("exist", () => {
        expect(samples.length).toBeGreaterThanOrEqual(2);
    });

    it.each(samples.map((s) => [s.line, s.code] as const))("the sample at line %i imports the components by the package's name", (_line, code) => {
        const specifiers = [...code.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
        for (const specifier of specifiers) {
            expect(specifier === PACKAGE_NAME || specifier.startsWith("@pulumi/") || CLIENT_LIBRARIES.includes(specifier), specifier).toBe(true);
        }
    });

    it("every sample type-checks against the package's entry point", () => {
        const files = samples.map((s) => {
            const file = path.join(tmp, `readme-line-${s.line}.ts`);
            fs.writeFileSync(file, `${s.code}\nexport {};\n`);
            return file;
        });
        const program = ts.createProgram(files, {
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            esModuleInterop: true,
            types: ["node"],
            typeRoots: [path.join(ROOT, "node_modules/@types")],
            baseUrl: ROOT,
            // As tsconfig.json maps it for examples/: the package's name is its entry point.
            paths: { [PACKAGE_NAME]: ["./components/index.ts"], ...Object.fromEntries(CLIENT_LIBRARIES.map((d) => [d, [`./node_modules/${d}`]])) },
        });
        const diagnostics = ts.getPreEmitDiagnostics(program)
            .filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
            .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        expect(diagnostics).toEqual([]);
    }, 120_000);
});

describe("README commands", () => {
    const commands = blocks("bash").flatMap((b) => b.code.split("\n")).filter((l) => l.includes("--policy-pack-config"));

    it("give --policy-pack-config a file, as the CLI takes it (a path to a JSON file), holding a valid config for the pack", () => {
        expect(commands.length).toBeGreaterThan(0);
        const names = new Set(policies.map((p) => p.name));
        for (const command of commands) {
            const file = /--policy-pack-config\s+(\S+)/.exec(command)![1]!;
            expect(file.startsWith("{"), command).toBe(false);
            const config = JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, unknown>;
            for (const [policy, setting] of Object.entries(config)) {
                expect(names.has(policy), policy).toBe(true);
                const level = typeof setting === "string" ? setting : (setting as { enforcementLevel?: string }).enforcementLevel;
                expect(["advisory", "mandatory", "remediate", "disabled"], policy).toContain(level);
            }
        }
    });

    it("never pass JSON inline to --policy-pack-config anywhere in the README", () => {
        expect(README).not.toMatch(/--policy-pack-config`? (with )?`?\{/);
    });
});
