import { shellQuote } from "./writer";

/**
 * Reads the certificate a server actually serves and compares its SHA-256 fingerprint with the one just
 * delivered. A reload's exit status proves nothing: PostgreSQL keeps its old TLS context when the new files
 * are bad and `pg_reload_conf()` still returns true (src/backend/postmaster/postmaster.c: the reload's
 * secure_initialize(false) fails, "SSL configuration was not reloaded"); nginx keeps its old cycle when the reload fails
 * (src/os/unix/ngx_process_cycle.c ngx_master_process_cycle: ngx_init_cycle returns NULL). Plain JavaScript run by `node -e`, so the command string is the same on every machine.
 *
 * argv: host port protocol(tls|postgres) serverName expectedSha256 generation timeoutSeconds caBundleBase64
 * (the CA bundle the certificate must verify against: public). The chain and the name are verified as a client
 * would; TLS 1.3 lets the server's certificate be read even where the server then demands a client
 * certificate this probe does not have.
 */
export const PROBE_SCRIPT = `"use strict";
const net = require("node:net");
const tls = require("node:tls");
const [host, portText, protocol, serverName, expected, generation, timeoutText, caBase64] = process.argv.slice(1);
const port = Number(portText);
const deadline = Date.now() + Number(timeoutText) * 1000;
main(Buffer.from(caBase64, "base64").toString("utf8"));
function handshake(ca, socket) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      socket, host, port, ca, minVersion: "TLSv1.2",
      servername: net.isIP(serverName) ? undefined : serverName,
      checkServerIdentity: (_, cert) => tls.checkServerIdentity(serverName, cert),
    }, () => {
      const fingerprint = s.getPeerCertificate().fingerprint256.replace(/:/g, "").toLowerCase();
      s.destroy();
      resolve(fingerprint);
    });
    s.setTimeout(5000, () => s.destroy(new Error("no TLS handshake within 5 s")));
    s.on("error", reject);
  });
}
function served(ca) {
  if (protocol !== "postgres") return handshake(ca, undefined);
  return new Promise((resolve, reject) => {
    const raw = net.connect(port, host, () => raw.write(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])));
    raw.setTimeout(5000, () => raw.destroy(new Error("no answer to SSLRequest within 5 s")));
    raw.once("data", (b) => {
      raw.setTimeout(0);
      if (b[0] !== 0x53) { raw.destroy(); reject(new Error("the server refused SSLRequest")); return; }
      handshake(ca, raw).then(resolve, reject);
    });
    raw.on("error", reject);
  });
}
async function main(ca) {
  let last = "nothing read yet";
  for (;;) {
    try {
      const fingerprint = await served(ca);
      if (fingerprint === expected) {
        console.log("tls-platform reload: " + host + ":" + port + " serves generation " + generation + " (sha256 " + fingerprint + ")");
        return;
      }
      last = "it serves sha256 " + fingerprint;
    } catch (e) {
      last = "no verified handshake: " + e.message;
    }
    if (Date.now() > deadline) {
      console.error("tls-platform reload: " + host + ":" + port + " does not serve the delivered certificate (sha256 " + expected + ", generation " + generation + ") after " + timeoutText + " s; " + last + ". A refused reload keeps the previous certificate serving: read the server's log for why the new files were refused, fix, and run pulumi up again.");
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
`;

/** How long a reload may take to show on the port before `pulumi up` fails. */
export const RELOAD_TIMEOUT_SECONDS = 30;

export interface ReloadSpec {
    readonly container: string;
    /** What `docker exec` runs in the container to make the server read its TLS files again. */
    readonly reload: readonly string[];
    readonly host: string;
    readonly port: number;
    readonly protocol: "tls" | "postgres";
    readonly serverName: string;
    /** SHA-256 of the delivered server certificate (DER), lower-case hex. */
    readonly fingerprint: string;
    readonly generation: string;
    /** The CA bundle, PEM, the served certificate must verify against (public: it goes on the command line). */
    readonly trustBundlePem: string;
    /** The volume writer's `docker run` (writer.ts writerCommand), which takes the payload on stdin. */
    readonly writer: string;
    /** The volume's rollback `docker run` (writer.ts rollbackCommand) for this generation. */
    readonly rollback: string;
    /**
     * How long the port may take to serve the delivered certificate before the command fails.
     * @default - RELOAD_TIMEOUT_SECONDS (30 s)
     */
    readonly timeoutSeconds?: number;
}

/**
 * One step, all or nothing: write the payload (stdin) into the TLS volume, `docker exec` the reload, and
 * wait until the published port serves the delivered certificate. When the reload or the check fails, the
 * volume goes back to the generation the server was serving and the server reads it again, so a later
 * restart of the container starts with a pair that works; the command then fails, the engine keeps this
 * resource's previous inputs, and the next `pulumi up` runs the whole step again. The fingerprint and
 * generation are in the command, so a new certificate or CA bundle changes it and the command provider
 * runs it again (an update runs `create` when no `update` is given; `triggers` would replace the resource
 * instead, pulumi-command#855).
 */
export function reloadCommand(spec: ReloadSpec): string {
    const exec = ["docker", "exec", spec.container, ...spec.reload].map(shellQuote).join(" ");
    const probe = [
        "node", "-e", PROBE_SCRIPT, spec.host, String(spec.port), spec.protocol, spec.serverName, spec.fingerprint, spec.generation,
        String(spec.timeoutSeconds ?? RELOAD_TIMEOUT_SECONDS), Buffer.from(spec.trustBundlePem, "utf8").toString("base64"),
    ].map(shellQuote).join(" ");
    return [
        "set -eu",
        spec.writer,
        `if ${exec} </dev/null && ${probe}; then exit 0; fi`,
        `echo "tls-platform reload: generation ${spec.generation} was not taken; the TLS volume goes back to the generation being served" >&2`,
        `${spec.rollback} </dev/null || echo "tls-platform reload: the TLS volume could not go back; the container would start with generation ${spec.generation} if restarted" >&2`,
        `${exec} </dev/null >/dev/null 2>&1 || true`,
        "exit 1",
    ].join("\n");
}
