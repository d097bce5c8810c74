"use strict";
// The pure rules of the real Node.js language host (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go),
// carried over function by function so the stand-in builds the same command line, environment and package list.
// Each function names its upstream counterpart; README.md keeps the table.
const fs = require("node:fs");
const path = require("node:path");

/** main.go: the exit code the Node SDK uses after it has already shown the user an actionable error. */
const BAIL_EXIT_CODE = 32;
/** main.go defaultRunPath; PULUMI_LANGUAGE_NODEJS_RUN_PATH overrides it (Run, RunPlugin). */
const DEFAULT_RUN_PATH = "@pulumi/pulumi/cmd/run";
const RUN_PLUGIN_PATH = "@pulumi/pulumi/cmd/run-plugin";
const RUN_POLICY_PACK_PATH = "@pulumi/pulumi/cmd/run-policy-pack";
const PACKAGE_MANAGERS = ["auto", "npm", "yarn", "pnpm", "bun"];

/** main.go parseOptions: Pulumi.yaml `runtime.options`, typescript defaulting to true, each option type-checked. */
function parseOptions(options, runtime = "nodejs") {
    const opts = { typescript: true, tsconfigpath: "", nodeargs: "", packagemanager: "auto", production: false };
    const o = options || {};
    const check = (key, type, message) => {
        if (!(key in o)) return false;
        if (typeof o[key] !== type) throw new Error(message);
        return true;
    };
    if (check("typescript", "boolean", "typescript option must be a boolean")) opts.typescript = o.typescript;
    if (check("tsconfig", "string", "tsconfigpath option must be a string")) opts.tsconfigpath = o.tsconfig;
    if (check("nodeargs", "string", "nodeargs option must be a string")) opts.nodeargs = o.nodeargs;
    if (check("production", "boolean", "production option must be a boolean")) opts.production = o.production;
    if (check("packagemanager", "string", "packagemanager option must be a string")) {
        if (!PACKAGE_MANAGERS.includes(o.packagemanager)) {
            throw new Error(`packagemanager option must be one of auto, npm, yarn, pnpm or bun, got ${JSON.stringify(o.packagemanager)}`);
        }
        opts.packagemanager = o.packagemanager;
    }
    if (runtime === "bun") {
        // Bun handles TypeScript and tsconfig itself and takes no node arguments (parseOptions).
        Object.assign(opts, { typescript: false, tsconfigpath: "", nodeargs: "", packagemanager: "bun" });
    }
    return opts;
}

/** main.go execRuntime/RunPlugin: the environment the TypeScript options turn into for @pulumi/pulumi's run. */
function typescriptEnv(opts) {
    const env = [];
    if (opts.typescript) env.push("PULUMI_NODEJS_TYPESCRIPT=true");
    if (opts.tsconfigpath) env.push(`PULUMI_NODEJS_TSCONFIG_PATH=${opts.tsconfigpath}`);
    return env;
}

/**
 * github.com/google/shlex Split, which main.go uses for `nodeargs`: words split on whitespace, with
 * single quotes literal, double quotes allowing backslash escapes, and a backslash escaping outside quotes.
 */
function shlexSplit(input) {
    const words = [];
    let word = null;
    let quote = null;
    for (let i = 0; i < input.length; i++) {
        const c = input[i];
        if (quote === "'") {
            if (c === "'") quote = null; else word += c;
        } else if (quote === '"') {
            if (c === '"') quote = null;
            else if (c === "\\" && i + 1 < input.length) word += input[++i];
            else word += c;
        } else if (/\s/.test(c)) {
            if (word !== null) words.push(word);
            word = null;
        } else {
            word = word ?? "";
            if (c === "'" || c === '"') quote = c;
            else if (c === "\\" && i + 1 < input.length) word += input[++i];
            else word += c;
        }
    }
    if (quote) throw new Error("EOF found when expecting closing quote");
    if (word !== null) words.push(word);
    return words;
}

