//! The TypeScript declarations of the configuration and the events, emitted into the
//! wasm-bindgen `.d.ts` beside the `Softphone` class. The event shapes are built in
//! `events.rs`; keep the two in step.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
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
  /** Seconds between CRLF keepalive pings; 0 disables them. Default 25. */
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
 * Min-SE, and per request Expires, Content-Type, Reason, Refer-To) are refused with an
 * `invalidValue` error.
 */
export type SoftphoneHeaders = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** Options of `phone.call()`. */
export interface SoftphoneCallOptions {
  /** Offer video as well as audio. Default false. */
  video?: boolean;
  /** Extra INVITE headers. */
  headers?: SoftphoneHeaders;
  /**
   * Hide the caller: `From: "Anonymous" <sip:anonymous@anonymous.invalid>` and
   * `Privacy: id` (the PBX still authenticates the configured user). Default false.
   */
  anonymous?: boolean;
  /** The display name of this call's From, instead of the configured `displayName`. */
  displayName?: string;
}

/** Options of `call.answer()`. */
export interface SoftphoneAnswerOptions {
  /** Send video too (captures the camera). Default false: audio only. */
  video?: boolean;
  /** Extra headers on the 200 OK. */
  headers?: SoftphoneHeaders;
}

/** Extra headers of a request the call sends: hold, resume, transfer (REFER), sendInfo. */
export interface SoftphoneRequestOptions {
  headers?: SoftphoneHeaders;
}

/** An RFC 3326 `Reason` header: `SIP;cause=486;text="..."` or `Q.850;cause=16`. */
export interface SoftphoneReason {
  /** Default `'SIP'`. */
  protocol?: 'SIP' | 'Q.850';
  /** A SIP status (100-699) or a Q.850 cause (0-127). */
  cause: number;
  text?: string;
}

/** How `call.reject()` / `call.hangup()` end a call. */
export interface SoftphoneEndOptions {
  /** The rejection's status, 300-699 (default 486). Ignored for BYE and CANCEL. */
  status?: number;
  /** The rejection's reason phrase (default: the status' usual one). */
  reasonPhrase?: string;
  /** A `Reason` header on the rejection, BYE or CANCEL. */
  reason?: SoftphoneReason;
  headers?: SoftphoneHeaders;
}

/** Options of `call.sendDtmf()`. */
export interface SoftphoneDtmfOptions {
  /** In the media (RFC 4733, default) or by SIP INFO. */
  mode?: 'rfc4733' | 'info';
  /** Each tone's duration, 40-6000 ms. Default 100. */
  duration?: number;
  /** The gap between tones, 30-6000 ms. Default 70. */
  interToneGap?: number;
}

/** New digest credentials for `phone.setCredentials()`: a password or an HA1. */
export type SoftphoneCredentials =
  | { password: string; ha1?: never; authUser?: string }
  | { ha1: string; password?: never; authUser?: string };

/** `phone.connectionState`. */
export type SoftphoneConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting';

/** The caller's identity as the PBX asserts it. */
export interface SoftphoneIdentity {
  uri: string;
  displayName?: string;
  /** The header it came from. */
  source: 'pAssertedIdentity' | 'remotePartyId';
}

/** The state of a call. */
export type SoftphoneCallState =
  | 'incoming' | 'calling' | 'ringing' | 'earlyMedia'
  | 'connected' | 'reconnecting' | 'ended';

/** One end of the selected ICE candidate pair. */
export interface SoftphoneCandidate {
  type: 'host' | 'srflx' | 'prflx' | 'relay';
  protocol: 'udp' | 'tcp';
  relayProtocol?: 'udp' | 'tcp' | 'tls';
  address?: string;
}

/** What `call.getStats()` resolves to. */
export interface SoftphoneCallStats {
  selectedPair?: { local: SoftphoneCandidate; remote: Omit<SoftphoneCandidate, 'relayProtocol'> };
  rttMs?: number;
  jitterMs?: number;
  /** Inbound audio, over the last interval. */
  packetLossPercent?: number;
  /** E-model estimate, 1.0-4.5. */
  mos?: number;
  /** Audio received: RTP packets and payload bytes since the call began. */
  inbound: { packets: number; bytes: number };
  /** Audio sent. */
  outbound: { packets: number; bytes: number };
}

/** Why a call ended. */
export type SoftphoneEndCause =
  | { kind: 'localHangup' } | { kind: 'remoteHangup' } | { kind: 'busy' }
  | { kind: 'declined' } | { kind: 'cancelled' } | { kind: 'noAnswer' }
  | { kind: 'rejected'; status: number }
  | { kind: 'failed'; status: number; reason: string }
  | { kind: 'mediaFailure'; reason: string }
  | { kind: 'sessionExpired' }
  /** Our session refresh (RFC 4028) was refused twice, or got no answer. */
  | { kind: 'sessionRefreshFailed'; status: number; reason: string }
  | { kind: 'transferred' };

