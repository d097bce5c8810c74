import * as crypto from "node:crypto";
import { Problem, show } from "../shared/problems";
import { MAX_COMMON_NAME_LENGTH } from "./defaults";

/**
 * CA key generations: a `CertificateAuthority` holds one key and self-signed certificate per
 * generation, trusts all of them (its trust bundle) and issues from one. Generations are numbered
 * from 1; a rollover adds the next number, switches issuing to it, then drops the old one (README,
 * "CA key rollover"). Pure functions, shared by the component, its validation and the tests.
 */

/** The generation every CA starts with, and the one a CA made before generations existed is. */
export const FIRST_CA_GENERATION = 1;
/** What a CA that is not rolling over trusts and issues from. */
export const DEFAULT_CA_GENERATIONS: readonly number[] = [FIRST_CA_GENERATION];

/**
 * The prefix of a generation's child resource names. Generation 1 keeps the names a CA had before
 * generations (`<name>-key`, `<name>-cert`), so that an existing stack sees no rename and no
 * replacement, and needs no alias; generation n ≥ 2 is `<name>-gen<n>-key` and `<name>-gen<n>-cert`.
 */
export function generationResourcePrefix(caName: string, generation: number): string {
    return generation === FIRST_CA_GENERATION ? caName : `${caName}-gen${generation}`;
}

/**
 * A generation's subject common name: generation 1 keeps the CA's `commonName` (unchanged for
 * existing stacks); generation n ≥ 2 appends ` G<n>`, so that the certificates of a bundle have
 * distinct subjects and the CA names a server sends in its certificate request (RFC 8446 §4.2.4,
 * `certificate_authorities`) tell a client which generation to present.
 */
export function generationCommonName(commonName: string, generation: number): string {
    return generation === FIRST_CA_GENERATION ? commonName : `${commonName} G${generation}`;
}

/** The generations a CA trusts, ascending (the bundle's order), and the one it issues from. */
export interface ResolvedGenerations {
    readonly generations: readonly number[];
    readonly issuing: number;
}

/**
 * Defaults resolved; call after `validateGenerations` found nothing. The issuing generation defaults
 * to the oldest trusted one, so that adding a generation (rollover phase 1) never switches issuing.
 */
export function resolveGenerations(generations: readonly number[] | undefined, issuing: number | undefined): ResolvedGenerations {
    const sorted = [...(generations ?? DEFAULT_CA_GENERATIONS)].sort((a, b) => a - b);
    return { generations: sorted, issuing: issuing ?? sorted[0]! };
}

const isGeneration = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= FIRST_CA_GENERATION;
const listed = (ns: readonly unknown[]) => `[${ns.map((n) => JSON.stringify(n)).join(", ")}]`;

/** Every problem with the generation arguments of a `CertificateAuthority` (pure). */
export function validateGenerations(generations: unknown, issuing: unknown, commonName: unknown): Problem[] {
    const problems: Problem[] = [];
    const example = "e.g. `generations: [1, 2]` while rolling over to a new key, `[1]` (the default) otherwise";
    if (generations !== undefined && (!Array.isArray(generations) || generations.length === 0)) {
        problems.push({
            path: "generations",
            message: `\`generations\`: ${show(generations)} is not a non-empty list of generation numbers; a CA must trust at least the generation it issues from; use ${example}.`,
        });
        return problems;
    }
    const given = (generations ?? DEFAULT_CA_GENERATIONS) as readonly unknown[];
    given.forEach((g, i) => {
        if (!isGeneration(g)) {
            problems.push({ path: `generations[${i}]`, message: `\`generations[${i}]\`: ${show(g)} is not a generation number; use whole numbers from ${FIRST_CA_GENERATION}, ${example}.` });
        } else if (given.indexOf(g) !== i) {
            problems.push({ path: `generations[${i}]`, message: `\`generations[${i}]\`: ${g} is listed twice in ${listed(given)}; list each generation once.` });
        }
    });
    const valid = given.filter(isGeneration);
    if (issuing !== undefined && !isGeneration(issuing)) {
        problems.push({
            path: "issuingGeneration",
            message: `\`issuingGeneration\`: ${show(issuing)} is not a generation number; use one of \`generations\` ${listed(given)}, or leave it out to issue from the oldest.`,
        });
    } else if (isGeneration(issuing) && valid.length === given.length && !valid.includes(issuing)) {
        problems.push({
            path: "issuingGeneration",
            message:
                `\`issuingGeneration\`: ${issuing} is not in \`generations\` ${listed(given)}, so every client trusting this CA's bundle would refuse the certificates it issues; ` +
                `trust it first (add ${issuing} to \`generations\` and run \`pulumi up\`: rollover phase 1), or issue from one of ${listed(given)}.`,
        });
    }
    // A common name too long on its own is validateCommonName's problem.
    if (typeof commonName === "string" && commonName.length <= MAX_COMMON_NAME_LENGTH) {
        for (const g of valid.filter((n) => n !== FIRST_CA_GENERATION)) {
            const name = generationCommonName(commonName, g);
            if (name.length > MAX_COMMON_NAME_LENGTH) {
                problems.push({
                    path: "commonName",
                    message: `\`commonName\`: ${show(commonName)} becomes ${show(name)} in generation ${g}, ${name.length} characters; X.509 allows at most ${MAX_COMMON_NAME_LENGTH} (RFC 5280 ub-common-name); shorten \`commonName\` to at most ${MAX_COMMON_NAME_LENGTH - (name.length - commonName.length)} characters.`,
                });
            }
        }
    }
    return problems;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, each as its own PEM block, in order. */
export function splitPemBundle(bundle: string): string[] {
    return bundle.match(PEM_CERTIFICATE) ?? [];
}

/** The trust bundle of certificates: each PEM block once, newline-terminated, in the given order. */
export function joinPemBundle(pems: readonly string[]): string {
    return pems.map((pem) => (pem.endsWith("\n") ? pem : `${pem}\n`)).join("");
}

/** True when `bundle` holds the certificate `certPem` (the same DER, whatever the line breaks). */
export function bundleContains(bundle: string, certPem: string): boolean {
    const der = (pem: string) => new crypto.X509Certificate(pem).raw;
    const wanted = der(certPem);
    return splitPemBundle(bundle).some((pem) => der(pem).equals(wanted));
}

/** One trusted generation's certificate and end of validity, for the expiry guard. */
export interface GenerationValidity {
    readonly generation: number;
    readonly validityEndTime: string;
}

/**
 * Problems with the generations a bundle is about to carry, once their end times are known: an
 * expired CA certificate may not stay in a trust bundle (a client that trusts it accepts nothing it
 * signs any more, and keeping it only hides that the rollover's phase 3 is overdue).
 */
export function expiredGenerationProblems(validities: readonly GenerationValidity[], now: Date): Problem[] {
    return validities
        .filter((v) => Date.parse(v.validityEndTime) <= now.getTime())
        .map((v) => ({
            path: "generations",
            message:
                `\`generations\`: generation ${v.generation}'s certificate expired at ${v.validityEndTime} and may not stay in the trust bundle; ` +
                `drop ${v.generation} from \`generations\` (rollover phase 3) once nothing is issued from it, or run \`pulumi up\`, which renews an expired CA certificate with the same key (the provider's readyForRenewal).`,
        }));
}
