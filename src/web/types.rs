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
}

/** One STUN or TURN server, as `RTCIceServer`. */
export interface SoftphoneIceServer {
  /** `stun:`, `stuns:`, `turn:` or `turns:` URLs. */
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Options of `phone.call()`. */
export interface SoftphoneCallOptions {
  /** Offer video as well as audio. Default false. */
  video?: boolean;
  /** Extra INVITE headers; names and values must not hold CR, LF or NUL. */
  headers?: Record<string, string>;
}

/** Options of `call.answer()`. */
export interface SoftphoneAnswerOptions {
  /** Send video too (captures the camera). Default false: audio only. */
  video?: boolean;
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
  /**
   * E-model estimate, 1.0-4.5; `null` when nothing was measured (no inbound packet over
   * the interval, or no round-trip time yet), with the reason in `mosUnavailable`.
   */
  mos: number | null;
  mosUnavailable?: 'noInboundPackets' | 'noRoundTripTime';
  /**
   * Audio received: RTP packets and payload bytes since the call began, and the far end's
   * level over the last interval (linear, 0-1) when the browser reports it.
   */
  inbound: { packets: number; bytes: number; audioLevel?: number };
  /** Audio sent, and the microphone's level over the last interval. */
  outbound: { packets: number; bytes: number; audioLevel?: number };
}

/** What the browser knows of one STUN/TURN URL when a call gives up on its media. */
export interface SoftphoneIceServerOutcome {
  url: string;
  /** `refused`: unreachable other than by a timeout; `error`: another STUN error (`errorCode`). */
  status: 'pending' | 'allocated' | 'timedOut' | 'refused' | 'authFailed' | 'error';
  errorCode?: number;
}

/** The media watchdog's evidence in a `mediaFailure` end cause. */
export interface SoftphoneMediaEvidence {
  ice?: 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
  dtls?: 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
  selectedPair?: { local: SoftphoneCandidate['type']; remote: SoftphoneCandidate['type'] };
  packetsReceived: number;
  packetsSent: number;
  servers: SoftphoneIceServerOutcome[];
}

/**
 * A call's media could not be had. `reason` is always there; the watchdog's fields are
 * there when it ended the call (absent for a media action the browser refused, such as a
 * denied microphone).
 */
export interface SoftphoneMediaFailure {
  kind: 'mediaFailure';
  reason: string;
  media?: 'neverStarted' | 'lost';
  /**
   * `turnUnreachable`: no TURN URL answered and no direct path worked ("your network
   * blocks TURN on every port"); `turnAuthFailed`; `dtlsFailed`: ICE connected, DTLS
   * never did (symmetric NAT); `iceFailed`; `noInboundPackets`: the path is up, the far
   * end sends nothing.
   */
  why?: 'turnUnreachable' | 'turnAuthFailed' | 'dtlsFailed' | 'iceFailed' | 'noInboundPackets';
  /** How long recovery was tried, ms. */
  triedMs?: number;
  restarts?: number;
  /** One of the restarts was relay-only. */
  relayOnly?: boolean;
  evidence?: SoftphoneMediaEvidence;
}

/** Why a call ended. */
export type SoftphoneEndCause =
  | { kind: 'localHangup' } | { kind: 'remoteHangup' } | { kind: 'busy' }
  | { kind: 'declined' } | { kind: 'cancelled' } | { kind: 'noAnswer' }
  | { kind: 'rejected'; status: number }
  | { kind: 'failed'; status: number; reason: string }
  | SoftphoneMediaFailure
  | { kind: 'sessionExpired' }
  /** Our session refresh (RFC 4028) was refused twice, or got no answer. */
  | { kind: 'sessionRefreshFailed'; status: number; reason: string }
  | { kind: 'transferred' };

/** Something that happened to a call; `callId` is `call.id`. */
export type SoftphoneCallEvent = { type: 'call'; callId: number } & (
  | { event: 'incoming'; from: string; displayName?: string; to: string }
  | { event: 'calling'; target: string }
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
  | { event: 'transferRequested'; target: string }
  | { event: 'transferProgress'; status: number; reason: string }
  | { event: 'ended'; cause: SoftphoneEndCause }
);

/** A call quality warning raised (`active: true`) or cleared. */
export interface SoftphoneQualityEvent {
  type: 'quality';
  callId: number;
  /**
   * `noInboundAudio`: the call is up (not held) and no audio packet came for 3 s;
   * `silentMicrophone`: our microphone sent silence for 3 s while not muted;
   * `farEndSilent`: packets arrive but carry silence for 5 s; `lowMos`: MOS below 3.0.
   */
  warning:
    | 'highRtt' | 'highLoss' | 'highJitter' | 'noInboundAudio'
    | 'silentMicrophone' | 'farEndSilent' | 'lowMos';
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
