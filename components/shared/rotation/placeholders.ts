import { CLIENT_CA_PLACEHOLDER } from "../service";

/**
 * Certificate material for rendering the configuration uploads only: the renderers' configuration never
 * depends on certificate content, and the TLS files they also return are dropped (partitionUploads).
 */
export const PEM_PLACEHOLDERS = {
    serverCertPem: CLIENT_CA_PLACEHOLDER,
    serverKeyPem: CLIENT_CA_PLACEHOLDER,
    issuerCaCertPem: CLIENT_CA_PLACEHOLDER,
} as const;
