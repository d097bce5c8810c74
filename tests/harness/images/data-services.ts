/**
 * The dev stack's two data services started from what their containers registered: PostgreSQL (through
 * the postgres image stand-in, on a fresh volume) and Dragonfly's redis-server stand-in. For tests that
 * take the inputs from the emulator or from a real engine's exported state alike.
 */
import { DRAGONFLY_FLAGS } from "../../dragonfly-model";
import { createPostgresVolume, type RunningPostgres, startPostgresImage } from "./postgres";
import { type RunningStandIn, startRedisStandIn } from "./redis";

/** The inputs of a registered docker Container that the stand-ins use. */
export interface RegisteredInputs {
    readonly command: string[];
    readonly envs?: string[];
    readonly uploads: { file: string; content: string; permissions: string; owner: string; group: string }[];
    readonly ports?: { internal: number }[];
}

export interface RunningDataServices {
    readonly database: RunningPostgres;
    readonly cache: RunningStandIn;
    /** Stops both and removes the volume; safe after a partial start. */
    stop(): Promise<void>;
}

/** Starts both; `name` prefixes the harness's names for them. */
export async function startDataServices(inputs: { database: RegisteredInputs; cache: RegisteredInputs }, name: string): Promise<RunningDataServices> {
    const volume = createPostgresVolume();
    let database: RunningPostgres | undefined;
    let cache: RunningStandIn | undefined;
    const stop = async () => {
        await database?.stop();
        await cache?.stop();
        volume.remove();
    };
    try {
        const db = inputs.database;
        database = await startPostgresImage({ command: db.command, envs: db.envs ?? [], uploads: db.uploads, port: db.ports?.[0]?.internal ?? 5432 }, volume, { name: `${name}-db` });
        const df = inputs.cache;
        cache = await startRedisStandIn({ command: df.command, envs: df.envs ?? [], uploads: df.uploads }, DRAGONFLY_FLAGS, { name: `${name}-cache` });
    } catch (e) {
        await stop();
        throw e;
    }
    return { database, cache, stop };
}
