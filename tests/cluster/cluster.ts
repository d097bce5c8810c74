/**
 * A real three-node Redis Cluster over TLS, in one set of namespaces from the harness
 * (tests/harness/namespace.ts), shaped like an ElastiCache cluster-mode group:
 *  - TLS only (`port 0`, `tls-port 6379` on every node, `tls-cluster yes` for the bus), TLS 1.2+,
 *    a password (`requirepass`), no client certificate demanded (`tls-auth-clients no`);
 *  - each node announces a host name (`cluster-announce-hostname`, `cluster-preferred-endpoint-type
 *    hostname`, redis 7.0), so CLUSTER SLOTS/SHARDS answer with names, as ElastiCache's TLS clusters do;
 *  - each node's certificate carries its own DNS name only (no IP SANs), from a test CA;
 *  - the names resolve through an /etc/hosts of the cluster's own: uploaded into the container's mount
 *    namespace (an overlay on /etc), so servers and the clients run beside them (`run`) resolve
 *    `node-N.cluster.test` with the system resolver, as a real client would, while the host's
 *    /etc/hosts is untouched. Each node has its own loopback address (127.0.0.0/8 is all local), so all
 *    three listen on 6379 like ElastiCache nodes do;
 *  - beside them, a standalone TLS redis (`STANDALONE_HOST`), for code that takes either topology.
 * Clients run in a child `node` inside the namespaces (`run`): only a process there can resolve the names
 * or reach the nodes. Its input (documents, with the password) goes over stdin, never argv.
 */
import * as path from "node:path";
import { type Container, type FileSpec, startInNamespace } from "../harness/namespace";
import { createCa, issueCert, type KeyPair } from "../support/test-pki";

/** This checkout. */
const ROOT_DIR = path.resolve(__dirname, "../..");

export const NODE_COUNT = 3;
export const NODE_PORT = 6379;
export const HOST_NAMES = Array.from({ length: NODE_COUNT }, (_, i) => `node-${i + 1}.cluster.test`);
export const NODE_IPS = Array.from({ length: NODE_COUNT }, (_, i) => `127.0.0.${11 + i}`);
/** Slots split over the three masters as redis-cli --cluster create would (0-5460, 5461-10922, 10923-16383). */
export const SLOT_RANGES: ReadonlyArray<readonly [number, number]> = [[0, 5460], [5461, 10922], [10923, 16383]];
/** A standalone TLS redis beside the cluster (same CA and password), for code that takes either topology. */
export const STANDALONE_HOST = "cache.standalone.test";
const STANDALONE_IP = "127.0.0.20";
/** A password with characters a URL must encode. */
export const CLUSTER_PASSWORD = "cl#ster&pw^1<2>";

const DIR = "/etc/cluster";
const HOOK = path.join(__dirname, "ts-resolve.mjs");

export interface RunningCluster {
    readonly container: Container;
    readonly ca: KeyPair;
    /**
     * Runs `redis-cli` against node `i` (0-based) or the standalone server, the password from the
     * environment; `lastArg` (a secret) goes over stdin (`-x`), not argv.
     */
    cli(i: number | typeof STANDALONE_HOST, args: readonly string[], lastArg?: string): Promise<string>;
    /** The keys under `prefix` each node holds, counted by the server itself (redis-cli --scan on that node). */
    keysPerNode(prefix: string): Promise<Record<string, number>>;
    /**
     * Runs a TypeScript `script` of this folder in a child node inside the namespace, `input` as JSON on
     * stdin; returns its stdout parsed as JSON.
     */
    run<T>(script: string, input: unknown, timeoutMs?: number): Promise<T>;
    /** Writes a certificate and key for node `i` and loads them (redis >= 7.0.1 reloads on CONFIG SET). */
    swapCertificate(i: number, leaf: KeyPair): Promise<void>;
    stop(): Promise<void>;
}

