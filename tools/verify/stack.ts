/**
 * A stack's documents, found through the Pulumi CLI where the stack put them: `pulumi stack output
 * --json` (no secret is decrypted for it) says which sink the stack has:
 * - `connections` (the stack-outputs sink): the documents themselves, one secret output, read with
 *   `pulumi stack output connections --show-secrets --json`;
 * - `connectionSecrets` (the Secrets Manager sink): where the documents are, which holds no secret;
 *   each is then read from Secrets Manager (secrets.ts).
 */
import { InputError, isObject, targetsFromJson } from "./documents";
import { type Endpoint, isHttpUrl, parseSecretArn, type SecretsContext, targetsFromSecretArns } from "./secrets";
import type { Target } from "./types";

/** Runs a command to completion; the real one is `execFile`, tests pass a fake. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;

export function stackOutputsCommand(stack: string): [string, string[]] {
    return ["pulumi", ["stack", "output", "--json", "--stack", stack]];
}

export function stackConnectionsCommand(stack: string): [string, string[]] {
    return ["pulumi", ["stack", "output", "connections", "--show-secrets", "--json", "--stack", stack]];
}

/** Where a stack's documents are: its `connectionSecrets` output (index.ts). */
export interface SecretsLocation {
    /** Secret ARN per service. */
    readonly secretArns: Readonly<Record<string, string>>;
    /** The secrets' names are `<pathPrefix>/<service>`. */
    readonly pathPrefix?: string;
    /** The endpoint the stack wrote to, when it is not AWS (a dev stack's local emulator). */
    readonly endpoint?: string;
}


/** The `connectionSecrets` output, checked; every problem at once. */
export function parseSecretsLocation(value: unknown, where: string): SecretsLocation {
    const expected = "an object with `secretArns` (service → secret ARN), and optionally `pathPrefix` and `endpoint`";
    if (!isObject(value)) throw new InputError([`${where}: is not ${expected}.`]);
    const problems: string[] = [];
    const arns = value.secretArns;
    if (!isObject(arns) || Object.keys(arns).length === 0) {
        problems.push(`${where}: \`secretArns\` is missing or empty; expected ${expected}.`);
    } else {
        for (const [service, arn] of Object.entries(arns)) {
            if (typeof arn !== "string" || !parseSecretArn(arn)) {
                problems.push(`${where}: \`secretArns.${service}\` is ${JSON.stringify(arn)}; expected a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME).`);
            }
        }
    }
    if (value.pathPrefix !== undefined && typeof value.pathPrefix !== "string") problems.push(`${where}: \`pathPrefix\` is not a string.`);
    if (value.endpoint !== undefined && !(typeof value.endpoint === "string" && isHttpUrl(value.endpoint))) {
        problems.push(`${where}: \`endpoint\` is ${JSON.stringify(value.endpoint)}; expected an http(s) URL.`);
    }
    if (problems.length > 0) throw new InputError(problems);
    return value as unknown as SecretsLocation;
}

async function runPulumi(stack: string, [file, args]: [string, string[]], run: CommandRunner): Promise<string> {
    let result: Awaited<ReturnType<CommandRunner>>;
    try {
        result = await run(file, args);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InputError([code === "ENOENT"
            ? `--stack ${stack}: the \`pulumi\` CLI is not on PATH; install it, or pass the documents with --file (\`pulumi stack output connections --show-secrets --json\`) or, for a stack with the Secrets Manager sink, with --secret-arn.`
            : `--stack ${stack}: could not run \`${file} ${args.join(" ")}\`: ${(e as Error).message}`]);
    }
    if (result.code !== 0) {
        const stderr = result.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 300);
        throw new InputError([`--stack ${stack}: \`${file} ${args.join(" ")}\` exited with ${result.code}: ${stderr || "(no output)"}.`]);
    }
    return result.stdout;
}

/** The documents of `stack`: from its `connections` output, or from Secrets Manager where `connectionSecrets` points. */
export async function targetsFromStack(stack: string, run: CommandRunner, secrets: SecretsContext): Promise<Target[]> {
    const listing = stackOutputsCommand(stack);
    const text = await runPulumi(stack, listing, run);
    let outputs: unknown;
    try {
        outputs = JSON.parse(text);
    } catch {
        throw new InputError([`--stack ${stack}: \`${listing[0]} ${listing[1].join(" ")}\` printed something that is not JSON.`]);
    }
    if (!isObject(outputs)) throw new InputError([`--stack ${stack}: \`${listing[0]} ${listing[1].join(" ")}\` printed no object of outputs.`]);

    if ("connections" in outputs) {
        const documents = await runPulumi(stack, stackConnectionsCommand(stack), run);
        return targetsFromJson(documents, `stack ${stack} output \`connections\``, `${stack}/`);
    }
    if ("connectionSecrets" in outputs) {
        const location = parseSecretsLocation(outputs.connectionSecrets, `--stack ${stack}: output \`connectionSecrets\``);
        const recorded: Endpoint | undefined = location.endpoint ? { url: location.endpoint, from: `stack ${stack}'s \`connectionSecrets.endpoint\`` } : undefined;
        const refs = Object.entries(location.secretArns).map(([service, arn]) => ({ arn, name: `${stack}/${service}`, label: service }));
        return targetsFromSecretArns(refs, `--stack ${stack}`, secrets, recorded);
    }
    const names = Object.keys(outputs);
    const older = "connectionSecretArns" in outputs
        ? " It has `connectionSecretArns`: it was last updated by an older program; `pulumi up` adds `connectionSecrets`."
        : "";
    throw new InputError([
        `--stack ${stack}: the stack exports neither \`connections\` (the stack-outputs sink) nor \`connectionSecrets\` (the Secrets Manager sink); ` +
        `its outputs: ${names.length > 0 ? names.join(", ") : "none"}.${older}`,
    ]);
}
