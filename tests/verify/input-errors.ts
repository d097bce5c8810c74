import { InputError } from "../../tools/verify/documents";

/** The problems of the InputError that `f` throws; anything else is a test failure. */
export function problemsOf(f: () => unknown): readonly string[] {
    try {
        f();
    } catch (e) {
        if (e instanceof InputError) return e.problems;
        throw e;
    }
    throw new Error("expected an InputError");
}

/** The problems of the InputError that `p` rejects with; anything else is a test failure. */
export async function asyncProblemsOf(p: Promise<unknown>): Promise<readonly string[]> {
    try {
        await p;
    } catch (e) {
        if (e instanceof InputError) return e.problems;
        throw e;
    }
    throw new Error("expected an InputError");
}
