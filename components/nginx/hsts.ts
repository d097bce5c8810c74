/**
 * HSTS for the proxy, pure: the header's value, and the server names it is sent for. Browsers keep
 * HSTS per host name, not per port (RFC 6797 §8.2), so it is never sent for `localhost`; they never
 * record it for an IP (§8.1).
 */
import { canonicalIp, isLocalhostName } from "../shared/hosts";

/** The `Strict-Transport-Security` header of every HTTPS response (RFC 6797). */
export interface NginxHsts {
    /** `max-age` in seconds; 0 tells browsers to forget the host's policy. */
    readonly maxAgeSeconds: number;
    /**
     * Also force HTTPS on every subdomain.
     * @default - false
     */
    readonly includeSubDomains?: boolean;
    /**
     * Ask to be preloaded into browsers (needs includeSubDomains and a max-age of a year or more).
     * @default - false
     */
    readonly preload?: boolean;
}

/** The header's value, e.g. `max-age=63072000; includeSubDomains`. */
export function hstsHeaderValue(hsts: NginxHsts): string {
    return [`max-age=${hsts.maxAgeSeconds}`, ...(hsts.includeSubDomains ? ["includeSubDomains"] : []), ...(hsts.preload ? ["preload"] : [])].join("; ");
}

/** The server names HSTS is sent for: real host names, not the catch-all `_`, a localhost name or an IP. */
export function hstsHostNames(serverNames: readonly string[]): string[] {
    return serverNames.filter((n) => n !== "_" && !isLocalhostName(n) && canonicalIp(n) === undefined);
}

/** The `map` block's own parameters, which a source value must not be mistaken for. */
const MAP_PARAMETERS = new Set(["default", "hostnames", "include", "volatile"]);

/** A source value of an nginx `map`: one that spells a parameter is prefixed with `\` (ngx_http_map_module docs). */
export function mapKey(name: string): string {
    return MAP_PARAMETERS.has(name) ? `\\${name}` : name;
}
