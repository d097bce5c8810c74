/**
 * TLS 1.2 cipher suites: the candidates the probe offers one at a time, and how an offered suite is
 * judged against the project's one profile (components/shared/tlsProfile.ts TLS12_CIPHERS). Pure, but
 * for `listTls12Suites`, which runs `openssl ciphers` once per process.
 *
 * The candidates are every TLS 1.2 suite the local OpenSSL knows, from `openssl ciphers -V -stdname -s
 * -tls1_2 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`, and not node's `tls.getCiphers()`: that lists only the
 * suites of OpenSSL's DEFAULT string (node src/crypto/crypto_context.cc GetSSLCiphers reads
 * SSL_get_ciphers of a fresh context), so it lacks exactly the weak suites a misconfigured server offers
 * (CAMELLIA, ARIA, CCM, NULL, anonymous; PostgreSQL's default `HIGH:MEDIUM:+3DES:!aNULL` has CAMELLIA
 * and ARIA) and carries PSK and SRP suites no client without a PSK or SRP login can offer. `-s -tls1_2`
 * keeps the suites a client would really send at TLS 1.2 (no TLS 1.3 suites, no PSK/SRP), and `-V`
 * gives OpenSSL's own key exchange, authentication, encryption and MAC per suite, so the verdicts below
 * rest on OpenSSL's description, not on parsing names. A suite node's OpenSSL (the one that makes the
 * handshakes) cannot offer is listed as such, never counted as refused.
 */
import { execFile } from "node:child_process";
import * as tls from "node:tls";
import { TLS12_CIPHERS } from "../../components/shared/tlsProfile";
import type { Check, CipherSuite, CipherSuiteVerdict, EndpointReport, Observation } from "./types";

