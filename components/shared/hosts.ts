import * as net from "node:net";

/**
 * An IP literal in its one canonical text (IPv6 compressed and lower-case, as WHATWG URL serialises
 * it: `0:0:0:0:0:0:0:1` is `::1`), or undefined for anything else, including an IPv6 address with a
 * zone (`fe80::1%eth0`), which names an interface of one machine and has no place in a certificate.
 */
export function canonicalIp(address: string): string | undefined {
    if (net.isIPv4(address)) return address;
    if (!net.isIPv6(address) || address.includes("%")) return undefined;
    return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

/** A loopback IP: 127.0.0.0/8 or ::1 (in any spelling). */
export function isLoopbackIp(address: string): boolean {
    const ip = canonicalIp(address);
    return ip !== undefined && (ip === "::1" || (net.isIPv4(ip) && ip.startsWith("127.")));
}

/** The unspecified address, "every interface" when binding: 0.0.0.0 or :: (in any spelling). */
export function isUnspecifiedIp(address: string): boolean {
    const ip = canonicalIp(address);
    return ip === "0.0.0.0" || ip === "::";
}

/**
 * `localhost` or a name under it (RFC 6761 §6.3: they resolve to loopback), in any case and with or
 * without the root's trailing dot.
 */
export function isLocalhostName(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, "");
    return n === "localhost" || n.endsWith(".localhost");
}

/** A host that can only be this machine: a localhost name or a loopback IP (`[::1]` as URLs write it). */
export function isLocalHost(host: string): boolean {
    const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
    return isLocalhostName(bare) || isLoopbackIp(bare);
}

/** The SNI to send for a server name: none for an IP, which SNI may not carry (RFC 6066 §3). */
export function sniFor(serverName: string): string | undefined {
    return canonicalIp(serverName) === undefined && !net.isIP(serverName) ? serverName : undefined;
}
