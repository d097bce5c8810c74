/**
 * Renders the complete `/etc/nginx/nginx.conf` of a TLS-terminating nginx: HTTPS only (port 80 redirects,
 * except ACME HTTP-01 challenges), the library's Mozilla "intermediate" TLS profile (../shared/tlsProfile.ts), security headers on every HTTPS
 * response, upstreams with forwarding headers and optional WebSocket upgrade, optional client certificates.
 * Pure: no Pulumi, no I/O.
 *
 * Targets the pinned nginx 1.30 image. Deliberately absent:
 * - `ssl_stapling`: certificates from a private CA carry no OCSP URL, so nginx only warns and ignores it
 *   (ngx_event_openssl_stapling.c).
 * - `ssl_session_tickets off`: Mozilla emits it only for nginx < 1.23.2.
 * - IPv6 listeners: a container network without IPv6 would make `listen [::]:443` fail at start.
 */
import {
    ACME_CHALLENGE_ROOT,
    CLIENT_CA_PATH,
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    DEFAULT_MIN_TLS_VERSION,
    DEFAULT_SERVER_NAMES,
    DEFAULT_UPSTREAM_PATH_PREFIX,
    HEALTHCHECK_PATH,
    HSTS_ELSEWHERE,
    HSTS_TWO_YEARS,
    ISSUER_CA_PATH,
    NGINX_CONF_PATH,
    SERVER_CERT_PATH,
    SERVER_KEY_PATH,
    WEBSOCKET_READ_TIMEOUT,
    WORKER_USER,
} from "./defaults";
import type { ContainerFile } from "../shared/container";
import { TLS12_CIPHER_STRING, TLS_GROUP_STRING, TLS_PREFER_SERVER_CIPHERS } from "../shared/tlsProfile";
import { hstsHeaderValue, hstsHostNames, mapKey, type NginxHsts } from "./hsts";
import { validateNginxInput } from "./validate";

export { validateNginxInput, type NginxInputProblem } from "./validate";
export { hstsHeaderValue, type NginxHsts } from "./hsts";

export type MinTlsVersion = "TLSv1.2" | "TLSv1.3";

/** One backend that nginx proxies a path prefix to. */
export interface NginxUpstream {
    /** Name of the nginx `upstream` block: letters, digits, `_` and `-`, unique among upstreams. */
    readonly name: string;
    /** Backend address as `http://host:port` (no path); nginx reaches it over the container network. */
    readonly url: string;
    /**
     * Requests whose path starts with this prefix go to this upstream; unique among upstreams.
     * @default - `/`
     */
    readonly pathPrefix?: string;
    /**
     * Pass WebSocket upgrades (`Upgrade`/`Connection` headers, long read timeout).
     * @default - false
     */
    readonly websocket?: boolean;
}

/** Everything the rendered nginx.conf depends on. */
export interface NginxConfigInput {
    /** Host names this server answers for (`server_name`). @default - `_` (any host) */
    readonly serverNames?: readonly string[];
    /** Container port for HTTPS. @default - 443 */
    readonly httpsPort?: number;
    /** Container port for plain HTTP (redirects and ACME challenges only). @default - 80 */
    readonly httpPort?: number;
    /**
     * The HTTPS port clients reach from outside (the published host port), which the port-80 redirect
     * points to: behind Docker's port publishing it differs from `httpsPort`. @default - `httpsPort`
     */
    readonly publicHttpsPort?: number;
    /** Lowest TLS version accepted; `TLSv1.3` refuses TLS 1.2 clients. @default - `TLSv1.2` */
    readonly minTlsVersion?: MinTlsVersion;
    /** Backends, routed by path prefix. Paths no upstream claims answer 404; HEALTHCHECK_PATH is nginx's own. @default - none */
    readonly upstreams?: readonly NginxUpstream[];
    /** Demand a client certificate issued by `clientCaCertPem` on every HTTPS request. @default - false */
    readonly verifyClient?: boolean;
    /** PEM of the CA that issues client certificates, uploaded to CLIENT_CA_PATH. Required by `verifyClient`. @default - none */
    readonly clientCaCertPem?: string;
    /**
     * HSTS for requests to the real host names among `serverNames`; every other host (`localhost`, IPs,
     * the catch-all) gets `max-age=0`. @default - HSTS_TWO_YEARS (two years, includeSubDomains)
     */
    readonly hsts?: NginxHsts;
}

