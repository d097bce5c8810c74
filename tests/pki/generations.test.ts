import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator } from "../emulator";
import { settle } from "../support/outputs";

// CA generations under the emulator: a one-generation CA is exactly the CA from before generations
// (same URNs, same inputs: no rename, no replacement), bad generation arguments are one clear error
// before anything is created, and what is only known later fails with a ResourceError.

let emulator: ProviderEmulator;
let pki: typeof import("../../components");
let clock = new Date();

beforeAll(async () => {
    emulator = await installEmulator({ now: () => clock });
    pki = await import("../../components");
});

/**
 * Runs `body` with the process's unhandled rejections collected instead of reported, and returns them.
 * A ResourceError thrown in an apply reaches the engine as a failed registration of everything built
 * from that output (the component's outputs, the child's inputs); under the mocks nothing awaits those
 * registrations, so they surface here, each one the guard's error.
 */
async function collectingUnhandled(body: () => Promise<void>): Promise<Error[]> {
    const saved = process.listeners("unhandledRejection");
    const collected: Error[] = [];
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", (reason) => collected.push(reason as Error));
    try {
        await body();
        await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
        process.removeAllListeners("unhandledRejection");
        for (const listener of saved) process.on("unhandledRejection", listener);
    }
    return collected;
}

/** Every resource registered under `create`'s component (itself included), with its URN and aliases. */
async function registered(create: (opts: pulumi.ComponentResourceOptions) => pulumi.Resource): Promise<Array<{ urn: string; aliases: number }>> {
    const seen: Array<{ resource: pulumi.Resource; aliases: number }> = [];
    const root = create({
        transformations: [
            (args) => {
                seen.push({ resource: args.resource, aliases: args.opts.aliases?.length ?? 0 });
                return undefined;
            },
        ],
    });
    await valueOf(root.urn);
    return Promise.all(seen.map(async ({ resource, aliases }) => ({ urn: await valueOf(resource.urn), aliases })));
}

const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";
const KEY = "tls:index/privateKey:PrivateKey";

