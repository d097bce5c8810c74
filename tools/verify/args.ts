/**
 * Command-line arguments (`util.parseArgs`), checked all at once: every mistake in one message.
 */
import { parseArgs } from "node:util";
import { InputError } from "./documents";
import { EXPIRY_POLICY_NAME } from "../expiry/thresholds";
import { DEFAULT_CIPHER_CONCURRENCY } from "./cipher-probes";
import { DEFAULT_FAIL_DAYS, DEFAULT_WARN_DAYS } from "./rules";
import { isHttpUrl, parseSecretArn } from "./secrets";

export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 600_000;
const MAX_CIPHER_CONCURRENCY = 64;

export type OutputFormat = "table" | "json" | "prometheus";

export interface CliOptions {
    readonly stacks: readonly string[];
    /** Files to read; `-` is stdin. */
    readonly files: readonly string[];
    readonly endpoints: readonly string[];
    /** Secrets Manager secrets, each holding one connection document. */
    readonly secretArns: readonly string[];
    /** Secret name prefixes: every secret named `<prefix>/...`. */
    readonly secretPrefixes: readonly string[];
    /** Secrets Manager endpoint for every Secrets Manager read (--stack's included). */
    readonly secretsManagerEndpoint?: string;
    readonly caFile?: string;
    readonly serverName?: string;
    readonly clientCertFile?: string;
    readonly clientKeyFile?: string;
    readonly expectMutualTls: boolean;
    /** Environment variable holding the password for every --endpoint. */
    readonly passwordEnv?: string;
    readonly format: OutputFormat;
    readonly timeoutMs: number;
    readonly warnDays: number;
    readonly failDays: number;
    /** The policy pack config file whose `certificate-expiry` entry sets the chain's thresholds. */
    readonly policyPackConfigFile?: string;
    /** TLS 1.2 suite handshakes at once, per endpoint. */
    readonly cipherConcurrency: number;
    /** Write the output here (atomically: temp file + rename), for a textfile collector. */
    readonly outputFile?: string;
    readonly help: boolean;
}

