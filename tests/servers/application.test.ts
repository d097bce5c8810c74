import * as pulumi from "@pulumi/pulumi";
import Redis from "ioredis";
import { Client } from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ConnectionDocument } from "../../components";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { type RegisteredInputs, type RunningDataServices, startDataServices } from "../harness/images/data-services";
import { withDeliveredTlsFiles } from "../harness/volumes";
import { describeWithServers } from "../harness/requirements";
import { stackConfig } from "../program/stack";
import { atHarnessPort, redisRoundTrip } from "../platform/documents";

// An application's view of the dev stack: the connection documents exactly as the root program
// exports them, used through the package's own client helpers, against real servers started from
// the containers that same program registered. Nothing but the document reaches the clients,
// except the host port: the document names the port Docker would publish, the harness its own.

let emulator: ProviderEmulator;
let helpers: typeof import("../../components");
let connections: Record<"cache" | "database" | "proxy", ConnectionDocument>;
let services: RunningDataServices;

/** A container's inputs with the files its TLS volume delivers, as the server finds them at start. */
const registered = (name: string) =>
    withDeliveredTlsFiles(emulator.ofType("docker:index/container:Container").find((c) => c.inputs.name === name)!.inputs, emulator.ofType("command:local:Command").map((c) => c.inputs));

describeWithServers("the application's view of the dev stack", ["root", "postgres", "redis", "socat", "unshare"], () => {
    beforeAll(async () => {
        emulator = await installEmulator({ stack: "dev" });
        pulumi.runtime.setAllConfig(stackConfig("dev"));
        const program = await import("../../index");
        helpers = await import("../../components");
        connections = (await valueOf(program.connections!)) as typeof connections;
        services = await startDataServices({ database: registered("tls-platform-dev-db") as RegisteredInputs, cache: registered("tls-platform-dev-cache") as RegisteredInputs }, "app-view");
    }, 120_000);

    afterAll(async () => {
        await services?.stop();
    });

    it("reaches PostgreSQL with pg and nothing but the database document: TLS verified, its client certificate, its password", async () => {
        const document = connections.database;
        expect(document.tls.clientCertificate).not.toBeNull(); // the dev stack demands it by default
        const client = new Client({ ...helpers.pgClientConfig(atHarnessPort(document, services.database.hostPort)), connectionTimeoutMillis: 10_000 });
        await client.connect();
        try {
            const { rows } = await client.query("SELECT current_user, ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(rows).toEqual([{ current_user: "app", ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) }]);
            await client.query("CREATE TABLE IF NOT EXISTS greetings (text text)");
            await client.query("INSERT INTO greetings VALUES ($1)", ["hello over TLS"]);
            expect((await client.query("SELECT text FROM greetings")).rows).toEqual([{ text: "hello over TLS" }]);
        } finally {
            await client.end();
        }
    });

    it("is refused by PostgreSQL when the document's client certificate is left out", async () => {
        const { connectionString, ssl } = helpers.pgClientConfig(atHarnessPort(connections.database, services.database.hostPort));
        const client = new Client({ connectionString, ssl: { ...ssl, cert: undefined, key: undefined }, connectionTimeoutMillis: 10_000 });
        client.on("error", () => undefined);
        await expect(client.connect()).rejects.toThrow(/certificate/i);
    });

    it("reaches the cache with ioredis and nothing but the cache document: rediss://, the CA, the password", async () => {
        expect(await redisRoundTrip(connections.cache, services.cache.hostPort)).toEqual({ ping: "PONG", value: "hello over TLS" });
    });

    it("fails verification when the cache document's server name is changed, so the CA check is real", async () => {
        const document = atHarnessPort(connections.cache, services.cache.hostPort);
        const { url, options } = helpers.ioredisOptions({ ...document, tls: { ...document.tls, serverName: "not-the-cache" } });
        const client = new Redis(url, { ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        const errors: Error[] = [];
        client.on("error", (e: Error) => errors.push(e));
        await expect(client.connect()).rejects.toThrow();
        expect(errors.map((e) => e.message).join()).toMatch(/Hostname\/IP does not match certificate's altnames/);
        client.disconnect();
    });
});