export const OPENSSL_CIPHERS_ARGS = ["ciphers", "-V", "-stdname", "-s", "-tls1_2", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"] as const;

/**
 * `0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(128) Mac=AEAD`
 * (openssl/openssl apps/ciphers.c with -V -stdname; the columns are SSL_CIPHER_description's).
 */
const LINE = /^\s*(0x[0-9A-F]{2},0x[0-9A-F]{2})\s+-\s+(\S+)\s+-\s+(\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)\s*$/;

/** The TLS 1.2 suites of `openssl ciphers -V -stdname` output; throws when there are none. */
export function parseOpensslCiphers(text: string): CipherSuite[] {
    const suites: CipherSuite[] = [];
    for (const line of text.split("\n")) {
        const m = LINE.exec(line);
        if (!m || m[4] === "TLSv1.3") continue;
        suites.push({ id: m[1]!, standardName: m[2]!, name: m[3]!, keyExchange: m[5]!, authentication: m[6]!, encryption: m[7]!, mac: m[8]! });
    }
    if (suites.length === 0) throw new Error(`no TLS 1.2 suite in the output of openssl ${OPENSSL_CIPHERS_ARGS.join(" ")}: ${JSON.stringify(text.slice(0, 200))}`);
    return suites;
}

/**
 * Forward secrecy: an ephemeral key exchange. SSL_CIPHER_description writes SSL_kECDHE as `ECDH` and
 * SSL_kDHE as `DH` (openssl/openssl ssl/ssl_ciph.c); OpenSSL 1.1.0 removed the static (EC)DH suites, so
 * both are ephemeral. `RSA` (the client encrypts the secret to the server's key) is not.
 */
const FORWARD_SECRET_KEY_EXCHANGES: ReadonlySet<string> = new Set(["ECDH", "DH", "ECDHEPSK", "DHEPSK"]);

/** The verdict on one suite a server offers. */
export function classifySuite(suite: CipherSuite, profile: readonly string[] = TLS12_CIPHERS): CipherSuiteVerdict {
    const forwardSecrecy = FORWARD_SECRET_KEY_EXCHANGES.has(suite.keyExchange);
    const encrypted = suite.encryption !== "None";
    // Every non-AEAD cipher of a TLS 1.2 suite in OpenSSL 3 is a block cipher in CBC mode with an HMAC
    // (AES, Camellia, 3DES, SEED, IDEA); RC4, the one stream cipher, is gone from OpenSSL 3's suites.
    const cbc = encrypted && suite.mac !== "AEAD" && !suite.encryption.startsWith("RC4");
    const inProfile = profile.includes(suite.name);
    const problems = [
        ...(forwardSecrecy ? [] : [`no forward secrecy (${suite.keyExchange} key exchange)`]),
        ...(cbc ? [`CBC (${suite.encryption} with HMAC-${suite.mac})`] : []),
        ...(encrypted ? [] : ["no encryption"]),
        ...(suite.authentication === "None" ? ["no server authentication (anonymous)"] : []),
        ...(inProfile ? [] : ["outside the profile"]),
    ];
    return { name: suite.name, standardName: suite.standardName, forwardSecrecy, cbc, inProfile, problems };
}

/** Can node's own OpenSSL, the one that makes the handshakes, offer this suite? */
export function offerable(suite: CipherSuite): boolean {
    try {
        tls.createSecureContext({ ciphers: `${suite.name}:@SECLEVEL=0` });
        return true;
    } catch {
        return false;
    }
}

let listed: Promise<CipherSuite[]> | undefined;

/** The local OpenSSL's TLS 1.2 suites, asked once per process (a failure is asked again next time). */
export function listTls12Suites(): Promise<CipherSuite[]> {
    listed ??= new Promise<CipherSuite[]>((resolve, reject) => {
        execFile("openssl", [...OPENSSL_CIPHERS_ARGS], { encoding: "utf8", timeout: 30_000 }, (error, stdout, stderr) => {
            if (error) {
                const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "`openssl` is not on PATH; install OpenSSL's command-line tool" : (stderr || error.message).trim().split("\n")[0];
                return reject(new Error(`cannot list the TLS 1.2 suites to probe (openssl ${OPENSSL_CIPHERS_ARGS.join(" ")}): ${why}`));
            }
            try {
                resolve(parseOpensslCiphers(stdout));
            } catch (e) {
                reject(e);
            }
        });
    });
    const current = listed;
    current.catch(() => {
        if (listed === current) listed = undefined;
    });
    return current;
}

/**
 * Who chooses the suites of an endpoint that this project does not configure: a host under AWS's own
 * domains is ElastiCache's or RDS's, whose server cipher lists the components do not set.
 */
export function managedServiceOf(host: string): string | undefined {
    return /\.amazonaws\.com(\.cn)?\.?$/i.test(host) ? "AWS" : undefined;
}

/**
 * The offered suites judged: fails on any suite without forward secrecy, any CBC suite, anything outside
 * the profile. For an endpoint another party runs (`managedBy`, e.g. AWS), whose suites no setting here
 * chooses, the same findings are a warning naming that party: the weekly verifier must not fail on
 * something no change to the stack can fix, nor stay silent about it.
 */
export function cipherSuitesCheck(o: Observation, profile: readonly string[] = TLS12_CIPHERS, managedBy?: string): { check: Check; offered: EndpointReport["tls12CipherSuites"] } {
    const id = "tls12_cipher_suites";
    const s = o.cipherSuites;
    if (!s.probed) {
        // No verdict from the TLS 1.2 probe: the handshake and version checks already say why.
        if (o.versions["TLSv1.2"].result === "error") return { check: { id, status: o.session.established ? "warn" : "skip", detail: s.detail }, offered: null };
        return { check: { id, status: "fail", detail: s.detail }, offered: null };
    }
    const offered = s.accepted.map((suite) => classifySuite(suite, profile));
    const report = { offered, candidates: s.candidates, ms: s.ms };
    const timing = `${s.candidates} suites probed in ${s.ms} ms, ${s.concurrency} at a time${s.notOfferable.length > 0 ? `; ${s.notOfferable.length} this client cannot offer: ${s.notOfferable.join(", ")}` : ""}`;
    const bad = offered.filter((v) => v.problems.length > 0);
    if (bad.length > 0) {
        const findings = `offers ${bad.map((v) => `${v.name} (${v.problems.join(", ")})`).join("; ")} (${timing})`;
        if (managedBy) return { check: { id, status: "warn", detail: `${findings}; ${managedBy} runs this endpoint and chooses its suites, which this stack does not set` }, offered: report };
        return { check: { id, status: "fail", detail: findings }, offered: report };
    }
    const list = offered.length > 0 ? `offers only profile suites: ${offered.map((v) => v.name).join(", ")}` : "offers no TLS 1.2 suite";
    if (s.undetermined.length > 0) {
        const first = s.undetermined[0]!;
        return { check: { id, status: "warn", detail: `could not tell for ${s.undetermined.length} suites (${first.suite}: ${first.detail}); ${list} (${timing})` }, offered: report };
    }
    return { check: { id, status: "ok", detail: `${list} (${timing})` }, offered: report };
}