/**
 * The HSTS value per request host: `hostnames` lets `*.example.com` entries match, and nginx's $host
 * is already lower-cased (ngx_http_validate_host).
 */
function hstsMap(input: NginxConfigInput): string[] {
    const value = quote(hstsHeaderValue(input.hsts ?? HSTS_TWO_YEARS));
    return block("map $host $hsts_header", [
        "hostnames;",
        `default ${quote(HSTS_ELSEWHERE)};`,
        ...hstsHostNames(input.serverNames ?? []).map((name) => `${mapKey(name)} ${value};`),
    ]);
}

/** Splits `http://host:port` into nginx's `host:port` (port 80 when the URL omits it). */
export function upstreamServerAddress(url: string): string {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "80"}`;
}

function quote(value: string): string {
    return `"${value}"`;
}

function block(header: string, body: readonly string[]): string[] {
    return [`${header} {`, ...body.map((line) => (line ? `    ${line}` : line)), "}"];
}

function proxyLocation(u: NginxUpstream): string[] {
    return block(`location ${u.pathPrefix ?? DEFAULT_UPSTREAM_PATH_PREFIX}`, [
        `proxy_pass http://${u.name};`,
        "proxy_http_version 1.1;",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        ...(u.websocket
            ? ["proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;", `proxy_read_timeout ${WEBSOCKET_READ_TIMEOUT};`]
            : ['proxy_set_header Connection "";']),
    ]);
}

/**
 * Security headers. add_header is inherited only by levels that have none of their own
 * (nginx.org/en/docs/http/ngx_http_headers_module.html), so they sit at server level and no location
 * declares any. `always` adds them to error responses too (4xx/5xx, client-certificate refusals).
 */
function securityHeaders(hsts: boolean): string[] {
    return [
        // RFC 6797 §7.2: no Strict-Transport-Security over plain HTTP.
        ...(hsts ? ["add_header Strict-Transport-Security $hsts_header always;"] : []),
        `add_header X-Content-Type-Options ${quote("nosniff")} always;`,
        `add_header X-Frame-Options ${quote("DENY")} always;`,
    ];
}

function httpServer(input: NginxConfigInput, serverName: string): string[] {
    const httpsPort = input.publicHttpsPort ?? input.httpsPort ?? DEFAULT_HTTPS_PORT;
    const authority = httpsPort === DEFAULT_HTTPS_PORT ? "$host" : `$host:${httpsPort}`;
    return block("server", [
        `listen ${input.httpPort ?? DEFAULT_HTTP_PORT} default_server;`,
        serverName,
        ...securityHeaders(false),
        "",
        ...block("location /.well-known/acme-challenge/", [`root ${ACME_CHALLENGE_ROOT};`, "default_type text/plain;"]),
        "",
        ...block("location /", [`return 301 https://${authority}$request_uri;`]),
    ]);
}

function httpsServer(input: NginxConfigInput, serverName: string): string[] {
    const minTls = input.minTlsVersion ?? DEFAULT_MIN_TLS_VERSION;
    const upstreams = input.upstreams ?? [];
    const rootClaimed = upstreams.some((u) => (u.pathPrefix ?? DEFAULT_UPSTREAM_PATH_PREFIX) === "/");
    return block("server", [
        `listen ${input.httpsPort ?? DEFAULT_HTTPS_PORT} ssl default_server;`,
        // HTTP/2 as its own directive since nginx 1.25.1; `listen ... http2` is deprecated there.
        "http2 on;",
        serverName,
        "",
        `ssl_certificate ${SERVER_CERT_PATH};`,
        `ssl_certificate_key ${SERVER_KEY_PATH};`,
        `ssl_protocols ${minTls === "TLSv1.3" ? "TLSv1.3" : "TLSv1.2 TLSv1.3"};`,
        // TLS 1.3 suites are not set by ssl_ciphers; with TLS 1.3 only there is nothing to choose.
        ...(minTls === "TLSv1.2" ? [`ssl_ciphers ${TLS12_CIPHER_STRING};`] : []),
        // The profile's groups, not nginx's `auto` (OpenSSL's defaults, which add X448 and secp521r1); they apply to TLS 1.3 too.
        `ssl_ecdh_curve ${TLS_GROUP_STRING};`,
        `ssl_prefer_server_ciphers ${TLS_PREFER_SERVER_CIPHERS ? "on" : "off"};`,
        "ssl_session_cache shared:MozSSL:10m;",
        "ssl_session_timeout 1d;",
        ...(input.verifyClient ? [`ssl_client_certificate ${CLIENT_CA_PATH};`, "ssl_verify_client on;"] : []),
        "",
        ...securityHeaders(true),
        ...upstreams.flatMap((u) => ["", ...proxyLocation(u)]),
        ...(rootClaimed ? [] : ["", ...block("location /", ["return 404;"])]),
        "",
        // An exact match wins over every prefix location, so no upstream ever sees the healthcheck.
        ...block(`location = ${HEALTHCHECK_PATH}`, ["access_log off;", "return 204;"]),
    ]);
}

