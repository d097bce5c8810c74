/**
 * Host side of port publishing, the way Docker's `ports: [{internal, external: <ephemeral>, ip: "127.0.0.1"}]`
 * works: a TCP listener on 127.0.0.1:0 whose connections are piped to a unix socket. Inside the namespace a
 * `socat UNIX-LISTEN:<sock>,fork TCP:127.0.0.1:<port>` carries them on to the server.
 */
import * as net from "node:net";

export interface PublishedPort {
    /** Host port on 127.0.0.1. */
    readonly hostPort: number;
    /** Stops listening and cuts every open connection. */
    close(): Promise<void>;
}

export async function publishUnixSocket(socketPath: string, hostPort = 0): Promise<PublishedPort> {
    const open = new Set<net.Socket>();
    const server = net.createServer((client) => {
        const upstream = net.connect(socketPath);
        open.add(client);
        open.add(upstream);
        // Like docker-proxy: a container port nobody listens on shows as a connection that is closed at once.
        const teardown = () => {
            client.destroy();
            upstream.destroy();
            open.delete(client);
            open.delete(upstream);
        };
        client.on("error", teardown).on("close", teardown);
        upstream.on("error", teardown).on("close", teardown);
        client.pipe(upstream);
        upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(hostPort, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("unexpected listener address");
    return {
        hostPort: address.port,
        close: () =>
            new Promise<void>((resolve) => {
                for (const s of open) s.destroy();
                server.close(() => resolve());
            }),
    };
}
