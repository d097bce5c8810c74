/**
 * The rendered nginx.conf on a real nginx, started through the namespace harness with exactly the uploads
 * and command of the nginx container. Local nginx is Debian's 1.22.1, the image 1.30: the deployed text is
 * the rendered text minus its `http2 on;` line (adaptConfForLocalNginx), and a test asserts that this is
 * the only difference. HTTP/2 itself is therefore not exercised here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NginxConfigInput, renderNginxConf } from "../../components/nginx/config";
import { ACME_CHALLENGE_ROOT, MOZILLA_INTERMEDIATE_CIPHERS, NGINX_CONF_PATH, SERVER_KEY_PATH } from "../../components/nginx/defaults";
import { adaptConfForLocalNginx, NGINX_UID, startNginxContainer } from "../harness/images/nginx";
import type { Background, Container } from "../harness/namespace";
import { makeTestPki, type TestPki } from "../support/test-pki";
import { probeTlsVersion, tlsHandshake } from "../support/tls-probe";
import { httpGet, httpsGet, startEchoUpstream, websocketOverTls } from "./http-helpers";

const UPSTREAM_PORT = 8080;
const ACME_TOKEN = "token-4f2b";
const ACME_BODY = "token-4f2b.thumbprint";
const DEFAULT_INPUT: NginxConfigInput = {
    upstreams: [
        { name: "app", url: `http://127.0.0.1:${UPSTREAM_PORT}`, pathPrefix: "/app/" },
        { name: "chat", url: `http://127.0.0.1:${UPSTREAM_PORT}`, pathPrefix: "/ws/", websocket: true },
    ],
};

interface Running {
    readonly rendered: string;
    readonly deployed: string;
    readonly container: Container;
    readonly upstream?: Background;
}

describe("nginx with the rendered config", () => {
    let pki: TestPki;
    let main: Running; // TLS 1.2+, two upstreams
    let tls13: Running; // minTlsVersion TLSv1.3
    let mtls: Running; // client certificates required
    let legacy: Running; // negative control: the same config, edited to allow TLS 1.0 and 1.1
    const all: Running[] = [];

    async function start(input: NginxConfigInput, opts: { upstream: boolean; edit?: (conf: string) => string }): Promise<Running> {
        const rendered = renderNginxConf(input);
        const deployed = (opts.edit ?? ((c) => c))(adaptConfForLocalNginx(rendered));
        const container = await startNginxContainer({
            conf: deployed,
            serverCertPem: pki.server.certPem,
            serverKeyPem: pki.server.keyPem,
            clientCaCertPem: input.clientCaCertPem,
            files: [{ path: `${ACME_CHALLENGE_ROOT}/.well-known/acme-challenge/${ACME_TOKEN}`, content: ACME_BODY }],
        });
        const running: Running = { rendered, deployed, container };
        all.push(running);
        return opts.upstream ? { ...running, upstream: await startEchoUpstream(container, UPSTREAM_PORT) } : running;
    }

    beforeAll(async () => {
        pki = makeTestPki({ serverNames: ["proxy.internal"] });
        // allSettled: every start finishes (and lands in `all` for afterAll) before a failure is reported.
        const results = await Promise.allSettled([
            start(DEFAULT_INPUT, { upstream: true }),
            start({ minTlsVersion: "TLSv1.3" }, { upstream: false }),
            start({ upstreams: [{ name: "app", url: `http://127.0.0.1:${UPSTREAM_PORT}` }], verifyClient: true, clientCaCertPem: pki.ca.certPem }, { upstream: true }),
            start(DEFAULT_INPUT, {
                upstream: false,
                edit: (conf) => {
                    const edited = conf
                        .replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;")
                        .replace(/ssl_ciphers [^;]+;/, "ssl_ciphers DEFAULT:@SECLEVEL=0;");
                    if (!edited.includes("TLSv1 TLSv1.1") || !edited.includes("@SECLEVEL=0")) throw new Error("negative-control edit did not apply");
                    return edited;
                },
            }),
        ]);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        [main, tls13, mtls, legacy] = results.map((r) => (r as PromiseFulfilledResult<Running>).value) as [Running, Running, Running, Running];
    });
    afterAll(() => Promise.all(all.map((r) => r.container.stop())));

    const tlsClient = () => ({ ca: pki.ca.certPem });
    const port = (r: Running, p: 443 | 80) => r.container.ports[p]!;

    it("deploys the rendered config with only the `http2 on;` line removed for nginx 1.22", async () => {
        for (const r of [main, tls13, mtls]) {
            const renderedLines = r.rendered.split("\n");
            expect(renderedLines.filter((l) => l.trim() === "http2 on;")).toHaveLength(1);
            expect(renderedLines.filter((l) => l.trim() !== "http2 on;")).toEqual(r.deployed.split("\n"));
            expect((await r.container.exec(["cat", NGINX_CONF_PATH])).stdout).toBe(r.deployed);
        }
        expect((await main.container.exec(["stat", "-c", "%a %u %g", SERVER_KEY_PATH])).stdout).toBe("600 0 0\n");
    });

    it.each(["main", "tls13", "mtls"] as const)("`nginx -t` passes without warnings (%s config)", async (which) => {
        const r = { main, tls13, mtls }[which];
        const result = await r.container.exec(["nginx", "-t"]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain("test is successful");
        expect(result.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
    });

    it("runs the workers as the image's nginx user (uid 101) under a root master", async () => {
        const ps = (await main.container.exec(["ps", "-eo", "uid=,args="])).stdout;
        expect(ps).toMatch(/^\s*0 nginx: master process nginx -g daemon off;$/m);
        expect(ps).toMatch(new RegExp(`^\\s*${NGINX_UID} nginx: worker process$`, "m"));
        expect(ps).not.toMatch(/^\s*(?!101)\d+ nginx: worker process$/m);
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
        ["a proxied response", "main", "/app/hello", 200],
        ["nginx's own 404", "main", "/nowhere", 404],
        ["the refusal of a request without client certificate", "mtls", "/", 400],
    ] as const)("HTTPS carries HSTS, nosniff and X-Frame-Options on %s", async (_, which, path, status) => {
        const r = await httpsGet(port({ main, mtls }[which], 443), path, tlsClient());
        expect(r.status).toBe(status);
        expect(r.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
        expect(r.headers["x-content-type-options"]).toBe("nosniff");
        expect(r.headers["x-frame-options"]).toBe("DENY");
        expect(r.headers.server).toBe("nginx"); // server_tokens off: no version
    });

    it.each(["localhost", "proxy.internal", "127.0.0.1"])("a client trusting only the CA verifies the server as %s", async (name) => {
        const r = await tlsHandshake({ host: "127.0.0.1", port: port(main, 443), ca: pki.ca.certPem, servername: name });
        expect(r).toMatchObject({ ok: true, authorized: true });
    });

    it("verification fails for a name not in the SANs", async () => {
        const r = await tlsHandshake({ host: "127.0.0.1", port: port(main, 443), ca: pki.ca.certPem, servername: "evil.example" });
        expect(r.ok).toBe(false);
        expect(r.error).toMatch(/Host: evil\.example\. is not in the cert's altnames: DNS:localhost, IP Address:127\.0\.0\.1, DNS:proxy\.internal/);
    });

    it("verification fails for a client trusting another CA", async () => {
        const r = await tlsHandshake({ host: "127.0.0.1", port: port(main, 443), ca: pki.foreignCa.certPem, servername: "localhost" });
        expect(r).toMatchObject({ ok: false, error: "unable to verify the first certificate" });
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

        it("refuses a client certificate from another CA", async () => {
            const r = await httpsGet(port(mtls, 443), "/mtls-foreign", { ...tlsClient(), cert: pki.foreignClient.certPem, key: pki.foreignClient.keyPem });
            expect(r.status).toBe(400);
            expect(r.body).toContain("The SSL certificate error");
            expect(mtls.upstream?.output()).not.toContain("/mtls-foreign");
        });

        it("accepts the client certificate issued by its CA", async () => {
            const r = await httpsGet(port(mtls, 443), "/mtls-issued", { ...tlsClient(), cert: pki.client.certPem, key: pki.client.keyPem });
            expect(r.status).toBe(200);
            expect(JSON.parse(r.body).url).toBe("/mtls-issued");
            expect(mtls.upstream?.output()).toContain("REQUEST /mtls-issued");
        });
    });

    it("forwards Host, X-Forwarded-For/Proto and X-Real-IP to the upstream", async () => {
        const r = await httpsGet(port(main, 443), "/app/headers", tlsClient(), { Host: "proxy.internal", "X-Forwarded-For": "203.0.113.7" });
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
});
