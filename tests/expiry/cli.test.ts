import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { EXPIRY_CONFIG_SCHEMA } from "../../tools/expiry/thresholds";
import { LEAF_CERT_TYPE, SELF_SIGNED_CERT_TYPE } from "../../tools/expiry/check";
import { type ExpiryIo, main } from "../../tools/expiry/cli";

// tls-platform-expiry's argument handling, exit statuses and output, in-process with its files, stdin and
// clock given. It runs for real on exported state of the real engine in tests/engine/expiry.test.ts.

const NOW = "2026-12-02T08:00:00Z";
const URN = (name: string, type: string) => `urn:pulumi:prod::tls-platform::${type}::${name}`;
const CIPHERTEXT = "v1:c2VjcmV0IGtleSBtYXRlcmlhbA==";
const exported = JSON.stringify({
    version: 3,
    deployment: {
        manifest: {},
        secrets_providers: { type: "passphrase", state: { salt: "v1:salt" } },
        resources: [
            { urn: URN("db-tls-key", "tls:index/privateKey:PrivateKey"), type: "tls:index/privateKey:PrivateKey", outputs: { privateKeyPem: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: CIPHERTEXT } } },
            { urn: URN("db-tls-cert", LEAF_CERT_TYPE), type: LEAF_CERT_TYPE, outputs: { validityEndTime: "2026-12-12T08:00:00Z", isCaCertificate: false, earlyRenewalHours: 720 } },
            { urn: URN("proxy-tls-cert", LEAF_CERT_TYPE), type: LEAF_CERT_TYPE, outputs: { validityEndTime: "2027-02-20T08:00:00Z", isCaCertificate: false, earlyRenewalHours: 720 } },
            { urn: URN("platform-ca-cert", SELF_SIGNED_CERT_TYPE), type: SELF_SIGNED_CERT_TYPE, outputs: { validityEndTime: "2029-09-01T00:00:00Z", isCaCertificate: true, earlyRenewalHours: 4320 } },
        ],
    },
});

function run(argv: string[], files: Record<string, string> = { "state.json": exported }, stdin = "") {
    let stdout = "";
    let stderr = "";
    const io: ExpiryIo = {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        readFile: (file) => {
            if (!(file in files)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: "ENOENT", path: file });
            return files[file]!;
        },
        readStdin: () => stdin,
        now: () => new Date(NOW),
    };
    const status = main(argv, io);
    return { status, stdout, stderr };
}

