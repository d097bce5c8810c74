import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SECRET_SIG } from "../emulator/secrets";
import { describeWithServers, findPulumiCli, findPythonLanguageHost, PYTHON_VENV } from "../harness/requirements";
import { decodeTlsPayload } from "../harness/volumes";
import { installProviderPlugins } from "./providers/index";
import { cliWithLanguageHost, engineEnv, expectOnlyEncrypted, revealed, ROOT, type StateResource } from "./stack";

// The component package from another language, through the real CLI: `pulumi package gen-sdk plugin --language
// python` (the Node.js stand-in serves plugin/'s schema through RunPlugin, the Python stand-in writes the SDK with
// upstream's code generator), the SDK pip-installed beside the pinned `pulumi` from PyPI, and a Python program
// that creates a CertificateAuthority, a Certificate and a DragonflyCache through it. `up` runs the program with
// the Python stand-in and the components in plugin/'s own process. A TypeScript program with the same names and
// arguments goes into a second stack, and both stacks must hold the same resources with the same inputs.

type Json = any;
const NETWORK = "payments-backend";
const PYTHON_PROGRAM = [
    "import pulumi",
    "import pulumi_tls_platform as platform",
    "",
    'ca = platform.CertificateAuthority("payments-ca", common_name="payments team CA", organization="Payments")',
    "issuer = platform.CertificateIssuerArgs(cert_pem=ca.cert_pem, private_key_pem=ca.private_key_pem)",
    'worker = platform.Certificate("worker", ca=issuer, common_name="worker", purpose="client", dns_names=["worker.payments.internal"])',
    `cache = platform.DragonflyCache("sessions", ca=issuer, network="${NETWORK}", max_memory="512mb", host_port=16380)`,
    'pulumi.export("caCertPem", ca.cert_pem)',
    'pulumi.export("connection", cache.connection)',
    "",
].join("\n");
const TYPESCRIPT_PROGRAM = [
    `import { Certificate, CertificateAuthority, DragonflyCache } from "./components";`,
    ``,
    `const ca = new CertificateAuthority("payments-ca", { commonName: "payments team CA", organization: "Payments" });`,
    `new Certificate("worker", { ca, commonName: "worker", purpose: "client", dnsNames: ["worker.payments.internal"] });`,
    `const cache = new DragonflyCache("sessions", { ca, network: "${NETWORK}", maxMemory: "512mb", hostPort: 16380 });`,
    `export const caCertPem = ca.certPem;`,
    `export const connection = cache.connection;`,
    ``,
].join("\n");

/** A state resource as compared across the stacks: what it is, where it hangs, and its inputs without generated material. */
interface Shape { type: string; name: string; parentType?: string; inputs?: Json }

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const typeOf = (urn: string) => urn.split("::")[2]!.split("$").pop()!;

/**
 * Inputs with what differs between two deployments of the same program replaced by a placeholder: a secret
 * still encrypted (`<secret>`: a plain export shows where the secrets are), a PEM block (`<pem>`: fresh keys
 * and certificates in each stack, also inside the TLS volume writer's payload), what is derived from a PEM (a
 * SHA-256 fingerprint, a payload's generation id, a PEM in base64 as the reload command carries the CA bundle)
 * and each of `generated` (the stack's own random password).
 */
function comparable(value: Json, generated: readonly string[]): Json {
    if (typeof value === "object" && value !== null && SECRET_SIG in value) return "<secret>";
    if (typeof value === "string") {
        // The TLS volume writer's payload (files.ts): each file's name, mode and owner, its PEM masked.
        const payload = /^[0-9a-f]{16}\n(\S+ [0-7]{3,4} \d+:\d+ \S+\n)+$/.test(value) ? decodeTlsPayload(value).map((f) => `${f.name} ${f.permissions} ${f.owner}:${f.group} ${f.content}`).join("\n") : value;
        const masked = generated.reduce((text, g) => text.split(g).join("<generated>"), payload);
        // A PEM block, and what is derived from one: the reload command's SHA-256 and the payload's generation id.
        return masked.replace(/-----BEGIN ([A-Z ]+)-----[^-]+-----END \1-----\n?/g, "<pem>").replace(/\b[0-9a-f]{64}\b/g, "<sha256>").replace(/\b[0-9a-f]{16}\b/g, "<generation>").replace(/LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g, "<pem-base64>");
    }
    if (Array.isArray(value)) return value.map((v) => comparable(v, generated));
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v, generated)]));
    return value;
}

/** The resources the program made (not the stack, not the providers), sorted, as Shapes. */
function shapes(resources: StateResource[], generated: readonly string[] = []): Shape[] {
    return resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
        .map((r) => {
            const parent = (r as StateResource & { parent?: string }).parent;
            return { type: r.type, name: nameOf(r.urn), parentType: parent && typeOf(parent), ...(r.custom ? { inputs: comparable(r.inputs, generated) } : {}) };
        })
        .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
}

