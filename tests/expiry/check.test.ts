import { describe, expect, it } from "vitest";
import { type CertificateRecord, expiryProblems, LEAF_CERT_TYPE, parseRfc3339, RENEWED_IN_THIS_RUN, SELF_SIGNED_CERT_TYPE } from "../../tools/expiry/check";
import { expiryConfigFromPackConfig } from "../../tools/expiry/config";
import { certificatesFromExport, StateError } from "../../tools/expiry/state";
import { DEFAULT_EXPIRY_THRESHOLDS, EXPIRY_CONFIG_SCHEMA, thresholdsFromConfig } from "../../tools/expiry/thresholds";

// The one check behind the `certificate-expiry` rule and tls-platform-expiry: certificates, a time and
// thresholds in, a message per certificate with too few days left (or none to read) out.

const NOW = new Date("2026-12-02T08:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString().replace(/\.000Z$/, "Z");
const URN = (name: string, type = LEAF_CERT_TYPE) => `urn:pulumi:dev::tls-platform::tls-platform:pki:Certificate$${type}::${name}`;
const leaf = (validityEndTime: unknown, extra: Partial<CertificateRecord> = {}): CertificateRecord => ({
    name: "db-cert",
    type: LEAF_CERT_TYPE,
    urn: URN("db-cert"),
    isCaCertificate: false,
    validityEndTime,
    earlyRenewalHours: 30 * 24,
    ...extra,
});
const ca = (validityEndTime: unknown, extra: Partial<CertificateRecord> = {}): CertificateRecord => ({
    name: "platform-ca-cert",
    type: SELF_SIGNED_CERT_TYPE,
    urn: URN("platform-ca-cert", SELF_SIGNED_CERT_TYPE),
    isCaCertificate: true,
    validityEndTime,
    earlyRenewalHours: 180 * 24,
    ...extra,
});
const check = (certs: CertificateRecord[], thresholds = DEFAULT_EXPIRY_THRESHOLDS) => expiryProblems(certs, NOW, thresholds);
const kinds = (certs: CertificateRecord[], thresholds = DEFAULT_EXPIRY_THRESHOLDS) => check(certs, thresholds).map((p) => `${p.kind} ${p.name}`);

describe("thresholds: leaves and CAs apart, at the boundary", () => {
    it.each([
        ["a fresh leaf (90 days)", leaf(at(90 * DAY)), []],
        ["a leaf inside its early-renewal window with 20 days left", leaf(at(20 * DAY)), []],
        ["a leaf with exactly 14 days left", leaf(at(14 * DAY)), []],
        ["a leaf one second short of 14 days", leaf(at(14 * DAY - 1000)), ["expiring db-cert"]],
        ["a leaf with 1 day left", leaf(at(DAY)), ["expiring db-cert"]],
        ["a leaf ending now", leaf(at(0)), ["expired db-cert"]],
        ["a leaf that ended a week ago", leaf(at(-7 * DAY)), ["expired db-cert"]],
        ["a fresh CA (1095 days)", ca(at(1095 * DAY)), []],
        ["a CA with exactly 90 days left", ca(at(90 * DAY)), []],
        ["a CA one second short of 90 days", ca(at(90 * DAY - 1000)), ["expiring platform-ca-cert"]],
        ["a CA with 30 days left, which a leaf's threshold would pass", ca(at(30 * DAY)), ["expiring platform-ca-cert"]],
        ["a leaf with 30 days left, which a CA's threshold would fail", leaf(at(30 * DAY)), []],
        ["an intermediate CA (a LocallySignedCert with isCaCertificate) with 60 days left", leaf(at(60 * DAY), { isCaCertificate: true }), ["expiring db-cert"]],
        ["a leaf without isCaCertificate (the provider's default, false) with 20 days left", leaf(at(20 * DAY), { isCaCertificate: undefined }), []],
    ])("%s", (_title, cert, expected) => {
        expect(kinds([cert])).toEqual(expected);
    });

    it("takes each kind's threshold from the config: 0 days reports only expired certificates, 100 days every fresh leaf", () => {
        const certs = [leaf(at(HOUR)), ca(at(10 * DAY)), leaf(at(-HOUR), { name: "old" })];
        expect(kinds(certs, { leafMinDaysLeft: 0, caMinDaysLeft: 0 })).toEqual(["expired old"]);
        expect(kinds([leaf(at(90 * DAY))], { leafMinDaysLeft: 100, caMinDaysLeft: 0 })).toEqual(["expiring db-cert"]);
        expect(kinds([ca(at(90 * DAY))], { leafMinDaysLeft: 100, caMinDaysLeft: 0 })).toEqual([]);
    });

    it("reports every certificate with a problem, in order, and none of the fine ones", () => {
        const certs = [leaf(at(3 * DAY), { name: "a" }), leaf(at(60 * DAY), { name: "b" }), ca(at(10 * DAY)), leaf(at(-DAY), { name: "c" })];
        expect(kinds(certs)).toEqual(["expiring a", "expiring platform-ca-cert", "expired c"]);
    });
});

describe("a certificate renewed in this run", () => {
    it("passes when its end time is unknown (created or replaced during preview), whatever the thresholds", () => {
        expect(check([leaf(RENEWED_IN_THIS_RUN), ca(RENEWED_IN_THIS_RUN)], { leafMinDaysLeft: 10_000, caMinDaysLeft: 10_000 })).toEqual([]);
    });
});

describe("messages: resource, type, end date, threshold and the fix", () => {
    it("a leaf inside its early-renewal window: `pulumi up` renews it", () => {
        expect(check([leaf(at(10 * DAY + 3 * HOUR))])).toEqual([
            {
                name: "db-cert",
                type: LEAF_CERT_TYPE,
                urn: URN("db-cert"),
                kind: "expiring",
                message:
                    "`db-cert` (tls:index/locallySignedCert:LocallySignedCert) expires at 2026-12-12T11:00:00Z, 10 days 3 hours after 2026-12-02T08:00:00Z: fewer than the 14 days `certificate-expiry` requires of a leaf certificate (`leafMinDaysLeft`). It is inside its early-renewal window: run `pulumi up` on this stack, which replaces it with a new certificate (and updates everything that uses it).",
            },
        ]);
    });

    it("a leaf whose window opens later than the threshold: `pulumi up --replace` with its URN, or a longer early renewal", () => {
        const [problem] = check([leaf(at(10 * DAY), { earlyRenewalHours: 5 * 24 })]);
        expect(problem!.message).toBe(
            `\`db-cert\` (tls:index/locallySignedCert:LocallySignedCert) expires at 2026-12-12T08:00:00Z, 10 days after 2026-12-02T08:00:00Z: fewer than the 14 days \`certificate-expiry\` requires of a leaf certificate (\`leafMinDaysLeft\`). \`pulumi up\` renews it only from 2026-12-07T08:00:00Z, when its early-renewal window (120 hours) opens: renew it now with \`pulumi up --replace '${URN("db-cert")}'\`, or give it an early renewal of at least 14 days so \`pulumi up\` renews it in time.`,
        );
    });

    it("a certificate without a recorded early renewal: `pulumi up`, or `--replace` at once", () => {
        expect(check([leaf(at(5 * DAY), { earlyRenewalHours: undefined })])[0]!.message).toMatch(
            /\. Its early-renewal window is not recorded: run `pulumi up` on this stack, which replaces it once inside that window, or `pulumi up --replace 'urn:pulumi:dev::tls-platform::tls-platform:pki:Certificate\$tls:index\/locallySignedCert:LocallySignedCert::db-cert'` to renew it at once\.$/,
        );
    });

    it("a CA names the CA threshold and its key", () => {
        expect(check([ca(at(30 * DAY))])[0]!.message).toContain("fewer than the 90 days `certificate-expiry` requires of a CA certificate (`caMinDaysLeft`)");
    });

    it("an expired certificate says when it expired", () => {
        expect(check([leaf(at(-2 * DAY - 5 * HOUR))])[0]!.message).toMatch(/^`db-cert` \(tls:index\/locallySignedCert:LocallySignedCert\) expired at 2026-11-30T03:00:00Z, 2 days 5 hours before 2026-12-02T08:00:00Z\. It is inside its early-renewal window: run `pulumi up`/);
    });
});

describe("malformed values: a clear problem, not a crash", () => {
    it.each([
        ["missing", undefined, "`validityEndTime` is not set, not an RFC 3339 time"],
        ["empty", "", "`validityEndTime` is ``, not an RFC 3339 time"],
        ["not a date", "next tuesday", "`validityEndTime` is `next tuesday`, not an RFC 3339 time"],
        ["February 30th (Date.parse would take it as March 2nd)", "2027-02-30T00:00:00Z", "`validityEndTime` is `2027-02-30T00:00:00Z`, not an RFC 3339 time"],
        ["without a zone", "2027-01-01T00:00:00", "`validityEndTime` is `2027-01-01T00:00:00`, not an RFC 3339 time"],
        ["a date only", "2027-01-01", "`validityEndTime` is `2027-01-01`, not an RFC 3339 time"],
        ["hour 24", "2027-01-01T24:00:00Z", "`validityEndTime` is `2027-01-01T24:00:00Z`, not an RFC 3339 time"],
        ["a number (epoch seconds)", 1798761600, "`validityEndTime` is a number, not a string, not an RFC 3339 time"],
        ["a secret envelope, shown by its kind only", { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:SECRETCIPHERTEXT" }, "`validityEndTime` is a secret (encrypted in the state), not an RFC 3339 time"],
        ["a long string, cut", "x".repeat(100), `\`validityEndTime\` is \`${"x".repeat(40)}…\`, not an RFC 3339 time`],
    ])("validityEndTime %s", (_title, value, expected) => {
        const problems = check([leaf(value)]);
        expect(problems.map((p) => p.kind)).toEqual(["unreadable"]);
        expect(problems[0]!.message).toBe(`\`db-cert\` (tls:index/locallySignedCert:LocallySignedCert): ${expected}, so its expiry cannot be checked. Check the state (\`pulumi stack export\`) or run \`pulumi refresh\`.`);
        expect(problems[0]!.message).not.toContain("SECRETCIPHERTEXT");
    });

    it("an isCaCertificate that is not a boolean: the threshold is unknown, said so", () => {
        expect(check([leaf(at(60 * DAY), { isCaCertificate: "yes" })])[0]!.message).toBe(
            "`db-cert` (tls:index/locallySignedCert:LocallySignedCert): `isCaCertificate` is `yes`, so it is unknown whether the leaf or the CA threshold applies. Check the state (`pulumi stack export`) or run `pulumi refresh`.",
        );
    });

    it.each([
        ["2027-01-01T00:00:00Z", "2027-01-01T00:00:00.000Z"],
        ["2027-01-01T01:00:00+01:00", "2027-01-01T00:00:00.000Z"],
        ["2027-01-01t00:00:00.5z", "2027-01-01T00:00:00.500Z"],
        ["2028-02-29T00:00:00Z", "2028-02-29T00:00:00.000Z"],
    ])("reads the RFC 3339 time %s", (text, iso) => {
        expect(parseRfc3339(text)?.toISOString()).toBe(iso);
    });
    it.each(["2027-02-29T00:00:00Z", "2027-04-31T00:00:00Z", "2027-01-01T00:60:00Z", "2027-01-01T00:00:00+24:00"])("refuses %s", (text) => {
        expect(parseRfc3339(text)).toBeUndefined();
    });
});

describe("thresholds from config (the pack's getConfig, a --policy-pack-config file)", () => {
    it("defaults to 14 days for leaves and 90 for CAs, the schema's defaults", () => {
        expect(DEFAULT_EXPIRY_THRESHOLDS).toEqual({ leafMinDaysLeft: 14, caMinDaysLeft: 90 });
        expect(EXPIRY_CONFIG_SCHEMA.properties.leafMinDaysLeft.default).toBe(14);
        expect(EXPIRY_CONFIG_SCHEMA.properties.caMinDaysLeft.default).toBe(90);
        expect(thresholdsFromConfig({})).toEqual({ thresholds: { leafMinDaysLeft: 14, caMinDaysLeft: 90 }, problems: [] });
        expect(thresholdsFromConfig(undefined)).toEqual({ thresholds: { leafMinDaysLeft: 14, caMinDaysLeft: 90 }, problems: [] });
    });

    it("takes each one given and names every bad one", () => {
        expect(thresholdsFromConfig({ leafMinDaysLeft: 30 })).toEqual({ thresholds: { leafMinDaysLeft: 30, caMinDaysLeft: 90 }, problems: [] });
        expect(thresholdsFromConfig({ leafMinDaysLeft: -1, caMinDaysLeft: "60" }).problems).toEqual([
            "`certificate-expiry.leafMinDaysLeft` is -1: it must be a whole number of days, 0 or more (default 14).",
            '`certificate-expiry.caMinDaysLeft` is "60": it must be a whole number of days, 0 or more (default 90).',
        ]);
    });

    it.each([
        ["no file", undefined, { leafMinDaysLeft: 14, caMinDaysLeft: 90 }, "mandatory"],
        ["the rule's entry with properties", '{"certificate-expiry": {"leafMinDaysLeft": 100}}', { leafMinDaysLeft: 100, caMinDaysLeft: 90 }, "mandatory"],
        ["the rule's entry as a bare level", '{"certificate-expiry": "advisory"}', { leafMinDaysLeft: 14, caMinDaysLeft: 90 }, "advisory"],
        ["`all` as a level, the rule's own level first", '{"all": "disabled", "certificate-expiry": {"enforcementLevel": "advisory", "caMinDaysLeft": 120}}', { leafMinDaysLeft: 14, caMinDaysLeft: 120 }, "advisory"],
        ["`all` alone", '{"all": {"enforcementLevel": "disabled"}}', { leafMinDaysLeft: 14, caMinDaysLeft: 90 }, "disabled"],
        ["another rule only (the repository's migration file)", '{"elasticache-transit-encryption-required": "disabled"}', { leafMinDaysLeft: 14, caMinDaysLeft: 90 }, "mandatory"],
    ])("a policy pack config file: %s", (_title, text, thresholds, level) => {
        expect(expiryConfigFromPackConfig(text)).toEqual({ thresholds, enforcementLevel: level, problems: [] });
    });

    it("names a bad level, bad JSON and a bad threshold in a config file", () => {
        expect(expiryConfigFromPackConfig('{"certificate-expiry": "loud"}').problems).toEqual(['`certificate-expiry` has enforcement level "loud": use one of advisory, mandatory, remediate, disabled.']);
        expect(expiryConfigFromPackConfig("{").problems[0]).toMatch(/^the policy pack config is not JSON: /);
        expect(expiryConfigFromPackConfig('{"certificate-expiry": {"caMinDaysLeft": 1.5}}').problems).toEqual(["`certificate-expiry.caMinDaysLeft` is 1.5: it must be a whole number of days, 0 or more (default 90)."]);
    });
});

describe("certificates from `pulumi stack export` output", () => {
    const exported = (resources: unknown[]) => JSON.stringify({ version: 3, deployment: { manifest: {}, resources } });

    it("keeps the live tls certificates' name, type, URN and the three outputs, and nothing else", () => {
        const text = exported([
            { urn: "urn:pulumi:dev::tls-platform::pulumi:pulumi:Stack::tls-platform-dev", type: "pulumi:pulumi:Stack" },
            { urn: URN("db-cert"), type: LEAF_CERT_TYPE, outputs: { validityEndTime: "2027-03-01T00:00:00Z", isCaCertificate: false, earlyRenewalHours: 720, certPem: "PEM", caPrivateKeyPem: { ciphertext: "x" } } },
            { urn: URN("db-cert"), type: LEAF_CERT_TYPE, delete: true, outputs: { validityEndTime: "2026-12-03T00:00:00Z" } },
            { urn: URN("platform-ca-cert", SELF_SIGNED_CERT_TYPE), type: SELF_SIGNED_CERT_TYPE, outputs: { validityEndTime: "2029-01-01T00:00:00Z", isCaCertificate: true, earlyRenewalHours: 4320 } },
            { urn: "urn:pulumi:dev::tls-platform::tls:index/privateKey:PrivateKey::db-key", type: "tls:index/privateKey:PrivateKey", outputs: { privateKeyPem: { ciphertext: "y" } } },
        ]);
        expect(certificatesFromExport(text)).toEqual([
            { name: "db-cert", type: LEAF_CERT_TYPE, urn: URN("db-cert"), isCaCertificate: false, validityEndTime: "2027-03-01T00:00:00Z", earlyRenewalHours: 720 },
            { name: "platform-ca-cert", type: SELF_SIGNED_CERT_TYPE, urn: URN("platform-ca-cert", SELF_SIGNED_CERT_TYPE), isCaCertificate: true, validityEndTime: "2029-01-01T00:00:00Z", earlyRenewalHours: 4320 },
        ]);
    });

    it("reads a stack never deployed (no resources) as no certificates", () => {
        expect(certificatesFromExport(JSON.stringify({ version: 3, deployment: { manifest: {} } }))).toEqual([]);
    });

    it.each([
        ["not JSON", "Enter your passphrase", /^the input is not JSON \(.*\): give the output of `pulumi stack export --stack <stack>`\.$/],
        ["`pulumi stack output --json` instead", '{"connections": "[secret]"}', /^the input has no `deployment`: give the output of `pulumi stack export --stack <stack>`/],
        ["a damaged resource list", '{"deployment": {"resources": {}}}', /^`deployment.resources` is not a list/],
    ])("refuses %s with a StateError that says what to give", (_title, text, message) => {
        expect(() => certificatesFromExport(text)).toThrow(StateError);
        expect(() => certificatesFromExport(text)).toThrow(message);
    });
});
