import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainExpiryCheck, chainOf } from "../../tools/verify/chain";
import type { ChainCertificate, Target } from "../../tools/verify/types";
import { datedCa, type DatedCert, datedLeaf } from "./dated-pki";

// Every certificate of the chain, judged with the certificate-expiry rule's thresholds (leaf 14 days,
// CA 90 days); and which certificates a real TLS session shows (an in-process node server).

const NOW = new Date("2026-03-01T00:00:00Z");
const DAY = 86_400_000;
const cert = (over: Partial<ChainCertificate> & { days: number }): ChainCertificate => ({
    subject: "CN=localhost", issuer: "CN=CA", serialNumber: "01", notBefore: new Date(NOW.getTime() - DAY).toISOString(),
    notAfter: new Date(NOW.getTime() + over.days * DAY).toISOString(), subjectAltName: null, fingerprint256: "AB:CD", source: "served", isCa: false, ...over,
});
const leaf = (days: number) => cert({ days });
const ca = (days: number, source: ChainCertificate["source"], subject = "CN=CA") => cert({ days, source, subject, isCa: true });

describe("chainExpiryCheck", () => {
    it("passes a chain above both thresholds, stating each certificate's days", () => {
        expect(chainExpiryCheck([leaf(89), ca(1000, "served", "CN=Intermediate"), ca(1094, "trust anchor")], { now: NOW })).toEqual({
            id: "certificate_chain_expiry", status: "ok", detail: "days left: leaf 89.0, served CA 1000.0, trust anchor 1094.0 (thresholds: leaf 14, CA 90)",
        });
    });

    it.each([
        ["a leaf 3 days from expiry", [leaf(3), ca(1000, "trust anchor")], "leaf CN=localhost (not after 2026-03-04T00:00:00Z): expires soon, 3.0 days left, under the leaf threshold of 14 days"],
        ["an expired leaf", [leaf(-2), ca(1000, "trust anchor")], "leaf CN=localhost (not after 2026-02-27T00:00:00Z): expired 2.0 days ago"],
        ["a served intermediate 30 days from expiry", [leaf(60), ca(30, "served", "CN=Intermediate")], "served CA CN=Intermediate (not after 2026-03-31T00:00:00Z): expires soon, 30.0 days left, under the CA threshold of 90 days"],
        ["a trust anchor 2 days from expiry", [leaf(60), ca(2, "trust anchor", "CN=Root")], "trust anchor CN=Root (not after 2026-03-03T00:00:00Z): expires soon, 2.0 days left, under the CA threshold of 90 days"],
        ["an expired CA left in the document's bundle", [leaf(60), ca(900, "trust anchor"), ca(-1, "document CA", "CN=Old CA")], "document CA CN=Old CA (not after 2026-02-28T00:00:00Z): expired 1.0 days ago"],
        ["a leaf not valid yet", [cert({ days: 60, notBefore: "2026-03-02T00:00:00.000Z" })], "leaf CN=localhost (not after 2026-04-30T00:00:00Z): not valid before 2026-03-02T00:00:00Z"],
    ])("fails %s, naming it", (_what, chain, detail) => {
        expect(chainExpiryCheck(chain, { now: NOW })).toEqual({ id: "certificate_chain_expiry", status: "fail", detail });
    });

    it("judges a leaf by the leaf threshold and a CA by the CA threshold, as configured", () => {
        const chain = [leaf(20), ca(100, "trust anchor")];
        expect(chainExpiryCheck(chain, { now: NOW }).status).toBe("ok");
        expect(chainExpiryCheck(chain, { now: NOW, thresholds: { leafMinDaysLeft: 21, caMinDaysLeft: 90 } }).detail).toMatch(/^leaf .*under the leaf threshold of 21 days$/);
        expect(chainExpiryCheck(chain, { now: NOW, thresholds: { leafMinDaysLeft: 14, caMinDaysLeft: 101 } }).detail).toMatch(/^trust anchor .*under the CA threshold of 101 days$/);
    });

    it("warns instead when the rule is advisory, and checks only expiry when it is disabled", () => {
        expect(chainExpiryCheck([leaf(3)], { now: NOW, enforcement: "advisory" })).toMatchObject({ status: "warn", detail: expect.stringMatching(/\(certificate-expiry is advisory\)$/) });
        expect(chainExpiryCheck([leaf(3)], { now: NOW, enforcement: "disabled" }).status).toBe("ok");
        expect(chainExpiryCheck([leaf(-1)], { now: NOW, enforcement: "disabled" }).status).toBe("fail");
    });
});

describe("chainOf on a real TLS session", () => {
    let root: DatedCert;
    let oldRoot: DatedCert;
    let intermediate: DatedCert;
    let server: tls.Server;
    let port: number;

    beforeAll(async () => {
        root = await datedCa("Chain Root", { toDays: 1000 });
        oldRoot = await datedCa("Chain Root (old generation)", { toDays: 20 });
        intermediate = await datedCa("Chain Intermediate", { toDays: 500 }, root);
        const end = await datedLeaf(intermediate, { toDays: 3 });
        server = tls.createServer({ key: end.keyPem, cert: end.certPem + intermediate.certPem }, (s) => s.end());
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it("lists the served leaf and intermediate, then the trust anchor from the document, then the document's other CA", async () => {
        const target = { ca: { type: "pem", pem: root.certPem + oldRoot.certPem } } as Target;
        const socket = tls.connect({ host: "127.0.0.1", port, ca: target.ca.type === "pem" ? target.ca.pem : undefined, servername: "localhost" });
        await new Promise((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
        const chain = chainOf(socket, target);
        socket.destroy();
        expect(chain.map((c) => [c.subject, c.source, c.isCa])).toEqual([
            ["CN=localhost", "served", false],
            ["CN=Chain Intermediate", "served", true],
            ["CN=Chain Root", "trust anchor", true],
            ["CN=Chain Root (old generation)", "document CA", true],
        ]);
        expect(chain[2]!.fingerprint256).toBe(new X509Certificate(root.certPem).fingerprint256);
        const check = chainExpiryCheck(chain, { now: new Date() });
        expect(check.status).toBe("fail");
        expect(check.detail).toMatch(/^leaf CN=localhost \(not after .*\): expires soon, 2\.9 days left, under the leaf threshold of 14 days; document CA CN=Chain Root \(old generation\) .*: expires soon, 19\.9 days left, under the CA threshold of 90 days$/);
    });
});
