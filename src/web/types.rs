//! The TypeScript declarations of the configuration and the events, emitted into the
//! wasm-bindgen `.d.ts` beside the `Softphone` class. The event shapes are built in
//! `shapes/`; keep the two in step.

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

/**
 * Where a call's audio comes from, and its codec preferences: options of `phone.call()`
 * and `call.answer()`. They work the same whether or not the call adopts a pre-warmed
 * peer connection (which has no tracks: the call adds its own).
 */
export interface SoftphoneMediaOptions {
  /** `getUserMedia` audio constraints (echo cancellation, a device ...). Default `true`. */
  audio?: true | MediaTrackConstraints;
  /** The microphone to capture (`{ deviceId: { exact } }`), from `phone.devices()`. */
  deviceId?: string;
  /**
   * A stream the application already has: its tracks are sent as they are and stay the
   * application's (the call never stops them). Not with `audio` or `deviceId`.
   */
  stream?: MediaStream;
  /**
   * Codecs to put first, in order (`RTCRtpTransceiver.setCodecPreferences`); the others
   * (and telephone-event) follow in the browser's order.
   */
  codecs?: SoftphoneCodec[];
  /**
   * The most the audio sender may send, bits/s (6000-510000), set as `encodings[].maxBitrate`
   * once the answer has settled on opus; with G.722 or G.711 negotiated it is not applied.
   */
  opusMaxBitrate?: number;
}

