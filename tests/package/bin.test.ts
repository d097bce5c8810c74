import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

// The package's bins as the build leaves them. npx links a project's own bin once, into its cache,
// and takes the file's mode as it finds it: the build removes and re-emits dist/, and tsc writes
// 0644, so without the build's chmod the second weekly run of renew.yml's verify step on a runner
// that keeps ~/.npm ended in "Permission denied" (exit 127).

const ROOT = path.resolve(__dirname, "../..");
const bins = Object.entries(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).bin as Record<string, string>);

describe("the package's bins, as `npm run build` leaves them", () => {
    it.each(bins)("%s (%s) is built, executable and starts with a node shebang", (_name, file) => {
        const built = path.join(ROOT, file);
        expect(fs.existsSync(built), `${file} is missing: run \`npm ci\` (its prepare script builds) or \`npm run build\``).toBe(true);
        expect((fs.statSync(built).mode & 0o111).toString(8)).toBe("111");
        expect(fs.readFileSync(built, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    });
});
