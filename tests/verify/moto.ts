/**
 * moto's server (PyPI `moto[server]`, pinned in .ci/moto/requirements.txt, installed by
 * .ci/moto/install): a real HTTP implementation of the AWS APIs, here for Secrets Manager. Each test
 * file starts its own on 127.0.0.1 at a port the kernel picks, and stops it afterwards, failed tests
 * included. Where it cannot run, a suite fails under CI=true (a suite that cannot run proves nothing,
 * and a skipped one looks green) and is skipped elsewhere, loudly, with what to install.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SecretsManagerClient, type SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import { describe, it } from "vitest";
import type { SecretsManagerClientFactory } from "../../tools/verify/secrets";

const ROOT = path.resolve(__dirname, "../..");
const VENV_SERVER = path.join(ROOT, ".ci/moto/venv/bin/moto_server");

/** moto accepts any credentials until IAM is switched on (`INITIAL_NO_AUTH_ACTION_COUNT`). */
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
/** moto's account; its ARNs name it. */
export const MOTO_ACCOUNT = "123456789012";

/** `moto_server`: $MOTO_SERVER, else .ci/moto/install's venv, else PATH. */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.MOTO_SERVER) return env.MOTO_SERVER;
    if (fs.existsSync(VENV_SERVER)) return VENV_SERVER;
    for (const dir of (env.PATH ?? "").split(path.delimiter).filter((d) => d !== "")) {
        const candidate = path.join(dir, "moto_server");
        if (fs.existsSync(candidate)) return candidate;
    }
    return undefined;
}

export function motoMissing(): string[] {
    const found = findMotoServer();
    if (!found) return ["moto_server (moto[server] 5.2.5): run .ci/moto/install, or set MOTO_SERVER to a moto_server"];
    try {
        fs.accessSync(found, fs.constants.X_OK);
        return [];
    } catch {
        return [`${process.env.MOTO_SERVER ? "MOTO_SERVER=" : ""}${found} is not an executable file: run .ci/moto/install, or point MOTO_SERVER at a moto_server`];
    }
}

/**
 * `describe` for a suite that needs moto (and `otherMissing`, what else it lacks): it runs when all is
 * there; under CI=true it is one failing test naming what is missing; elsewhere it is skipped with a warning.
 */
export function describeWithMoto(title: string, otherMissing: readonly string[], body: () => void): void {
    const missing = [...motoMissing(), ...otherMissing];
    if (missing.length === 0) {
        describe(title, body);
    } else if (process.env.CI === "true") {
        describe(title, () => {
            it("cannot run on this machine, which under CI=true is a failure, not a skip", () => {
                throw new Error(`missing:\n  - ${missing.join("\n  - ")}`);
            });
        });
    } else {
        console.warn(`\n*** SKIPPED (outside CI only): "${title}": missing:\n  - ${missing.join("\n  - ")}\n***\n`);
        describe.skip(title, body);
    }
}

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
    if (!bin) throw new Error(motoMissing().join("; "));
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