/** The stack's resources with secrets revealed and its random passwords masked (`comparable`). */
function revealedShapes(showSecretsResources: StateResource[]): Shape[] {
    const state = revealed(showSecretsResources) as StateResource[];
    const passwords = state.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.outputs!.result as string);
    expect(passwords).toHaveLength(1);
    return shapes(state, passwords);
}

describeWithServers("a Python program (pulumi 3.272.0 from PyPI) uses CertificateAuthority, Certificate and DragonflyCache through plugin/, under the real engine", ["pulumi", "python"], () => {
    let tmp: string;
    let env: NodeJS.ProcessEnv;
    let cli: string;
    const pulumi = (cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
        const started = Date.now();
        try {
            const stdout = execFileSync(cli, [...args, "--non-interactive"], { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
            console.log(`pulumi ${args.join(" ")} (${path.basename(cwd)}): ${Date.now() - started} ms`);
            return stdout;
        } catch (error) {
            const e = error as { stdout?: string; stderr?: string; message: string };
            throw new Error(`pulumi ${args.join(" ")} in ${cwd} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
        }
    };
    const exported = (project: "py" | "ts", showSecrets = false) => {
        const text = pulumi(path.join(tmp, project), ["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])], backend(project));
        return { text, resources: ((JSON.parse(text) as Json).deployment.resources ?? []) as StateResource[] };
    };
    // One backend per program, so that both are project `components`, stack `dev`: the components name their
    // Docker objects from project and stack, and the two stacks must match name for name.
    const backend = (project: "py" | "ts"): NodeJS.ProcessEnv => ({ PULUMI_BACKEND_URL: `file://${path.join(tmp, `backend-${project}`, "state")}`, ...(project === "py" ? { PYTHONPATH: path.join(tmp, "site") } : {}) });
    let pythonUp: string;

    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "engine-python-"));
        // Both language hosts beside the CLI, where it looks first (sdk/go/common/workspace/plugins.go GetPluginPath).
        cli = cliWithLanguageHost(tmp, findPulumiCli()!);
        fs.symlinkSync(findPythonLanguageHost()!, path.join(tmp, "bin/pulumi-language-python"));
        env = engineEnv(tmp);
        for (const project of ["py", "ts"]) fs.mkdirSync(path.join(tmp, `backend-${project}`, "state"), { recursive: true });
        installProviderPlugins(cli, env);

        // The SDK as a Python user gets it: generated by the real CLI from plugin/, then pip-installed. `--target`
        // keeps the shared venv untouched; PYTHONPATH puts it beside the venv's packages, where `pip list`
        // (the host's GetRequiredPackages) sees it too.
        pulumi(tmp, ["package", "gen-sdk", path.join(ROOT, "plugin"), "--language", "python", "--out", path.join(tmp, "sdk")]);
        execFileSync(path.join(PYTHON_VENV, "bin/pip"), ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--no-index",
            "--target", path.join(tmp, "site"), path.join(tmp, "sdk/python")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

        // The component package is a plugin at a path: Pulumi.yaml's `plugins.providers` points the engine at plugin/.
        const plugins = `plugins:\n  providers:\n    - name: tls-platform\n      path: ${path.join(ROOT, "plugin")}\n`;
        const py = path.join(tmp, "py");
        fs.mkdirSync(py);
        fs.writeFileSync(path.join(py, "Pulumi.yaml"), `name: components\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: ${PYTHON_VENV}\n${plugins}`);
        fs.writeFileSync(path.join(py, "__main__.py"), PYTHON_PROGRAM);
        fs.writeFileSync(path.join(py, "requirements.txt"), "pulumi==3.272.0\n");

        const ts = path.join(tmp, "ts");
        fs.mkdirSync(ts);
        fs.writeFileSync(path.join(ts, "Pulumi.yaml"), "name: components\nruntime: nodejs\n");
        fs.writeFileSync(path.join(ts, "index.ts"), TYPESCRIPT_PROGRAM);
        fs.writeFileSync(path.join(ts, "package.json"), JSON.stringify({ name: "ts-components", private: true, main: "index.ts" }));
        for (const name of ["components", "node_modules", "tsconfig.json"]) fs.symlinkSync(path.join(ROOT, name), path.join(ts, name));

        for (const project of ["py", "ts"] as const) pulumi(path.join(tmp, project), ["stack", "init", "dev", "--secrets-provider", "passphrase"], backend(project));
        pythonUp = pulumi(py, ["up", "--yes", "--skip-preview"], backend("py"));
        pulumi(ts, ["up", "--yes", "--skip-preview"], backend("ts"));
    }, 600_000);

    afterAll(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("generates the Python SDK with upstream's generator: a module per component, and plugin/'s name and version in pulumi-plugin.json", () => {
        const pkg = path.join(tmp, "sdk/python/pulumi_tls_platform");
        expect(fs.readFileSync(path.join(pkg, "_utilities.py"), "utf8")).toContain("generated by pulumi-language-python");
        for (const module of ["certificate_authority.py", "certificate.py", "dragonfly_cache.py"]) expect(fs.existsSync(path.join(pkg, module)), module).toBe(true);
        expect(JSON.parse(fs.readFileSync(path.join(pkg, "pulumi-plugin.json"), "utf8"))).toEqual({ resource: true, name: "tls-platform", version: "0.1.0" });
    });

    it("names the program's Python, its top-level packages and the plugin the installed SDK asks for (About, GetProgramDependencies, GetRequiredPackages)", () => {
        const about = JSON.parse(pulumi(path.join(tmp, "py"), ["about", "--json"], backend("py"))) as Json;
        const version = execFileSync(path.join(PYTHON_VENV, "bin/python"), ["--version"], { encoding: "utf8" }).trim().replace(/^Python /, "");
        expect(about.runtime).toMatchObject({ language: "python", executable: path.join(PYTHON_VENV, "bin/python"), version, toolchain: "Pip" });
        // `pip list --not-required`: the SDK package, not the pulumi it requires.
        expect(about.dependencies).toContainEqual({ name: "pulumi-tls-platform", version: "0.1.0" });
        expect(about.dependencies).not.toContainEqual(expect.objectContaining({ name: "pulumi" }));
        expect(about.plugins).toEqual(expect.arrayContaining([{ name: "python", version: "3.276.0", kind: "language" }, { name: "tls-platform", version: "0.1.0", kind: "resource" }]));
    });

    it("deploys the three components through plugin/: `up` creates the same resources as the TypeScript program, with the same inputs", () => {
        expect(pythonUp).toMatch(/\+ \d+ created/);
        // Encrypted: the same resources, under the same parents, with secrets in the same places.
        const fromPython = shapes(exported("py").resources);
        expect(fromPython.map((r) => `${r.type} ${r.name}`)).toEqual(shapes(exported("ts").resources).map((r) => `${r.type} ${r.name}`));
        expect(fromPython).toEqual(shapes(exported("ts").resources));
        // Revealed: the same inputs inside the secrets too, apart from each stack's own keys and password.
        const shown = revealedShapes(exported("py", true).resources);
        expect(shown).toEqual(revealedShapes(exported("ts", true).resources));

        // The comparison covers what matters: the components, their children under them, subjects, the container.
        const byName = (name: string) => shown.find((r) => r.name === name)!;
        expect(byName("payments-ca")).toEqual({ type: "tls-platform:index:CertificateAuthority", name: "payments-ca", parentType: "pulumi:pulumi:Stack" });
        expect(byName("payments-ca-cert").inputs.subject).toEqual({ commonName: "payments team CA", organization: "Payments" });
        expect(byName("worker-cert")).toMatchObject({ parentType: "tls-platform:index:Certificate", inputs: { allowedUses: ["digital_signature", "client_auth"] } });
        const request = shown.find((r) => r.type === "tls:index/certRequest:CertRequest" && r.name.startsWith("worker-"))!;
        expect(request.inputs).toMatchObject({ dnsNames: ["worker.payments.internal"], subject: { commonName: "worker" } });
        const container = shown.find((r) => r.type === "docker:index/container:Container")!;
        expect(container.parentType).toBe("tls-platform:index:DragonflyCache");
        expect(container.inputs.ports).toEqual([expect.objectContaining({ external: 16380 })]);
        expect(container.inputs.command).toEqual(expect.arrayContaining(["--tls", "--maxmemory=536870912", "--tls_cert_file=/etc/dragonfly/tls/server.crt"]));
        // Each stack's own password is in the container's inputs, masked alike in both.
        expect(JSON.stringify(container.inputs)).toContain("<generated>");
    });

    it("registers the components through the tls-platform plugin in the Python stack only: the TypeScript program runs them in-process", () => {
        const providers = (project: "py" | "ts") => exported(project).resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.type).sort();
        expect(providers("py")).toEqual([...providers("ts"), "pulumi:providers:tls-platform"].sort());
    });

    it("keeps every generated secret out of the Python stack's state files and plain export: keys, password, connection", () => {
        const shown = exported("py", true);
        const state = revealed(shown.resources) as StateResource[];
        const outputsOf = (type: string) => state.filter((r) => r.type === type).map((r) => r.outputs!);
        const privateKeys = outputsOf("tls:index/privateKey:PrivateKey").map((o) => o.privateKeyPem as string);
        expect(privateKeys).toHaveLength(3);
        const [password] = outputsOf("random:index/randomPassword:RandomPassword").map((o) => o.result as string);
        const [cache] = outputsOf("tls-platform:index:DragonflyCache");
        expect(cache!.password).toBe(password);
        const generated = [...privateKeys, password!, cache!.connection.url as string];
        expect(generated[4]).toContain(encodeURIComponent(password!));
        expectOnlyEncrypted(generated, { shownExport: shown.text, plainExport: exported("py").text, backend: path.join(tmp, "backend-py"), stackFile: "components/dev.json" });
    });

    it("destroys the Python stack: the components' children go with them, through the plugin", () => {
        const destroy = pulumi(path.join(tmp, "py"), ["destroy", "--yes", "--skip-preview"], backend("py"));
        expect(destroy).toMatch(/- \d+ deleted/);
        expect(exported("py").resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});
