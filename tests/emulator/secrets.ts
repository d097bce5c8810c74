/** The marker the Pulumi runtime wraps secret values in when it hands inputs to mocks. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function isSecretWrapper(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/**
 * Returns `value` with every secret wrapper replaced by the value inside, and the paths
 * (`privateKeyPem`, `uploads[0].content`) where secrets were found.
 */
export function unwrapSecrets(value: unknown, path = "", found: string[] = []): { value: unknown; secretPaths: string[] } {
    if (isSecretWrapper(value)) {
        found.push(path);
        return unwrapSecrets(value.value, path, found);
    }
    if (Array.isArray(value)) {
        return { value: value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, found).value), secretPaths: found };
    }
    if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = unwrapSecrets(v, path ? `${path}.${k}` : k, found).value;
        }
        return { value: out, secretPaths: found };
    }
    return { value, secretPaths: found };
}
