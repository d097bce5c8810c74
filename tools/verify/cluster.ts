/**
 * Walking a Redis Cluster: a document with topology `cluster` names seeds (ElastiCache's configuration
 * endpoint); the nodes clients actually use are the ones the cluster announces. From the first seed that
 * verifies (the document's CA, the seed's own name or the document's server name, TLS minimum as for any
 * endpoint), after AUTH, `CLUSTER SHARDS` (redis >= 7.0; else `CLUSTER SLOTS`) lists every node with the
 * endpoint clients dial (the announced host name under `cluster-preferred-endpoint-type hostname`, as
 * ElastiCache's TLS clusters answer; redis 7.0 cluster.c addNodeDetailsToShardReply / addNodeToNodeReply).
 * Each node becomes a target of its own, probed and judged like any endpoint: TLS versions, chain, and
 * `certificate_hostname` against the name it is announced as (`node-host`), or against the document's
 * `tls.serverName` (`server-name`). The seed's report gets a `cluster_nodes` check listing what was found.
 */
import { clientCredentials, openTls, trust } from "./connect";
import { describeError, Reader, withDeadline } from "./net";
import { authenticate, query, type RespValue } from "./protocols/redis";
import type { Check, CheckStatus, ClusterNode, EndpointReport, Target } from "./types";

const SLOT_COUNT = 16384;

export interface Discovery {
    /** The seed that answered, `host:port`. */
    readonly seed: string;
    readonly command: "CLUSTER SHARDS" | "CLUSTER SLOTS";
    readonly nodes: ReadonlyArray<Omit<ClusterNode, "cluster"> & { readonly health: string | null }>;
}

type Pairs = Record<string, RespValue>;
/** A RESP2 flat `[key, value, key, value, ...]` array as an object (RESP2 has no maps). */
function pairs(value: RespValue): Pairs {
    const out: Pairs = {};
    if (Array.isArray(value)) for (let i = 0; i + 1 < value.length; i += 2) out[String(value[i])] = value[i + 1]!;
    return out;
}
const text = (v: RespValue | undefined): string | null => (typeof v === "string" && v !== "" && v !== "?" ? v : null);

function ranges(flat: readonly RespValue[]): string[] {
    const out: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push(flat[i] === flat[i + 1] ? `${flat[i]}` : `${flat[i]}-${flat[i + 1]}`);
    return out;
}

/** Nodes from a CLUSTER SHARDS reply: per shard `slots` and `nodes`, each node a flat array of fields. */
export function nodesFromShards(reply: RespValue): Discovery["nodes"] {
    if (!Array.isArray(reply)) throw new Error("CLUSTER SHARDS did not answer an array");
    return reply.flatMap((shard) => {
        const s = pairs(shard);
        const slots = ranges(Array.isArray(s.slots) ? s.slots : []).join(",");
        return (Array.isArray(s.nodes) ? s.nodes : []).map((raw) => {
            const n = pairs(raw);
            const host = text(n.endpoint) ?? text(n.hostname) ?? text(n.ip);
            const port = typeof n["tls-port"] === "number" && n["tls-port"] > 0 ? n["tls-port"] : n.port;
            if (!host || typeof port !== "number") throw new Error(`CLUSTER SHARDS: a node without endpoint or port (${JSON.stringify(raw).slice(0, 120)})`);
            return { host, port, role: n.role === "master" ? ("master" as const) : ("replica" as const), slots: n.role === "master" ? slots : "", health: text(n.health) };
        });
    });
}

/** Nodes from a CLUSTER SLOTS reply: `[start, end, master, ...replicas]`, each node `[endpoint, port, id, ...]`. */
export function nodesFromSlots(reply: RespValue): Discovery["nodes"] {
    if (!Array.isArray(reply)) throw new Error("CLUSTER SLOTS did not answer an array");
    const byAddress = new Map<string, { host: string; port: number; role: "master" | "replica"; slots: string[] }>();
    for (const entry of reply) {
        if (!Array.isArray(entry)) continue;
        const [start, end, ...nodes] = entry;
        nodes.forEach((node, i) => {
            if (!Array.isArray(node) || typeof node[0] !== "string" || typeof node[1] !== "number") return;
            const key = `${node[0]}:${node[1]}`;
            const known = byAddress.get(key) ?? { host: node[0], port: node[1], role: i === 0 ? ("master" as const) : ("replica" as const), slots: [] };
            if (i === 0) known.slots.push(start === end ? `${start}` : `${start}-${end}`);
            byAddress.set(key, known);
        });
    }
    return [...byAddress.values()].map((n) => ({ ...n, slots: n.slots.join(","), health: null }));
}

