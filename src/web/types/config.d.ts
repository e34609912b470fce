/** One SIP-over-WebSocket server. */
export interface SoftphoneServer {
  /** `wss://host[:port]/path`; `ws://` only for localhost, 127.0.0.1 and [::1]. */
  uri: string;
  /** Higher weights are tried first; equal weights in random order. Default 0. */
  weight?: number;
}

/** Log levels, most severe first. */
export type SoftphoneLogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** The configuration passed to `createSoftphone(config)`. Unknown fields are rejected. */
export interface SoftphoneConfig {
  /** One server URL, or several servers. */
  servers: string | SoftphoneServer[];
  /** The address of record, `sip:alice@example.com`. */
  uri: string;
  /** The digest password. Never logged. */
  password?: string;
  /**
   * Instead of `password`: HA1 = MD5(`user:realm:password`), 32 hex digits, for MD5 and
   * MD5-sess challenges of that realm. Never logged.
   */
  ha1?: string;
  /** Extra headers for every REGISTER (not Expires, Contact or other headers the stack writes). */
  registerHeaders?: SoftphoneHeaders;
  /**
   * The content types of incoming SIP INFO the app takes (`info` call events); others
   * are answered 415. Absent: every type is taken. DTMF INFO is always taken.
   */
  infoContentTypes?: string[];
  /** The digest username, when it differs from the user part of `uri`. */
  authorizationUser?: string;
  /** The display name put in From headers. */
  displayName?: string;
  /** Whether to register. Default true. */
  register?: boolean;
  /** Requested registration lifetime, in seconds. Default 600. */
  registerExpires?: number;
  /**
   * A UUID identifying this device (`+sip.instance`). When absent one is generated per tab
   * and kept in `sessionStorage` under `softphone-core:instance-id` (a tab keeps it across
   * reloads; two tabs never share one, so neither replaces the other's registration).
   */
  instanceId?: string;
  /**
   * The longest gap between CRLF keepalive pings, in seconds (each ping comes at 80-100 % of
   * it). 0 disables them, unless the registrar asks for keepalives with `Flow-Timer`
   * (RFC 5626), which is honoured whatever this says. Default 25.
   */
  keepaliveInterval?: number;
  /** Seconds to wait for a keepalive pong. Default 10. */
  keepaliveTimeout?: number;
  /** Seconds a WebSocket may take to open. Default 10. */
  connectTimeout?: number;
  /** Reconnect backoff: first delay and the cap, in milliseconds. Default 1000 and 30000. */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** The most verbose level shown on the console and as `log` events. Default 'warn'. */
  logLevel?: SoftphoneLogLevel | 'off';
  /** The User-Agent header value. */
  userAgent?: string;
  /** STUN and TURN servers for calls (`{ urls, username?, credential? }`). Credentials are never logged. */
  iceServers?: SoftphoneIceServer[];
  /**
   * A URL answering GET with `{ iceServers, ttl }` (`ttl` in seconds): fetched at `start()`,
   * refreshed at 80 % of `ttl`, retried with backoff; its servers follow `iceServers`.
   */
  iceServersUrl?: string;
  /** `'relay'` sends media only through TURN. Default `'all'`. */
  iceTransportPolicy?: 'all' | 'relay';
  /** Seconds an offer or answer waits for good-enough ICE candidates. Default 2. */
  iceGatheringTimeout?: number;
  /** Seconds ICE may stay `disconnected` before the call restarts it. Default 2. */
  iceDisconnectedGrace?: number;
  /** Seconds a call tries to recover its media before it ends. Default 30. */
  iceRecoveryLimit?: number;
  /**
   * The media watchdog (see docs/connectivity.md): a confirmed call whose inbound audio
   * never starts (`startTimeout` s after the answer, default 3) or stops (`stallTimeout` s,
   * default 3; not while held) goes `reconnecting` and restarts ICE, the second time
   * relay-only when TURN may help; each restart gets `restartWait` s (default 4, doubling)
   * to bring audio back, `restarts` (default 3) in all, then the call ends with a
   * `mediaFailure` cause that carries the evidence. `enabled: false` keeps only the
   * ICE-state recovery.
   */
  mediaWatchdog?: {
    enabled?: boolean;
    startTimeout?: number;
    stallTimeout?: number;
    restartWait?: number;
    restarts?: number;
  };
  /** RFC 4028 session interval in seconds; 0 turns session timers off. Default 1800. */
  sessionExpires?: number;
  /** Seconds an incoming call rings before it is answered 480. Default 60. */
  noAnswerTimeout?: number;
  /**
   * Gather ICE candidates before the user dials: a registered phone with STUN/TURN servers
   * keeps an idle peer connection that the next audio call adopts, replaced when stale (a
   * minute old, a network change, new TURN credentials, a hidden page). Default true.
   */
  prewarm?: boolean;
  /**
   * Media types an incoming MESSAGE may carry; others are answered 415 with these in
   * `Accept`. Default `['text/plain']`.
   */
  messageAccept?: string[];
  /** The largest incoming MESSAGE body accepted, in bytes (413 above). Default 65536. */
  messageMaxBytes?: number;
  /**
   * How many subscriptions may start per second (a 100-lamp BLF panel starts over 10 s at
   * the default 10), so that a PBX's flood limits hold. Refreshes are not paced.
   */
  subscribeRate?: number;
  /** Requested subscription lifetime in seconds (the PBX may grant less). Default 600. */
  subscribeExpires?: number;
}

/** One STUN or TURN server, as `RTCIceServer`. */
export interface SoftphoneIceServer {
  /** `stun:`, `stuns:`, `turn:` or `turns:` URLs. */
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * Extra headers: an object, or `[name, value]` pairs (order kept, a name may repeat).
 * Names must be tokens, values free of CR, LF and NUL; headers the stack writes (Via,
 * From, To, Call-ID, CSeq, Contact, Max-Forwards, Content-Length, Authorization,
 * Proxy-Authorization, Route, Record-Route, Allow, Supported, Require, Session-Expires,
 * Min-SE, and per request Expires, Content-Type, Reason, Refer-To, and Event and Accept on
 * SUBSCRIBE) are refused with an `invalidValue` error.
 */
export type SoftphoneHeaders = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** An audio codec `codecs` may put first (case does not matter). */
export type SoftphoneCodec = 'opus' | 'G722' | 'PCMU' | 'PCMA';
