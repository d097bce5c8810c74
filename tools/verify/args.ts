/**
 * Command-line arguments (`util.parseArgs`), checked all at once: every mistake in one message.
 */
import { parseArgs } from "node:util";
import { InputError } from "./documents";
import { DEFAULT_FAIL_DAYS, DEFAULT_WARN_DAYS } from "./rules";

export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 600_000;

export type OutputFormat = "table" | "json" | "prometheus";

export interface CliOptions {
    readonly stacks: readonly string[];
    /** Files to read; `-` is stdin. */
    readonly files: readonly string[];
    readonly endpoints: readonly string[];
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
    /** Write the output here (atomically: temp file + rename), for a textfile collector. */
    readonly outputFile?: string;
    readonly help: boolean;
}

export const USAGE = `Usage: tls-platform-verify [source...] [options]

Checks what the TLS endpoints of a tls-platform stack actually serve: the TLS versions accepted,
the certificate chain, host name and expiry, mutual TLS, plaintext refusal, and a first request
(Redis AUTH + PING, PostgreSQL login, HTTPS GET with HSTS).

Sources (any number, combined):
  --stack NAME            the stack's documents: pulumi stack output connections --show-secrets --json --stack NAME
  --file PATH             a connection document, an array of them, or an object of name -> document
  -                       the same, read from stdin
  --endpoint URL          redis://host:port, postgres://[user[:password]@]host:port[/db], https://host:port
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
        else problems.push("unexpected argument; sources are given with --stack, --file, --endpoint or `-` for stdin.");
    }
    const stacks = v.stack ?? [];
    const endpoints = v.endpoint ?? [];
    if (!v.help && stacks.length + files.length + endpoints.length === 0) {
        problems.push("nothing to verify: give --stack NAME, --file PATH, `-` (stdin) or --endpoint URL.");
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
    if (failDays > warnDays) problems.push(`--fail-days (${failDays}) is above --warn-days (${warnDays}); a failure threshold must not exceed the warning one.`);
    if (problems.length > 0) throw new InputError(problems);
    return {
        stacks,
        files,
        endpoints,
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
        outputFile: v.output,
        help: v.help ?? false,
    };
}
