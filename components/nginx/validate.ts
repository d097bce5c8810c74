/**
 * Checks nginx input before anything is rendered, collecting every problem so a user fixes all in one pass.
 * The checks also keep input from injecting nginx syntax (names and paths are restricted to safe characters).
 */
import type { Problem } from "../shared/problems";
import type { NginxConfigInput } from "./config";
import { hstsHostNames } from "./hsts";
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, DEFAULT_SERVER_NAMES, DEFAULT_UPSTREAM_PATH_PREFIX, HSTS_PRELOAD_MIN_MAX_AGE_SECONDS } from "./defaults";

/** One problem with the input, for `pulumi.InputPropertiesError`-style reporting. */
export type NginxInputProblem = Problem;

const UPSTREAM_NAME = /^[A-Za-z0-9_-]+$/;
const PATH_PREFIX = /^\/[A-Za-z0-9._~\/-]*$/;
const SERVER_NAME = /^(_|(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)$/;

function checkPort(path: string, port: number, problems: NginxInputProblem[]): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push({ path, message: `\`${path}\` is ${port}; a port must be an integer from 1 to 65535. Use a port in that range.` });
    }
}

function checkUrl(path: string, url: string, problems: NginxInputProblem[]): void {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        problems.push({ path, message: `\`${path}\` is \`${url}\`, which is not a URL. Write it as \`http://host:port\`, e.g. \`http://app:8080\`.` });
        return;
    }
    if (u.protocol !== "http:") {
        const hint = u.protocol === "ws:" || u.protocol === "wss:" ? " For WebSocket backends use `http://` and set `websocket: true`." : "";
        problems.push({
            path,
            message: `\`${path}\` is \`${url}\`: scheme \`${u.protocol.slice(0, -1)}\` is not supported; only \`http\` is (nginx terminates TLS and reaches upstreams over the container network).${hint}`,
        });
        return;
    }
    if (u.username || u.password || u.pathname !== "/" || u.search || u.hash) {
        problems.push({
            path,
            message: `\`${path}\` is \`${url}\`; an upstream URL is only \`http://host:port\`, without credentials, path, query or fragment. Route paths with \`pathPrefix\` instead.`,
        });
    }
}

export function validateNginxInput(input: NginxConfigInput): NginxInputProblem[] {
    const problems: NginxInputProblem[] = [];
    const httpsPort = input.httpsPort ?? DEFAULT_HTTPS_PORT;
    const httpPort = input.httpPort ?? DEFAULT_HTTP_PORT;
    checkPort("httpsPort", httpsPort, problems);
    checkPort("httpPort", httpPort, problems);
    if (input.publicHttpsPort !== undefined) checkPort("publicHttpsPort", input.publicHttpsPort, problems);
    if (httpPort === httpsPort) {
        problems.push({
            path: "httpPort",
            message: `\`httpPort\` is ${httpPort}, the same as \`httpsPort\`; one port cannot serve plain HTTP and TLS. Use different ports (defaults: ${DEFAULT_HTTP_PORT} and ${DEFAULT_HTTPS_PORT}).`,
        });
    }

    if (input.serverNames !== undefined && input.serverNames.length === 0) {
        problems.push({ path: "serverNames", message: "`serverNames` is empty; give at least one host name, or omit it to answer for any host (`_`)." });
    }
    (input.serverNames ?? []).forEach((name, i) => {
        if (!SERVER_NAME.test(name)) {
            problems.push({
                path: `serverNames[${i}]`,
                message: `\`serverNames[${i}]\` is \`${name}\`; a server name is a DNS name (letters, digits, \`-\`, dots, optionally starting with \`*.\`) or \`_\`. Fix the name.`,
            });
        }
    });

    const nameOwner = new Map<string, number>();
    const prefixOwner = new Map<string, number>();
    (input.upstreams ?? []).forEach((u, i) => {
        const at = `upstreams[${i}]`;
        if (!UPSTREAM_NAME.test(u.name)) {
            problems.push({ path: `${at}.name`, message: `\`${at}.name\` is \`${u.name}\`; use only letters, digits, \`_\` and \`-\`.` });
        } else if (nameOwner.has(u.name)) {
            problems.push({
                path: `${at}.name`,
                message: `\`${at}.name\` is \`${u.name}\`, already used by \`upstreams[${nameOwner.get(u.name)}]\`; upstream names must be unique. Rename one of them.`,
            });
        } else {
            nameOwner.set(u.name, i);
        }

        checkUrl(`${at}.url`, u.url, problems);

        const prefix = u.pathPrefix ?? DEFAULT_UPSTREAM_PATH_PREFIX;
        if (!PATH_PREFIX.test(prefix)) {
            problems.push({
                path: `${at}.pathPrefix`,
                message: `\`${at}.pathPrefix\` is \`${prefix}\`; a path prefix starts with \`/\` and holds only letters, digits and \`. _ ~ / -\`, e.g. \`/api/\`.`,
            });
        } else if (prefixOwner.has(prefix)) {
            problems.push({
                path: `${at}.pathPrefix`,
                message: `\`${at}.pathPrefix\` is \`${prefix}\`, already routed to \`upstreams[${prefixOwner.get(prefix)}]\`; each path prefix can go to one upstream only. Change or remove one of them.`,
            });
        } else {
            prefixOwner.set(prefix, i);
        }
    });

    checkHsts(input, problems);

    if (input.verifyClient && !input.clientCaCertPem?.trim()) {
        problems.push({
            path: "clientCaCertPem",
            message: "`verifyClient` is true but `clientCaCertPem` is not set; nginx needs the CA that issues client certificates. Set `clientCaCertPem`, or set `verifyClient: false`.",
        });
    }
    return problems;
}

/** HSTS that means what it says: a max-age, names to send it for, and preload only as hstspreload.org takes it. */
function checkHsts(input: NginxConfigInput, problems: NginxInputProblem[]): void {
    const hsts = input.hsts;
    if (hsts === undefined) return;
    const maxAge = hsts.maxAgeSeconds;
    if (!Number.isInteger(maxAge) || maxAge < 0) {
        problems.push({
            path: "hsts.maxAgeSeconds",
            message: `\`hsts.maxAgeSeconds\` is ${JSON.stringify(maxAge)}; use a whole number of seconds, 0 or more (0 tells browsers to forget the policy; 63072000 is two years).`,
        });
        return;
    }
    if (maxAge > 0 && hstsHostNames(input.serverNames ?? []).length === 0) {
        const names = (input.serverNames ?? DEFAULT_SERVER_NAMES).map((n) => `\`${n}\``).join(", ");
        problems.push({
            path: "hsts",
            message: `\`hsts\` asks for max-age ${maxAge}, but \`serverNames\` (${names}) has no real host name to send it for; HSTS is never sent for \`localhost\` or an IP, because browsers keep it per host, not per port, and would force HTTPS on every localhost port. Add the proxy's host names to \`serverNames\`, or omit \`hsts\`.`,
        });
    }
    if (hsts.preload && (!hsts.includeSubDomains || maxAge < HSTS_PRELOAD_MIN_MAX_AGE_SECONDS)) {
        problems.push({
            path: "hsts.preload",
            message: `\`hsts.preload\` is true with \`includeSubDomains\` ${hsts.includeSubDomains === true} and \`maxAgeSeconds\` ${maxAge}; the preload list accepts only includeSubDomains and a max-age of at least ${HSTS_PRELOAD_MIN_MAX_AGE_SECONDS} (one year) (hstspreload.org). Set both, or drop \`preload\`.`,
        });
    }
}
