import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { danglingReferences, emptyProject, ENTRY_FILES, filesUnder, npmInstall, ROOT_PACKAGE, run, SHIPPABLE, snapshotSourceTree } from "./packaging";

// The package installed from git, as `npm install github:<org>/tls-platform` does it: npm clones the
// repository, installs its dependencies and devDependencies there, runs `prepare` (the build), then
// packs and installs the result (npm's pacote: lib/git.js #prepareDir, lib/dir.js #prepareDir).
// Without `prepare` this install has no dist/. A snapshot of this working tree is committed into a
// scratch repository first, so uncommitted changes are covered too.

const work = fs.mkdtempSync(path.join(os.tmpdir(), "tls-platform-git-"));
const repository = path.join(work, "repository");
const consumer = path.join(work, "consumer");
const installed = path.join(consumer, "node_modules", ROOT_PACKAGE.name);

beforeAll(() => {
    snapshotSourceTree(repository, { linkNodeModules: false });
    run("git", ["init", "--quiet"], repository);
    run("git", ["add", "--all"], repository);
    run("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "--quiet", "--no-gpg-sign", "--message", "snapshot"], repository);
    // What npm 12 demands of a git dependency with a build: git allowed for the project's own
    // dependencies, and the package's install-time script (`prepare`) approved by name.
    emptyProject(consumer, { allowScripts: { [ROOT_PACKAGE.name]: true } });
    npmInstall(consumer, `git+file://${repository}`, ["--allow-git=root"]);
}, 240_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("installed from git into an empty project", () => {
    it("has the package `prepare` built in the clone, and nothing the tarball would not hold", () => {
        const files = filesUnder(installed).filter((file) => file !== "package-lock.json");
        expect(files).toEqual(expect.arrayContaining(ENTRY_FILES));
        expect(files.filter((file) => !SHIPPABLE.test(file))).toEqual([]);
        expect(danglingReferences(installed, files)).toEqual([]);
    });

    it("exports the components and runs the verifier's bin", () => {
        const names = JSON.parse(run(process.execPath, ["-e", `console.log(JSON.stringify(Object.keys(require("${ROOT_PACKAGE.name}"))))`], consumer));
        expect(names).toEqual(expect.arrayContaining(["CertificateAuthority", "DragonflyCache", "SecretsManagerSink"]));
        expect(run(path.join(consumer, "node_modules/.bin/tls-platform-verify"), ["--help"], consumer)).toMatch(/^Usage: tls-platform-verify /);
    });
});
