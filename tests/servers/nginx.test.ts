import type { SecureVersion } from "node:tls";
/**
 * The NginxProxy component's containers on a real nginx. Each is started through the namespace harness with
 * exactly the command and uploads the component registered with the Docker provider under the provider
 * emulator (tests/platform/fixture.ts): the config is the text the component uploads, the certificates are
 * the ones its PKI components issued. Local nginx is Debian's 1.22.1, the image 1.30: the uploaded
 * nginx.conf runs minus its `http2 on;` line (adaptConfForLocalNginx), and a test asserts that this is the
 * only difference. HTTP/2 itself is therefore not exercised here.
 *
 * Besides its uploads a container gets only what stands in for the world around it:
 * - /etc/hosts naming `upstream.internal` 127.0.0.1. Docker's network DNS would answer with the upstream
 *   container's address; here the test upstream runs inside the proxy's own network namespace, on 8080.
 * - one ACME challenge file in the webroot, as certbot would write it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNginxConf } from "../../components/nginx/config";
import { ACME_CHALLENGE_ROOT, HEALTHCHECK_PATH, ISSUER_CA_PATH, MOZILLA_INTERMEDIATE_CIPHERS, NGINX_CONF_PATH, SERVER_KEY_PATH } from "../../components/nginx/defaults";
import { HTTP2_DIRECTIVE_LINE, NGINX_UID, startNginxContainer } from "../harness/images/nginx";
import type { Background, Container, FileSpec } from "../harness/namespace";
import { describeWithServers, findOnPath } from "../harness/requirements";
import { deployPlatform, type DeployedPlatform, type RegisteredContainer } from "../platform/fixture";
import { atHarnessPort, documentCaPem } from "../platform/documents";
import { probeTlsVersion, tlsHandshake } from "../support/tls-probe";
import { httpGet, httpsGet, httpsGetUrl, startEchoUpstream, websocketOverTls } from "./http-helpers";

/** The upstream the fixture gives every proxy variant: `http://upstream.internal:8080`. */
const UPSTREAM_HOST = "upstream.internal";
const UPSTREAM_PORT = 8080;
const ACME_TOKEN = "token-4f2b";
const ACME_BODY = "token-4f2b.thumbprint";
/** curl's exit code for a server certificate that does not verify (CURLE_PEER_FAILED_VERIFICATION). */
const CURL_PEER_FAILED_VERIFICATION = 60;

const DOCKER_DNS_STAND_IN: FileSpec = {
    path: "/etc/hosts",
    content: `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t${UPSTREAM_HOST}\n`,
};
const ACME_CHALLENGE_FILE: FileSpec = { path: `${ACME_CHALLENGE_ROOT}/.well-known/acme-challenge/${ACME_TOKEN}`, content: ACME_BODY };

type Upload = RegisteredContainer["uploads"][number];

/** `registered` with the content of its upload at `file` edited: for negative controls only. */
function withUploadEdited(registered: RegisteredContainer, file: string, edit: (content: string) => string): RegisteredContainer {
    if (!registered.uploads.some((u) => u.file === file)) throw new Error(`${registered.name} has no upload at ${file}`);
    const uploads = registered.uploads.map((u): Upload => {
        if (u.file !== file) return u;
        const content = edit(u.content);
        if (content === u.content) throw new Error(`edit of ${file} changed nothing`);
        return { ...u, content };
    });
    return { ...registered, uploads };
}

interface Running {
    readonly registered: RegisteredContainer;
    readonly container: Container;
    readonly upstream?: Background;
}