export const USAGE = `Usage: tls-platform-verify [source...] [options]

Checks what the TLS endpoints of a tls-platform stack actually serve: the TLS versions accepted,
the certificate chain, host name and expiry, mutual TLS, plaintext refusal, and a first request
(Redis AUTH + PING, PostgreSQL login, HTTPS GET with HSTS).

Sources (any number, combined):
  --stack NAME            the stack's documents, found with pulumi stack output --json --stack NAME: its
                          connections output, or the Secrets Manager secrets its connectionSecrets output names
  --file PATH             a connection document, an array of them, or an object of name -> document
  -                       the same, read from stdin
  --secret-arn ARN        a Secrets Manager secret holding one document (needs secretsmanager:GetSecretValue)
  --secrets-manager-prefix PREFIX
                          every secret named PREFIX/..., e.g. tls-platform/prod (needs secretsmanager:ListSecrets too)
  --endpoint URL          redis://host:port, postgres://[user[:password]@]host:port[/db], https://host:port
Options for Secrets Manager (AWS credentials and region: the SDK's usual environment and profile):
  --secrets-manager-endpoint URL
                          send requests here, e.g. a local emulator (default: AWS_ENDPOINT_URL_SECRETS_MANAGER,
                          AWS_ENDPOINT_URL, the stack's recorded endpoint, AWS); an ARN is read in its own region
Options for --endpoint:
  --ca FILE               trust this CA bundle (default: the public roots)
  --servername NAME       name to check the certificate against and send as SNI (default: the URL's host)
  --client-cert FILE      client certificate (PEM) ...
  --client-key FILE       ... and its key (PEM)
  --expect-mtls           the server must refuse a client without certificate
  --password-env VAR      the password, from this environment variable (keeps it out of the process list)
Output:
  (default)               a table
  --json                  the report as JSON
  --prometheus            node_exporter textfile-collector metrics
  --output FILE           write to FILE (atomically) instead of stdout
Limits:
  --timeout-ms N          deadline of every single probe (default ${DEFAULT_TIMEOUT_MS})
  --warn-days N           certificate expiry warning threshold (default ${DEFAULT_WARN_DAYS})
  --fail-days N           certificate expiry failure threshold (default ${DEFAULT_FAIL_DAYS})
  --policy-pack-config FILE
                          the file \`pulumi preview --policy-pack-config\` takes: its "${EXPIRY_POLICY_NAME}" entry
                          (leafMinDaysLeft, caMinDaysLeft, enforcement level) judges every certificate of
                          the chain and the document's CA, as the policy pack does (default: the rule's own,
                          leaf 14 days, CA 90 days, mandatory)
  --cipher-concurrency N  TLS 1.2 suite handshakes at once per endpoint (default ${DEFAULT_CIPHER_CONCURRENCY})

Exit status: 0 all checks passed, 1 warnings only, 2 any failure (or the check could not run).
Passwords and keys are never printed.
`;

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
        problems.push(`${flag}: \`${value}\` is not a whole number from ${min} to ${max}.`);
        return fallback;
    }
    return n;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            strict: true,
            options: {
                stack: { type: "string", multiple: true },
                file: { type: "string", multiple: true },
                endpoint: { type: "string", multiple: true },
                "secret-arn": { type: "string", multiple: true },
                "secrets-manager-prefix": { type: "string", multiple: true },
                "secrets-manager-endpoint": { type: "string" },
                ca: { type: "string" },
                servername: { type: "string" },
                "client-cert": { type: "string" },
                "client-key": { type: "string" },
                "expect-mtls": { type: "boolean" },
                "password-env": { type: "string" },
                json: { type: "boolean" },
                prometheus: { type: "boolean" },
                output: { type: "string" },
                "timeout-ms": { type: "string" },
                "warn-days": { type: "string" },
                "fail-days": { type: "string" },
                "policy-pack-config": { type: "string" },
                "cipher-concurrency": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e) {
        // parseArgs quotes the offending argument, which may be a password in a URL: name only the kind of mistake.
        const code = (e as NodeJS.ErrnoException).code ?? "";
        const option = /'(--?[\w-]+)/.exec((e as Error).message)?.[1];
        const known = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `unknown option ${option ?? ""}` : code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ? `${option ?? "an option"} needs a value` : "bad arguments";
        throw new InputError([`${known.trim()}; see --help.`]);
    }
    const v = parsed.values;
    const problems: string[] = [];
    const files = [...(v.file ?? [])];
    for (const p of parsed.positionals) {
        if (p === "-") files.push("-");
        else problems.push("unexpected argument; sources are given with --stack, --file, --secret-arn, --secrets-manager-prefix, --endpoint or `-` for stdin.");
    }
    const stacks = v.stack ?? [];
    const endpoints = v.endpoint ?? [];
    const secretArns = v["secret-arn"] ?? [];
    const secretPrefixes = (v["secrets-manager-prefix"] ?? []).map((p) => p.replace(/\/+$/, ""));
    if (!v.help && stacks.length + files.length + endpoints.length + secretArns.length + secretPrefixes.length === 0) {
        problems.push("nothing to verify: give --stack NAME, --file PATH, `-` (stdin), --secret-arn ARN, --secrets-manager-prefix PREFIX or --endpoint URL.");
    }
    for (const arn of secretArns) {
        if (!parseSecretArn(arn)) problems.push(`--secret-arn: \`${arn}\` is not a Secrets Manager secret ARN; expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX.`);
    }
    for (const prefix of secretPrefixes) {
        if (!/^[A-Za-z0-9/_+=.@-]+$/.test(prefix) || prefix.startsWith("/")) {
            problems.push(`--secrets-manager-prefix: \`${prefix}\` is not a secret name prefix; use letters, digits and / _ + = . @ -, e.g. \`tls-platform/prod\`.`);
        }
    }
    const smEndpoint = v["secrets-manager-endpoint"];
    if (smEndpoint !== undefined) {
        if (!isHttpUrl(smEndpoint)) problems.push(`--secrets-manager-endpoint: \`${smEndpoint}\` is not an http(s) URL; use e.g. \`http://127.0.0.1:5000\`.`);
        if (stacks.length + secretArns.length + secretPrefixes.length === 0) {
            problems.push("--secrets-manager-endpoint applies to --stack, --secret-arn and --secrets-manager-prefix only.");
        }
    }
    if (files.filter((f) => f === "-").length > 1) problems.push("stdin (`-`) can be read only once.");
    if (v.json && v.prometheus) problems.push("--json and --prometheus exclude each other; choose one.");
    if (endpoints.length === 0) {
        const endpointOnly = (["ca", "servername", "client-cert", "client-key", "expect-mtls", "password-env"] as const).filter((k) => v[k] !== undefined);
        if (endpointOnly.length > 0) {
            problems.push(`${endpointOnly.map((k) => `--${k}`).join(", ")} apply to --endpoint only; a connection document carries its own trust and credentials.`);
        }
    }
    if ((v["client-cert"] === undefined) !== (v["client-key"] === undefined)) problems.push("--client-cert and --client-key go together; give both or neither.");
    const timeoutMs = wholeNumber("--timeout-ms", v["timeout-ms"], DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS, problems);
    const warnDays = wholeNumber("--warn-days", v["warn-days"], DEFAULT_WARN_DAYS, 0, 3650, problems);
    const failDays = wholeNumber("--fail-days", v["fail-days"], DEFAULT_FAIL_DAYS, 0, 3650, problems);
    const cipherConcurrency = wholeNumber("--cipher-concurrency", v["cipher-concurrency"], DEFAULT_CIPHER_CONCURRENCY, 1, MAX_CIPHER_CONCURRENCY, problems);
    if (failDays > warnDays) problems.push(`--fail-days (${failDays}) is above --warn-days (${warnDays}); a failure threshold must not exceed the warning one.`);
    if (problems.length > 0) throw new InputError(problems);
    return {
        stacks,
        files,
        endpoints,
        secretArns,
        secretPrefixes,
        secretsManagerEndpoint: smEndpoint,
        caFile: v.ca,
        serverName: v.servername,
        clientCertFile: v["client-cert"],
        clientKeyFile: v["client-key"],
        expectMutualTls: v["expect-mtls"] ?? false,
        passwordEnv: v["password-env"],
        format: v.json ? "json" : v.prometheus ? "prometheus" : "table",
        timeoutMs,
        warnDays,
        failDays,
        policyPackConfigFile: v["policy-pack-config"],
        cipherConcurrency,
        outputFile: v.output,
        help: v.help ?? false,
    };
}
