import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { policies } from "../../policy/policies";
import { describeWithServers } from "../harness/requirements";
import { PARAMETER_GROUP_INPUTS, RDS_INSTANCE, REPLICATION_GROUP, changed } from "../policy/fixtures";
import { filledProdConfig, scaledProdConfig } from "../program/stack";
import { engineProject, type EngineProject, expectOnlyEncrypted, ROOT, secretsIn, type StateResource } from "./stack";

// The project's prod program (index.ts with Pulumi.prod.yaml: ElastiCache, RDS, Secrets Manager) through
// the real Pulumi CLI, the language host stand-in and the emulated plugins: previewed under the policy
// pack, deployed, no diff after up (RDS included, now that its Diff rules are transcribed), nothing secret
// in the outputs or in plaintext in the state, destroyed. Then the pack through the real analyzer: a small
// program of raw resources, each run with one mutation, makes exactly one mandatory rule stop the preview.
// The project directory is a temp one of links to the repository's files and a filled-in copy of
// Pulumi.prod.yaml, because `stack init` writes `encryptionsalt` into it.

const POLICY_DIR = path.join(ROOT, "policy");
const MANDATORY = policies.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name);

type Json = any;

/** The mandatory rules a `pulumi preview --policy-pack` output reports as violated. */
const mandatoryViolations = (out: string) => MANDATORY.filter((name) => new RegExp(`\\[mandatory\\][^\\n]*\\b${name}\\b`).test(out));