describeWithServers("nginx started from the NginxProxy container's registered command and uploads", ["root", "nginx", "openssl", "curl", "socat", "unshare"], () => {
    let platform: DeployedPlatform;
    let main: Running; // `proxy`: TLS 1.2+, serverNames proxy.internal, WebSocket upstream
    let tls13: Running; // `proxyTls13`: minTlsVersion TLSv1.3, upstream not running
    let mtls: Running; // `proxyMutualTls`: client certificates from the project CA required
    let legacy: Running; // negative control: `proxy`, its nginx.conf edited to allow TLS 1.0 and 1.1
    let wrongIssuer: Running; // negative control: `proxy`, its issuer-ca.crt replaced by another CA
    const all: Running[] = [];

    async function start(registered: RegisteredContainer, opts: { upstream: boolean }): Promise<Running> {
        const container = await startNginxContainer({
            command: registered.command,
            uploads: registered.uploads,
            files: [DOCKER_DNS_STAND_IN, ACME_CHALLENGE_FILE],
        });
        const running: Running = { registered, container };
        all.push(running);
        return opts.upstream ? { ...running, upstream: await startEchoUpstream(container, UPSTREAM_PORT) } : running;
    }

    beforeAll(async () => {
        platform = await deployPlatform();
        const legacyProxy = withUploadEdited(platform.proxy, NGINX_CONF_PATH, (conf) => {
            const edited = conf
                .replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;")
                .replace(/ssl_ciphers [^;]+;/, "ssl_ciphers DEFAULT:@SECLEVEL=0;");
            if (!edited.includes("TLSv1 TLSv1.1") || !edited.includes("@SECLEVEL=0")) throw new Error("negative-control edit did not apply");
            return edited;
        });
        const wrongIssuerProxy = withUploadEdited(platform.proxy, ISSUER_CA_PATH, () => platform.foreign.caPem);
        // allSettled: every start finishes (and lands in `all` for afterAll) before a failure is reported.
        const results = await Promise.allSettled([
            start(platform.proxy, { upstream: true }),
            start(platform.proxyTls13, { upstream: false }),
            start(platform.proxyMutualTls, { upstream: true }),
            start(legacyProxy, { upstream: false }),
            start(wrongIssuerProxy, { upstream: false }),
        ]);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        [main, tls13, mtls, legacy, wrongIssuer] = results.map((r) => (r as PromiseFulfilledResult<Running>).value) as [Running, Running, Running, Running, Running];
    });
    afterAll(() => Promise.all(all.map((r) => r.container.stop())));

    const tlsClient = () => ({ ca: platform.caPem });
    const port = (r: Running, p: 443 | 80) => r.container.ports[p]!;
    const variants = () => ({ main, tls13, mtls });

    it("runs every registered upload byte for byte with its mode and owner, nginx.conf minus only its `http2 on;` line", async () => {
        for (const r of [main, tls13, mtls]) {
            for (const u of r.registered.uploads) {
                const inContainer = (await r.container.exec(["cat", u.file])).stdout;
                if (u.file === NGINX_CONF_PATH) {
                    const uploadedLines = u.content.split("\n");
                    expect(uploadedLines.filter((l) => HTTP2_DIRECTIVE_LINE.test(`${l}\n`))).toEqual(["        http2 on;"]);
                    expect(uploadedLines.filter((l) => !HTTP2_DIRECTIVE_LINE.test(`${l}\n`))).toEqual(inContainer.split("\n"));
                } else {
                    expect(inContainer, u.file).toBe(u.content);
                }
                const [mode, owner, group] = (await r.container.exec(["stat", "-c", "%a %u %g", u.file])).stdout.trim().split(" ");
                expect({ file: u.file, permissions: `0${mode}`, owner, group }).toEqual({ file: u.file, permissions: u.permissions, owner: u.owner, group: u.group });
            }
        }
        expect(main.registered.uploads.find((u) => u.file === SERVER_KEY_PATH)).toMatchObject({ permissions: "0600", owner: "0", group: "0" });
        expect(main.registered.uploads.find((u) => u.file === NGINX_CONF_PATH)?.content).toContain(`server ${UPSTREAM_HOST}:${UPSTREAM_PORT};`);
    });

    it.each(["main", "tls13", "mtls"] as const)("`nginx -t` passes without warnings (%s)", async (which) => {
        const result = await variants()[which].container.exec(["nginx", "-t"]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain("test is successful");
        expect(result.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
    });

    it("runs the registered command as a root master with workers as the image's nginx user (uid 101)", async () => {
        expect(main.registered.command).toEqual(["nginx", "-g", "daemon off;"]);
        const ps = (await main.container.exec(["ps", "-eo", "uid=,args="])).stdout;
        expect(ps).toMatch(/^\s*0 nginx: master process nginx -g daemon off;$/m);
        expect(ps).toMatch(new RegExp(`^\\s*${NGINX_UID} nginx: worker process$`, "m"));
        expect(ps).not.toMatch(/^\s*(?!101)\d+ nginx: worker process$/m);
    });

    describe("the registered healthcheck, run in the container as Docker's CMD-SHELL would", () => {
        it.each(["main", "tls13", "mtls"] as const)("passes against the running nginx (%s)", async (which) => {
            const r = variants()[which];
            const result = await r.container.exec(["sh", "-c", r.registered.healthcheck]);
            expect(result.code, result.stderr).toBe(0);
        });

        it("fails, as a verification failure, when the uploaded issuer CA is not the server certificate's", async () => {
            expect(wrongIssuer.registered.healthcheck).toBe(main.registered.healthcheck);
            const result = await wrongIssuer.container.exec(["sh", "-c", wrongIssuer.registered.healthcheck]);
            expect(result.code).toBe(CURL_PEER_FAILED_VERIFICATION);
            expect(result.stderr).toContain("SSL certificate problem");
        });

        it("is answered by nginx itself (204) although the upstream claims `/`: the upstream never sees it", async () => {
            const before = main.upstream!.output();
            const result = await main.container.exec(["sh", "-c", main.registered.healthcheck]);
            expect(result.code, result.stderr).toBe(0);
            expect((await httpsGet(port(main, 443), HEALTHCHECK_PATH, tlsClient())).status).toBe(204);
            expect(main.upstream!.output()).toBe(before);
        });
    });

    it.each(["TLSv1", "TLSv1.1"] as const)("negative control: the probe sees %s accepted by nginx configured to allow it", async (version) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: port(legacy, 443), version, servername: "localhost" });
        expect(r.accepted, r.output).toBe(true);
    });

    it.each(["TLSv1", "TLSv1.1"] as const)("refuses %s", async (version) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: port(main, 443), version, servername: "localhost" });
        expect(r.accepted, r.output).toBe(false);
        expect(r.alert).toBe("protocol version");
    });

    it("accepts TLS 1.2, negotiating a Mozilla intermediate cipher", async () => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: port(main, 443), version: "TLSv1.2", servername: "localhost" });
        expect(r).toMatchObject({ accepted: true, protocol: "TLSv1.2" });
        expect(MOZILLA_INTERMEDIATE_CIPHERS.split(":")).toContain(r.cipher);
    });

    it.each(MOZILLA_INTERMEDIATE_CIPHERS.split(":").filter((c) => c.startsWith("ECDHE-ECDSA-")))("accepts TLS 1.2 with %s", async (cipher) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: port(main, 443), version: "TLSv1.2", ciphers: cipher });
        expect(r).toMatchObject({ accepted: true, cipher });
    });

    it("refuses a TLS 1.2 CBC cipher outside the Mozilla list, which the negative control accepts", async () => {
        const probe = (r: Running) => probeTlsVersion({ host: "127.0.0.1", port: port(r, 443), version: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-SHA" });
        expect(await probe(legacy)).toMatchObject({ accepted: true, cipher: "ECDHE-ECDSA-AES128-SHA" });
        expect(await probe(main)).toMatchObject({ accepted: false, alert: "handshake failure" });
    });

    it("accepts TLS 1.3", async () => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: port(main, 443), version: "TLSv1.3", servername: "localhost" });
        expect(r).toMatchObject({ accepted: true, protocol: "TLSv1.3" });
    });

    it("with minTlsVersion TLSv1.3 refuses TLS 1.2 and accepts TLS 1.3", async () => {
        const v12 = await probeTlsVersion({ host: "127.0.0.1", port: port(tls13, 443), version: "TLSv1.2", servername: "localhost" });
        const v13 = await probeTlsVersion({ host: "127.0.0.1", port: port(tls13, 443), version: "TLSv1.3", servername: "localhost" });
        expect(v12).toMatchObject({ accepted: false, alert: "protocol version" });
        expect(v13).toMatchObject({ accepted: true, protocol: "TLSv1.3" });
    });

    it("port 80 answers 301 to https with path and query, without HSTS", async () => {
        const r = await httpGet(port(main, 80), "/some/path?x=1", { Host: "proxy.internal" });
        expect(r.status).toBe(301);
        expect(r.headers.location).toBe("https://proxy.internal/some/path?x=1");
        expect(r.headers["strict-transport-security"]).toBeUndefined();
        expect(r.headers["x-content-type-options"]).toBe("nosniff");
    });

    it("port 80 serves ACME HTTP-01 challenge files instead of redirecting", async () => {
        const found = await httpGet(port(main, 80), `/.well-known/acme-challenge/${ACME_TOKEN}`);
        const missing = await httpGet(port(main, 80), "/.well-known/acme-challenge/unknown");
        expect(found).toMatchObject({ status: 200, body: ACME_BODY });
        expect(found.headers["content-type"]).toBe("text/plain");
        expect(missing.status).toBe(404);
    });

    it.each([
        ["a proxied response", "main", 200],
        ["nginx's own 502 while the upstream is down", "tls13", 502],
        ["the refusal of a request without client certificate", "mtls", 400],
    ] as const)("HTTPS carries HSTS (max-age=0 for an IP host), nosniff and X-Frame-Options on %s", async (_, which, status) => {
        const r = await httpsGet(port(variants()[which], 443), "/hello", tlsClient());
        expect(r.status).toBe(status);
        expect(r.headers["strict-transport-security"]).toBe("max-age=0");
        expect(r.headers["x-content-type-options"]).toBe("nosniff");
        expect(r.headers["x-frame-options"]).toBe("DENY");
        expect(r.headers.server).toBe("nginx"); // server_tokens off: no version
    });

    it.each([
        ["proxy.internal", "max-age=63072000; includeSubDomains"],
        ["localhost", "max-age=0"],
        ["proxy", "max-age=0"],
    ])("sends a long HSTS policy only to the real server name, never to localhost: Host %s gets %s", async (host, hsts) => {
        const r = await httpsGet(port(main, 443), "/hello", { ...tlsClient(), servername: host }, { host });
        expect(r.status).toBe(200);
        expect(r.headers["strict-transport-security"]).toBe(hsts);
    });

    it.each(["localhost", "proxy.internal", "proxy", "127.0.0.1"])("a client trusting only the project CA verifies the server as %s", async (name) => {
        const r = await tlsHandshake({ host: "127.0.0.1", port: port(main, 443), ca: platform.caPem, servername: name });
        expect(r).toMatchObject({ ok: true, authorized: true });
    });

    it("verification fails for a name not in the SANs", async () => {
        const r = await tlsHandshake({ host: "127.0.0.1", port: port(main, 443), ca: platform.caPem, servername: "evil.example" });
        expect(r.ok).toBe(false);
        expect(r.error).toMatch(/Host: evil\.example\. is not in the cert's altnames: DNS:proxy\.internal, DNS:proxy, DNS:localhost, IP Address:127\.0\.0\.1/);
    });

    it("verification fails for a client trusting another CA", async () => {
        const r = await tlsHandshake({ host: "127.0.0.1", port: port(main, 443), ca: platform.foreign.caPem, servername: "localhost" });
        expect(r.ok).toBe(false);
        // Node 24 appends a hint about --use-system-ca to this message; the reason is what matters.
        expect(r.error).toMatch(/^unable to verify the first certificate/);
    });

    describe("with client certificates required", () => {
        // nginx completes the handshake whatever the client sends and refuses at HTTP level (400, after the
        // internal 495/496 codes, ngx_http_request.c), so "refused" means: 400 and the upstream never saw it.
        it("refuses a request without a client certificate", async () => {
            const r = await httpsGet(port(mtls, 443), "/mtls-none", tlsClient());
            expect(r.status).toBe(400);
            expect(r.body).toContain("No required SSL certificate was sent");
            expect(mtls.upstream?.output()).not.toContain("/mtls-none");
        });

        it("refuses a client certificate (CN app) from another CA", async () => {
            const r = await httpsGet(port(mtls, 443), "/mtls-foreign", { ...tlsClient(), cert: platform.foreign.certPem, key: platform.foreign.privateKeyPem });
            expect(r.status).toBe(400);
            expect(r.body).toContain("The SSL certificate error");
            expect(mtls.upstream?.output()).not.toContain("/mtls-foreign");
        });

        it("accepts the application's client certificate issued by the project CA", async () => {
            const r = await httpsGet(port(mtls, 443), "/mtls-issued", { ...tlsClient(), cert: platform.app.certPem, key: platform.app.privateKeyPem });
            expect(r.status).toBe(200);
            expect(JSON.parse(r.body).url).toBe("/mtls-issued");
            expect(mtls.upstream?.output()).toContain("REQUEST /mtls-issued");
        });
    });

    it("forwards Host, X-Forwarded-For/Proto and X-Real-IP to the upstream", async () => {
        const r = await httpsGet(port(main, 443), "/headers", tlsClient(), { Host: "proxy.internal", "X-Forwarded-For": "203.0.113.7" });
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body).headers).toMatchObject({
            host: "proxy.internal",
            "x-forwarded-for": "203.0.113.7, 127.0.0.1",
            "x-forwarded-proto": "https",
            "x-real-ip": "127.0.0.1",
        });
    });

    it("carries a WebSocket upgrade through to the upstream, with forwarding headers", async () => {
        const ws = await websocketOverTls(port(main, 443), "/ws/chat", tlsClient(), { Host: "proxy.internal" });
        expect(ws).toMatchObject({ status: 101, acceptValid: true });
        const seen = JSON.parse(ws.firstMessage);
        expect(seen.url).toBe("/ws/chat");
        expect(seen.headers).toMatchObject({
            upgrade: "websocket",
            connection: "upgrade",
            host: "proxy.internal",
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-proto": "https",
            "x-real-ip": "127.0.0.1",
        });
        expect(main.upstream?.output()).toContain("UPGRADE /ws/chat");
    });

    it.each([
        ["proxy", "main", 200],
        ["proxyMutualTls", "mtls", 200],
        ["proxyTls13", "tls13", 502], // verified TLS 1.3; nginx's own answer, no upstream runs there
    ] as const)("the %s connection document, used verbatim by node's https client, reaches the server and verifies it", async (variant, which, status) => {
        const doc = platform[variant].connection;
        // The document's port is the host port the emulator picked, as Docker would publish container port
        // 443; the harness published 443 on a host port of its own, so that port is the one thing swapped.
        expect(doc.port).toBe(platform[variant].ports.find((p) => p.internal === 443)?.external);
        const url = new URL(atHarnessPort(doc, port(variants()[which], 443)).url);
        const r = await httpsGetUrl(url, {
            ca: documentCaPem(doc),
            servername: doc.tls.serverName,
            minVersion: doc.tls.minVersion as SecureVersion,
            cert: doc.tls.clientCertificate?.certPem,
            key: doc.tls.clientCertificate?.privateKeyPem,
        });
        expect(r.status).toBe(status);
        if (status === 200) expect(JSON.parse(r.body).url).toBe("/");
    });
});

