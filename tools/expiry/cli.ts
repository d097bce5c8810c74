#!/usr/bin/env node
/**
 * tls-platform-expiry: reads `pulumi stack export` output (a file, or `-` for stdin) and fails when a
 * certificate in it has fewer days left than the policy pack's `certificate-expiry` rule allows. It
 * contacts nothing (no service, no backend, no Pulumi CLI) and prints only names, types, URNs and dates.
 * Exit status: 0 all certificates fine, 1 a certificate expiring, expired or unreadable, 2 bad input.
 */
import * as fs from "node:fs";
import { expiryProblems, formatTime, parseRfc3339 } from "./check";
import { expiryConfigFromPackConfig } from "./config";
import { certificatesFromExport, StateError } from "./state";
import { EXPIRY_POLICY_NAME } from "./thresholds";

export const USAGE = `Usage: tls-platform-expiry [--policy-pack-config FILE] [--now TIME] EXPORT

  EXPORT                     the output of \`pulumi stack export --stack <stack>\`, or - for stdin
  --policy-pack-config FILE  the file \`pulumi preview --policy-pack-config\` takes; its
                             "${EXPIRY_POLICY_NAME}" entry sets leafMinDaysLeft, caMinDaysLeft and the
                             enforcement level, as it does for the policy pack (default: the rule's own)
  --now TIME                 check as of this RFC 3339 time instead of the clock (e.g. a week ahead)

Exit status: 0 fine, 1 a certificate with too few days left, expired or unreadable, 2 bad input.
`;

export interface ExpiryIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readFile(file: string): string;
    readStdin(): string;
    now(): Date;
}

export const defaultIo: ExpiryIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (file) => fs.readFileSync(file, "utf8"),
    readStdin: () => fs.readFileSync(0, "utf8"),
    now: () => new Date(),
};

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): { input?: string; configFile?: string; now?: string; help: boolean } {
    const parsed: { input?: string; configFile?: string; now?: string; help: boolean } = { help: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const value = () => {
            const next = argv[++i];
            if (next === undefined) throw new UsageError(`${arg} needs a value.`);
            return next;
        };
        if (arg === "--help" || arg === "-h") parsed.help = true;
        else if (arg === "--policy-pack-config") parsed.configFile = value();
        else if (arg === "--now") parsed.now = value();
        else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}.`);
        else if (parsed.input !== undefined) throw new UsageError(`one export at a time: got ${parsed.input} and ${arg}.`);
        else parsed.input = arg;
    }
    return parsed;
}

/** The whole program, its world passed in; returns the exit status. */
export function main(argv: readonly string[], io: ExpiryIo = defaultIo): number {
    try {
        const args = parseArgs(argv);
        if (args.help) {
            io.stdout(USAGE);
            return 0;
        }
        if (args.input === undefined) throw new UsageError("give the export to check (a file, or - for stdin).");
        const now = args.now === undefined ? io.now() : parseRfc3339(args.now);
        if (!now) throw new UsageError(`--now ${JSON.stringify(args.now)} is not an RFC 3339 time, e.g. 2026-12-24T00:00:00Z.`);
        const config = expiryConfigFromPackConfig(args.configFile === undefined ? undefined : io.readFile(args.configFile));
        if (config.problems.length > 0) throw new UsageError(`${args.configFile}: ${config.problems.join(" ")}`);
        const source = args.input === "-" ? "stdin" : args.input;
        if (config.enforcementLevel === "disabled") {
            io.stdout(`${EXPIRY_POLICY_NAME} is disabled by ${args.configFile}: nothing checked.\n`);
            return 0;
        }
        const certificates = certificatesFromExport(args.input === "-" ? io.readStdin() : io.readFile(args.input));
        const problems = expiryProblems(certificates, now, config.thresholds);
        const { leafMinDaysLeft, caMinDaysLeft } = config.thresholds;
        for (const problem of problems) io.stdout(`${config.enforcementLevel === "advisory" ? "warning" : "error"}: ${problem.message}\n`);
        io.stdout(
            `${EXPIRY_POLICY_NAME}: ${certificates.length} certificate${certificates.length === 1 ? "" : "s"} in ${source} checked at ${formatTime(now)} ` +
                `(leaves need ${leafMinDaysLeft} days left, CAs ${caMinDaysLeft}${args.configFile ? `, from ${args.configFile}` : ""}): ` +
                `${problems.length === 0 ? "all fine" : `${problems.length} with a problem`}${problems.length > 0 && config.enforcementLevel === "advisory" ? " (advisory: exit 0)" : ""}.\n`,
        );
        return problems.length > 0 && config.enforcementLevel === "mandatory" ? 1 : 0;
    } catch (error) {
        if (error instanceof UsageError || error instanceof StateError) {
            io.stderr(`tls-platform-expiry: ${error.message}\n${error instanceof UsageError ? `\n${USAGE}` : ""}`);
            return 2;
        }
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "EISDIR") {
            io.stderr(`tls-platform-expiry: cannot read ${(error as NodeJS.ErrnoException).path ?? "the input"}: ${(error as Error).message}\n`);
            return 2;
        }
        throw error;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
