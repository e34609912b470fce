// softphone-core: the types of diagnose(). Re-exported by index.d.ts.

/** One STUN/TURN server, as `RTCIceServer`. */
export interface SoftphoneIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** What `diagnose()` checks. A `SoftphoneConfig` works as it is (other fields are ignored). */
export interface SoftphoneDiagnoseConfig {
  /** The SIP-over-WebSocket servers: one URL, URLs, or `{ uri }` entries. */
  servers?: string | Array<string | { uri: string }>;
  /** The address of record; its domain is the OPTIONS target. Default: the first server's host. */
  uri?: string;
  /** STUN/TURN servers to probe, each URL on its own. */
  iceServers?: SoftphoneIceServer[];
  /** An endpoint answering `{ iceServers, ttl }`; its servers are probed too. */
  iceServersUrl?: string;
  /** Bound of the whole diagnosis, seconds. Default 10. */
  timeout?: number;
  /** Bound of one STUN/TURN probe, seconds. Default 5. */
  iceTimeout?: number;
  /**
   * With `uri`, answers a digest challenge to the OPTIONS (PBXs such as Asterisk challenge
   * it). `phone.diagnose()` uses the phone's own. Never part of the result.
   */
  password?: string;
  /** The digest username, when it is not the user part of `uri`. */
  authorizationUser?: string;
}

/**
 * The SIP OPTIONS round trip over an open WebSocket. Any answer proves the server speaks
 * SIP: `401`/`407` without credentials means "reachable, asks for authentication".
 */
export interface SoftphoneOptionsCheck {
  /** The status of the last answer (after the challenge was answered, if it was). */
  status: number;
  reason: string;
  /** ms from the first OPTIONS to the last answer. */
  rttMs: number;
  /** The server asked for authentication (401/407). */
  challenged: boolean;
  /** The challenge was answered with credentials; a 401/407 `status` then means they were refused. */
  authenticated: boolean;
}

/** One WebSocket server. */
export type SoftphoneWebSocketCheck = {
  url: string;
  /** Likely causes and what to check, for a person. Empty when all is well. */
  hints: string[];
} & (
  | {
      status: 'open';
      /** ms from `new WebSocket` to `open`. */
      openMs: number;
      /** The subprotocol the server agreed to; `sip` expected. */
      protocol: string;
      /** Absent when no response to OPTIONS came back in time. */
      options?: SoftphoneOptionsCheck;
    }
  | {
      /**
       * Closed before it opened. The browser reports code 1006 for every refused upgrade
       * (wrong path, TLS failure, tunnel 502, refused port): `hints` lists the causes.
       */
      status: 'closedBeforeOpen';
      closeCode: number;
      closedAfterMs: number;
    }
  | { /** Neither opened nor closed in time (packets dropped). */ status: 'timeout' }
  | { /** The browser refused the URL outright. */ status: 'refused'; error: string }
);

/** ICE candidate types. */
export type SoftphoneCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** One STUN or TURN URL, probed alone (TURN with `iceTransportPolicy: 'relay'`). */
export interface SoftphoneIceCheck {
  url: string;
  kind: 'stun' | 'turn';
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** The TURN username (never the credential). */
  username?: string;
  /**
   * `ok`: a server-reflexive (STUN) or relay (TURN) candidate arrived; `authFailed`: the
   * TURN server answered 401; `unreachable`: nothing within the probe time; `error`: the
   * browser refused the server.
   */
  status: 'ok' | 'authFailed' | 'unreachable' | 'error';
  candidateTypes: SoftphoneCandidateType[];
  /** ms from the start of gathering to the first srflx (STUN) or relay (TURN) candidate. */
  timeToCandidateMs?: number;
  /**
   * STUN only: the server answered with this machine's own address (no NAT between), so the
   * browser made no separate srflx candidate; `timeToCandidateMs` is then the time to the end
   * of gathering.
   */
  noNat?: boolean;
  /** How the browser reaches the TURN server, when it says. */
  relayProtocol?: 'udp' | 'tcp' | 'tls';
  /** `icecandidateerror` events (401 refused credentials, 701 unreachable). */
  errors: { code: number; text: string }[];
  /** What to check, when not ok. */
  hint?: string;
}

/** What the probes mean for one class of network. */
export interface SoftphoneNetworkVerdict {
  /**
   * `thisNetwork`: the network the diagnosis ran on; `homeNat`: UDP allowed;
   * `udpBlocked`: UDP blocked, TCP allowed; `tcp443Only`: only TCP to port 443;
   * `symmetricNat`: mobile and symmetric NATs, where only a relay connects.
   */
  network: 'thisNetwork' | 'homeNat' | 'udpBlocked' | 'tcp443Only' | 'symmetricNat';
  ok: boolean;
  message: string;
}

/**
 * The NAT's mapping behaviour, from one throwaway peer connection that asks every UDP
 * STUN/TURN endpoint (host and port) from the same local socket.
 */
export interface SoftphoneNatCheck {
  /**
   * `symmetric`: one local socket got a different public port (or address) per server, so
   * direct media will fail and calls need a relay; `endpointIndependent`: two or more
   * endpoints saw the same mapping; `none`: no NAT; `unknown`: fewer than two UDP endpoints
   * answered (configure two STUN servers, or two ports of one, to tell).
   */
  mapping: 'symmetric' | 'endpointIndependent' | 'none' | 'unknown';
  /** The server-reflexive addresses the shared socket got (`server` when the browser says). */
  mapped: { address: string; port: number; server?: string }[];
  /** Why the mapping is `unknown`. */
  reason?: string;
}

/** The result of `diagnose()`. */
export interface SoftphoneDiagnosis {
  /**
   * A SIP server answered OPTIONS (any status: a `401` challenge proves SIP too; but not a
   * challenge repeated after the credentials were sent), and at least one STUN/TURN URL
   * worked (or none is configured).
   */
  ok: boolean;
  durationMs: number;
  websocket: SoftphoneWebSocketCheck[];
  ice: SoftphoneIceCheck[];
  /** Where the probed STUN/TURN servers came from. */
  iceServers: { configured: number; fetched: number; fetchError?: string };
  nat: SoftphoneNatCheck;
  /**
   * One per class of network; a symmetric NAT on this network adds a `thisNetwork` verdict
   * starting "symmetric NAT: direct media will fail, calls need relay" that says whether
   * a relay works (`ok`).
   */
  verdicts: SoftphoneNetworkVerdict[];
}

/**
 * Checks the SIP servers (WebSocket upgrade, SIP OPTIONS) and every STUN/TURN URL
 * (throwaway peer connections), all at once, bounded by `timeout`. Never rejects for an
 * unreachable server; rejects with a `TypeError` for a malformed argument.
 */
export declare function diagnose(config: SoftphoneDiagnoseConfig): Promise<SoftphoneDiagnosis>;
