import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { resourcePolicy, validateResource } from "./harness";

// The components and the policy pack agree on key types, curves and validities: a component built
// with some arguments either refuses them, or registers tls resources the pack passes; and every
// key or lifetime the pack passes is one a component can be asked for. Both read
// components/pki/limits.ts; these tests hold them to it from the outside, through what the
// components really register.

const PRIVATE_KEY = "tls:index/privateKey:PrivateKey";
const LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";

let emulator: ProviderEmulator;
let c: typeof import("../../components");
let ca: InstanceType<typeof c.CertificateAuthority>;
let serial = 0;

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    c = await import("../../components");
    ca = new c.CertificateAuthority("agreement-ca", { commonName: "agreement CA" });
});

/** Builds a component; `undefined` when it refuses the arguments, else the named child's inputs. */
async function registered(build: (name: string) => { certPem: import("@pulumi/pulumi").Output<string> }, type: string, child: string): Promise<Record<string, unknown> | undefined> {
    const name = `agree-${serial++}`;
    let component;
    try {
        component = build(name);
    } catch {
        return undefined;
    }
    await valueOf(component.certPem);
    return (await emulator.waitFor(type, `${name}-${child}`)).inputs;
}

const passes = async (policy: string, type: string, props: Record<string, unknown>) => (await validateResource(resourcePolicy(policy), { type, name: "r", props })).violations.length === 0;

// Provider inputs of tls.PrivateKey, the component arguments that ask for them.
const KEYS: ReadonlyArray<Record<string, unknown>> = [
    ...["P224", "P256", "P384", "P521"].map((ecdsaCurve) => ({ algorithm: "ECDSA", ecdsaCurve })),
    ...[1024, 2048, 2560, 3072, 4096, 8192].map((rsaBits) => ({ algorithm: "RSA", rsaBits })),
    { algorithm: "ED25519" },
];

describe("keys: the component accepts exactly what tls-key-strength passes", () => {
    it.each(KEYS.map((k) => [JSON.stringify(k), k] as const))("%s", async (_, key) => {
        const { algorithm, ...rest } = key;
        const inputs = await registered(
            (name) => new c.Certificate(name, { ca, commonName: "agree", purpose: "client", keyAlgorithm: algorithm as never, ...(rest as object) }),
            PRIVATE_KEY,
            "key",
        );
        const packPasses = await passes("tls-key-strength", PRIVATE_KEY, key);
        expect({ component: inputs !== undefined, pack: packPasses }).toEqual({ component: packPasses, pack: packPasses });
        if (inputs) {
            // The component registers exactly the key it was asked for, and the pack saw that key.
            expect(inputs).toEqual(key);
        }
    });
});

const LEAF_DAYS = [1, 90, 398, 399, 825, 3650, 3651];

describe("leaf lifetimes: the component accepts exactly what tls-leaf-validity passes", () => {
    it.each((["server", "client", "both"] as const).flatMap((purpose) => LEAF_DAYS.map((days) => [purpose, days] as const)))("%s, %i days", async (purpose, days) => {
        const inputs = await registered(
            (name) => new c.Certificate(name, { ca, commonName: "agree", purpose, dnsNames: ["agree.internal"], validityDays: days, earlyRenewalDays: 0 }),
            LOCALLY_SIGNED,
            "cert",
        );
        const usesOf = { server: ["digital_signature", "server_auth"], client: ["digital_signature", "client_auth"], both: ["digital_signature", "server_auth", "client_auth"] }[purpose];
        const props = inputs ?? { validityPeriodHours: days * 24, earlyRenewalHours: 0, allowedUses: usesOf, setSubjectKeyId: true };
        const packPasses = await passes("tls-leaf-validity", LOCALLY_SIGNED, props);
        expect({ component: inputs !== undefined, pack: packPasses }).toEqual({ component: packPasses, pack: packPasses });
        if (inputs) {
            expect(inputs).toMatchObject({ validityPeriodHours: days * 24, allowedUses: usesOf });
        }
    });
});

describe("CA lifetimes: the component accepts exactly what tls-ca-validity passes", () => {
    it.each([1, 1095, 3650, 3651, 7300])("%i days", async (days) => {
        const inputs = await registered((name) => new c.CertificateAuthority(name, { commonName: "agree CA", validityDays: days, earlyRenewalDays: 0 }), SELF_SIGNED, "cert");
        const props = inputs ?? { isCaCertificate: true, validityPeriodHours: days * 24, earlyRenewalHours: 0 };
        const packPasses = await passes("tls-ca-validity", SELF_SIGNED, props);
        expect({ component: inputs !== undefined, pack: packPasses }).toEqual({ component: packPasses, pack: packPasses });
    });
});
