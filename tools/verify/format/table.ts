/**
 * The report for a person: one summary row per endpoint, then every check of every endpoint.
 */
import { chainRole } from "../chain";
import { DAY_SECONDS, formatDays, isoSeconds } from "../days";
import { type EndpointReport, type Report, TLS_VERSIONS, VERSION_NAMES, type VersionOutcome } from "../types";

const STATUS_WORD = { ok: "OK", warn: "WARN", fail: "FAIL", skip: "SKIP" } as const;
const VERSION_WORD: Record<VersionOutcome["result"], string> = { accepted: "yes", refused: "no", error: "?" };

/** Rows as left-aligned columns, two spaces apart, no trailing blanks. */
export function columns(rows: readonly (readonly string[])[], indent = ""): string[] {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
}

const address = (e: EndpointReport) => `${e.target.host.includes(":") ? `[${e.target.host}]` : e.target.host}:${e.target.port}`;
const daysLeft = (e: EndpointReport) => (e.certificate ? formatDays(e.certificate.secondsLeft / DAY_SECONDS) : "-");

function counts(report: Report): string {
    const n = (s: string) => report.endpoints.filter((e) => e.status === s).length;
    const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
    return `${plural(report.endpoints.length, "endpoint")}: ${n("ok")} ok, ${plural(n("warn"), "warning")}, ${plural(n("fail"), "failure")}`;
}

export function formatTable(report: Report): string {
    const lines = [`tls-platform-verify at ${report.checkedAt}: ${counts(report)} (exit ${report.exitCode})`, ""];
    lines.push(...columns([
        ["ENDPOINT", "SERVICE", "ADDRESS", ...TLS_VERSIONS.map((v) => VERSION_NAMES[v]), "CERT DAYS", "STATUS"],
        ...report.endpoints.map((e) => [
            e.target.name, e.target.service, address(e), ...TLS_VERSIONS.map((v) => VERSION_WORD[e.versions[v].result]), daysLeft(e), STATUS_WORD[e.status],
        ]),
    ]));
    for (const e of report.endpoints) {
        lines.push("", `${e.target.name} (${e.target.service} ${address(e)}, server name ${e.target.serverName}, trusting ${e.target.trust}${e.target.clientCertificate ? ", with client certificate" : ""}): ${STATUS_WORD[e.status]}`);
        if (e.certificate) {
            const c = e.certificate;
            lines.push(`  certificate  ${c.subject}; issuer ${c.issuer}; serial ${c.serialNumber}; not after ${isoSeconds(c.notAfter)}`);
        }
        lines.push(...columns(e.checks.map((c) => [c.id, STATUS_WORD[c.status], c.detail]), "  "));
        if (e.chain.length > 0) {
            lines.push(...columns(e.chain.map((c, i) => [
                "chain", chainRole(c, i), c.subject, `not after ${isoSeconds(c.notAfter)}`, `${formatDays(c.secondsLeft / DAY_SECONDS)} days`, `SHA-256 ${c.fingerprint256}`,
            ]), "  "));
        }
        const suites = e.tls12CipherSuites?.offered ?? [];
        if (suites.length > 0) lines.push(...columns(suites.map((v) => ["TLS 1.2 suite", v.name, v.standardName, v.problems.length > 0 ? v.problems.join(", ") : "ok"]), "  "));
    }
    return `${lines.join("\n")}\n`;
}