/** sdk/go/common/resource/config/key.go ParseKey: `<namespace>:<name>` or the legacy `<namespace>:config:<name>`. */
function parseConfigKey(key) {
    const parts = key.split(":");
    if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
    if (parts.length === 3 && parts[1] === "config" && parts[0] && parts[2]) return { namespace: parts[0], name: parts[2] };
    throw new Error(`could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
}

/** main.go constructConfig: PULUMI_CONFIG, every key rewritten to the legacy `<namespace>:config:<name>` form. */
function constructConfig(config) {
    const out = {};
    for (const [key, value] of config) {
        const k = parseConfigKey(key);
        out[`${k.namespace}:config:${k.name}`] = value;
    }
    return JSON.stringify(out);
}

/** main.go constructConfigSecretKeys: PULUMI_CONFIG_SECRET_KEYS, the keys as the engine sent them. */
function constructConfigSecretKeys(keys) {
    return JSON.stringify(keys || []);
}

/**
 * main.go constructArguments: `<run path> --monitor … --engine … [--sync …] --organization … --project …
 * --root-directory … --stack … --pwd <program dir> [--dry-run] --parallel N [--tracing …] <entry point> <args…>`;
 * each optional flag only when its value is non-empty. `parallel` is always given (strconv.Itoa of the request).
 */
function constructArguments(req, runPath, monitorAddress, engineAddress) {
    const args = [runPath];
    const maybe = (key, value) => { if (value) args.push(`--${key}`, value); };
    maybe("monitor", monitorAddress);
    maybe("engine", engineAddress);
    maybe("organization", req.organization);
    maybe("project", req.project);
    maybe("root-directory", req.rootDirectory);
    maybe("stack", req.stack);
    maybe("pwd", req.programDirectory);
    if (req.dryRun) args.push("--dry-run");
    maybe("parallel", String(req.parallel));
    // The engine always names an entry point, "." when Pulumi.yaml has no `main`.
    args.push(req.entryPoint, ...req.args);
    return args;
}

/**
 * main.go RunPlugin: a policy pack (kind "analyzer") gets its directory _last_ and runs in it; any other plugin
 * gets its directory first and runs in the engine's working directory.
 */
function pluginArguments(kind, runPath, nodeArgs, programDirectory, args) {
    return kind === "analyzer"
        ? [runPath, ...nodeArgs, ...args, programDirectory]
        : [runPath, ...nodeArgs, programDirectory, ...args];
}

/** main.go locateModule: the message the real host prints when the SDK is not installed. */
function locateModule(mod, programDirectory, isPlugin) {
    try {
        return require.resolve(mod, { paths: [programDirectory] });
    } catch (e) {
        if (e.code !== "MODULE_NOT_FOUND") throw e;
        const install = isPlugin ? `npm install in ${programDirectory}` : "pulumi install";
        throw new Error(`It looks like the Pulumi SDK has not been installed. Have you run ${install}?`);
    }
}

/** main.go getPluginName: `pulumi.name`, else the name after `@pulumi/`; third-party packages must name it. */
function getPluginName(info) {
    if (info.pulumi && info.pulumi.name) return info.pulumi.name;
    if (!info.name) throw new Error('missing expected "name" property');
    if (info.name.startsWith("@pulumi/")) return info.name.slice(info.name.indexOf("/") + 1);
    throw new Error(`Missing property "name" for the third-party plugin '${info.name}' inside package.json under the "pulumi" section.`);
}

/** main.go getPluginVersion: `pulumi.version`, else the package's version, always with a leading `v`. */
function getPluginVersion(info) {
    const version = (info.pulumi && info.pulumi.version) || info.version;
    if (!version) throw new Error('Missing expected "version" property');
    return version.startsWith("v") ? version : `v${version}`;
}

/** plugin.PulumiParameterizationJSON: `value` is Go []byte, so base64 in JSON. */
const parameterization = (p) => (p ? { name: p.name || "", version: p.version || "", value: Buffer.from(p.value || "", "base64") } : undefined);

/** main.go getPackageInfo: a package with `"pulumi": { "resource": true }` needs that resource plugin. */
function getPackageInfo(info) {
    if (!info.pulumi || info.pulumi.resource !== true) return undefined;
    return {
        name: getPluginName(info),
        kind: "resource",
        version: getPluginVersion(info),
        server: info.pulumi.server || "",
        parameterization: parameterization(info.pulumi.parameterization),
        extension: parameterization(info.pulumi.extensionParameterization),
    };
}

/** workspace.DetectPolicyPackPathAt (sdk/go/common/workspace/paths.go), over encoding.Exts. */
function isPolicyPack(dir) {
    return [".json", ".yml", ".yaml"].some((ext) => {
        try { return !fs.statSync(path.join(dir, `PulumiPolicy${ext}`)).isDirectory(); } catch { return false; }
    });
}

/** Go's encoding/json refuses a package.json whose `pulumi` fields have the wrong types; so does this. */
function checkPulumiSection(p) {
    if (p === undefined || p === null) return;
    if (typeof p !== "object" || Array.isArray(p)) throw new Error("cannot unmarshal pulumi section: not an object");
    for (const [k, type] of [["resource", "boolean"], ["name", "string"], ["version", "string"], ["server", "string"]]) {
        if (k in p && p[k] !== null && typeof p[k] !== type) throw new Error(`cannot unmarshal pulumi.${k}: not a ${type}`);
    }
}

/**
 * main.go getPackagesFromDir: every package.json inside a node_modules tree below the program directory, deeply,
 * following symlinks once (visited real paths), never descending into a policy pack; each `@pulumi/pulumi` version
 * is noted for the compatibility warning. Errors are collected, and the packages found are kept regardless.
 */
function getPackagesFromDir(dir, sdkVersions = new Map(), inNodeModules = false, visited = new Set(), errors = []) {
    dir = path.resolve(dir);
    if (visited.has(dir)) return { packages: [], errors };
    visited.add(dir);
    let entries;
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
        errors.push(`reading plugin dir ${dir}: ${e.message}`);
        return { packages: [], errors };
    }
    const packages = [];
    for (const entry of entries) {
        let curr = path.join(dir, entry.name);
        let isDir = entry.isDirectory();
        if (entry.isSymbolicLink()) {
            try {
                curr = fs.realpathSync(curr);
                isDir = fs.statSync(curr).isDirectory();
            } catch (e) {
                errors.push(`resolving link in plugin dir ${curr}: ${e.message}`);
                continue;
            }
        }
        if (isDir) {
            // The plugins of a nested policy pack are not the program's dependencies.
            if (isPolicyPack(curr)) continue;
            packages.push(...getPackagesFromDir(curr, sdkVersions, inNodeModules || path.basename(dir) === "node_modules", visited, errors).packages);
        } else if (inNodeModules && entry.name === "package.json") {
            let info;
            try {
                info = JSON.parse(fs.readFileSync(curr, "utf8"));
                checkPulumiSection(info.pulumi);
            } catch (e) {
                errors.push(`unmarshaling package.json ${curr}: ${e.message}`);
                continue;
            }
            if (info.name === "@pulumi/pulumi") {
                const version = parseSemver(info.version);
                if (!version) {
                    errors.push(`Could not understand version ${info.version} in '${curr}'`);
                    continue;
                }
                sdkVersions.set(curr, version);
            }
            try {
                const pkg = getPackageInfo(info);
                if (pkg) packages.push(pkg);
            } catch (e) {
                errors.push(`unmarshaling package.json ${curr}: ${e.message}`);
            }
        }
    }
    return { packages, errors };
}

function parseSemver(v) {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(String(v || ""));
    return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: v } : undefined;
}

/** main.go compatibleVersions: which two @pulumi/pulumi versions may live in one program. */
function compatibleVersions(a, b) {
    if (a.major === 0 && b.major === 0) {
        return a.minor === b.minor ? [true, ""] : [false, "Differing major or minor versions are not supported."];
    }
    if (a.major >= 1 && a.major <= 2 && b.major >= 1 && b.major <= 2) return [true, ""];
    if (a.major > 2 || b.major > 2) return a.major === b.major ? [true, ""] : [false, "Differing major versions are not supported."];
    if ((a.major === 1 && b.major === 0 && b.minor === 17) || (b.major === 1 && a.major === 0 && a.minor === 17)) return [true, ""];
    return [false, "Differing major or minor versions are not supported."];
}

/** main.go GetRequiredPackages: the warning printed to stderr when two copies of the SDK disagree. */
function sdkVersionWarning(sdkVersions) {
    const [first, ...rest] = [...sdkVersions.entries()];
    for (const [where, version] of rest) {
        const [ok, message] = compatibleVersions(version, first[1]);
        if (!ok) {
            return `Found incompatible versions of @pulumi/pulumi. ${message}\n` +
                `  Version ${first[1].text} referenced at ${first[0]}\n  Version ${version.text} referenced at ${where}\n`;
        }
    }
    return undefined;
}

module.exports = {
    BAIL_EXIT_CODE, DEFAULT_RUN_PATH, RUN_PLUGIN_PATH, RUN_POLICY_PACK_PATH,
    parseOptions, typescriptEnv, shlexSplit, parseConfigKey, constructConfig, constructConfigSecretKeys,
    constructArguments, pluginArguments, locateModule, getPluginName, getPluginVersion, getPackageInfo,
    getPackagesFromDir, compatibleVersions, sdkVersionWarning,
};
