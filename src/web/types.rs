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

/** The configuration passed to `new Softphone(config)`. Unknown fields are rejected. */
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
   * A UUID identifying this device (`+sip.instance`). When absent one is generated and
   * kept in `localStorage` under `softphone-core:instance-id`.
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
}

/** Why a WebSocket flow ended. */
export type SoftphoneDisconnectReason =
  /** Closed before it opened (the browser hides why: wrong path, TLS, refused port). */
  | { kind: 'openFailed'; code: number }
  | { kind: 'connectTimeout' }
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
export type SoftphoneEvent = SoftphoneConnectionEvent | SoftphoneRegistrationEvent | SoftphoneLogEvent;

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
