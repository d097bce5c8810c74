import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";

// The package as npm hands it to another team: a snapshot of this working tree, packed or installed
// with the npm on PATH, and checks that what it ships needs nothing it does not ship.

export const ROOT = path.resolve(__dirname, "../..");
export const ROOT_PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
};

/**
 * Every path the package may ship: package.json and README.md, the compiled components, verifier
 * and component-package entry point (JavaScript, declarations, source maps), and the
 * component-package folder other languages point `pulumi package add` at.
 */
export const SHIPPABLE = /^(package\.json|README\.md|dist\/(components|tools|plugin)\/.+\.(js|d\.ts|js\.map)|plugin\/(PulumiPlugin\.yaml|package\.json|index\.ts))$/;

/** The files every install must have: the entry points of `require`, the types, the bin and the plugin. */
export const ENTRY_FILES = ["dist/components/index.js", "dist/components/index.d.ts", "dist/tools/verify/cli.js", "dist/plugin/index.js", "plugin/PulumiPlugin.yaml", "plugin/package.json", "plugin/index.ts"];

/**
 * Runs a command with this test's Node first on PATH, so npm and the scripts it runs use it too;
 * a failure carries the command's output.
 */
export function run(command: string, args: readonly string[], cwd: string): string {
    try {
        return execFileSync(command, args, {
            cwd,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            maxBuffer: 64 * 1024 * 1024,
            env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` },
        });
    } catch (error) {
        const e = error as { message: string; stdout?: string; stderr?: string };
        throw new Error(`\`${command} ${args.join(" ")}\` in ${cwd} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    }
}

/**
 * Copies the files a commit of this working tree would hold (tracked, and untracked but not
 * ignored) to `dest`: no dist/ and nothing else a developer built, as in a fresh clone. With
 * `linkNodeModules`, the project's installed dependencies are linked in so `prepare` can build.
 */
export function snapshotSourceTree(dest: string, options: { linkNodeModules: boolean }): void {
    const files = run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], ROOT).split("\0").filter(Boolean);
    for (const file of files) {
        const from = path.join(ROOT, file);
        if (!fs.existsSync(from)) {
            continue; // deleted in the working tree, not yet in git
        }
        fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
        fs.copyFileSync(from, path.join(dest, file));
    }
    if (options.linkNodeModules) {
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dest, "node_modules"), "dir");
    }
}

/** `npm pack` in `sourceDir` (which runs `prepare`), the tarball written to `destDir`. */
export function pack(sourceDir: string, destDir: string): { tarball: string; files: string[] } {
    const [info] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", destDir], sourceDir)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    return { tarball: path.join(destDir, info!.filename), files: info!.files.map((f) => f.path).sort() };
}

/** An empty npm project, the way a team starts one, with `fields` added to its package.json. */
export function emptyProject(dir: string, fields: Record<string, unknown> = {}): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, ...fields }, null, 2));
}

/** `npm install <spec>`; dependencies come from npm's cache where it has them, else the registry. */
export function npmInstall(project: string, spec: string, extraArgs: readonly string[] = []): void {
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...extraArgs, spec], project);
}

/** Every file under `dir`, as sorted paths relative to it with `/` separators. */
export function filesUnder(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
        .sort();
}

// require("x"), import/export ... from "x", import("x"), and a bare `import "x"`.
const SPECIFIER = /(?:\brequire\(\s*|\bfrom\s+|\bimport\(\s*|(?:^|;)\s*import\s+)["']([^"']+)["']/gm;

/** The module specifiers a shipped JavaScript or TypeScript file names. */
export function specifiersIn(text: string): string[] {
    return [...text.matchAll(SPECIFIER)].map((m) => m[1]!);
}

const isCode = (file: string) => /\.(js|ts)$/.test(file);

/** Where a relative specifier may land: runtime files for JavaScript, declarations for TypeScript. */
function candidates(from: string, specifier: string): string[] {
    const base = path.posix.join(path.posix.dirname(from), specifier);
    return from.endsWith(".js")
        ? [base, `${base}.js`, `${base}.json`, `${base}/index.js`]
        : [`${base}.ts`, `${base}.d.ts`, `${base}/index.ts`, `${base}/index.d.ts`, base.replace(/\.js$/, ".d.ts")];
}

/**
 * Everything a shipped file points at that the package does not ship: relative imports of its
 * JavaScript and declarations, package.json's and plugin/package.json's entry points, and source
 * maps without their sources inside. Returned as "<file> -> <target>" lines.
 */
export function danglingReferences(packageDir: string, files: readonly string[]): string[] {
    const shipped = new Set(files);
    const dangling: string[] = [];
    for (const file of files.filter(isCode)) {
        for (const specifier of specifiersIn(fs.readFileSync(path.join(packageDir, file), "utf8")).filter((s) => s.startsWith("."))) {
            if (!candidates(file, specifier).some((c) => shipped.has(c))) {
                dangling.push(`${file} -> ${specifier}`);
            }
        }
    }
    const entry = (manifest: string, target: string) => {
        const resolved = path.posix.join(path.posix.dirname(manifest), target);
        if (!shipped.has(resolved)) {
            dangling.push(`${manifest} -> ${target}`);
        }
    };
    const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));
    const exportTargets = (value: unknown): string[] =>
        typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(exportTargets) : [];
    for (const target of [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {}), ...exportTargets(manifest.exports)]) {
        entry("package.json", target as string);
    }
    entry("plugin/package.json", JSON.parse(fs.readFileSync(path.join(packageDir, "plugin/package.json"), "utf8")).main);
    for (const map of files.filter((f) => f.endsWith(".map"))) {
        const { sources, sourcesContent } = JSON.parse(fs.readFileSync(path.join(packageDir, map), "utf8")) as { sources: string[]; sourcesContent?: Array<string | null> };
        sources.forEach((source, i) => {
            if (typeof sourcesContent?.[i] !== "string" && !shipped.has(path.posix.join(path.posix.dirname(map), source))) {
                dangling.push(`${map} -> ${source}`);
            }
        });
    }
    return dangling.sort();
}

/**
 * Packages that shipped files import but package.json does not list in `dependencies` (a
 * devDependency is not installed for a consumer). Node's built-ins and the package's own name
 * (which resolves to itself) are fine. Returned as "<file> -> <package>" lines.
 */
export function undeclaredImports(packageDir: string, files: readonly string[], dependencies: Record<string, string>, ownName: string): string[] {
    const builtins = new Set(builtinModules);
    const undeclared: string[] = [];
    for (const file of files.filter(isCode)) {
        for (const specifier of specifiersIn(fs.readFileSync(path.join(packageDir, file), "utf8")).filter((s) => !s.startsWith("."))) {
            const name = specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
            if (!specifier.startsWith("node:") && !builtins.has(name) && name !== ownName && !(name in dependencies)) {
                undeclared.push(`${file} -> ${name}`);
            }
        }
    }
    return undeclared.sort();
}