/** Something that happened to a call; `callId` is `call.id`. */
export type SoftphoneCallEvent = { type: 'call'; callId: number } & (
  /**
   * `identity`: P-Asserted-Identity or Remote-Party-ID. `autoAnswerAfter`: seconds, when
   * Alert-Info or Call-Info ask to answer by itself. The rest: `call.requestHeaders`.
   */
  | { event: 'incoming'; from: string; displayName?: string; to: string; sipCallId: string; identity?: SoftphoneIdentity; autoAnswerAfter?: number }
  | { event: 'calling'; target: string; sipCallId: string }
  | { event: 'ringing' }
  | { event: 'earlyMedia' }
  /** Also after 'reconnecting'. */
  | { event: 'connected' }
  /** Media lost, ICE restarting. */
  | { event: 'reconnecting' }
  | { event: 'hold'; local: boolean; remote: boolean }
  | { event: 'muted'; muted: boolean }
  /** `call.remoteStream` is now set. */
  | { event: 'remoteStream' }
  /** Received by SIP INFO. */
  | { event: 'dtmf'; tone: string }
  /** A SIP INFO that is not DTMF (answered 200); `headers` in order. */
  | { event: 'info'; contentType: string; body: string; headers: Array<[string, string]> }
  /** The answer to `call.sendInfo()`. */
  | { event: 'infoResponse'; status: number; reason: string }
  | { event: 'transferRequested'; target: string }
  | { event: 'transferProgress'; status: number; reason: string }
  | { event: 'ended'; cause: SoftphoneEndCause }
);

/** A call quality warning raised (`active: true`) or cleared. */
export interface SoftphoneQualityEvent {
  type: 'quality';
  callId: number;
  warning: 'highRtt' | 'highLoss' | 'highJitter' | 'noInboundAudio';
  active: boolean;
  value?: number;
}

/** The `code` of a `SoftphoneCallError`. */
export type SoftphoneCallErrorCode =
  | 'invalidTarget' | 'invalidValue' | 'notConnected' | 'noSuchCall' | 'invalidState';

/**
 * A `connect-src` violation the browser reported for a server (a `securitypolicyviolation`
 * event): the page's Content-Security-Policy forbids connecting to it.
 */
export interface SoftphoneCspViolation {
  /** `connect-src` (also when `default-src` stood in for it). */
  directive: string;
  /** The URL the browser blocked. */
  blockedUri: string;
}

/** Why a WebSocket flow ended. */
export type SoftphoneDisconnectReason =
  /**
   * Closed before it opened (the browser hides why: wrong path, TLS, refused port, CSP).
   * `csp`: the browser said the page's policy forbids the server. `hint`: what to check.
   */
  | { kind: 'openFailed'; code: number; hint: string; csp?: SoftphoneCspViolation }
  /** No answer within `connectTimeout`; `csp` and `hint` as for `openFailed`. */
  | { kind: 'connectTimeout'; hint: string; csp?: SoftphoneCspViolation }
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'keepaliveTimeout' }
  | { kind: 'networkChange' }
  | { kind: 'stopped' };

/** The state of the WebSocket flow to the SIP server. */
export type SoftphoneConnectionEvent =
  | { type: 'connection'; state: 'connecting'; url: string; attempt: number }
  | { type: 'connection'; state: 'connected'; url: string }
  | { type: 'connection'; state: 'disconnected'; url: string; reason: SoftphoneDisconnectReason }
  | { type: 'connection'; state: 'reconnecting'; delayMs: number; attempt: number };

/** The state of the registration. */
export type SoftphoneRegistrationEvent =
  | { type: 'registration'; state: 'registering' }
  /** `expires`: seconds granted by the registrar. */
  | { type: 'registration'; state: 'registered'; expires: number }
  | { type: 'registration'; state: 'unregistered' }
  /** `retryInMs` present: the phone retries by itself; absent: it waits for the app. */
  | { type: 'registration'; state: 'failed'; status: number; reason: string; retryInMs?: number };

/** A log line, credentials removed. */
export interface SoftphoneLogEvent {
  type: 'log';
  level: SoftphoneLogLevel;
  message: string;
}

/** Every event a `Softphone` delivers. */
export type SoftphoneEvent =
  | SoftphoneConnectionEvent
  | SoftphoneRegistrationEvent
  | SoftphoneLogEvent
  | SoftphoneCallEvent
  | SoftphoneQualityEvent;

/** The names accepted by `Softphone.on`. */
export type SoftphoneEventType = SoftphoneEvent['type'];

/** The events delivered for one type. */
export type SoftphoneEventOf<K extends SoftphoneEventType> = Extract<SoftphoneEvent, { type: K }>;

export interface Softphone {
  /**
   * Subscribes `handler` to events of `type` and returns a function that unsubscribes it.
   * Handlers run after the call that caused the event has returned.
   */
  on<K extends SoftphoneEventType>(type: K, handler: (event: SoftphoneEventOf<K>) => void): () => void;
}
"#;