describeWithServers("the HSTS map, parsed by the real nginx", ["nginx"], () => {
    // Server names that spell a `map` parameter (default, hostnames, include, volatile) must be
    // escaped, or nginx refuses the configuration and the proxy never starts.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-map-"));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const nginxTest = (mapBlock: string) => {
        const conf = path.join(tmp, `nginx-${Math.random().toString(36).slice(2)}.conf`);
        fs.writeFileSync(conf, `pid ${tmp}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n${mapBlock}\n}\n`);
        return spawnSync(findOnPath("nginx")!, ["-t", "-q", "-p", tmp, "-c", conf], { encoding: "utf8" });
    };
    const rendered = renderNginxConf({ serverNames: ["default", "include", "proxy.example.com"] });
    const mapBlock = /^ {4}map \$host \$hsts_header \{\n[\s\S]*?\n {4}\}$/m.exec(rendered)![0];

    it("accepts the rendered map, with `default` and `include` as escaped host names", () => {
        expect(mapBlock).toContain('\\default "max-age=63072000; includeSubDomains";');
        const result = nginxTest(mapBlock);
        expect(result.status, result.stderr).toBe(0);
    });

    it("control: the same map without the escapes is refused", () => {
        const result = nginxTest(mapBlock.replace(/\\(default|include) /g, "$1 "));
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/duplicate default map parameter|include/);
    });
});