/** The nodes as the first seed that verifies and answers announces them. */
export async function discover(target: Target, timeoutMs: number): Promise<Discovery> {
    const cluster = target.cluster!;
    const failures: string[] = [];
    for (const seed of cluster.seeds) {
        const seedTarget: Target = { ...target, host: seed.host, port: seed.port, serverName: cluster.nodeNameVerification === "node-host" ? seed.host : target.serverName };
        try {
            return await withDeadline(timeoutMs, async (deadline) => {
                // Verified before AUTH: credentials go only to a seed that proved who it is.
                const socket = await openTls(seedTarget, { ...trust(seedTarget), ...clientCredentials(seedTarget), minVersion: target.documentMinVersion ?? "TLSv1.2", rejectUnauthorized: true }, deadline);
                const c = { socket, reader: new Reader(socket) };
                const refused = await authenticate(c, seedTarget);
                if (refused) throw new Error(refused);
                const shards = await query(c, "CLUSTER", "SHARDS");
                const where = `${seed.host}:${seed.port}`;
                if (!(shards && typeof shards === "object" && "error" in shards)) return { seed: where, command: "CLUSTER SHARDS" as const, nodes: nodesFromShards(shards) };
                const slots = await query(c, "CLUSTER", "SLOTS");
                if (slots && typeof slots === "object" && "error" in slots) throw new Error(`CLUSTER SHARDS answered -${shards.error}; CLUSTER SLOTS answered -${slots.error}`);
                return { seed: where, command: "CLUSTER SLOTS" as const, nodes: nodesFromSlots(slots) };
            });
        } catch (e) {
            failures.push(`${seed.host}:${seed.port}: ${describeError(e)}`);
        }
    }
    throw new Error(`no seed answered: ${failures.join("; ")}`);
}

/** Masters by their first slot, then replicas by name: the reply's own order varies from call to call. */
const firstSlot = (n: Discovery["nodes"][number]) => (n.slots ? Number(n.slots.split(/[-,]/)[0]) : Infinity);
const inSlotOrder = (nodes: Discovery["nodes"]) => [...nodes].sort((a, b) => firstSlot(a) - firstSlot(b) || `${a.host}:${a.port}`.localeCompare(`${b.host}:${b.port}`));

const covered = (nodes: Discovery["nodes"]) =>
    nodes.flatMap((n) => n.slots.split(",").filter(Boolean)).reduce((sum, r) => {
        const [a, b] = r.split("-").map(Number);
        return sum + ((b ?? a!) - a! + 1);
    }, 0);

export interface ClusterWalk {
    /** Every target: a cluster document's own (the seed) followed by one per node. */
    readonly targets: Target[];
    /** `cluster_nodes` checks by target name. */
    readonly checks: ReadonlyMap<string, Check>;
}

/** Every cluster target's nodes, as targets of their own; other targets pass through unchanged. */
export async function walkClusters(targets: readonly Target[], timeoutMs: number): Promise<ClusterWalk> {
    const checks = new Map<string, Check>();
    const walked = await Promise.all(
        targets.map(async (t): Promise<Target[]> => {
            if (!t.cluster) return [t];
            let found: Discovery;
            try {
                const discovered = await discover(t, timeoutMs);
                found = { ...discovered, nodes: inSlotOrder(discovered.nodes) };
            } catch (e) {
                checks.set(t.name, { id: "cluster_nodes", status: "fail", detail: `could not list the cluster's nodes: ${(e as Error).message}` });
                return [t];
            }
            const slots = covered(found.nodes);
            const listed = found.nodes.map((n) => `${n.host}:${n.port} (${n.role}${n.slots ? ` ${n.slots}` : ""}${n.health && n.health !== "online" ? `, ${n.health}` : ""})`);
            const status: CheckStatus = found.nodes.length === 0 || slots < SLOT_COUNT ? "fail" : "ok";
            checks.set(t.name, {
                id: "cluster_nodes",
                status,
                detail: `${found.nodes.length} nodes from ${found.command} via ${found.seed}, ${slots} of ${SLOT_COUNT} slots served: ${listed.join(", ")}; each reported below`,
            });
            return [
                t,
                ...found.nodes.map((n): Target => {
                    const name = `${t.name} node ${n.host}:${n.port}`;
                    const serverName = t.cluster!.nodeNameVerification === "node-host" ? n.host : t.serverName;
                    checks.set(name, { id: "cluster_nodes", status: "ok", detail: `${n.role}${n.slots ? ` of slots ${n.slots}` : ""} in ${t.name}, certificate name checked against ${serverName}` });
                    const { cluster: _seeds, ...standalone } = t;
                    return { ...standalone, name, host: n.host, port: n.port, serverName, clusterNode: { cluster: t.name, host: n.host, port: n.port, role: n.role, slots: n.slots } };
                }),
            ];
        }),
    );
    return { targets: walked.flat(), checks };
}

const RANK: Record<CheckStatus, number> = { skip: 0, ok: 0, warn: 1, fail: 2 };

/** Adds each endpoint's `cluster_nodes` check (endpoints in the order of `targets`), its status counted. */
export function withClusterChecks(endpoints: readonly EndpointReport[], targets: readonly Target[], checks: ReadonlyMap<string, Check>): EndpointReport[] {
    return endpoints.map((e, i) => {
        const check = checks.get(targets[i]!.name);
        if (!check) return e;
        const status = RANK[check.status] > RANK[e.status] ? (check.status as "warn" | "fail") : e.status;
        return { ...e, status, checks: [...e.checks, check] };
    });
}
