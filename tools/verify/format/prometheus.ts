/**
 * The report as Prometheus text exposition format 0.0.4 for node_exporter's textfile collector: HELP
 * and TYPE before each family, no timestamps (the collector rejects them), label values escaped.
 */
import { chainRole } from "../chain";
import { type Report, type TlsVersion, VERSION_NAMES } from "../types";

const STATUS_VALUE = { ok: 0, warn: 1, fail: 2 } as const;

/** Label value escaping of the text format: backslash, double quote, line feed. */
export function escapeLabel(value: string): string {
    return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

type Labels = Record<string, string>;
interface Family {
    readonly name: string;
    readonly help: string;
    readonly samples: Array<{ labels: Labels; value: number }>;
}

function render(f: Family): string[] {
    const sample = ({ labels, value }: { labels: Labels; value: number }) => {
        const text = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
        return text ? `${f.name}{${text}} ${value}` : `${f.name} ${value}`;
    };
    return [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`, ...f.samples.map(sample)];
}

export function formatPrometheus(report: Report): string {
    const family = (name: string, help: string): Family => ({ name: `tls_platform_${name}`, help, samples: [] });
    const checkOk = family("check_ok", "1 if the check passed, 0 if it warned or failed; skipped checks are absent.");
    const checkStatus = family("check_status", "Result of the check: 0 ok, 1 warning, 2 failure; skipped checks are absent.");
    const accepted = family("tls_version_accepted", "1 if the server completed a handshake offering only this TLS version, 0 if it refused; absent when undetermined.");
    const expiry = family("certificate_expiry_seconds", "Seconds until the served certificate expires; negative once expired.");
    const info = family("certificate_info", "The served certificate's serial, issuer and subject; always 1.");
    const chainExpiry = family("chain_certificate_expiry_seconds", "Seconds until each certificate of the chain (served, trust anchor, document CA) expires; negative once expired.");
    const suiteOffered = family("tls12_cipher_suite_offered", "1 for each TLS 1.2 cipher suite the server completed a handshake with, offered alone.");
    const suiteProbe = family("tls12_cipher_probe_seconds", "Wall time of the TLS 1.2 cipher suite handshakes of the endpoint.");
    const endpointStatus = family("endpoint_status", "Worst result of the endpoint's checks: 0 ok, 1 warning, 2 failure.");
    const runStatus = family("run_exit_code", "Exit status of the run: 0 all good, 1 warnings only, 2 any failure.");
    const lastRun = family("last_run_timestamp_seconds", "Unix time the run was evaluated at.");

    for (const e of report.endpoints) {
        const endpoint = e.target.name;
        const service = e.target.service;
        for (const c of e.checks) {
            if (c.status === "skip") continue;
            checkOk.samples.push({ labels: { endpoint, check: c.id }, value: c.status === "ok" ? 1 : 0 });
            checkStatus.samples.push({ labels: { endpoint, check: c.id }, value: STATUS_VALUE[c.status] });
        }
        for (const [version, outcome] of Object.entries(e.versions)) {
            if (outcome.result === "error") continue;
            accepted.samples.push({ labels: { endpoint, service, version: VERSION_NAMES[version as TlsVersion] }, value: outcome.result === "accepted" ? 1 : 0 });
        }
        if (e.certificate) {
            expiry.samples.push({ labels: { endpoint, service }, value: e.certificate.secondsLeft });
            info.samples.push({ labels: { endpoint, service, serial: e.certificate.serialNumber, issuer: e.certificate.issuer, subject: e.certificate.subject }, value: 1 });
        }
        e.chain.forEach((c, i) => {
            chainExpiry.samples.push({ labels: { endpoint, service, position: String(i), role: chainRole(c, i), subject: c.subject, fingerprint: c.fingerprint256 }, value: c.secondsLeft });
        });
        if (e.tls12CipherSuites) {
            const bit = (b: boolean) => (b ? "1" : "0");
            for (const v of e.tls12CipherSuites.offered) {
                suiteOffered.samples.push({ labels: { endpoint, service, suite: v.name, forward_secrecy: bit(v.forwardSecrecy), cbc: bit(v.cbc), in_profile: bit(v.inProfile) }, value: 1 });
            }
            suiteProbe.samples.push({ labels: { endpoint, service }, value: e.tls12CipherSuites.ms / 1000 });
        }
        endpointStatus.samples.push({ labels: { endpoint, service }, value: STATUS_VALUE[e.status] });
    }
    runStatus.samples.push({ labels: {}, value: report.exitCode });
    lastRun.samples.push({ labels: {}, value: Math.floor(new Date(report.checkedAt).getTime() / 1000) });

    const families = [checkOk, checkStatus, accepted, expiry, info, chainExpiry, suiteOffered, suiteProbe, endpointStatus, runStatus, lastRun].filter((f) => f.samples.length > 0);
    return `${families.flatMap(render).join("\n")}\n`;
}
