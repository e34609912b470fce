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
