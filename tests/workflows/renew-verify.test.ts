/**
 * renew.yml's "Verify the live services" step, run for real for the prod stack: its `run:` text from
 * the parsed workflow, in a script file run as GitHub runs a bash step (`bash --noprofile --norc -eo
 * pipefail {0}`) from the repository's root, with what a prod runner has after the steps before it:
 * - `npx --no-install tls-platform-verify` is this package's built bin (dist/tools/verify/cli.js);
 * - AWS credentials and AWS_REGION in the environment, as aws-actions/configure-aws-credentials leaves
 *   them; Secrets Manager is moto's server, through the SDK's own AWS_ENDPOINT_URL_SECRETS_MANAGER;
 * - `pulumi`: the CLI is not on this machine, so a stand-in answers the one call the verifier makes,
 *   `pulumi stack output --json --stack prod`, with the prod program's own outputs: the program run
 *   under the provider emulator, its secrets created in moto as the aws provider creates them in AWS
 *   (so the ARNs it exports are moto's), printed as the CLI prints them.
 * ElastiCache and RDS cannot run here: the secrets are then given documents of real TLS servers that
 * the harness starts from the dev components (Dragonfly's stand-in, PostgreSQL), the one change to
 * the prod stack's state, as tests/verify/live.test.ts changes only a document's port.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateSecretCommand, DeleteSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import type { ConnectionDocument } from "../../components";
import { targetsFromStack } from "../../tools/verify/stack";
import { ProviderEmulator, valueOf } from "../emulator";
import { createPostgresVolume, type PostgresVolume, type RunningPostgres, startPostgresImage } from "../harness/images/postgres";
import { type RunningStandIn, startRedisStandIn } from "../harness/images/redis";
import { atHarnessPort } from "../platform/documents";
import { registeredContainer } from "../platform/fixture";
import { filledProdConfig, stackConfig } from "../program/stack";
import { describeWithServers } from "../harness/requirements";
import { type MotoServer, startMotoServer } from "../verify/moto";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";

const ROOT = path.resolve(__dirname, "../..");
const BIN = path.join(ROOT, "dist/tools/verify/cli.js");
/** The prod program's region (filledProdConfig), where the aws provider would create its secrets. */
const REGION = "eu-west-1";

interface Step {
    name?: string;
    shell?: string;
    run?: string;
}
const renew = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/renew.yml"), "utf8")) as { jobs: Record<string, { steps: Step[] }> };
const verifyStep = Object.values(renew.jobs)[0]!.steps.find((s) => s.name === "Verify the live services");

/**
 * The emulator, except that Secrets Manager secrets and their values are created in moto, as the aws
 * provider would create them in AWS. Not carried over: the KMS key (moto would need it in its own KMS)
 * and the recovery window (an option of deletion, not of creation).
 */
class SecretsInMoto implements pulumi.runtime.Mocks {
    constructor(readonly emulator: ProviderEmulator, private readonly client: SecretsManagerClient) {}

    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
        const emulated = await this.emulator.newResource(args); // the emulator's checks, and its record
        const state = emulated.state;
        if (args.type === "aws:secretsmanager/secret:Secret") {
            const { ARN } = await this.client.send(new CreateSecretCommand({ Name: state.name, Description: state.description }));
            return { id: ARN!, state: { ...state, arn: ARN } };
        }
        if (args.type === "aws:secretsmanager/secretVersion:SecretVersion") {
            const { ARN, VersionId } = await this.client.send(new PutSecretValueCommand({ SecretId: state.secretId, SecretString: state.secretString }));
            return { id: `${ARN}|${VersionId}`, state: { ...state, arn: ARN, versionId: VersionId } };
        }
        return emulated;
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        return this.emulator.call(args);
    }
}

/**
 * `pulumi stack output --json` of the program: every export that is an output, a secret one as the
 * CLI's "[secret]". (The CLI also blanks secrets nested in a plain output; this program has none.)
 */
async function stackOutputsAsTheCliPrintsThem(program: Record<string, unknown>): Promise<Record<string, unknown>> {
    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(program)) {
        if (value === undefined) continue; // an undefined export is no stack output
        const output = pulumi.output(value);
        outputs[name] = (await pulumi.isSecret(output)) ? "[secret]" : await valueOf(output);
    }
    return outputs;
}

