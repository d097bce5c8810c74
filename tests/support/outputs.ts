import type * as pulumi from "@pulumi/pulumi";

type OutputInternals<T> = { promise(): Promise<T>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };

/**
 * What an output's value resolves to, or the error it failed with. `promise()`, `isKnown` and `isSecret`
 * are the SDK's own (internal) promises; a failed output rejects all three, so all are awaited here, or the
 * two not asked for would be reported as unhandled rejections.
 */
export async function settle<T>(output: pulumi.Output<T>): Promise<{ value?: T; error?: Error }> {
    const internals = output as unknown as OutputInternals<T>;
    internals.isKnown.catch(() => undefined);
    internals.isSecret.catch(() => undefined);
    try {
        return { value: await internals.promise() };
    } catch (error) {
        return { error: error as Error };
    }
}