/** The complete nginx.conf. Throws on input that `validateNginxInput` rejects. */
export function renderNginxConf(input: NginxConfigInput): string {
    const problems = validateNginxInput(input);
    if (problems.length > 0) {
        throw new Error(`invalid nginx input:\n${problems.map((p) => `- ${p.message}`).join("\n")}`);
    }
    const serverName = `server_name ${(input.serverNames ?? DEFAULT_SERVER_NAMES).join(" ")};`;
    const http = [
        "include /etc/nginx/mime.types;",
        "default_type application/octet-stream;",
        "access_log /dev/stdout;",
        "sendfile on;",
        "server_tokens off;",
        "",
        ...block("map $http_upgrade $connection_upgrade", ["default upgrade;", "'' close;"]),
        "",
        ...hstsMap(input),
        ...(input.upstreams ?? []).flatMap((u) => ["", ...block(`upstream ${u.name}`, [`server ${upstreamServerAddress(u.url)};`])]),
        "",
        ...httpServer(input, serverName),
        "",
        ...httpsServer(input, serverName),
    ];
    return [
        "# Rendered by components/nginx/config.ts; edit the input, not this file.",
        `user ${WORKER_USER};`,
        "worker_processes auto;",
        "pid /run/nginx.pid;",
        "error_log stderr notice;",
        "",
        ...block("events", ["worker_connections 1024;"]),
        "",
        ...block("http", http),
        "",
    ].join("\n");
}

/** Certificate material the nginx container gets, as PEM. */
export interface NginxMaterial {
    /** Server certificate, leaf first (a full chain where there are intermediates). */
    readonly serverCertPem: string;
    readonly serverKeyPem: string;
    /** The server certificate's CA, uploaded for the healthcheck. @default - not uploaded */
    readonly issuerCaCertPem?: string;
}

/**
 * Everything uploaded into the nginx container. The key is root-owned 0600: the master process runs as
 * root and reads it at config load, workers (uid 101) never need it (nginx/docker-nginx Dockerfile sets no USER;
 * ngx_http_ssl_module.c loads certificates while parsing the configuration).
 */
export function nginxUploads(input: NginxConfigInput, material: NginxMaterial): ContainerFile[] {
    const file = (path: string, content: string, permissions: string): ContainerFile => ({ file: path, content, permissions, owner: "0", group: "0" });
    return [
        file(NGINX_CONF_PATH, renderNginxConf(input), "0644"),
        file(SERVER_CERT_PATH, material.serverCertPem, "0644"),
        file(SERVER_KEY_PATH, material.serverKeyPem, "0600"),
        ...(input.verifyClient && input.clientCaCertPem ? [file(CLIENT_CA_PATH, input.clientCaCertPem, "0644")] : []),
        ...(material.issuerCaCertPem ? [file(ISSUER_CA_PATH, material.issuerCaCertPem, "0644")] : []),
    ];
}

/**
 * The container healthcheck: an HTTPS request for HEALTHCHECK_PATH, which nginx answers itself, verified
 * against the issuer as `localhost`. Any HTTP answer passes (with client verification on, a request
 * without a certificate is a 400), a failed handshake or verification does not. curl ships in the
 * official image (nginx/docker-nginx installs it).
 */
export function nginxHealthcheck(input: Pick<NginxConfigInput, "httpsPort">): string {
    const port = input.httpsPort ?? DEFAULT_HTTPS_PORT;
    return `curl -sS -o /dev/null --max-time 5 --cacert ${ISSUER_CA_PATH} --resolve localhost:${port}:127.0.0.1 https://localhost:${port}${HEALTHCHECK_PATH}`;
}
