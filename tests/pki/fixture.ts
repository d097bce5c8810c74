import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { installEmulator, ProviderEmulator, type RegisteredResource, valueOf } from "../emulator";
import { unwrapSecrets } from "../emulator/secrets";

/** PEM material of one issued certificate, as the components output it. */
export interface IssuedPems {
    certPem: string;
    privateKeyPem: string;
    caCertPem: string;
    fullChainPem: string;
    validityEndTime: string;
}

/**
 * Runs the PKI components under the provider emulator: a CA with a server and a client certificate,
 * and a foreign CA with its own client certificate, for tests that must see a stranger refused.
 */
export async function issueTestPki(): Promise<{ emulator: ProviderEmulator; caPem: string; server: IssuedPems; client: IssuedPems; foreignClient: IssuedPems; foreignCaPem: string }> {
    const emulator = await installEmulator();
    const { CertificateAuthority, Certificate } = await import("../../components");
    const ca = new CertificateAuthority("test-ca", { commonName: "tls-platform test CA", organization: "tls-platform" });
    const foreignCa = new CertificateAuthority("foreign-ca", { commonName: "someone else's CA" });
    const server = new Certificate("server", { ca, commonName: "db", dnsNames: ["db.internal", "localhost"], ipAddresses: ["127.0.0.1"] });
    const client = new Certificate("client", { ca, commonName: "app", purpose: "client" });
    const foreignClient = new Certificate("foreign-client", { ca: foreignCa, commonName: "app", purpose: "client" });
    const pems = async (c: InstanceType<typeof Certificate>): Promise<IssuedPems> => ({
        certPem: await valueOf(c.certPem),
        privateKeyPem: await valueOf(c.privateKeyPem),
        caCertPem: await valueOf(c.caCertPem),
        fullChainPem: await valueOf(c.fullChainPem),
        validityEndTime: await valueOf(c.validityEndTime),
    });
    return {
        emulator,
        caPem: await valueOf(ca.certPem),
        foreignCaPem: await valueOf(foreignCa.certPem),
        server: await pems(server),
        client: await pems(client),
        foreignClient: await pems(foreignClient),
    };
}

/**
 * The emulator with the engine's memory between runs: a resource registered again with the same type,
 * name and inputs gets its previous outputs back (the engine's `same` step) instead of being created
 * anew, so a program run once per config change sees the keys and certificates the last run made, as a
 * stack does across `pulumi up`s. Any changed input creates it again (every tls input forces a new
 * resource: terraform-provider-tls's schemas mark them all RequiresReplace).
 */
export class ContinuingEmulator extends ProviderEmulator {
    constructor(private readonly prior: Map<string, { inputs: unknown; result: pulumi.runtime.MockResourceResult }>) {
        super();
    }

    override async newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
        const key = `${args.type}::${args.name}`;
        const { value, secretPaths } = unwrapSecrets(args.inputs);
        const before = this.prior.get(key);
        if (before && isDeepStrictEqual(before.inputs, value)) {
            this.resources.push({ type: args.type, name: args.name, inputs: value as Record<string, any>, secretInputs: secretPaths, state: before.result.state, provider: args.provider });
            this.unchanged.push(key);
            return before.result;
        }
        const result = await super.newResource(args);
        this.prior.set(key, { inputs: value, result });
        return result;
    }

    /** `type::name` of every resource this run found unchanged. */
    readonly unchanged: string[] = [];
}

/** The PEMs of one rollover phase, as the components output them. */
export interface RolloverPhase {
    readonly phase: string;
    readonly generations: number[];
    readonly issuingGeneration: number;
    readonly caCertPem: string;
    readonly trustBundlePem: string;
    readonly server: IssuedPems;
    readonly client: IssuedPems;
    /** `type::name` of the resources this phase's run left as they were. */
    readonly unchanged: readonly string[];
    readonly created: readonly string[];
    /** Every resource of this phase's run, as the emulator recorded it (the stack after its `pulumi up`). */
    readonly resources: readonly RegisteredResource[];
}

/** The config of each phase of the README's CA key rollover, from generation 1 to 2. */
export const ROLLOVER_PHASES: ReadonlyArray<{ phase: string; generations: number[]; issuingGeneration?: number }> = [
    { phase: "0: before", generations: [1] },
    { phase: "1: trust new", generations: [1, 2] },
    { phase: "2: issue new", generations: [1, 2], issuingGeneration: 2 },
    { phase: "3: drop old", generations: [2], issuingGeneration: 2 },
];

/**
 * Runs the root program's PKI (a CA, a server and a client certificate) once per rollover phase, each
 * run continuing the last (ContinuingEmulator), and returns what each phase's components output.
 */
export async function runRolloverPhases(): Promise<RolloverPhase[]> {
    const prior = new Map<string, { inputs: unknown; result: pulumi.runtime.MockResourceResult }>();
    const phases: RolloverPhase[] = [];
    for (const config of ROLLOVER_PHASES) {
        const emulator = new ContinuingEmulator(prior);
        await pulumi.runtime.setMocks(emulator, "tls-platform", "test", false);
        const { CertificateAuthority, Certificate } = await import("../../components");
        const ca = new CertificateAuthority("platform-ca", { commonName: "tls-platform rollover CA", generations: config.generations, issuingGeneration: config.issuingGeneration });
        const server = new Certificate("server", { ca, commonName: "db", dnsNames: ["db.internal", "localhost"], ipAddresses: ["127.0.0.1"] });
        const client = new Certificate("client", { ca, commonName: "app", purpose: "client" });
        const [caCertPem, trustBundlePem, serverPems, clientPems] = await Promise.all([valueOf(ca.certPem), valueOf(ca.trustBundlePem), pemsOf(server), pemsOf(client)]);
        phases.push({
            ...config,
            issuingGeneration: await valueOf(ca.issuingGeneration),
            caCertPem,
            trustBundlePem,
            server: serverPems,
            client: clientPems,
            unchanged: emulator.unchanged,
            created: emulator.resources.map((r) => `${r.type}::${r.name}`).filter((k) => !emulator.unchanged.includes(k)),
            resources: emulator.resources,
        });
        // Every registration of this run (the components' registerOutputs among them) reaches this run's
        // mocks before the next run replaces them: the SDK's own drain, as `disconnect` does (internal).
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    }
    return phases;
}

async function pemsOf(c: { certPem: pulumi.Output<string>; privateKeyPem: pulumi.Output<string>; caCertPem: pulumi.Output<string>; fullChainPem: pulumi.Output<string>; validityEndTime: pulumi.Output<string> }): Promise<IssuedPems> {
    return {
        certPem: await valueOf(c.certPem),
        privateKeyPem: await valueOf(c.privateKeyPem),
        caCertPem: await valueOf(c.caCertPem),
        fullChainPem: await valueOf(c.fullChainPem),
        validityEndTime: await valueOf(c.validityEndTime),
    };
}
