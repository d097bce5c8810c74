/**
 * moto's server (PyPI `moto[server]`, pinned in .ci/moto/requirements.txt, installed by
 * .ci/moto/install): a real HTTP implementation of the AWS APIs, here for Secrets Manager. Each test
 * file starts its own on 127.0.0.1 at a port the kernel picks, and stops it afterwards, failed tests
 * included. Suites declare it as the need `moto` of `describeWithServers` (tests/harness/requirements.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { SecretsManagerClient, type SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import type { SecretsManagerClientFactory } from "../../tools/verify/secrets";
import { findMotoServer } from "../harness/requirements";

/** moto accepts any credentials until IAM is switched on (`INITIAL_NO_AUTH_ACTION_COUNT`). */
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
/** moto's account; its ARNs name it. */
export const MOTO_ACCOUNT = "123456789012";

export interface MotoServer {
    /** `http://127.0.0.1:<port>` */
    readonly endpoint: string;
    /** A client of this server in `region`, with moto's test credentials. */
    client(region: string, credentials?: SecretsManagerClientConfig["credentials"]): SecretsManagerClient;
    /** What the verifier's `CliIo.secretsManagerClient` makes, with moto's test credentials added. */
    readonly clientFactory: SecretsManagerClientFactory;
    /** Everything the server printed (request log included), for a failing test's message. */
    output(): string;
    stop(): Promise<void>;
}

/** Starts moto_server on 127.0.0.1 at an ephemeral port; resolves once it listens. */
export async function startMotoServer(options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<MotoServer> {
    const bin = findMotoServer();
    if (!bin) throw new Error("moto_server not found: run .ci/moto/install, or set MOTO_SERVER");
    // -p 0: werkzeug binds a port the kernel picks and prints it ("Running on http://127.0.0.1:PORT").
    const child: ChildProcess = spawn(bin, ["-H", "127.0.0.1", "-p", "0"], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...options.env },
    });
    // If this process dies without afterAll, the server must not outlive it.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    let output = "";
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`moto_server did not start within ${options.timeoutMs ?? 30_000} ms:\n${output}`)), options.timeoutMs ?? 30_000);
        // Read for the server's whole life: its request log must never fill the pipe and stall it.
        let listening = false;
        const onData = (chunk: Buffer) => {
            output += chunk.toString("utf8");
            const m = listening ? null : /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
            if (m) {
                listening = true;
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        };
        child.stdout!.on("data", onData);
        child.stderr!.on("data", onData);
        child.once("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.once("exit", (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`moto_server exited (${signal ?? code}) before listening:\n${output}`));
        });
    }).catch(async (e) => {
        child.kill("SIGKILL");
        await exited;
        process.removeListener("exit", killOnExit);
        throw e;
    });
    const endpoint = `http://127.0.0.1:${port}`;
    let stopping: Promise<void> | undefined;
    return {
        endpoint,
        client: (region, credentials = MOTO_CREDENTIALS) => new SecretsManagerClient({ region, endpoint, credentials }),
        clientFactory: async (config) => new SecretsManagerClient({ ...config, credentials: MOTO_CREDENTIALS }),
        output: () => output,
        stop: () => (stopping ??= (async () => {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGTERM");
                const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
                await exited;
                clearTimeout(timer);
            }
            process.removeListener("exit", killOnExit);
        })()),
    };
}