function nodeConfig(i: number): string {
    return [
        ...tlsConfig(NODE_IPS[i]!, `node-${i + 1}`),
        // The bus always demands a peer certificate (redis 7.0 tls.c: cluster bus connections are
        // accepted with TLS_CLIENT_AUTH_YES); a server-only EKU is refused, so each node has a client one.
        `tls-client-cert-file ${DIR}/bus-${i + 1}.crt`,
        `tls-client-key-file ${DIR}/bus-${i + 1}.key`,
        "tls-cluster yes",
        "tls-replication yes",
        "cluster-enabled yes",
        `cluster-config-file /tmp/nodes-${i + 1}.conf`,
        // Outgoing bus connections leave from 127.0.0.1, not the bound address; peers would file the node there.
        `cluster-announce-ip ${NODE_IPS[i]}`,
        `cluster-announce-hostname ${HOST_NAMES[i]}`,
        "cluster-preferred-endpoint-type hostname",
        `masterauth "${CLUSTER_PASSWORD}"`,
    ].join("\n") + "\n";
}

/** TLS only, TLS 1.2+, no client certificate demanded, a password, nothing saved. */
function tlsConfig(ip: string, certBase: string): string[] {
    return [
        `bind ${ip}`,
        "port 0",
        `tls-port ${NODE_PORT}`,
        `tls-cert-file ${DIR}/${certBase}.crt`,
        `tls-key-file ${DIR}/${certBase}.key`,
        `tls-ca-cert-file ${DIR}/ca.crt`,
        "tls-auth-clients no",
        'tls-protocols "TLSv1.2 TLSv1.3"',
        `requirepass "${CLUSTER_PASSWORD}"`,
        "dir /tmp",
        'save ""',
        "appendonly no",
    ];
}

/** A leaf for node `i` carrying `names` (DNS names only). */
export const nodeLeaf = (ca: KeyPair, names: readonly string[]): KeyPair => issueCert(ca, { commonName: names[0] ?? "no name", usage: "server", altNames: names });