describe("a one-generation CA is the CA it was before generations", () => {
    // Printed by this test against commit 1e8c1f4's certificateAuthority.ts (before generations), and
    // asserted unchanged since: the engine then plans `same` for both children (tests/pki/engine-compat.test.ts).
    const urns = (name: string) => [
        `urn:pulumi:test::tls-platform::tls-platform:index:CertificateAuthority$tls:index/privateKey:PrivateKey::${name}-key`,
        `urn:pulumi:test::tls-platform::tls-platform:index:CertificateAuthority$tls:index/selfSignedCert:SelfSignedCert::${name}-cert`,
        `urn:pulumi:test::tls-platform::tls-platform:index:CertificateAuthority::${name}`,
    ];
    const inputsBefore = {
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        earlyRenewalHours: 4320,
        isCaCertificate: true,
        setAuthorityKeyId: true,
        setSubjectKeyId: true,
        subject: { commonName: "tls-platform dev CA" },
        validityPeriodHours: 26280,
    };

    it.each([
        ["left out", "old-ca", {}],
        ["given as [1]", "one-ca", { generations: [1], issuingGeneration: 1 }],
    ])("registers the same URNs and inputs, with no aliases, when generations are %s", async (_how, name, extra) => {
        const found = await registered((opts) => new pki.CertificateAuthority(name, { commonName: "tls-platform dev CA", ...extra }, opts));
        expect(found.map((r) => r.urn).sort()).toEqual(urns(name).sort());
        expect(found.every((r) => r.aliases === 0)).toBe(true);
        expect(emulator.get(KEY, `${name}-key`).inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        const { privateKeyPem, ...rest } = emulator.get(SELF_SIGNED, `${name}-cert`).inputs;
        expect(rest).toEqual(inputsBefore);
        expect(privateKeyPem).toBe(emulator.get(KEY, `${name}-key`).state.privateKeyPem);
    });

    it("outputs its one certificate as the trust bundle, generation 1 issuing", async () => {
        const ca = new pki.CertificateAuthority("single", { commonName: "single" });
        expect(await valueOf(ca.trustBundlePem)).toBe(await valueOf(ca.certPem));
        expect(await valueOf(ca.generations)).toEqual([1]);
        expect(await valueOf(ca.issuingGeneration)).toBe(1);
        expect(await valueOf(pki.trustBundlePemOf(ca))).toBe(await valueOf(ca.certPem));
        expect(await valueOf(pki.trustBundlePemOf({ certPem: "issuer-only", privateKeyPem: "k" }))).toBe("issuer-only");
    });
});

describe("two generations", () => {
    it("names generation 2's children <name>-gen2-*, gives it the subject `<commonName> G2` and a key of its own, and bundles 1 then 2 whatever the order given", async () => {
        const ca = new pki.CertificateAuthority("two", { commonName: "Two", organization: "Org", generations: [2, 1] });
        const bundle = await valueOf(ca.trustBundlePem);
        const certs = pki.splitPemBundle(bundle).map((pem) => new crypto.X509Certificate(pem));
        expect(certs.map((c) => c.subject)).toEqual(["O=Org\nCN=Two", "O=Org\nCN=Two G2"]);
        expect(bundle).toBe(`${emulator.get(SELF_SIGNED, "two-cert").state.certPem}${emulator.get(SELF_SIGNED, "two-gen2-cert").state.certPem}`);
        expect(emulator.get(KEY, "two-gen2-key").state.privateKeyPem).not.toBe(emulator.get(KEY, "two-key").state.privateKeyPem);
        // The oldest issues until told otherwise: adding a generation does not switch issuing.
        expect(await valueOf(ca.issuingGeneration)).toBe(1);
        expect(await valueOf(ca.certPem)).toBe(emulator.get(SELF_SIGNED, "two-cert").state.certPem);
        expect(certs.every((c) => c.ca)).toBe(true);
    });

    it("issues leaves from the issuing generation, which verify against the bundle and not against the other generation", async () => {
        const ca = new pki.CertificateAuthority("two-b", { commonName: "Two B", generations: [1, 2], issuingGeneration: 2 });
        const leaf = new pki.Certificate("two-b-leaf", { ca, commonName: "api", dnsNames: ["api.internal"] });
        const x = new crypto.X509Certificate(await valueOf(leaf.certPem));
        const gen1 = new crypto.X509Certificate(emulator.get(SELF_SIGNED, "two-b-cert").state.certPem);
        const gen2 = new crypto.X509Certificate(emulator.get(SELF_SIGNED, "two-b-gen2-cert").state.certPem);
        expect(x.verify(gen2.publicKey)).toBe(true);
        expect(x.verify(gen1.publicKey)).toBe(false);
        expect(x.issuer).toBe("CN=Two B G2");
        expect(await valueOf(leaf.caCertPem)).toBe(gen2.toString());
        expect(await pulumi.isSecret(ca.privateKeyPem)).toBe(true);
        expect(await valueOf(ca.privateKeyPem)).toBe(emulator.get(KEY, "two-b-gen2-key").state.privateKeyPem);
    });
});

describe("bad generation arguments: one error naming each, before anything is created", () => {
    it.each([
        ["issuing a generation the bundle does not hold (phase 3 before phase 2)", { generations: [2], issuingGeneration: 1 }, ["issuingGeneration"],
            "`issuingGeneration`: 1 is not in `generations` [2], so every client trusting this CA's bundle would refuse the certificates it issues; trust it first (add 1 to `generations` and run `pulumi up`: rollover phase 1), or issue from one of [2]."],
        ["an empty bundle", { generations: [] }, ["generations"],
            "`generations`: [] is not a non-empty list of generation numbers; a CA must trust at least the generation it issues from; use e.g. `generations: [1, 2]` while rolling over to a new key, `[1]` (the default) otherwise."],
        ["a generation listed twice and one that is no number", { generations: [1, 1, 0.5] }, ["generations[1]", "generations[2]"],
            "`generations[1]`: 1 is listed twice in [1, 1, 0.5]; list each generation once."],
        ["an issuing generation that is no number", { generations: [1], issuingGeneration: "2" as unknown as number }, ["issuingGeneration"],
            "`issuingGeneration`: `2` is not a generation number; use one of `generations` [1], or leave it out to issue from the oldest."],
        ["a common name that the G2 suffix pushes past 64 characters", { commonName: "c".repeat(62), generations: [1, 2] }, ["commonName"],
            `\`commonName\`: \`${"c".repeat(62)}\` becomes \`${"c".repeat(62)} G2\` in generation 2, 65 characters; X.509 allows at most 64 (RFC 5280 ub-common-name); shorten \`commonName\` to at most 61 characters.`],
    ])("%s", async (title, extra, paths, message) => {
        // A name per row: a row whose check is broken creates children that must not fail the next row.
        const name = `bad-gen-${title.split(" ").slice(0, 3).join("-")}`;
        const e = await rejectedBeforeCreating(emulator, () => new pki.CertificateAuthority(name, { commonName: "Bad", ...extra }));
        expect(e.errors.map((d) => d.propertyPath)).toEqual(paths);
        expect(e.message).toContain(message);
    });
});

describe("guards on values known only later: a ResourceError", () => {
    it("a leaf whose issuer signs with a certificate its own trust bundle does not hold (a dropped generation) is not issued", async () => {
        const old = new pki.CertificateAuthority("dropped", { commonName: "Dropped" });
        const current = new pki.CertificateAuthority("current", { commonName: "Current" });
        // An issuer from elsewhere (another stack's outputs): signs with `dropped`, trusts only `current`.
        const issuer = { certPem: old.certPem, privateKeyPem: old.privateKeyPem, trustBundlePem: current.trustBundlePem };
        const expected =
            'Certificate "orphan": 1 problem:\n  - `ca`: it signs with the certificate `CN=Dropped`, which its `trustBundlePem` (`CN=Current`) does not hold, so every client trusting that bundle would refuse this certificate; issue from a generation the bundle holds (`issuingGeneration`), or put the issuing certificate in the bundle first.';
        let error: Error | undefined;
        const unhandled = await collectingUnhandled(async () => {
            const leaf = new pki.Certificate("orphan", { ca: issuer, commonName: "api", dnsNames: ["api.internal"] });
            error = (await settle(leaf.certPem)).error;
        });
        expect(pulumi.ResourceError.isInstance(error)).toBe(true);
        // The SDK prefixes where the failed output was used (`error serializing property …: `).
        expect(error!.message.endsWith(expected)).toBe(true);
        expect(unhandled.length).toBeGreaterThan(0);
        for (const e of unhandled) expect(e.message).toContain(expected);
        // The key and CSR do not depend on the issuer; the signed certificate waits for the check and is never created.
        expect(emulator.resources.filter((r) => r.name === "orphan-cert")).toEqual([]);
    });

    it("a leaf whose issuer's bundle holds its certificate is issued", async () => {
        const ca = new pki.CertificateAuthority("held", { commonName: "Held", generations: [1, 2] });
        const issuer = { certPem: ca.certPem, privateKeyPem: ca.privateKeyPem, trustBundlePem: ca.trustBundlePem };
        const leaf = new pki.Certificate("held-leaf", { ca: issuer, commonName: "api", dnsNames: ["api.internal"] });
        expect(new crypto.X509Certificate(await valueOf(leaf.certPem)).issuer).toBe("CN=Held");
    });

    it("an expired generation may not stay in the bundle: the CA's trustBundlePem fails, naming it", async () => {
        // Issued by the emulated provider two days ago for one day: expired now.
        clock = new Date(Date.now() - 2 * 86_400_000);
        const ca = new pki.CertificateAuthority("stale", { commonName: "Stale", validityDays: 1, earlyRenewalDays: 0, generations: [1, 2] });
        const end = await valueOf(ca.validityEndTime);
        clock = new Date();
        let error: Error | undefined;
        const unhandled = await collectingUnhandled(async () => {
            error = (await settle(ca.trustBundlePem)).error;
        });
        for (const e of unhandled) expect(e.message).toContain("may not stay in the trust bundle");
        expect(pulumi.ResourceError.isInstance(error)).toBe(true);
        expect(error!.message.slice(error!.message.indexOf('CertificateAuthority "stale"')).split("\n")).toEqual([
            'CertificateAuthority "stale": 2 problems:',
            `  - \`generations\`: generation 1's certificate expired at ${end} and may not stay in the trust bundle; drop 1 from \`generations\` (rollover phase 3) once nothing is issued from it, or run \`pulumi up\`, which renews an expired CA certificate with the same key (the provider's readyForRenewal).`,
            expect.stringMatching(/^ {2}- `generations`: generation 2's certificate expired at /),
        ]);
    });
});
