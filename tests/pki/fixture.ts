import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";

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