export async function startTlsCluster(name = "redis-cluster"): Promise<RunningCluster> {
    const ca = createCa("cluster test CA");
    const leaves = HOST_NAMES.map((host) => nodeLeaf(ca, [host]));
    const standaloneLeaf = nodeLeaf(ca, [STANDALONE_HOST]);
    const busLeaves = HOST_NAMES.map((host) => issueCert(ca, { commonName: `bus ${host}`, usage: "client" }));
    const files: FileSpec[] = [
        { path: "/etc/hosts", content: `127.0.0.1 localhost\n${HOST_NAMES.map((h, i) => `${NODE_IPS[i]} ${h}`).join("\n")}\n${STANDALONE_IP} ${STANDALONE_HOST}\n` },
        { path: `${DIR}/ca.crt`, content: ca.certPem },
        { path: `${DIR}/standalone.crt`, content: standaloneLeaf.certPem },
        { path: `${DIR}/standalone.key`, content: standaloneLeaf.keyPem, mode: 0o600 },
        { path: `${DIR}/standalone.conf`, content: tlsConfig(STANDALONE_IP, "standalone").join("\n") + "\n", mode: 0o600 },
        ...leaves.flatMap((leaf, i) => [
            { path: `${DIR}/node-${i + 1}.crt`, content: leaf.certPem },
            { path: `${DIR}/node-${i + 1}.key`, content: leaf.keyPem, mode: 0o600 },
            { path: `${DIR}/node-${i + 1}.conf`, content: nodeConfig(i), mode: 0o600 },
            { path: `${DIR}/bus-${i + 1}.crt`, content: busLeaves[i]!.certPem },
            { path: `${DIR}/bus-${i + 1}.key`, content: busLeaves[i]!.keyPem, mode: 0o600 },
        ]),
    ];
    const container = await startInNamespace({
        name,
        files,
        writableDirs: ["/run", "/var/log", DIR],
        // The clients run as this checkout's node on its sources inside the namespace: a checkout under /tmp
        // (a CI clone) must stay visible over the container's fresh /tmp.
        keepUnderTmp: [ROOT_DIR, path.dirname(path.dirname(process.execPath))].filter((p, i, all) => p.startsWith("/tmp/") && !all.slice(0, i).some((q) => p.startsWith(`${q}/`))),
        argv: ["redis-server", `${DIR}/node-1.conf`],
        readyWhen: NODE_PORT,
    });
    const cli = async (i: number | typeof STANDALONE_HOST, args: readonly string[], lastArg?: string) => {
        const host = i === STANDALONE_HOST ? STANDALONE_HOST : HOST_NAMES[i]!;
        const r = await container.exec(["redis-cli", "--tls", "--cacert", `${DIR}/ca.crt`, "-h", host, "-p", String(NODE_PORT), ...(lastArg === undefined ? [] : ["-x"]), ...args], {
            env: { REDISCLI_AUTH: CLUSTER_PASSWORD },
            ...(lastArg === undefined ? {} : { input: lastArg }),
        });
        if (r.code !== 0 || /^(ERR|\(error\))/m.test(r.stdout)) throw new Error(`redis-cli ${args.join(" ")} on ${host}: ${r.stdout}${r.stderr}`);
        return r.stdout.trim();
    };
    const cluster: RunningCluster = {
        container,
        ca,
        cli,
        keysPerNode: async (prefix) => {
            const counts: Record<string, number> = {};
            for (let i = 0; i < HOST_NAMES.length; i++) {
                const out = await cli(i, ["--scan", "--pattern", `${prefix}:*`]);
                counts[`${HOST_NAMES[i]}:${NODE_PORT}`] = out === "" ? 0 : out.split("\n").length;
            }
            return counts;
        },
        run: async <T>(script: string, input: unknown, timeoutMs = 20_000) => {
            const r = await container.exec([process.execPath, "--experimental-transform-types", "--no-warnings", "--import", HOOK, path.join(__dirname, script)], {
                input: JSON.stringify(input),
                timeoutMs,
            });
            if (r.code !== 0) throw new Error(`${script} exited ${r.code}:\n${r.stderr}${r.stdout}`);
            return JSON.parse(r.stdout) as T;
        },
        swapCertificate: async (i, leaf) => {
            const base = `${DIR}/node-${i + 1}`;
            await container.exec(["sh", "-c", `umask 077 && cat > ${base}.next.crt`], { input: leaf.certPem });
            await container.exec(["sh", "-c", `umask 077 && cat > ${base}.next.key`], { input: leaf.keyPem });
            await cli(i, ["CONFIG", "SET", "tls-cert-file", `${base}.next.crt`, "tls-key-file", `${base}.next.key`]);
        },
        stop: () => container.stop(),
    };
    const others = [
        ...Array.from({ length: NODE_COUNT - 1 }, (_, i) => container.background(["redis-server", `${DIR}/node-${i + 2}.conf`])),
        container.background(["redis-server", `${DIR}/standalone.conf`]),
    ];
    try {
        for (const i of [...HOST_NAMES.keys(), STANDALONE_HOST] as const) await waitFor(() => cli(i, ["PING"]).then((out) => out === "PONG", () => false), `${i} answering PING`);
        for (let i = 0; i < NODE_COUNT; i++) await cli(i, ["CLUSTER", "ADDSLOTSRANGE", ...SLOT_RANGES[i]!.map(String)]);
        // CLUSTER MEET takes an IP (redis 7.0 cluster.c clusterCommand: "Invalid node address").
        for (let i = 1; i < NODE_COUNT; i++) await cli(0, ["CLUSTER", "MEET", NODE_IPS[i]!, String(NODE_PORT)]);
        // Formed: every node sees state ok and every other node's announced host name.
        for (let i = 0; i < NODE_COUNT; i++) {
            await waitFor(async () => {
                const info = await cli(i, ["CLUSTER", "INFO"]);
                const slots = await cli(i, ["CLUSTER", "SLOTS"]);
                return /cluster_state:ok/.test(info) && /cluster_known_nodes:3/.test(info) && HOST_NAMES.every((h) => slots.includes(h));
            }, `${HOST_NAMES[i]} seeing the cluster formed`);
        }
        return cluster;
    } catch (e) {
        const nodes = await cli(0, ["CLUSTER", "NODES"]).catch((err: Error) => err.message);
        const logs = [container.logs(), ...others.map((o) => o.output())].join("\n---\n");
        await container.stop();
        throw new Error(`${(e as Error).message}\n--- CLUSTER NODES ---\n${nodes}\n--- ${name} logs ---\n${logs}`);
    }
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}
