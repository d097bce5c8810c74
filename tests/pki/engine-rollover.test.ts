import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithServers } from "../harness/requirements";
import { engineProject, ROOT, type EngineProject } from "../engine/stack";

// Through the real Pulumi CLI and the emulated plugins (tests/engine/stack.ts): a stack deployed with the
// CertificateAuthority from before generations (commit 1e8c1f4's components/, extracted from git) is
// previewed with today's: every step is `same`. Then the README's three rollover phases, each one
// config change (here the program's environment) and one `pulumi up`, plan exactly what the runbook says.

/** The last commit whose CertificateAuthority had no generations. */
const BEFORE_GENERATIONS = "1e8c1f4";

// The root program's CA and client certificate (index.ts), with the rollover settings from the environment.
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Certificate, CertificateAuthority } from "./components/pki";

const generations = process.env.CA_GENERATIONS ? (JSON.parse(process.env.CA_GENERATIONS) as number[]) : undefined;
const issuingGeneration = process.env.CA_ISSUING_GENERATION ? Number(process.env.CA_ISSUING_GENERATION) : undefined;
// Passed only when set: the CertificateAuthority from before generations knows neither argument.
const rollover: Record<string, unknown> = { ...(generations ? { generations } : {}), ...(issuingGeneration ? { issuingGeneration } : {}) };
const ca = new CertificateAuthority("platform-ca", { commonName: "tls-platform dev CA", ...rollover } as { commonName: string });
const appClient = new Certificate("app-client", { ca, purpose: "client", commonName: "app" });
// The CA as another language hands it over (the component provider passes a plain issuer object), its
// trust bundle included where the CA has one.
const outputs = ca as unknown as Record<string, pulumi.Output<string>>;
const issuer = { certPem: outputs.certPem, privateKeyPem: outputs.privateKeyPem, trustBundlePem: outputs.trustBundlePem };
new Certificate("plain-client", { ca: issuer as { certPem: pulumi.Output<string>; privateKeyPem: pulumi.Output<string> }, purpose: "client", commonName: "app" });
export const caCertPem = ca.certPem;
export const appClientCertPem = appClient.certPem;
`;

interface Step { op: string; urn: string; replaceReasons?: string[] }

describeWithServers("a CertificateAuthority from before generations, and its rollover, through the real engine", ["pulumi"], () => {
    let engine: EngineProject;
    const components = () => path.join(engine.project, "components");

    /** `preview --json --show-sames` with the rollover environment: every step as `op name`. */
    const plan = (env: Record<string, string>): string[] => {
        const run = engine.pulumi(["preview", "--json", "--show-sames"], { extraEnv: env });
        expect(run.status, run.out).toBe(0);
        const steps = ((JSON.parse(run.stdout) as { steps?: Step[] }).steps ?? []).filter((s) => !s.urn.includes("pulumi:pulumi:Stack") && !s.urn.includes("pulumi:providers:"));
        // A replacement with the provider's reason, e.g. `replace app-client-cert (caCertPem)`.
        return steps.map((s) => `${s.op} ${s.urn.split("::").pop()}${s.op === "replace" ? ` (${[...(s.replaceReasons ?? [])].sort().join(", ")})` : ""}`).sort();
    };
    const up = (env: Record<string, string>) => {
        const run = engine.pulumi(["up", "--yes", "--skip-preview"], { extraEnv: env });
        expect(run.status, run.out).toBe(0);
    };

    beforeAll(() => {
        engine = engineProject("engine-ca-rollover", ["dev"]);
        fs.rmSync(path.join(engine.project, "index.ts"));
        fs.writeFileSync(path.join(engine.project, "index.ts"), PROGRAM);
        // The components as they were: a directory extracted from git in place of the link to today's.
        fs.rmSync(components());
        execFileSync("sh", ["-c", `git -C "${ROOT}" archive ${BEFORE_GENERATIONS} components | tar -x -C "${engine.project}"`]);
        expect(fs.readFileSync(path.join(components(), "pki/certificateAuthority.ts"), "utf8")).not.toContain("generations");
        engine.initStack("dev");
        up({});
        // Today's components from here on.
        fs.rmSync(components(), { recursive: true });
        fs.symlinkSync(path.join(ROOT, "components"), components());
    }, 180_000);

    afterAll(() => engine?.remove());

    it("plans `same` for every resource of a stack deployed before generations, the CA's key and certificate among them", () => {
        expect(plan({})).toEqual(
            [
                "same platform-ca",
                "same platform-ca-key",
                "same platform-ca-cert",
                "same app-client",
                "same app-client-key",
                "same app-client-csr",
                "same app-client-cert",
                "same plain-client",
                "same plain-client-key",
                "same plain-client-csr",
                "same plain-client-cert",
            ].sort(),
        );
        const clean = engine.pulumi(["preview", "--expect-no-changes"]);
        expect(clean.status, clean.out).toBe(0);
    }, 90_000);

    it("phase 1 (generations [1, 2]) creates generation 2's key and certificate and nothing else: no leaf, not even one whose issuer hands over the bundle, not yet known in the preview", () => {
        const env = { CA_GENERATIONS: "[1, 2]" };
        expect(plan(env).filter((s) => !s.startsWith("same "))).toEqual(["create platform-ca-gen2-cert", "create platform-ca-gen2-key"]);
        up(env);
    }, 90_000);

    it("phase 2 (issuingGeneration 2) replaces only the leaf certificates; every CA resource is `same`", () => {
        const env = { CA_GENERATIONS: "[1, 2]", CA_ISSUING_GENERATION: "2" };
        const steps = plan(env);
        expect(steps.filter((s) => !s.startsWith("same "))).toEqual(["replace app-client-cert (caCertPem, caPrivateKeyPem)", "replace plain-client-cert (caCertPem, caPrivateKeyPem)"]);
        expect(steps).toEqual(expect.arrayContaining(["same platform-ca-key", "same platform-ca-cert", "same platform-ca-gen2-key", "same platform-ca-gen2-cert"]));
        up(env);
    }, 90_000);

    it("phase 3 (generations [2]) deletes generation 1's key and certificate and nothing else", () => {
        const env = { CA_GENERATIONS: "[2]", CA_ISSUING_GENERATION: "2" };
        expect(plan(env).filter((s) => !s.startsWith("same "))).toEqual(["delete platform-ca-cert", "delete platform-ca-key"]);
        up(env);
        const clean = engine.pulumi(["preview", "--expect-no-changes"], { extraEnv: env });
        expect(clean.status, clean.out).toBe(0);
    }, 90_000);
});
