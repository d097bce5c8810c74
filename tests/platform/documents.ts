import Redis from "ioredis";
import type { ConnectionDocument } from "../../components";
import { ioredisOptions } from "../../components/connection/clients";

/**
 * The document with the harness's host port in place of the one it names. A document names the host
 * port Docker would publish (the emulator picked it); the harness publishes the container port on a
 * host port of its own, so that port is the one thing a test swaps. Throws if the URL and the port
 * field of the document disagree.
 */
export function atHarnessPort(document: ConnectionDocument, hostPort: number): ConnectionDocument {
    const url = new URL(document.url);
    if (url.port !== String(document.port)) {
        throw new Error(`the document's URL names port ${url.port || "(none)"}, its port field ${document.port}`);
    }
    url.port = String(hostPort);
    return { ...document, port: hostPort, url: url.toString() };
}

/** The project CA a dev document carries, as PEM. */
export function documentCaPem(document: ConnectionDocument): string {
    if (document.tls.ca.type !== "pem" || document.tls.ca.pem === undefined) {
        throw new Error(`a dev document carries the project CA as PEM, this one: ${document.tls.ca.type}`);
    }
    return document.tls.ca.pem;
}

/**
 * ioredis with nothing but the cache document (ioredisOptions), at the harness's host port: PING, then a
 * SET and GET of one key. Connection errors reject; the answers are returned for the caller to check.
 */
export async function redisRoundTrip(document: ConnectionDocument, hostPort: number): Promise<{ ping: string; value: string | null }> {
    const { url, options } = ioredisOptions(atHarnessPort(document, hostPort));
    const client = new Redis(url, { ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on("error", () => undefined);
    await client.connect();
    try {
        const ping = await client.ping();
        await client.set("greeting", "hello over TLS");
        return { ping, value: await client.get("greeting") };
    } finally {
        client.disconnect();
    }
}
