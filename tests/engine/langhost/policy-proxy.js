"use strict";
// The Analyzer proxy the real host puts in front of a Node.js policy pack (pulumi/pulumi sdk/policy_proxy.go,
// used by main.go RunPlugin): @pulumi/pulumi's run-policy-pack reads the organization, project, stack and config
// from environment variables, but the engine sends them later through Analyzer.ConfigureStack. So the proxy
// serves first, waits for that call (or any other, meaning "no configuration"), and only then is the pack
// started with the environment built from it; every call is then forwarded to the pack.

/** A promise with its resolve/reject, like Go's promise.CompletionSource (first settle wins). */
function completion() {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => undefined);
    return { promise, resolve, reject };
}

/**
 * policy_proxy.go NewPolicyProxy: serves the Analyzer service on a free port and returns it with
 * `configuration` (AwaitConfiguration) and `attach(child, stdout)` (Attach).
 */
function startPolicyProxy({ grpc, analyzerRpc, analyzerPb }, onReady) {
    const configuration = completion();
    const client = completion();

    // policy_proxy.go awaitClient: a call before ConfigureStack (e.g. `policy publish`) means no configuration.
    const awaitClient = () => { configuration.resolve(null); return client.promise; };
    const forward = (method) => (call, callback) => awaitClient().then(
        (c) => c[method](call.request, callback),
        (err) => callback({ code: grpc.status.UNKNOWN, details: `policy pack not started: ${err.message}` }));

    const service = {};
    for (const method of Object.keys(analyzerRpc.AnalyzerService)) service[method] = forward(method);
    service.handshake = (_call, callback) => callback(null, new analyzerPb.AnalyzerHandshakeResponse());
    service.configureStack = (call, callback) => {
        configuration.resolve(call.request);
        callback(null, new analyzerPb.AnalyzerStackConfigureResponse());
    };

    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(analyzerRpc.AnalyzerService, service);
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => onReady(err, port));

    /**
     * policy_proxy.go Attach: read the pack's port from the first line of its stdout, pass the rest on, connect,
     * replay ConfigureStack (Unimplemented is fine: older packs lack it), then let the waiting calls through.
     */
    const attach = (child, writeStdout) => {
        let buffered = "";
        let attached = false;
        child.stdout.on("data", (data) => {
            if (attached) return writeStdout(data);
            buffered += data.toString();
            const newline = buffered.indexOf("\n");
            if (newline < 0) return;
            attached = true;
            const port = parseInt(buffered.slice(0, newline), 10);
            if (buffered.length > newline + 1) writeStdout(Buffer.from(buffered.slice(newline + 1)));
            if (!Number.isInteger(port)) return client.reject(new Error(`could not read policy pack port: ${buffered.slice(0, newline)}`));
            const analyzer = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            configuration.promise.then((config) => {
                if (!config) return client.resolve(analyzer);
                analyzer.configureStack(config, (err) => {
                    if (err && err.code !== grpc.status.UNIMPLEMENTED) client.reject(new Error(`policy pack configuration failed: ${err.message}`));
                    else client.resolve(analyzer);
                });
            });
        });
        child.on("exit", () => client.reject(new Error("could not read policy pack port: EOF")));
    };

    return { configuration: configuration.promise, attach, shutdown: () => server.forceShutdown() };
}

/** main.go RunPlugin: the environment a policy pack gets from the stack configuration, empty values left out. */
function policyPackEnv(config) {
    if (!config) return [];
    const env = [];
    const maybe = (key, value) => { if (value) env.push(`${key}=${value}`); };
    maybe("PULUMI_NODEJS_ORGANIZATION", config.getOrganization());
    maybe("PULUMI_NODEJS_PROJECT", config.getProject());
    maybe("PULUMI_NODEJS_STACK", config.getStack());
    maybe("PULUMI_NODEJS_DRY_RUN", String(config.getDryRun()));
    const map = config.getConfigMap();
    // Go's protobuf leaves an empty map nil, and RunPlugin sets PULUMI_CONFIG only for a non-nil one.
    if (map && map.getLength() > 0) maybe("PULUMI_CONFIG", JSON.stringify(Object.fromEntries(map.entries())));
    return env;
}

module.exports = { startPolicyProxy, policyPackEnv };
