/**
 * Run by cluster.ts `run` inside the cluster's namespaces: the verifier's own `main` (tools/verify/cli.ts)
 * on the connection document given on stdin (`--file -`), JSON report. Prints `{ code, report, stderr }`.
 */
import { defaultIo, main } from "../../tools/verify/cli";

let out = "";
let errors = "";
const io = { ...defaultIo(), stdout: (text: string) => void (out += text), stderr: (text: string) => void (errors += text) };
main(["--file", "-", "--json", ...process.argv.slice(2)], io).then(
    (code) => process.stdout.write(JSON.stringify({ code, report: out ? JSON.parse(out) : null, stderr: errors }), () => process.exit(0)),
    (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(1);
    },
);
