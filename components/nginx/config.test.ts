import { describe, expect, it } from "vitest";
import { type NginxConfigInput, nginxHealthcheck, renderNginxConf, upstreamServerAddress, validateNginxInput } from "./config";
import { MOZILLA_INTERMEDIATE_CIPHERS } from "./defaults";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

const FULL: NginxConfigInput = {
    serverNames: ["proxy.example.com", "proxy.internal"],
    upstreams: [
        { name: "app", url: "http://app:8080" },
        { name: "chat", url: "http://chat:9000", pathPrefix: "/ws/", websocket: true },
    ],
    verifyClient: true,
    clientCaCertPem: CA,
};

/** The directive lines of every `location` block, by location. */
function locationBodies(conf: string): Map<string, string[]> {
    const result = new Map<string, string[]>();
    let current: string | undefined;
    for (const line of conf.split("\n").map((l) => l.trim())) {
        const open = /^location (\S+) \{$/.exec(line);
        if (open?.[1]) result.set((current = `${open[1]}#${result.size}`), []);
        else if (line === "}") current = undefined;
        else if (current) result.get(current)?.push(line);
    }
    return result;
}

/** The body of the `server` block that listens on `port` (servers are not nested, locations are). */
function serverBlock(conf: string, port: number): string {
    const blocks = conf.split(/\n    server \{\n/).slice(1);
    const found = blocks.find((b) => b.includes(`listen ${port} `));
    if (!found) throw new Error(`no server listening on ${port}`);
    return found;
}

describe("validateNginxInput", () => {
    it("accepts the defaults and a full input", () => {
        expect(validateNginxInput({})).toEqual([]);
        expect(validateNginxInput(FULL)).toEqual([]);
    });

    it.each<[string, NginxConfigInput, { path: string; message: string }[]]>([
        ["a port out of range", { httpsPort: 70000 }, [
            { path: "httpsPort", message: "`httpsPort` is 70000; a port must be an integer from 1 to 65535. Use a port in that range." },
        ]],
        ["a port that is not an integer", { httpPort: 80.5 }, [
            { path: "httpPort", message: "`httpPort` is 80.5; a port must be an integer from 1 to 65535. Use a port in that range." },
        ]],
        ["the same port twice", { httpPort: 443 }, [
            { path: "httpPort", message: "`httpPort` is 443, the same as `httpsPort`; one port cannot serve plain HTTP and TLS. Use different ports (defaults: 80 and 443)." },
        ]],
        ["an upstream URL that does not parse", { upstreams: [{ name: "app", url: "app 8080" }] }, [
            { path: "upstreams[0].url", message: "`upstreams[0].url` is `app 8080`, which is not a URL. Write it as `http://host:port`, e.g. `http://app:8080`." },
        ]],
        ["an upstream with an unknown scheme", { upstreams: [{ name: "app", url: "ftp://app:21" }] }, [
            { path: "upstreams[0].url", message: "`upstreams[0].url` is `ftp://app:21`: scheme `ftp` is not supported; only `http` is (nginx terminates TLS and reaches upstreams over the container network)." },
        ]],
        ["a ws:// upstream", { upstreams: [{ name: "chat", url: "ws://chat:9000", websocket: true }] }, [
            { path: "upstreams[0].url", message: "`upstreams[0].url` is `ws://chat:9000`: scheme `ws` is not supported; only `http` is (nginx terminates TLS and reaches upstreams over the container network). For WebSocket backends use `http://` and set `websocket: true`." },
        ]],
        ["an upstream URL with a path", { upstreams: [{ name: "app", url: "http://app:8080/api" }] }, [
            { path: "upstreams[0].url", message: "`upstreams[0].url` is `http://app:8080/api`; an upstream URL is only `http://host:port`, without credentials, path, query or fragment. Route paths with `pathPrefix` instead." },
        ]],
        ["duplicate upstream names and paths", { upstreams: [{ name: "app", url: "http://a:1" }, { name: "app", url: "http://b:1" }] }, [
            { path: "upstreams[1].name", message: "`upstreams[1].name` is `app`, already used by `upstreams[0]`; upstream names must be unique. Rename one of them." },
            { path: "upstreams[1].pathPrefix", message: "`upstreams[1].pathPrefix` is `/`, already routed to `upstreams[0]`; each path prefix can go to one upstream only. Change or remove one of them." },
        ]],
        ["an upstream name nginx cannot take", { upstreams: [{ name: "my app;", url: "http://a:1" }] }, [
            { path: "upstreams[0].name", message: "`upstreams[0].name` is `my app;`; use only letters, digits, `_` and `-`." },
        ]],
        ["a path prefix that would inject nginx syntax", { upstreams: [{ name: "a", url: "http://a:1", pathPrefix: "/x { return 200; }" }] }, [
            { path: "upstreams[0].pathPrefix", message: "`upstreams[0].pathPrefix` is `/x { return 200; }`; a path prefix starts with `/` and holds only letters, digits and `. _ ~ / -`, e.g. `/api/`." },
        ]],
        ["a bad server name", { serverNames: ["ok.example", "bad name"] }, [
            { path: "serverNames[1]", message: "`serverNames[1]` is `bad name`; a server name is a DNS name (letters, digits, `-`, dots, optionally starting with `*.`) or `_`. Fix the name." },
        ]],
        ["verifyClient without a client CA", { verifyClient: true }, [
            { path: "clientCaCertPem", message: "`verifyClient` is true but `clientCaCertPem` is not set; nginx needs the CA that issues client certificates. Set `clientCaCertPem`, or set `verifyClient: false`." },
        ]],
    ])("reports %s", (_, input, expected) => {
        expect(validateNginxInput(input)).toEqual(expected);
    });

    it("collects every problem at once", () => {
        const problems = validateNginxInput({ httpsPort: 0, verifyClient: true, upstreams: [{ name: "a", url: "gopher://x" }] });
        expect(problems.map((p) => p.path)).toEqual(["httpsPort", "upstreams[0].url", "clientCaCertPem"]);
    });
});

describe("renderNginxConf", () => {
    const conf = renderNginxConf(FULL);

    it("renders the reviewed nginx.conf", () => {
        expect(conf).toMatchSnapshot();
    });

    it("refuses input that does not validate, listing every problem", () => {
        expect(() => renderNginxConf({ httpPort: 443, verifyClient: true })).toThrow(
            /invalid nginx input:\n- `httpPort` is 443[^\n]*\n- `verifyClient` is true/,
        );
    });

    it("hides the version, offers TLS 1.2 and 1.3 with the Mozilla intermediate settings, and has no stapling", () => {
        const https = serverBlock(conf, 443);
        expect(conf).toContain("\n    server_tokens off;\n");
        expect(https).toContain("ssl_protocols TLSv1.2 TLSv1.3;");
        expect(https).toContain(`ssl_ciphers ${MOZILLA_INTERMEDIATE_CIPHERS};`);
        expect(https).toContain("ssl_prefer_server_ciphers off;");
        // The profile's groups, not OpenSSL's defaults, which add X448 and secp521r1.
        expect(https).toContain("ssl_ecdh_curve X25519:prime256v1:secp384r1;");
        expect(https).toContain("ssl_session_cache shared:MozSSL:10m;");
        expect(https).toContain("ssl_session_timeout 1d;");
        expect(conf).not.toMatch(/stapling/);
        expect(conf.match(/^\s*http2 on;$/gm)).toHaveLength(1);
    });

    it("offers only TLS 1.3 when asked, without a TLS 1.2 cipher list", () => {
        const https = serverBlock(renderNginxConf({ minTlsVersion: "TLSv1.3" }), 443);
        expect(https).toContain("ssl_protocols TLSv1.3;");
        expect(https).not.toContain("ssl_ciphers");
        expect(https).toContain("ssl_ecdh_curve X25519:prime256v1:secp384r1;");
    });

    it("sends the security headers from server level only, so no location drops them", () => {
        const https = serverBlock(conf, 443);
        expect(https).toContain("add_header Strict-Transport-Security $hsts_header always;");
        expect(https).toContain('add_header X-Content-Type-Options "nosniff" always;');
        expect(https).toContain('add_header X-Frame-Options "DENY" always;');
        for (const [location, body] of locationBodies(conf)) {
            expect(body.filter((l) => l.startsWith("add_header")), location).toEqual([]);
        }
        expect(serverBlock(conf, 80)).not.toContain("Strict-Transport-Security");
    });

    it("redirects port 80 to https except ACME challenges, naming a non-default HTTPS port", () => {
        expect(serverBlock(conf, 80)).toContain("return 301 https://$host$request_uri;");
        expect(serverBlock(conf, 80)).toMatch(/location \/\.well-known\/acme-challenge\/ \{\n\s+root \/var\/www\/acme;/);
        expect(serverBlock(renderNginxConf({ httpsPort: 8443, httpPort: 8080 }), 8080)).toContain("return 301 https://$host:8443$request_uri;");
    });

    it("forwards client headers to every upstream and upgrades only WebSocket locations", () => {
        const forwarding = ["proxy_set_header Host $host;", "proxy_set_header X-Real-IP $remote_addr;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", "proxy_set_header X-Forwarded-Proto $scheme;"];
        const [app, chat] = [...locationBodies(conf).entries()].filter(([k]) => !k.startsWith("/.well-known")).slice(1);
        expect(app?.[1]).toEqual(expect.arrayContaining(["proxy_pass http://app;", ...forwarding, 'proxy_set_header Connection "";']));
        expect(chat?.[1]).toEqual(expect.arrayContaining(["proxy_pass http://chat;", ...forwarding,
            "proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;"]));
        expect(app?.[1]).not.toContain("proxy_set_header Upgrade $http_upgrade;");
        expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade \{\n\s+default upgrade;\n\s+'' close;\n\s+\}/);
    });

    it("answers 404 for paths no upstream claims, and verifies client certificates only when asked", () => {
        expect(serverBlock(renderNginxConf({}), 443)).toMatch(/location \/ \{\n\s+return 404;/);
        expect(serverBlock(conf, 443)).not.toContain("return 404;");
        expect(serverBlock(conf, 443)).toContain("ssl_client_certificate /etc/nginx/tls/client-ca.crt;\n        ssl_verify_client on;");
        expect(renderNginxConf({})).not.toContain("ssl_verify_client");
    });
});

describe("nginxHealthcheck", () => {
    it("requests a path nginx answers itself, ahead of an upstream on `/`, verified against the uploaded issuer", () => {
        const https = serverBlock(renderNginxConf({ upstreams: [{ name: "app", url: "http://app:8080" }] }), 443);
        expect(https).toContain("location = /.tls-platform/health {\n            access_log off;\n            return 204;\n        }");
        expect(nginxHealthcheck({})).toBe(
            "curl -sS -o /dev/null --max-time 5 --cacert /etc/nginx/tls/issuer-ca.crt --resolve localhost:443:127.0.0.1 https://localhost:443/.tls-platform/health",
        );
        expect(nginxHealthcheck({ httpsPort: 8443 })).toContain("--resolve localhost:8443:127.0.0.1 https://localhost:8443/.tls-platform/health");
    });
});

describe("upstreamServerAddress", () => {
    it.each([["http://app:8080", "app:8080"], ["http://app", "app:80"], ["http://10.0.0.5:81", "10.0.0.5:81"]])("%s → %s", (url, address) => {
        expect(upstreamServerAddress(url)).toBe(address);
    });
});

describe("redirect to the published HTTPS port", () => {
    it("names the public port when it differs from 443, so that a redirect lands where HTTPS is published", () => {
        expect(renderNginxConf({ publicHttpsPort: 8443 })).toContain("return 301 https://$host:8443$request_uri;");
        expect(renderNginxConf({})).toContain("return 301 https://$host$request_uri;");
        expect(validateNginxInput({ publicHttpsPort: 0 }).map((p) => p.path)).toEqual(["publicHttpsPort"]);
    });
});

describe("HSTS: for the real host names only, never for localhost", () => {
    const hstsMap = (input: NginxConfigInput) => /map \$host \$hsts_header \{\n([\s\S]*?)\n\s*\}/.exec(renderNginxConf(input))![1]!.split("\n").map((l) => l.trim());

    it("by default: two years with includeSubDomains for each server name, max-age=0 for every other host", () => {
        expect(hstsMap(FULL)).toEqual([
            "hostnames;",
            'default "max-age=0";',
            'proxy.example.com "max-age=63072000; includeSubDomains";',
            'proxy.internal "max-age=63072000; includeSubDomains";',
        ]);
    });

    it("sends max-age=0 to every host when the proxy answers for any host (the dev default), which also clears an old policy", () => {
        expect(hstsMap({})).toEqual(["hostnames;", 'default "max-age=0";']);
    });

    it("leaves localhost, its subdomains and IPs out even when they are server names", () => {
        expect(hstsMap({ serverNames: ["localhost", "app.localhost", "127.0.0.1", "*.example.com"] }))
            .toEqual(["hostnames;", 'default "max-age=0";', '*.example.com "max-age=63072000; includeSubDomains";']);
    });

    it("renders the caller's policy", () => {
        expect(hstsMap({ serverNames: ["a.example.com"], hsts: { maxAgeSeconds: 31536000, includeSubDomains: true, preload: true } }))
            .toContain('a.example.com "max-age=31536000; includeSubDomains; preload";');
        expect(hstsMap({ serverNames: ["a.example.com"], hsts: { maxAgeSeconds: 86400 } })).toContain('a.example.com "max-age=86400";');
    });

    it.each<[string, NginxConfigInput, { path: string; message: string }[]]>([
        ["a negative max-age", { serverNames: ["a.example.com"], hsts: { maxAgeSeconds: -1 } }, [{
            path: "hsts.maxAgeSeconds",
            message: "`hsts.maxAgeSeconds` is -1; use a whole number of seconds, 0 or more (0 tells browsers to forget the policy; 63072000 is two years).",
        }]],
        ["HSTS asked for with no real host name", { hsts: { maxAgeSeconds: 63072000, includeSubDomains: true } }, [{
            path: "hsts",
            message: "`hsts` asks for max-age 63072000, but `serverNames` (`_`) has no real host name to send it for; HSTS is never sent for `localhost` or an IP, because browsers keep it per host, not per port, and would force HTTPS on every localhost port. Add the proxy's host names to `serverNames`, or omit `hsts`.",
        }]],
        ["HSTS for localhost only", { serverNames: ["localhost"], hsts: { maxAgeSeconds: 600 } }, [{
            path: "hsts",
            message: "`hsts` asks for max-age 600, but `serverNames` (`localhost`) has no real host name to send it for; HSTS is never sent for `localhost` or an IP, because browsers keep it per host, not per port, and would force HTTPS on every localhost port. Add the proxy's host names to `serverNames`, or omit `hsts`.",
        }]],
        ["preload without includeSubDomains and a year", { serverNames: ["a.example.com"], hsts: { maxAgeSeconds: 86400, preload: true } }, [{
            path: "hsts.preload",
            message: "`hsts.preload` is true with `includeSubDomains` false and `maxAgeSeconds` 86400; the preload list accepts only includeSubDomains and a max-age of at least 31536000 (one year) (hstspreload.org). Set both, or drop `preload`.",
        }]],
    ])("refuses %s", (_title, input, problems) => {
        expect(validateNginxInput(input)).toEqual(problems);
    });

    it("accepts max-age=0 anywhere", () => {
        expect(validateNginxInput({ hsts: { maxAgeSeconds: 0 } })).toEqual([]);
    });
});
