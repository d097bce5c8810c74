#!/usr/bin/env node
/**
 * tls-platform-verify: checks what the TLS endpoints of a stack actually serve, after `pulumi up` and
 * on a schedule. `main` is the whole program with its world (`CliIo`) passed in, so tests run it
 * in-process with a fake Pulumi CLI, a Secrets Manager emulator's credentials and a captured stdout.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type CliOptions, parseCliArgs, USAGE } from "./args";
import { expiryConfigFromPackConfig } from "../expiry/config";
import { walkClusters, withClusterChecks } from "./cluster";
import { InputError, targetsFromJson } from "./documents";
import { targetFromEndpoint } from "./endpoints";
import { formatJson } from "./format/json";
import { formatPrometheus } from "./format/prometheus";
import { formatTable } from "./format/table";
import { listTls12Suites } from "./ciphers";
import { observe } from "./probes";
import { buildReport, evaluate, type RuleOptions } from "./rules";
import { defaultSecretsManagerClient, type SecretsContext, type SecretsManagerClientFactory, targetsFromSecretArns, targetsFromSecretPrefix } from "./secrets";
import { type CommandRunner, targetsFromStack } from "./stack";
import type { Report, Target } from "./types";

export interface CliIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readStdin(): Promise<string>;
    readFile(file: string): Promise<string>;
    /** Replaces `file` in one step (temp file + rename), so a collector never reads half a file. */
    writeFileAtomic(file: string, text: string): Promise<void>;
    readonly run: CommandRunner;
    /** Makes the AWS SDK's Secrets Manager client (credentials from the SDK's default chain). */
    readonly secretsManagerClient: SecretsManagerClientFactory;
    readonly env: Readonly<Record<string, string | undefined>>;
    now(): Date;
}

/** `execFile` without a shell; a command that cannot be started rejects (ENOENT), one that fails resolves with its code. */
export const runCommand: CommandRunner = (file, args) =>
    new Promise((resolve, reject) => {
        execFile(file, [...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
            const code = (error as NodeJS.ErrnoException | null)?.code;
            if (typeof code === "string") return reject(error);
            resolve({ code: error ? (typeof code === "number" ? code : null) : 0, stdout, stderr });
        });
    });

export function defaultIo(): CliIo {
    return {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        readStdin: async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString("utf8");
        },
        readFile: (file) => fs.promises.readFile(file, "utf8"),
        writeFileAtomic: async (file, text) => {
            const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
            await fs.promises.writeFile(temp, text, { mode: 0o644 });
            await fs.promises.rename(temp, file);
        },
        run: runCommand,
        secretsManagerClient: defaultSecretsManagerClient,
        env: process.env,
        now: () => new Date(),
    };
}

async function readInput(io: CliIo, file: string, flag: string): Promise<string> {
    try {
        return file === "-" ? await io.readStdin() : await io.readFile(file);
    } catch (e) {
        throw new InputError([`${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`]);
    }
}

async function endpointTargets(o: CliOptions, io: CliIo): Promise<Target[]> {
    if (o.endpoints.length === 0) return [];
    const caPem = o.caFile ? await readInput(io, o.caFile, "--ca") : undefined;
    const clientCertificate = o.clientCertFile && o.clientKeyFile
        ? { certPem: await readInput(io, o.clientCertFile, "--client-cert"), privateKeyPem: await readInput(io, o.clientKeyFile, "--client-key") }
        : undefined;
    let password: string | undefined;
    if (o.passwordEnv) {
        password = io.env[o.passwordEnv];
        if (password === undefined) throw new InputError([`--password-env ${o.passwordEnv}: the variable is not set.`]);
    }
    return o.endpoints.map((url) => targetFromEndpoint(url, { caPem, serverName: o.serverName, clientCertificate, expectMutualTls: o.expectMutualTls, password }));
}

/** Every source's targets; all sources are read before any problem is reported, and all problems together. */
async function loadTargets(o: CliOptions, io: CliIo): Promise<Target[]> {
    const secrets: SecretsContext = { client: io.secretsManagerClient, env: io.env, endpointFlag: o.secretsManagerEndpoint };
    const loads: Array<Promise<Target[]>> = [
        ...o.stacks.map((stack) => targetsFromStack(stack, io.run, secrets)),
        ...o.files.map(async (file) => targetsFromJson(await readInput(io, file, file === "-" ? "stdin" : "--file"), file === "-" ? "stdin" : file)),
        ...(o.secretArns.length > 0 ? [targetsFromSecretArns(o.secretArns.map((arn) => ({ arn })), "--secret-arn", secrets)] : []),
        ...o.secretPrefixes.map((prefix) => targetsFromSecretPrefix(prefix, secrets)),
        endpointTargets(o, io),
    ];
    const results = await Promise.allSettled(loads);
    const problems = results.flatMap((r) => (r.status === "rejected" ? (r.reason instanceof InputError ? r.reason.problems : [String(r.reason)]) : []));
    if (problems.length > 0) throw new InputError(problems);
    const targets = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
    const seen = new Map<string, number>();
    return targets.map((t) => {
        const n = (seen.get(t.name) ?? 0) + 1;
        seen.set(t.name, n);
        return n === 1 ? t : { ...t, name: `${t.name} #${n}` };
    });
}

