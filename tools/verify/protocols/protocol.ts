/**
 * What a probe needs to know about a service's protocol: how a client gets to TLS on the raw connection
 * (PostgreSQL asks first), what its first request is, and how it answers a client it should turn away.
 */
import type * as net from "node:net";
import type { Reader } from "../net";
import type { GateOutcome, RequestOutcome, Target } from "../types";

/** One open connection, TLS or plain. */
export interface Conversation {
    readonly socket: net.Socket;
    readonly reader: Reader;
}

export interface ServiceProtocol {
    /** Runs on the raw TCP connection before the TLS ClientHello; throws if the server offers no TLS. */
    beforeTls(socket: net.Socket): Promise<void>;
    /** The first request of a client with the target's credentials, over a verified session. */
    request(c: Conversation, target: Target): Promise<RequestOutcome>;
    /** The first request over a TLS session without client certificate: did the server serve it? */
    withoutClientCertificate(c: Conversation, target: Target): Promise<GateOutcome>;
    /** The protocol spoken in plaintext to the TLS port: did the server serve it? */
    plaintext(c: Conversation, target: Target): Promise<GateOutcome>;
    /** What it means when a plaintext probe gets no answer at all before the deadline. */
    readonly plaintextSilence: GateOutcome["verdict"];
}

export const noNegotiation = async (): Promise<void> => undefined;