interface StepRun {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

describeWithServers("renew.yml's verify step, run as GitHub runs it, on the prod stack's documents in Secrets Manager", ["moto", "root", "redis", "postgres", "unshare", "socat", "openssl"], () => {
    let work: string;
    let moto: MotoServer;
    let secrets: SecretsManagerClient;
    let stackOutputs: Record<string, unknown>;
    let secretArns: Record<string, string>;
    const docs: Record<string, ConnectionDocument> = {};
    let appClient: { certPem: string; privateKeyPem: string };
    const standIns: RunningStandIn[] = [];
    const databases: RunningPostgres[] = [];
    const volumes: PostgresVolume[] = [];

    beforeAll(async () => {
        // `.ci/run` builds before `npm test`; a test run on its own builds if the bin is missing.
        if (!fs.existsSync(BIN)) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "pipe" });
        work = fs.mkdtempSync(path.join(os.tmpdir(), "renew-verify-"));
        moto = await startMotoServer();
        secrets = moto.client(REGION);

        const emulator = new ProviderEmulator();
        await pulumi.runtime.setMocks(new SecretsInMoto(emulator, secrets), "tls-platform", "prod", false);
        pulumi.runtime.setAllConfig(stackConfig("prod", filledProdConfig().overrides));
        const program = await import("../../index");
        stackOutputs = await stackOutputsAsTheCliPrintsThem(program);
        secretArns = (stackOutputs.connectionSecrets as { secretArns: Record<string, string> }).secretArns;

        // The servers the documents will name, from the dev components under the same emulator.
        const c = await import("../../components");
        const ca = new c.CertificateAuthority("live-ca", { commonName: "tls-platform test CA" });
        const app = new c.Certificate("live-app", { ca, commonName: "app", purpose: "client" });
        const network = "backend";
        const [cache, cache20Days, database] = await Promise.all([
            registeredContainer(emulator, new c.DragonflyCache("live-cache", { ca, network })),
            registeredContainer(emulator, new c.DragonflyCache("live-cache-20d", { ca, network, certificateValidityDays: 20, certificateEarlyRenewalDays: 5 })),
            registeredContainer(emulator, new c.PostgresDatabase("live-db", { ca, network })),
        ]);
        appClient = { certPem: await valueOf(app.certPem), privateKeyPem: await valueOf(app.privateKeyPem) };

        const redis = async (key: string, r: typeof cache) => {
            const s = await startRedisStandIn(r, DRAGONFLY_FLAGS, { name: `renew-${key}` });
            standIns.push(s);
            docs[key] = atHarnessPort(r.connection, s.hostPort);
        };
        const postgres = async (key: string, r: typeof database) => {
            const volume = createPostgresVolume();
            volumes.push(volume);
            const pg = await startPostgresImage({ command: r.command, envs: r.envs, uploads: r.uploads, port: r.ports[0]!.internal }, volume, { name: `renew-${key}`, readyTimeoutMs: 90_000 });
            databases.push(pg);
            docs[key] = atHarnessPort(r.connection, pg.hostPort);
        };
        // allSettled: every start lands in the lists afterAll stops, even when one fails.
        const started = await Promise.allSettled([redis("cache", cache), redis("cache20Days", cache20Days), postgres("database", database)]);
        const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
    }, 180_000);

    afterAll(async () => {
        await Promise.all([...standIns.map((s) => s.stop()), ...databases.map((d) => d.stop())]);
        volumes.forEach((v) => v.remove());
        secrets?.destroy();
        await moto?.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    }, 60_000);

    /** The prod stack's secrets, given these documents. */
    const store = async (documents: Record<string, ConnectionDocument>) => {
        for (const [service, document] of Object.entries(documents)) {
            await secrets.send(new PutSecretValueCommand({ SecretId: secretArns[service], SecretString: JSON.stringify(document) }));
        }
    };