/** The targets' passwords and keys: whatever is printed goes through `redact` as a last line of defence. */
export function secretsOf(targets: readonly Target[]): string[] {
    const secrets = new Set<string>();
    for (const t of targets) {
        if (t.password) {
            secrets.add(t.password);
            secrets.add(encodeURIComponent(t.password));
        }
        const key = t.clientCertificate?.privateKeyPem;
        if (key) {
            secrets.add(key.trim());
            key.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----")).forEach((line) => secrets.add(line.trim()));
        }
    }
    // Very short values would blank out ordinary words; the components generate 32-character passwords.
    return [...secrets].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
    return secrets.reduce((out, s) => out.split(s).join("[redacted]"), text);
}

/** The `certificate-expiry` entry of --policy-pack-config (tools/expiry/config.ts, as tls-platform-expiry reads it). */
async function expiryConfig(o: CliOptions, io: CliIo): Promise<RuleOptions["chainExpiry"]> {
    const text = o.policyPackConfigFile === undefined ? undefined : await readInput(io, o.policyPackConfigFile, "--policy-pack-config");
    const config = expiryConfigFromPackConfig(text);
    if (config.problems.length > 0) throw new InputError(config.problems.map((p) => `--policy-pack-config ${o.policyPackConfigFile}: ${p}`));
    return { thresholds: config.thresholds, enforcement: config.enforcementLevel };
}

function render(report: Report, format: CliOptions["format"]): string {
    switch (format) {
        case "json":
            return formatJson(report);
        case "prometheus":
            return formatPrometheus(report);
        case "table":
            return formatTable(report);
    }
}

/** Runs the verifier; resolves with the exit status (0 all good, 1 warnings only, 2 any failure or bad input). */
export async function main(argv: readonly string[], partialIo: Partial<CliIo> = {}): Promise<number> {
    const io: CliIo = { ...defaultIo(), ...partialIo };
    let secrets: string[] = [];
    const fail = (e: unknown): number => {
        const problems = e instanceof InputError ? e.problems : [`unexpected error: ${(e as Error).message ?? String(e)}`];
        io.stderr(redact(problems.map((p) => `tls-platform-verify: ${p}\n`).join(""), secrets));
        return 2;
    };
    try {
        const options = parseCliArgs(argv);
        if (options.help) {
            io.stdout(USAGE);
            return 0;
        }
        // Bad documents and a bad policy pack config are reported together.
        const [loaded, expiryLoaded] = await Promise.allSettled([loadTargets(options, io), expiryConfig(options, io)]);
        const problems = [loaded, expiryLoaded].flatMap((r) => (r.status === "rejected" ? (r.reason instanceof InputError ? r.reason.problems : [String(r.reason)]) : []));
        if (problems.length > 0) throw new InputError(problems);
        const expiry = (expiryLoaded as PromiseFulfilledResult<RuleOptions["chainExpiry"]>).value;
        secrets = secretsOf((loaded as PromiseFulfilledResult<Target[]>).value);
        // A cluster document's target is followed by one per node the cluster announces (cluster.ts).
        const walk = await walkClusters((loaded as PromiseFulfilledResult<Target[]>).value, options.timeoutMs);
        const targets = walk.targets;
        const tls12Suites = await listTls12Suites().catch((e: Error) => e);
        const observations = await Promise.all(targets.map((t) => observe(t, { timeoutMs: options.timeoutMs, tls12Suites, cipherConcurrency: options.cipherConcurrency })));
        const now = io.now();
        const rules = { now, warnDays: options.warnDays, failDays: options.failDays, chainExpiry: expiry };
        const report = buildReport(withClusterChecks(targets.map((t, i) => evaluate(t, observations[i]!, rules)), targets, walk.checks), now);
        const text = redact(render(report, options.format), secrets);
        if (options.outputFile) await io.writeFileAtomic(options.outputFile, text);
        else io.stdout(text);
        return report.exitCode;
    } catch (e) {
        return fail(e);
    }
}

if (typeof require !== "undefined" && require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
        // Every probe destroys its sockets; this only guards against a handle nobody owns.
        setTimeout(() => process.exit(code), 1000).unref();
    });
}