describeWithServers("the prod stack through the real engine: the project's own program and the policy pack under the Pulumi CLI, the language host stand-in and the emulated plugins", ["pulumi"], () => {
    let engine: EngineProject;
    let repoProdYaml: string;

    const run = (cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, timeout = 90_000) => engine.pulumi(args, { cwd, extraEnv, timeout });
    /** `+ 30 to create`, `30 unchanged`: the count a summary line gives, or NaN. */
    const summary = (out: string, pattern: RegExp) => Number(pattern.exec(out)?.[1]);

    beforeAll(() => {
        expect(fs.existsSync(path.join(POLICY_DIR, "node_modules/@pulumi/policy")), "run `npm ci --prefix policy` first").toBe(true);
        repoProdYaml = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
        // The project of links and Pulumi.prod.yaml without its salt; filled in below.
        engine = engineProject("engine-prod-stack", ["prod"]);
    }, 90_000);

    afterAll(() => {
        engine?.remove();
    });

    describe("the project's prod program", () => {
        let project: string;
        const pulumi = (args: string[], timeout?: number) => run(project, args, {}, timeout);
        const exported = (showSecrets: boolean) => engine.exportState("prod", showSecrets);

        beforeAll(() => {
            project = engine.project;
            // Pulumi.prod.yaml as committed, with the keys it leaves for a team to fill in filled in as the mock
            // tests fill them (tests/program/stack.ts filledProdConfig: a region, VPC, subnets, RDS on).
            const stackFile = parseDocument(repoProdYaml);
            for (const [key, value] of Object.entries(filledProdConfig().overrides)) {
                stackFile.setIn(["config", key.includes(":") ? key : `tls-platform:${key}`], value.startsWith("[") ? JSON.parse(value) : value === "true" ? true : value);
            }
            fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), stackFile.toString());
            // The README creates prod with an awskms:// secrets provider; there is no KMS here, so the test's
            // stack encrypts its secrets with a passphrase (the same AES-GCM secret envelope in the state).
            engine.initStack("prod");
        }, 60_000);

        it("wrote the stack's encryption salt into the temp project's Pulumi.prod.yaml, not the repository's, and enables RDS", () => {
            const written = fs.readFileSync(path.join(project, "Pulumi.prod.yaml"), "utf8");
            expect(written).toMatch(/^encryptionsalt: v1:/m);
            expect(written).toMatch(/^ {2}tls-platform:rdsEnabled: "?true"?$/m);
            expect(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).toBe(repoProdYaml);
        });

        let planned: number;
        it("previews under the project's policy pack: every rule passes and the plan is ElastiCache, RDS and Secrets Manager, no Docker", () => {
            const result = pulumi(["preview", "--policy-pack", POLICY_DIR]);
            expect(result.status, result.out).toBe(0);
            const version = (JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string }).version;
            expect(result.out).toContain(`✅ tls-platform@v${version} (local: ${POLICY_DIR})`);
            expect(mandatoryViolations(result.out)).toEqual([]);
            const creates = [...result.out.matchAll(/^ \+\s+(\S+)\s+(\S+)\s+create\b/gm)].map((m) => `${m[1]} ${m[2]}`);
            expect(creates).toEqual(expect.arrayContaining([
                "pulumi:pulumi:Stack tls-platform-prod",
                "tls:index:SelfSignedCert platform-ca-cert",
                "aws:elasticache:ReplicationGroup cache-group",
                "aws:rds:ParameterGroup db-params",
                "aws:rds:Instance db-db",
                "aws:secretsmanager:SecretVersion connections-cache",
                "aws:secretsmanager:SecretVersion connections-database",
                "aws:iam:RolePolicy connections-read",
            ]));
            expect(creates.filter((c) => c.startsWith("docker:"))).toEqual([]);
            planned = summary(result.out, /\+ (\d+) to create/);
            expect(new Set(creates).size).toBe(planned);
        }, 90_000);

        it("deploys them with `up --yes`", () => {
            const result = pulumi(["up", "--yes"]);
            expect(result.status, result.out).toBe(0);
            expect(summary(result.out, /\+ (\d+) created/)).toBe(planned);
        }, 90_000);

        it("previews no changes right after `up` (`preview --expect-no-changes`), the RDS instance included: the plugins' Diff finds nothing in the program's own inputs", () => {
            const result = pulumi(["preview", "--expect-no-changes", "--diff"]);
            expect(result.status, result.out).toBe(0);
            expect(summary(result.out, /(\d+) unchanged/)).toBe(planned);
            expect(exported(false).resources.filter((r) => r.type === "aws:rds/instance:Instance")).toHaveLength(1);
        }, 60_000);

        it("`stack output --json` says where the documents are (`connectionSecrets`: prefix and secret ARNs), nothing secret, and no `connections`", () => {
            const result = pulumi(["stack", "output", "--json"]);
            expect(result.status, result.out).toBe(0);
            const outputs = JSON.parse(result.stdout) as Record<string, Json>;
            expect(outputs.connections).toBeUndefined();
            expect(outputs.connectionSecrets).toEqual({
                pathPrefix: "tls-platform/prod",
                secretArns: { cache: expect.stringMatching(/^arn:aws:secretsmanager:[^:]+:\d{12}:secret:tls-platform\/prod\/cache-/), database: expect.stringMatching(/^arn:aws:secretsmanager:[^:]+:\d{12}:secret:tls-platform\/prod\/database-/) },
            });
            expect(outputs.connectionSecretArns).toEqual(outputs.connectionSecrets.secretArns);
            expect(outputs.appClientPrivateKeyPem).toBe("[secret]");
        });

        it("keeps every generated secret out of the state files on disk and out of a plain `stack export`: auth token, passwords, private keys, the connection documents", () => {
            const shown = exported(true);
            const { revealed: shownState, secrets: inSecrets } = secretsIn(shown.resources);
            const state = shownState as StateResource[];
            const passwords = state.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.outputs!.result as string);
            expect(passwords).toHaveLength(2);
            const privateKeys = state.filter((r) => r.type === "tls:index/privateKey:PrivateKey").map((r) => r.outputs!.privateKeyPem as string);
            expect(privateKeys.length).toBeGreaterThanOrEqual(2);
            const documents = state.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion").map((r) => r.inputs!.secretString as string);
            expect(documents).toHaveLength(2);
            // Each document carries its service's password, and in its URL (percent-encoded where the token needs it).
            const withPasswords = documents.map((d) => JSON.parse(d) as { url: string; password: string | null }).filter((d) => d.password);
            expect(withPasswords.map((d) => d.password).sort()).toEqual([...passwords].sort());
            const generated = new Set([
                ...passwords, ...privateKeys, ...documents, ...withPasswords.map((d) => d.url),
                ...inSecrets.filter((s) => s.includes("PRIVATE KEY") || passwords.some((p) => s.includes(p))),
            ].filter((s): s is string => typeof s === "string" && s.length > 0));
            for (const secret of [...privateKeys, ...documents]) expect(inSecrets, "a private key or document outside a secret").toContain(secret);

            expectOnlyEncrypted(generated, { shownExport: shown.text, plainExport: exported(false).text, backend: engine.tmp, stackFile: "tls-platform/prod.json" });
        });

        it("destroys everything with `destroy --yes`: the exported state holds no resource but, at most, the stack", () => {
            const result = pulumi(["destroy", "--yes"]);
            expect(result.status, result.out).toBe(0);
            expect(summary(result.out, /- (\d+) deleted/)).toBe(planned);
            expect(exported(false).resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
            expect(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).toBe(repoProdYaml);
        }, 90_000);
    });

    // The same stack scaled out by config alone (tests/program/stack.ts scaledProdConfig: cluster mode with 3
    // shards of a primary and a replica, an RBAC user for the application, a Multi-AZ database with two read
    // replicas), deployed after the plain one was destroyed: the plan, no diff after up (the Diff rules of
    // users, user groups, cluster-mode groups and replicas), the documents, and no secret in plaintext.
    describe("the project's prod program scaled out by config", () => {
        let project: string;
        const pulumi = (args: string[], timeout?: number) => run(project, args, {}, timeout);
        let planned: number;

        beforeAll(() => {
            project = engine.project;
            const file = path.join(project, "Pulumi.prod.yaml");
            const stackFile = parseDocument(fs.readFileSync(file, "utf8"));
            for (const [key, value] of Object.entries(scaledProdConfig().overrides)) {
                const typed = value.startsWith("[") ? JSON.parse(value) : value === "true" ? true : /^\d+$/.test(value) ? Number(value) : value;
                stackFile.setIn(["config", key.includes(":") ? key : `tls-platform:${key}`], typed);
            }
            fs.writeFileSync(file, stackFile.toString());
        });

        it("previews under the policy pack: every rule passes; the plan holds the RBAC users and group and both replicas", () => {
            const result = pulumi(["preview", "--policy-pack", POLICY_DIR]);
            expect(result.status, result.out).toBe(0);
            expect(mandatoryViolations(result.out)).toEqual([]);
            const creates = [...result.out.matchAll(/^ \+\s+(\S+)\s+(\S+)\s+create\b/gm)].map((m) => `${m[1]} ${m[2]}`);
            expect(creates).toEqual(expect.arrayContaining([
                "aws:elasticache:ReplicationGroup cache-group",
                "aws:elasticache:User cache-user-default",
                "aws:elasticache:User cache-user-app",
                "aws:elasticache:UserGroup cache-users",
                "aws:rds:Instance db-db",
                "aws:rds:Instance db-replica-1",
                "aws:rds:Instance db-replica-2",
            ]));
            expect(creates.filter((c) => c.includes("cache-auth-token"))).toEqual([]);
            planned = summary(result.out, /\+ (\d+) to create/);
        }, 90_000);

        it("deploys with `up --yes`, then previews no changes: users, user group, cluster-mode group and replicas plan nothing for their own inputs", () => {
            const up = pulumi(["up", "--yes"]);
            expect(up.status, up.out).toBe(0);
            expect(summary(up.out, /\+ (\d+) created/)).toBe(planned);
            const again = pulumi(["preview", "--expect-no-changes", "--diff"]);
            expect(again.status, again.out).toBe(0);
            expect(summary(again.out, /(\d+) unchanged/)).toBe(planned);
        }, 180_000);

        it("stores a cluster document for the application's user and a database document whose reader is the first replica, every password only encrypted", () => {
            const shown = engine.exportState("prod", true);
            const { revealed, secrets: inSecrets } = secretsIn(shown.resources);
            const state = revealed as StateResource[];
            const byName = (type: string, name: string) => state.find((r) => r.type === type && r.urn.endsWith(`::${name}`))!;
            const group = byName("aws:elasticache/replicationGroup:ReplicationGroup", "cache-group");
            const documents = Object.fromEntries(["cache", "database"].map((s) => [s, JSON.parse(byName("aws:secretsmanager/secretVersion:SecretVersion", `connections-${s}`).inputs!.secretString as string)]));
            const host = group.outputs!.configurationEndpointAddress as string;
            expect(documents.cache).toMatchObject({ host, username: "app", topology: { mode: "cluster", seeds: [{ host, port: 6379 }], nodeNameVerification: "node-host" }, reader: null });
            expect(group.inputs!.authToken).toBeUndefined();
            const replica = byName("aws:rds/instance:Instance", "db-replica-1");
            expect(documents.database.reader).toMatchObject({ host: replica.outputs!.address, port: 5432 });
            const passwords = state.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.outputs!.result as string);
            expect(passwords).toHaveLength(3);
            expect([documents.cache.password, documents.database.password].every((p: string) => passwords.includes(p))).toBe(true);
            for (const text of Object.keys(documents).map((s) => byName("aws:secretsmanager/secretVersion:SecretVersion", `connections-${s}`).inputs!.secretString as string)) expect(inSecrets).toContain(text);
            expectOnlyEncrypted([...passwords, documents.cache.url, documents.database.url], { shownExport: shown.text, plainExport: engine.exportState("prod", false).text, backend: engine.tmp, stackFile: "tls-platform/prod.json" });
        });

        it("destroys everything with `destroy --yes`", () => {
            const result = pulumi(["destroy", "--yes"]);
            expect(result.status, result.out).toBe(0);
            expect(engine.exportState("prod", false).resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
        }, 120_000);
    });

    // The project's config exposes none of these knobs (the components are secure by default and take no
    // such argument), so a small program registers the prod stack's ElastiCache group and RDS instance and
    // parameter group as raw resources, from the policy tests' fixtures, with at most one mutation.
    describe("the policy pack through the real analyzer: one mutation, exactly one mandatory rule stops `pulumi preview --policy-pack`", () => {
        let project: string;
        const mutations: Record<string, { group?: Record<string, unknown>; instance?: Record<string, unknown>; parameters?: Record<string, unknown> }> = {
            "elasticache-transit-encryption-required": { group: { transitEncryptionMode: "preferred" } },
            "elasticache-encryption-at-rest": { group: { atRestEncryptionEnabled: false, kmsKeyId: undefined } },
            "elasticache-auth": { group: { authToken: undefined, authTokenUpdateStrategy: undefined } },
            "rds-force-ssl": { parameters: { parameters: [{ applyMethod: "immediate", name: "rds.force_ssl", value: "0" }] } },
            "rds-storage-encrypted": { instance: { storageEncrypted: false, kmsKeyId: undefined } },
        };
        const preview = (mutation: (typeof mutations)[string]) => {
            const resources = {
                group: changed(REPLICATION_GROUP, mutation.group ?? {}),
                instance: changed(RDS_INSTANCE, mutation.instance ?? {}),
                parameters: changed(PARAMETER_GROUP_INPUTS, mutation.parameters ?? {}),
            };
            return run(project, ["preview", "--policy-pack", POLICY_DIR], { VIOLATION_RESOURCES: JSON.stringify(resources) }, 60_000);
        };

        beforeAll(() => {
            project = path.join(engine.tmp, "violations");
            fs.mkdirSync(project);
            fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: policy-violations\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
            fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "policy-violations", private: true }));
            fs.writeFileSync(path.join(project, "index.ts"), [
                `import * as aws from "@pulumi/aws";`,
                `const { group, instance, parameters } = JSON.parse(process.env.VIOLATION_RESOURCES!);`,
                `new aws.elasticache.ReplicationGroup("cache-group", group);`,
                `const params = new aws.rds.ParameterGroup("db-params", parameters);`,
                `new aws.rds.Instance("db-db", { ...instance, parameterGroupName: params.name });`,
                ``,
            ].join("\n"));
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
            fs.writeFileSync(path.join(project, "Pulumi.policy.yaml"), "config:\n  aws:region: eu-west-1\n");
            const init = run(project, ["stack", "init", "policy", "--secrets-provider", "passphrase"]);
            expect(init.status, init.out).toBe(0);
        }, 60_000);

        it("passes the unmutated resources (the fixtures are the prod stack's own), so each failure below is its mutation's", () => {
            const result = preview({});
            expect(result.status, result.out).toBe(0);
            expect(mandatoryViolations(result.out)).toEqual([]);
        }, 60_000);

        it.each(Object.entries(mutations))("fails the preview with exactly %s", (rule, mutation) => {
            const result = preview(mutation);
            expect(result.status, result.out).not.toBe(0);
            expect(mandatoryViolations(result.out), result.out).toEqual([rule]);
        }, 60_000);
    });
});