    /** The step's `run:` text in a file, run by bash as GitHub runs it, in the repository's root. */
    const runStep = async (): Promise<StepRun> => {
        const script = path.join(work, "step.sh");
        fs.writeFileSync(script, verifyStep!.run!);
        const fakeBin = path.join(work, "bin");
        fs.mkdirSync(fakeBin, { recursive: true });
        const outputsFile = path.join(work, "stack-outputs.json");
        fs.writeFileSync(outputsFile, `${JSON.stringify(stackOutputs, null, 2)}\n`);
        // A stand-in for the Pulumi CLI, which this machine does not have: the one call the verifier
        // makes for a Secrets Manager stack, answered with the prod program's own outputs (above).
        fs.writeFileSync(path.join(fakeBin, "pulumi"), [
            "#!/bin/bash",
            `if [ "$*" = "stack output --json --stack prod" ]; then exec cat '${outputsFile}'; fi`,
            'echo "pulumi stand-in: not emulated: pulumi $*" >&2',
            "exit 64",
            "",
        ].join("\n"), { mode: 0o755 });
        const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
            cwd: ROOT,
            env: {
                PATH: [fakeBin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
                HOME: process.env.HOME ?? os.homedir(),
                // npm's cache as a fresh runner has it. npx runs this package's own bin through a link in
                // that cache, made once, when it also makes the bin executable; a cache that outlives a
                // rebuild of dist/ (a runner that keeps ~/.npm) keeps a link to a file without the bit.
                npm_config_cache: path.join(work, "npm-cache"),
                STACK: "prod",
                AWS_ACCESS_KEY_ID: "testing",
                AWS_SECRET_ACCESS_KEY: "testing",
                AWS_REGION: REGION,
                AWS_DEFAULT_REGION: REGION,
                AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
                // Nothing from this machine's AWS setup.
                AWS_CONFIG_FILE: "/dev/null",
                AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
                AWS_EC2_METADATA_DISABLED: "true",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
        const status = await new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
        return { status, stdout, stderr };
    };
    const annotations = (r: StepRun) => r.stdout.split("\n").filter((l) => l.startsWith("::"));

    it("is the step that runs the verifier, in bash", () => {
        expect(verifyStep?.shell).toBe("bash");
        expect(verifyStep?.run).toContain('npx --no-install tls-platform-verify --stack "$STACK"');
    });

    it("the prod program exports `connectionSecrets` and no `connections`, and the documents it wrote are ones the verifier reads", async () => {
        expect(stackOutputs.connections).toBeUndefined();
        expect(Object.keys(secretArns)).toEqual(["cache", "database"]);
        const run = async () => ({ code: 0, stdout: JSON.stringify(stackOutputs), stderr: "" });
        const targets = await targetsFromStack("prod", run, { client: moto.clientFactory, env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint } });
        expect(targets.map((t) => [t.name, t.service, t.ca.type])).toEqual([["prod/cache", "redis", "public-roots"], ["prod/database", "postgres", "pem"]]);
    });

    it("every service serving TLS as its document says: the step exits 0, with no annotation", async () => {
        await store({ cache: docs.cache!, database: docs.database! });
        const r = await runStep();
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^prod\/cache\s+redis\s+127\.0\.0\.1:\d+\s.*\sOK$/m);
        expect(r.stdout).toMatch(/^prod\/database\s+postgres\s+127\.0\.0\.1:\d+\s.*\sOK$/m);
        expect(annotations(r)).toEqual([]);
        expect(r.stdout + r.stderr).not.toContain(docs.cache!.password!);
    }, 90_000);

    it("the cache's certificate 20 days from expiry: the verifier exits 1 and the step passes with a warning", async () => {
        await store({ cache: docs.cache20Days!, database: docs.database! });
        const r = await runStep();
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^prod\/cache\s+redis\s.*\sWARN$/m);
        expect(annotations(r)).toEqual(["::warning title=tls-platform-verify::stack prod has warnings; see this step's log"]);
    }, 90_000);

    it("a document claiming mutual TLS that the cache does not enforce: the step fails with the verifier's exit 2", async () => {
        await store({ cache: { ...docs.cache!, tls: { ...docs.cache!.tls, clientCertificate: appClient } }, database: docs.database! });
        const r = await runStep();
        expect(r.status, r.stdout + r.stderr).toBe(2);
        expect(r.stdout).toMatch(/^prod\/cache\s+redis\s.*\sFAIL$/m);
        expect(annotations(r)).toEqual(["::error title=tls-platform-verify::stack prod failed verification (exit 2)"]);
    }, 90_000);

    it("a secret that is gone: the verifier names it, and the step fails with its exit 2", async () => {
        await store({ cache: docs.cache!, database: docs.database! });
        await secrets.send(new DeleteSecretCommand({ SecretId: secretArns.database, ForceDeleteWithoutRecovery: true }));
        const r = await runStep();
        expect(r.status, r.stdout + r.stderr).toBe(2);
        expect(r.stderr).toContain(`tls-platform-verify: --stack prod: secret \`database\` (${secretArns.database}): not found (ResourceNotFoundException)`);
        expect(annotations(r)).toEqual(["::error title=tls-platform-verify::stack prod failed verification (exit 2)"]);
    }, 90_000);
});