/** Options of `phone.call()`. */
export interface SoftphoneCallOptions extends SoftphoneMediaOptions {
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
export interface SoftphoneAnswerOptions extends SoftphoneMediaOptions {
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

/**
 * `call.transfer({ replaces })`: attended transfer. `replaces` is the other call (or its
 * `id`), connected, whose party the far end is asked to call in our place.
 */
export interface SoftphoneTransferOptions {
  replaces: SoftphoneCall | number;
}

/** One media device, as `enumerateDevices()` lists it (`label` is empty before a permission). */
export interface SoftphoneDevice {
  deviceId: string;
  label: string;
  groupId: string;
}

/** What `phone.devices()` resolves to. */
export interface SoftphoneDevices {
  audioInputs: SoftphoneDevice[];
  audioOutputs: SoftphoneDevice[];
  videoInputs: SoftphoneDevice[];
}

/** The media devices changed (`devicechange`): the lists as they are now. */
export interface SoftphoneDevicesEvent extends SoftphoneDevices {
  type: 'devices';
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
  /** Ours, in an attended transfer too: both the transferred and the consultation call. */
  | { kind: 'transferred' }
  /** An incoming INVITE with Replaces took its place (the new call's `incoming` has `replaces`). */
  | { kind: 'replaced' };

/** Something that happened to a call; `callId` is `call.id`. */
export type SoftphoneCallEvent = { type: 'call'; callId: number } & (
  /**
   * `identity`: P-Asserted-Identity or Remote-Party-ID. `autoAnswerAfter`: seconds, when
   * Alert-Info or Call-Info ask to answer by itself. The rest: `call.requestHeaders`.
   * `replaces`: this call takes the place of that call (an INVITE with Replaces, the end of
   * an attended transfer): it is answered already, and that call ends as `replaced` once
   * this one is connected.
   */
  | { event: 'incoming'; from: string; displayName?: string; to: string; sipCallId: string; identity?: SoftphoneIdentity; autoAnswerAfter?: number; replaces?: number }
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
  /**
   * The REFER's answer (202), then each NOTIFY's status. 2xx: done (the call, and in an
   * attended transfer the consultation call, end as `transferred`). 300 or more, or 408
   * when no outcome came within 60 s: failed, every call stays as it was.
   */
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
 * The `code` of every error the package throws (`SoftphoneError` and its subclasses):
 * the call codes, `invalidConfig` (`ConfigError`), `unsupported` (`UnsupportedError`:
 * the browser lacks a feature, or this is not a browser) and `deviceFailed`
 * (`DeviceError`: `getUserMedia`, `replaceTrack` or `setSinkId` failed).
 */
export type SoftphoneErrorCode =
  | SoftphoneCallErrorCode | SoftphoneRequestErrorCode | 'invalidConfig' | 'unsupported' | 'deviceFailed';

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

/** Options of `phone.sendMessage()`. */
export interface SoftphoneMessageOptions {
  /** The body's media type. Default `'text/plain'`. */
  contentType?: string;
  /** Extra headers; no CR, LF or NUL, and none the stack writes (Call-ID, Content-Type...; Expires is allowed). */
  headers?: Record<string, string>;
}

/** What `phone.sendMessage()` resolves to: any 2xx is delivered (Asterisk answers 202). */
export type SoftphoneMessageResult =
  | { delivered: true; messageId: number; status: number }
  /** Refused, timed out (408) or lost with the connection (503). */
  | { delivered: false; messageId: number; status: number; reason: string };

/** An outgoing MESSAGE's outcome, or a MESSAGE received (already answered 200). */
export type SoftphoneMessageEvent =
  | { type: 'message'; event: 'delivered'; messageId: number; status: number }
  | { type: 'message'; event: 'failed'; messageId: number; status: number; reason: string }
  | {
      type: 'message';
      event: 'received';
      from: string;
      displayName?: string;
      to: string;
      contentType: string;
      body: string;
      /** Every header of the request, in order, as `[name, value]`. */
      headers: Array<[string, string]>;
    };

/** One `<dialog>` of a dialog-info (BLF) NOTIFY. */
export interface SoftphoneBlfDialog {
  id: string;
  /** `trying`, `proceeding`, `early`, `confirmed` or `terminated`. */
  state: string;
  /** `initiator` (the watched party called) or `recipient` (it is being called). */
  direction?: string;
  remoteIdentity?: string;
  remoteDisplayName?: string;
  onHold: boolean;
}

/** A BLF lamp: idle, ringing (a dialog is early) or busy (a dialog is confirmed). */
export type SoftphoneLamp = 'idle' | 'ringing' | 'busy';

/** A dialog-info document (RFC 4235), merged with the earlier partial ones. */
export interface SoftphoneBlfState {
  kind: 'dialog';
  lamp: SoftphoneLamp;
  entity: string;
  version: number;
  full: boolean;
  dialogs: SoftphoneBlfDialog[];
  /** The other party of the dialog that lights the lamp, when the PBX says. */
  remoteIdentity?: string;
  remoteDisplayName?: string;
  onHold?: boolean;
}

/** A message summary (RFC 3842): voicemail counts. */
export interface SoftphoneMwiState {
  kind: 'messageSummary';
  waiting: boolean;
  account?: string;
  newMessages: number;
  oldMessages: number;
  newUrgent: number;
  oldUrgent: number;
}

/** A presence document (RFC 3863) with the RPID activities Asterisk sends. */
export interface SoftphonePresenceState {
  kind: 'presence';
  entity: string;
  /** Any tuple's basic status is `open`. */
  open: boolean;
  notes: string[];
  /** `on-the-phone`, `away`, `busy`... */
  activities: string[];
}

/** The body of a NOTIFY. */
export type SoftphoneNotifyBody =
  | SoftphoneBlfState
  | SoftphoneMwiState
  | SoftphonePresenceState
  | { kind: 'other'; contentType: string; body: string }
  /** A body of a known type that did not parse (the NOTIFY was still answered 200). */
  | { kind: 'malformed'; contentType: string; reason: string };

/** Something that happened to a subscription; `subscriptionId` is `subscription.id`. */
export type SoftphoneSubscriptionEvent = { type: 'subscription'; subscriptionId: number } & (
  | { event: 'state'; state: 'pending' | 'active'; expires: number }
  | { event: 'notify'; body: SoftphoneNotifyBody }
  /** Down for now; the phone subscribes again by itself (after `retryInMs`, or once reconnected). */
  | { event: 'interrupted'; status?: number; reason: string; retryInMs?: number }
  /** Over for good: unsubscribed, stopped, or refused. */
  | { event: 'ended'; status?: number; reason: string }
);

/** A message summary the PBX sent with no subscription (Asterisk does, for a mailbox). */
export type SoftphoneMwiEvent = { type: 'mwi' } & SoftphoneMwiState;

/** Options of `phone.subscribe()`. */
export interface SoftphoneSubscribeOptions {
  /** Media types for `Accept`; default the package's usual one. */
  accept?: string | string[];
  /** Requested lifetime in seconds. Default `subscribeExpires`. */
  expires?: number;
  /** Extra headers; no CR, LF or NUL, and none the stack writes (Event, Expires, Accept, Call-ID...). */
  headers?: Record<string, string>;
}

/** A subscription's status. */
export type SoftphoneSubscriptionStatus = 'subscribing' | 'pending' | 'active' | 'interrupted' | 'ended';

/** A live subscription, with the latest state it was told. */
export interface SoftphoneSubscription<B extends SoftphoneNotifyBody = SoftphoneNotifyBody> {
  readonly id: number;
  readonly target: string;
  /** The event package: `dialog`, `message-summary`, `presence`... */
  readonly event: string;
  readonly status: SoftphoneSubscriptionStatus;
  /** The latest NOTIFY body, `null` before the first. */
  readonly state: B | null;
  /** Calls `handler` with this subscription's events; returns a function that stops it. */
  on(handler: (event: SoftphoneSubscriptionEvent) => void): () => void;
  /** Unsubscribes (`Expires: 0`); an `ended` event follows. */
  unsubscribe(): void;
}

/** The `code` of a `SoftphoneRequestError`. */
export type SoftphoneRequestErrorCode =
  | 'invalidTarget' | 'invalidValue' | 'notConnected' | 'noSuchSubscription';

/** Every event a `Softphone` delivers. */
export type SoftphoneEvent =
  | SoftphoneConnectionEvent
  | SoftphoneRegistrationEvent
  | SoftphoneLogEvent
  | SoftphoneCallEvent
  | SoftphoneQualityEvent
  | SoftphoneMessageEvent
  | SoftphoneSubscriptionEvent
  | SoftphoneMwiEvent
  | SoftphoneDevicesEvent;

/** The names accepted by `Softphone.on`. */
export type SoftphoneEventType = SoftphoneEvent['type'];

/** The events delivered for one type. */
export type SoftphoneEventOf<K extends SoftphoneEventType> = Extract<SoftphoneEvent, { type: K }>;

/** The names accepted by `call.on` (see `SoftphoneCallEventFor`). */
export type SoftphoneCallEventType =
  | 'state' | 'ended' | 'hold' | 'muted' | 'dtmf' | 'remoteStream'
  | 'transferRequested' | 'transferProgress' | 'quality' | 'event';

/**
 * The events `call.on(type)` delivers: `'state'` every change of `call.state` (`event` is
 * the new state), `'quality'` the call's quality warnings, `'event'` every call event,
 * and the others the call event of that name.
 */
export type SoftphoneCallEventFor<K extends SoftphoneCallEventType> =
  K extends 'state' ? Extract<SoftphoneCallEvent, { event: SoftphoneCallState }>
  : K extends 'quality' ? SoftphoneQualityEvent
  : K extends 'event' ? SoftphoneCallEvent
  : Extract<SoftphoneCallEvent, { event: K }>;

export interface SoftphoneCall {
  /**
   * Subscribes `handler` to this call's events of `type` and returns a function that
   * unsubscribes it. Handlers run after the call that caused the event has returned,
   * and are dropped after the call's `ended` event.
   */
  on<K extends SoftphoneCallEventType>(type: K, handler: (event: SoftphoneCallEventFor<K>) => void): () => void;
}

export interface Softphone {
  /**
   * Subscribes `handler` to events of `type` and returns a function that unsubscribes it.
   * Handlers run after the call that caused the event has returned.
   */
  on<K extends SoftphoneEventType>(type: K, handler: (event: SoftphoneEventOf<K>) => void): () => void;
  /**
   * Sends a MESSAGE (RFC 3428) to a SIP URI, user or number; resolves with its outcome.
   * Throws a `SoftphoneRequestError` for a bad target, type or header, or no connection.
   */
  sendMessage(target: string, body: string, options?: SoftphoneMessageOptions): Promise<SoftphoneMessageResult>;
  /**
   * Subscribes to an event package of `target`. Starts are paced (`subscribeRate`),
   * refreshed, and renewed after a reconnect by the phone itself.
   */
  subscribe(target: string, event: string, options?: SoftphoneSubscribeOptions): SoftphoneSubscription;
  /** A BLF lamp (the `dialog` package) for an extension. */
  blf(target: string): SoftphoneSubscription<SoftphoneBlfState>;
  /** BLF lamps for many extensions, started at the paced rate, in order. */
  watchBlf(targets: string[]): Array<SoftphoneSubscription<SoftphoneBlfState>>;
  /**
   * Voicemail (message-summary) of `target`, by default the phone's own address; also
   * fed by the summaries the PBX sends without a subscription.
   */
  mwi(target?: string): SoftphoneSubscription<SoftphoneMwiState>;
  /** Presence (PIDF) of `target`. */
  presence(target: string): SoftphoneSubscription<SoftphonePresenceState>;
  /** The live subscriptions made through this phone, oldest first. */
  subscriptions(): SoftphoneSubscription[];
}
"#;
