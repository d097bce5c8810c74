import * as net from "node:net";

/** What a CIDR block string turned out to be. */
export type CidrBlock =
    | { readonly kind: "malformed" }
    /** Host bits are set (`10.0.0.5/16`); AWS accepts only the network form, given here. */
    | { readonly kind: "host-bits"; readonly network: string }
    | {
          readonly kind: "network";
          readonly family: 4 | 6;
          readonly prefix: number;
          /** Covers every address of its family. */
          readonly open: boolean;
          /** Lies wholly inside one of PRIVATE_RANGES. */
          readonly private: boolean;
      };

/**
 * The networks `allowedCidrs` accepts without `allowPublicCidrs`: address space that is never routed on
 * the public internet. 100.64.0.0/10 counts: it is not routed publicly either, and AWS accepts it as a
 * VPC CIDR (VPC User Guide, "VPC CIDR blocks"). IPv4-mapped IPv6 forms of the IPv4 ranges count as those
 * ranges. An AWS VPC's own IPv6 block is globally unique (public) space, so it needs the opt-in.
 */
export const PRIVATE_RANGES: readonly { readonly cidr: string; readonly name: string }[] = [
    { cidr: "10.0.0.0/8", name: "RFC 1918" },
    { cidr: "172.16.0.0/12", name: "RFC 1918" },
    { cidr: "192.168.0.0/16", name: "RFC 1918" },
    { cidr: "100.64.0.0/10", name: "RFC 6598 shared address space (carrier-grade NAT)" },
    { cidr: "fc00::/7", name: "RFC 4193 IPv6 unique local" },
];

/** PRIVATE_RANGES for an error message: `10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918), ...`. */
export function describePrivateRanges(): string {
    const byName = new Map<string, string[]>();
    for (const r of PRIVATE_RANGES) byName.set(r.name, [...(byName.get(r.name) ?? []), r.cidr]);
    return [...byName].map(([name, cidrs]) => `${cidrs.join(", ")} (${name})`).join(", ");
}

/** Each private range as a BlockList of its own; an IPv4 one also matches its IPv4-mapped IPv6 addresses (node's BlockList does that). */
const PRIVATE_BLOCKS: readonly net.BlockList[] = PRIVATE_RANGES.map(({ cidr }) => {
    const [address, prefix] = cidr.split("/") as [string, string];
    const list = new net.BlockList();
    list.addSubnet(address, Number(prefix), net.isIPv4(address) ? "ipv4" : "ipv6");
    return list;
});

const WIDTH = { 4: 32, 6: 128 } as const;
const LOWEST = { 4: "0.0.0.0", 6: "::" } as const;
const HIGHEST = { 4: "255.255.255.255", 6: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" } as const;
const BLOCK_TYPE = { 4: "ipv4", 6: "ipv6" } as const;

function ipv4Value(address: string): bigint {
    return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** An IPv6 address (already checked by `net.isIPv6`) as a 128-bit number: `::` expanded, a dotted IPv4 tail folded in. */
function ipv6Value(address: string): bigint {
    let text = address;
    const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (dotted) {
        const v4 = ipv4Value(dotted[1]!);
        text = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split("::");
    const groupsOf = (part: string | undefined) => (part ? part.split(":") : []);
    const groups = tail === undefined ? groupsOf(head) : [...groupsOf(head), ...Array<string>(8 - groupsOf(head).length - groupsOf(tail).length).fill("0"), ...groupsOf(tail)];
    return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function format(family: 4 | 6, value: bigint): string {
    if (family === 4) {
        return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
    }
    const full = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");
    // WHATWG URL serialises IPv6 hosts in RFC 5952 compressed form.
    return new URL(`http://[${full}]/`).hostname.slice(1, -1);
}

/**
 * Parses a CIDR block with Node's own address parser (`net.isIP`) and `net.BlockList`, not a regular
 * expression: the address must be valid for its family, the prefix within 0–32 or 0–128, and the host
 * bits zero (the provider, too, accepts only the network form: terraform-provider-aws verify
 * ValidCIDRNetworkAddress).
 */
export function parseCidr(cidr: string): CidrBlock {
    const match = /^([^/\s]+)\/(0|[1-9]\d{0,2})$/.exec(cidr);
    const family = match ? net.isIP(match[1]!) : 0;
    if (!match || (family !== 4 && family !== 6) || match[1]!.includes("%")) {
        return { kind: "malformed" };
    }
    const address = match[1]!;
    const prefix = Number(match[2]);
    if (prefix > WIDTH[family]) {
        return { kind: "malformed" };
    }
    const value = family === 4 ? ipv4Value(address) : ipv6Value(address);
    const hostMask = (1n << BigInt(WIDTH[family] - prefix)) - 1n;
    if ((value & hostMask) !== 0n) {
        return { kind: "host-bits", network: `${format(family, value & ~hostMask)}/${prefix}` };
    }
    const block = new net.BlockList();
    block.addSubnet(address, prefix, BLOCK_TYPE[family]);
    const open = block.check(LOWEST[family], BLOCK_TYPE[family]) && block.check(HIGHEST[family], BLOCK_TYPE[family]);
    // A prefix range holds the block exactly when it holds the block's first and last address.
    const [first, last] = [format(family, value), format(family, value | hostMask)];
    const isPrivate = PRIVATE_BLOCKS.some((range) => range.check(first, BLOCK_TYPE[family]) && range.check(last, BLOCK_TYPE[family]));
    return { kind: "network", family, prefix, open, private: isPrivate };
}