describe("tls-platform-expiry", () => {
    it("exits 1 naming the leaf with 10 days left, and prints nothing of the state's secrets", () => {
        const r = run(["state.json"]);
        expect(r.status).toBe(1);
        expect(r.stdout.split("\n")).toEqual([
            expect.stringMatching(/^error: `db-tls-cert` \(tls:index\/locallySignedCert:LocallySignedCert\) expires at 2026-12-12T08:00:00Z, 10 days after 2026-12-02T08:00:00Z: fewer than the 14 days `certificate-expiry` requires of a leaf certificate/),
            "certificate-expiry: 3 certificates in state.json checked at 2026-12-02T08:00:00Z (leaves need 14 days left, CAs 90): 1 with a problem.",
            "",
        ]);
        expect(r.stdout + r.stderr).not.toContain(CIPHERTEXT);
        expect(r.stdout + r.stderr).not.toContain("salt");
    });

    it("reads the export from stdin with `-`", () => {
        expect(run(["-"], {}, exported).status).toBe(1);
        expect(run(["-"], {}, exported).stdout).toContain("certificates in stdin checked");
    });

    it("exits 0 as of a day when all have enough left (--now), and 1 as of a day the CA is within 90 days", () => {
        const early = run(["--now", "2026-11-01T00:00:00Z", "state.json"]);
        expect(early).toEqual({ status: 0, stdout: "certificate-expiry: 3 certificates in state.json checked at 2026-11-01T00:00:00Z (leaves need 14 days left, CAs 90): all fine.\n", stderr: "" });
        const late = run(["--now", "2029-06-10T00:00:00Z", "state.json"]);
        expect(late.status).toBe(1);
        expect(late.stdout).toContain("error: `platform-ca-cert` (tls:index/selfSignedCert:SelfSignedCert) expires at 2029-09-01T00:00:00Z, 83 days after 2029-06-10T00:00:00Z: fewer than the 90 days");
        expect(late.stdout).toContain("error: `db-tls-cert` (tls:index/locallySignedCert:LocallySignedCert) expired at 2026-12-12T08:00:00Z");
    });

    it("takes its thresholds and level from the policy pack config file that `pulumi preview --policy-pack-config` takes", () => {
        const files = {
            "state.json": exported,
            "seven.json": JSON.stringify({ "certificate-expiry": { leafMinDaysLeft: 7 } }),
            "hundred.json": JSON.stringify({ "certificate-expiry": { enforcementLevel: "mandatory", leafMinDaysLeft: 100 } }),
            "advisory.json": JSON.stringify({ "certificate-expiry": "advisory" }),
            "disabled.json": JSON.stringify({ all: "disabled" }),
        };
        expect(run(["--policy-pack-config", "seven.json", "state.json"], files).stdout).toBe("certificate-expiry: 3 certificates in state.json checked at 2026-12-02T08:00:00Z (leaves need 7 days left, CAs 90, from seven.json): all fine.\n");
        const hundred = run(["--policy-pack-config", "hundred.json", "state.json"], files);
        expect(hundred.status).toBe(1);
        expect(hundred.stdout.match(/^error: /gm)).toHaveLength(2);
        const advisory = run(["--policy-pack-config", "advisory.json", "state.json"], files);
        expect(advisory.status).toBe(0);
        expect(advisory.stdout).toMatch(/^warning: `db-tls-cert` /);
        expect(advisory.stdout).toMatch(/1 with a problem \(advisory: exit 0\)\.\n$/);
        expect(run(["--policy-pack-config", "disabled.json", "state.json"], files)).toEqual({ status: 0, stdout: "certificate-expiry is disabled by disabled.json: nothing checked.\n", stderr: "" });
    });

    it("reads the repository's policy/config/certificate-expiry.json (the README's example) as the pack does: only keys of the rule's schema", () => {
        const text = fs.readFileSync(path.resolve(__dirname, "../../policy/config/certificate-expiry.json"), "utf8");
        const { enforcementLevel: _level, ...properties } = (JSON.parse(text) as Record<string, Record<string, unknown>>)["certificate-expiry"]!;
        expect(Object.keys(properties).sort()).toEqual(Object.keys(EXPIRY_CONFIG_SCHEMA.properties).sort());
        const r = run(["--policy-pack-config", "policy/config/certificate-expiry.json", "state.json"], { "state.json": exported, "policy/config/certificate-expiry.json": text });
        expect(r.stdout).toMatch(/\(leaves need 21 days left, CAs 120, from policy\/config\/certificate-expiry\.json\): 1 with a problem\.\n$/);
        expect(r.status).toBe(1);
    });

    it.each([
        ["no export", [], "give the export to check (a file, or - for stdin)."],
        ["two exports", ["a.json", "b.json"], "one export at a time: got a.json and b.json."],
        ["an unknown option", ["--days", "3", "state.json"], "unknown option --days."],
        ["--now without a value", ["state.json", "--now"], "--now needs a value."],
        ["--now that is no time", ["--now", "tomorrow", "state.json"], '--now "tomorrow" is not an RFC 3339 time, e.g. 2026-12-24T00:00:00Z.'],
    ])("exits 2 with usage for %s", (_title, argv, message) => {
        const r = run(argv);
        expect(r.status).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(new RegExp(`^tls-platform-expiry: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n\nUsage: tls-platform-expiry `));
    });

    it.each([
        ["a missing file", ["nothere.json"], {}, /^tls-platform-expiry: cannot read nothere\.json: ENOENT/],
        ["a bad threshold in the config file", ["--policy-pack-config", "c.json", "state.json"], { "c.json": '{"certificate-expiry": {"leafMinDaysLeft": -3}}', "state.json": exported }, /^tls-platform-expiry: c\.json: `certificate-expiry\.leafMinDaysLeft` is -3: it must be a whole number of days, 0 or more \(default 14\)\./],
        ["stack outputs instead of an export", ["o.json"], { "o.json": '{"connections":"[secret]"}' }, /^tls-platform-expiry: the input has no `deployment`: give the output of `pulumi stack export --stack <stack>`/],
        ["an empty stdin (the export failed)", ["-"], {}, /^tls-platform-expiry: the input is not JSON/],
    ])("exits 2 for %s, saying what is wrong", (_title, argv, files, message) => {
        const r = run(argv, files as Record<string, string>);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(message);
    });

    it("prints its usage with --help and exits 0", () => {
        const r = run(["--help"]);
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/^Usage: tls-platform-expiry \[--policy-pack-config FILE\] \[--now TIME\] EXPORT\n/);
    });
});
