"use strict";
// main.go RunPlugin: how the stand-in language host starts a component package or a policy pack.
const { spawn } = require("node:child_process");
const rules = require("./rules");
const { lookPath, envObject } = require("./exec");
const { startPolicyProxy, policyPackEnv } = require("./policy-proxy");

/**
 * main.go RunPlugin: a component package runs `@pulumi/pulumi/cmd/run-plugin <dir> <args>` in the engine's
 * working directory; a policy pack (kind "analyzer") runs `run-policy-pack <args> <dir>` in its own directory
 * behind the policy proxy. The environment is the one the engine sends plus the TypeScript variables. Output is
 * streamed; a non-zero exit is returned as an error naming the code, a clean exit ends the stream.
 */
function runPlugin(call, { grpc, languagePb, analyzerRpc, analyzerPb, runtime, children, info }) {
    const req = call.request;
    const isPolicy = req.getKind() === "analyzer";
    const send = (field, data) => { try { call.write(new languagePb.RunPluginResponse()[field](data)); } catch { /* stream closed */ } };
    const fail = (message) => call.emit("error", Object.assign(new Error(message), { code: grpc.status.UNKNOWN }));
    let runtimeBin, runPath, opts, nodeArgs;
    try {
        runtimeBin = lookPath(runtime === "bun" ? "bun" : "node");
        opts = rules.parseOptions(info.options, runtime);
        const mod = isPolicy ? rules.RUN_POLICY_PACK_PATH : (process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || rules.RUN_PLUGIN_PATH);
        runPath = rules.locateModule(mod, info.programDirectory, true);
        nodeArgs = rules.shlexSplit(opts.nodeargs);
    } catch (e) {
        return fail(e.message);
    }
    const envList = [...req.getEnvList(), ...rules.typescriptEnv(opts)];
    const args = [...(runtime === "bun" ? ["run"] : []), ...rules.pluginArguments(req.getKind(), runPath, nodeArgs, info.programDirectory, req.getArgsList())];
    const launch = (extraEnv) => {
        // Go's exec uses the parent's environment only when the list is empty.
        const list = [...envList, ...extraEnv];
        const child = spawn(runtimeBin, args, {
            cwd: isPolicy ? info.programDirectory : req.getPwd(),
            env: list.length ? envObject(list) : process.env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        children.add(child);
        call.on("cancelled", () => child.kill("SIGINT"));
        child.stderr.on("data", (d) => send("setStderr", d));
        child.on("error", (e) => fail(`Problem executing plugin program (could not run language executor): ${e.message}`));
        child.on("exit", (code, signal) => {
            children.delete(child);
            if (code === 0) return call.end();
            fail(signal ? `Program exited unexpectedly: signal: ${signal}` : `Program exited with non-zero exit code: ${code}`);
        });
        return child;
    };
    if (!isPolicy) {
        launch([]).stdout.on("data", (d) => send("setStdout", d));
        return;
    }
    const proxy = startPolicyProxy({ grpc, analyzerRpc, analyzerPb }, (err, port) => {
        if (err) return fail(`could not start policy pack proxy: ${err.message}`);
        // policy_proxy.go AwaitConfiguration: the engine reads the proxy's port as the plugin's.
        send("setStdout", Buffer.from(`${port}\n`));
    });
    call.on("finish", proxy.shutdown);
    call.on("cancelled", proxy.shutdown);
    call.on("error", proxy.shutdown);
    proxy.configuration.then((config) => proxy.attach(launch(policyPackEnv(config)), (d) => send("setStdout", d)));
}

module.exports = { runPlugin };
