import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
    bundleContains, expiredGenerationProblems, generationCommonName, generationResourcePrefix, joinPemBundle, resolveGenerations, splitPemBundle,
} from "./generations";

let pems: string[];
beforeAll(() => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "generations-"));
    pems = ["one", "two"].map((cn) => {
        const [key, cert] = [path.join(tmp, `${cn}.key`), path.join(tmp, `${cn}.crt`)];
        execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-subj", `/CN=${cn}`, "-days", "1"], { stdio: "ignore" });
        return fs.readFileSync(cert, "utf8");
    });
    fs.rmSync(tmp, { recursive: true, force: true });
});

describe("generation names", () => {
    it.each([
        [1, "platform-ca", "acme CA"],
        [2, "platform-ca-gen2", "acme CA G2"],
        [10, "platform-ca-gen10", "acme CA G10"],
    ])("generation %i: children %s-*, subject %s", (generation, prefix, commonName) => {
        expect(generationResourcePrefix("platform-ca", generation)).toBe(prefix);
        expect(generationCommonName("acme CA", generation)).toBe(commonName);
    });
});

describe("resolveGenerations", () => {
    it.each([
        [undefined, undefined, [1], 1],
        [[2, 1], undefined, [1, 2], 1],
        [[1, 2], 2, [1, 2], 2],
        [[3, 2], undefined, [2, 3], 2],
    ])("%j issuing %j → %j issuing %i (the oldest unless told)", (generations, issuing, sorted, resolvedIssuing) => {
        expect(resolveGenerations(generations, issuing)).toEqual({ generations: sorted, issuing: resolvedIssuing });
    });
});

describe("PEM bundles", () => {
    it("joins certificates newline-terminated, in order, and splits them back", () => {
        const bundle = joinPemBundle([pems[0]!.trimEnd(), pems[1]!]);
        expect(bundle).toBe(`${pems[0]}${pems[1]}`);
        expect(splitPemBundle(bundle).map((p) => new crypto.X509Certificate(p).subject)).toEqual(["CN=one", "CN=two"]);
        expect(splitPemBundle("no certificate here")).toEqual([]);
    });

    it("finds a certificate in a bundle by its DER, whatever the line endings, and not another", () => {
        const bundle = joinPemBundle([pems[0]!]);
        expect(bundleContains(bundle.replace(/\n/g, "\r\n"), pems[0]!)).toBe(true);
        expect(bundleContains(bundle, pems[1]!)).toBe(false);
        expect(bundleContains("", pems[0]!)).toBe(false);
    });
});

describe("expiredGenerationProblems", () => {
    const now = new Date("2027-06-01T00:00:00Z");
    it("names each generation whose certificate ended at or before now, and no other", () => {
        const problems = expiredGenerationProblems(
            [
                { generation: 1, validityEndTime: "2027-06-01T00:00:00Z" },
                { generation: 2, validityEndTime: "2027-06-01T00:00:01Z" },
                { generation: 3, validityEndTime: "2026-01-01T00:00:00Z" },
            ],
            now,
        );
        expect(problems.map((p) => p.message.split(" ").slice(0, 3).join(" "))).toEqual(["`generations`: generation 1's", "`generations`: generation 3's"]);
        expect(problems.every((p) => p.path === "generations")).toBe(true);
    });
});
