"use strict";
// A stand-in for Pulumi's Node.js language host (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go),
// which cannot be built here. It serves the LanguageRuntime gRPC service with the stubs that ship in
// @pulumi/pulumi and follows main.go's rules (rules.js); README.md says what it leaves out.
const fs = require("node:fs");
const path = require("node:path");
const { spawn, execFileSync } = require("node:child_process");
const rules = require("./rules");
const { lookPath, envObject } = require("./exec");
const { runPlugin } = require("./run-plugin");

// The program's own @pulumi/pulumi (the engine starts the host in the project directory), else this repository's.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd(), __dirname] }));
const fromSdk = (mod) => require(require.resolve(mod, { paths: [sdkDir] }));
const grpc = fromSdk("@grpc/grpc-js");
const languageRpc = fromSdk("./proto/language_grpc_pb");
const languagePb = fromSdk("./proto/language_pb");
const pluginPb = fromSdk("./proto/plugin_pb");
const analyzerRpc = fromSdk("./proto/analyzer_grpc_pb");
const analyzerPb = fromSdk("./proto/analyzer_pb");
const emptyPb = fromSdk("google-protobuf/google/protobuf/empty_pb");
/** main.go GetPluginInfo answers with its own version; the stand-in's is the SDK's it serves with. */
const VERSION = fromSdk("./package.json").version;

/** main.go main: Go flags `-tracing`, `-runtime` (nodejs or bun) and `-version`, then the engine address. */
function parseFlags(argv) {
    const flags = { tracing: "", runtime: "nodejs", version: false, args: [] };
    for (let i = 0; i < argv.length; i++) {
        const m = /^--?(tracing|runtime|version)(?:=(.*))?$/.exec(argv[i]);
        if (!m) { flags.args.push(...argv.slice(i)); break; }
        if (m[1] === "version") flags.version = m[2] === undefined || m[2] === "true";
        else flags[m[1]] = m[2] ?? argv[++i] ?? "";
    }
    return flags;
}

const flags = parseFlags(process.argv.slice(2));
// main.go prints version.Version, which release builds stamp with the tag (`v3.x.y`, as build.sh stamps the CLI).
if (flags.version) {
    process.stdout.write(`v${VERSION}\n`);
    process.exit(0);
}
if (flags.runtime !== "nodejs" && flags.runtime !== "bun") {
    process.stderr.write(`error: unsupported runtime: ${flags.runtime}\n`);
    process.exit(1);
}
let engineAddress = flags.args[0] || "";
const runtimeExec = flags.runtime === "nodejs" ? "node" : "bun";
/** Children started by Run and RunPlugin, interrupted by Cancel (main.go Cancel cancels their context). */
const children = new Set();

const programInfo = (req) => {
    const info = req.getInfo();
    return {
        rootDirectory: info ? info.getRootDirectory() : "",
        programDirectory: info ? info.getProgramDirectory() : req.getPwd(),
        entryPoint: (info && info.getEntryPoint()) || ".",
        options: info && info.getOptions() ? info.getOptions().toJavaScript() : {},
    };
};

/** rpcutil.Healthcheck (called from main.go main and Handshake): every 5 minutes; stop once the engine is gone. */
function healthcheck(address) {
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    const timer = setInterval(() => client.makeUnaryRequest("/grpc.health.v1.Health/Check", () => Buffer.alloc(0), (b) => b, {}, (err) => {
        if (err && err.code !== grpc.status.UNIMPLEMENTED) stop();
    }), 5 * 60 * 1000);
    timer.unref();
}

const service = {
    /** main.go Handshake: the engine calls it only when it attaches to a running host (PULUMI_DEBUG_LANGUAGES). */
    handshake(call, callback) {
        engineAddress = call.request.getEngineAddress();
        healthcheck(engineAddress);
        callback(null, new languagePb.LanguageHandshakeResponse());
    },

    /** main.go GetPluginInfo. */
    getPluginInfo(_call, callback) {
        callback(null, new pluginPb.PluginInfo().setVersion(VERSION));
    },

    /** main.go GetRequiredPlugins: Unimplemented; the engine asks GetRequiredPackages. */
    getRequiredPlugins(_call, callback) {
        callback({ code: grpc.status.UNIMPLEMENTED, details: "method GetRequiredPlugins not implemented" });
    },

    /**
     * main.go GetRequiredPackages: every node_modules package.json below the program directory with
     * `"pulumi": { "resource": true }` names a resource plugin and its version (getPackagesFromDir); errors are
     * only logged, and incompatible copies of @pulumi/pulumi get a warning on stderr.
     */
    getRequiredPackages(call, callback) {
        const sdkVersions = new Map();
        const { packages } = rules.getPackagesFromDir(programInfo(call.request).programDirectory, sdkVersions);
        const warning = rules.sdkVersionWarning(sdkVersions);
        if (warning) process.stderr.write(warning);
        const parameterization = (p) => p && new pluginPb.PackageParameterization().setName(p.name).setVersion(p.version).setValue(p.value);
        callback(null, new languagePb.GetRequiredPackagesResponse().setPackagesList(packages.map((p) => {
            const dep = new pluginPb.PackageDependency().setName(p.name).setKind(p.kind).setVersion(p.version).setServer(p.server);
            if (p.parameterization) dep.setParameterization(parameterization(p.parameterization));
            if (p.extension) dep.setExtension(parameterization(p.extension));
            return dep;
        })));
    },

    /**
     * main.go Run/execRuntime: `node [nodeargs] <@pulumi/pulumi/cmd/run> <constructArguments>` in the host's own
     * working directory, with PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS and the TypeScript variables added to the
     * host's environment; exit 32 is a bail, any other non-zero exit an error naming the code.
     */
    run(call, callback) {
        const req = call.request;
        const info = programInfo(req);
        const fail = (message) => callback(null, new languagePb.RunResponse().setError(message));
        let runtimeBin, runPath, opts, nodeArgs, env;
        try {
            runtimeBin = lookPath(runtimeExec);
        } catch (e) {
            return fail(`could not find ${runtimeExec} on the $PATH: ${e.message}`);
        }
        try {
            runPath = rules.locateModule(process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || rules.DEFAULT_RUN_PATH, info.programDirectory, false);
            opts = rules.parseOptions(info.options, flags.runtime);
            nodeArgs = rules.shlexSplit(opts.nodeargs);
            env = {
                ...process.env,
                PULUMI_CONFIG: rules.constructConfig(req.getConfigMap().entries()),
                PULUMI_CONFIG_SECRET_KEYS: rules.constructConfigSecretKeys(req.getConfigsecretkeysList()),
                ...envObject(rules.typescriptEnv(opts)),
            };
        } catch (e) {
            return fail(e.message);
        }
        const args = rules.constructArguments({
            organization: req.getOrganization(), project: req.getProject(), rootDirectory: info.rootDirectory,
            stack: req.getStack(), programDirectory: info.programDirectory, dryRun: req.getDryrun(),
            parallel: req.getParallel(), entryPoint: info.entryPoint, args: req.getArgsList(),
        }, runPath, req.getMonitorAddress(), engineAddress);
        const runtimeArgs = [...(flags.runtime === "bun" ? ["run"] : []), ...nodeArgs, ...args];
        const child = spawn(runtimeBin, runtimeArgs, { env, stdio: ["ignore", "inherit", "inherit"] });
        children.add(child);
        call.on("cancelled", () => child.kill("SIGINT"));
        child.on("error", (e) => { children.delete(child); fail(`Problem executing program (could not run language executor): ${e.message}`); });
        child.on("exit", (code) => {
            children.delete(child);
            if (code === 0) return callback(null, new languagePb.RunResponse());
            if (code === rules.BAIL_EXIT_CODE) return callback(null, new languagePb.RunResponse().setBail(true));
            // Go's ExitCode() is -1 for a process killed by a signal.
            fail(`Program exited with non-zero exit code: ${code === null ? -1 : code}`);
        });
    },

    /**
     * main.go InstallDependencies runs the project's package manager. The stand-in never installs anything: it
     * reports where the SDK was found, or fails saying that dependencies must be installed first.
     */
    installDependencies(call) {
        const info = programInfo(call.request);
        const write = (text) => call.write(new languagePb.InstallDependenciesResponse().setStdout(Buffer.from(text)));
        let sdk;
        try {
            sdk = require.resolve("@pulumi/pulumi/package.json", { paths: [info.programDirectory] });
        } catch {
            const message = `this language host does not install dependencies, and @pulumi/pulumi is not installed for ${info.programDirectory}: run \`npm ci\` there`;
            return call.emit("error", Object.assign(new Error(message), { code: grpc.status.FAILED_PRECONDITION }));
        }
        write(`This language host does not install dependencies; @pulumi/pulumi is installed at ${path.dirname(sdk)}\n`);
        call.end();
    },

    /** main.go About: the runtime executable and version, the package manager and TypeScript the program would load. */
    about(call, callback) {
        const info = programInfo(call.request);
        const quiet = (file, args, cwd) => { try { return execFileSync(file, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch { return ""; } };
        try {
            const opts = rules.parseOptions(info.options, flags.runtime);
            const executable = lookPath(runtimeExec);
            const pm = packageManager(opts.packagemanager, info.programDirectory);
            const resp = new languagePb.AboutResponse().setExecutable(executable).setVersion(quiet(runtimeExec, ["--version"]));
            const metadata = resp.getMetadataMap();
            metadata.set("packagemanager", pm);
            metadata.set("packagemanagerVersion", quiet(pm, ["--version"]));
            const ts = quiet(runtimeExec, ["-e", "console.log(require('typescript/package.json').version)"], info.programDirectory);
            if (ts) metadata.set("typescriptVersion", ts);
            callback(null, resp);
        } catch (e) {
            callback({ code: grpc.status.UNKNOWN, details: e.message });
        }
    },

    /**
     * main.go GetProgramDependencies asks the package manager (`npm ls`); the stand-in reads the installed
     * package.json files instead: the program's declared dependencies, or everything in node_modules.
     */
    getProgramDependencies(call, callback) {
        const dir = programInfo(call.request).programDirectory;
        const readJson = (file) => { try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch { return undefined; } };
        const modules = path.join(dir, "node_modules");
        let names;
        if (call.request.getTransitivedependencies()) {
            const list = (d) => { try { return fs.readdirSync(d); } catch { return []; } };
            names = list(modules).filter((n) => !n.startsWith(".")).flatMap((n) => (n.startsWith("@") ? list(path.join(modules, n)).map((s) => `${n}/${s}`) : [n]));
        } else {
            const pkg = readJson(path.join(dir, "package.json")) || {};
            names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
        }
        const deps = names.sort().flatMap((name) => {
            const installed = readJson(path.join(modules, name, "package.json"));
            return installed ? [new languagePb.DependencyInfo().setName(name).setVersion(installed.version || "")] : [];
        });
        callback(null, new languagePb.GetProgramDependenciesResponse().setDependenciesList(deps));
    },

    /** main.go RunPlugin (run-plugin.js). */
    runPlugin(call) {
        runPlugin(call, { grpc, languagePb, analyzerRpc, analyzerPb, runtime: flags.runtime, children, info: programInfo(call.request) });
    },

    /** main.go Cancel: interrupt whatever Run and RunPlugin started. */
    cancel(_call, callback) {
        for (const child of children) child.kill("SIGINT");
        callback(null, new emptyPb.Empty());
    },
};

/** npm.ResolvePackageManager with `auto`: the lockfile in the program directory decides, npm otherwise. */
function packageManager(option, dir) {
    if (option !== "auto") return option;
    const has = (file) => fs.existsSync(path.join(dir, file));
    if (has("bun.lock") || has("bun.lockb")) return "bun";
    if (has("pnpm-lock.yaml")) return "pnpm";
    if (has("yarn.lock")) return "yarn";
    return "npm";
}

const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(languageRpc.LanguageRuntimeService, service);

function stop() {
    for (const child of children) child.kill("SIGINT");
    server.forceShutdown();
    process.exit(0);
}

if (engineAddress) healthcheck(engineAddress);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
        process.stderr.write(`error: could not start language host RPC server: ${err.message}\n`);
        process.exit(1);
    }
    // main.go main: the engine reads the port from the first line of stdout.
    process.stdout.write(`${port}\n`);
});
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
