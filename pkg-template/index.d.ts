// softphone-core: public types. The configuration and event types are generated from the
// Rust sources into softphone_core.d.ts; this file adds the lazy entry points.

import type { InitInput, Softphone, SoftphoneConfig } from './softphone_core.js';

export type {
  InitInput,
  Softphone,
  SoftphoneConfig,
  SoftphoneServer,
  SoftphoneLogLevel,
  SoftphoneDisconnectReason,
  SoftphoneCspViolation,
  SoftphoneConnectionEvent,
  SoftphoneRegistrationEvent,
  SoftphoneLogEvent,
  SoftphoneEvent,
  SoftphoneEventType,
  SoftphoneEventOf,
  SoftphoneCall,
  SoftphoneCallOptions,
  SoftphoneAnswerOptions,
  SoftphoneTransferOptions,
  SoftphoneCallState,
  SoftphoneCallStats,
  SoftphoneCandidate,
  SoftphoneCallEvent,
  SoftphoneEndCause,
  SoftphoneMediaFailure,
  SoftphoneMediaEvidence,
  SoftphoneIceServerOutcome,
  SoftphoneQualityEvent,
  SoftphoneCallErrorCode,
  SoftphoneErrorCode,
  SoftphoneIceServer,
  SoftphoneMessageOptions,
  SoftphoneMessageResult,
  SoftphoneMessageEvent,
  SoftphoneBlfDialog,
  SoftphoneLamp,
  SoftphoneBlfState,
  SoftphoneMwiState,
  SoftphonePresenceState,
  SoftphoneNotifyBody,
  SoftphoneSubscriptionEvent,
  SoftphoneMwiEvent,
  SoftphoneSubscribeOptions,
  SoftphoneSubscriptionStatus,
  SoftphoneSubscription,
  SoftphoneRequestErrorCode,
  SoftphoneHeaders,
  SoftphoneRequestOptions,
  SoftphoneReason,
  SoftphoneEndOptions,
  SoftphoneDtmfOptions,
  SoftphoneCredentials,
  SoftphoneConnectionStatus,
  SoftphoneIdentity,
  SoftphoneCodec,
  SoftphoneMediaOptions,
  SoftphoneDevice,
  SoftphoneDevices,
  SoftphoneDevicesEvent,
  SoftphoneCallEventType,
  SoftphoneCallEventFor,
} from './softphone_core.js';

import type { SoftphoneCallErrorCode, SoftphoneErrorCode, SoftphoneRequestErrorCode } from './softphone_core.js';

/** The sessionStorage key under which this tab's generated `instanceId` is kept. */
export declare const INSTANCE_ID_STORAGE_KEY: 'softphone-core:instance-id';

/**
 * Loads and instantiates the WebAssembly module (once). Optional: `createSoftphone()` calls
 * it. Pass the `.wasm` URL, bytes, a `Response` or a compiled module when a bundler serves
 * it from elsewhere; only the first call's argument counts.
 */
export declare function initAsync(input?: InitInput | Promise<InitInput>): Promise<void>;

/**
 * Loads the module if needed and makes a `Softphone` (the only way to make one).
 * Rejects with an `Error` named `SoftphoneConfigError` whose `field` names the bad field,
 * and outside a browser (no `WebSocket` or `RTCPeerConnection`, e.g. Node.js) with an
 * `Error` named `NotSupportedError`, before anything is loaded.
 */
export declare function createSoftphone(config: SoftphoneConfig): Promise<Softphone>;

/**
 * Formats a duration in seconds as `m:ss` or `h:mm:ss` (`75` -> `1:15`, `3725` -> `1:02:05`;
 * negative as `0:00`), e.g. `useCall().duration`. `softphone-core/react` exports the same function.
 */
export declare function formatDuration(seconds: number): string;

/** The error `createSoftphone()` and `diagnose()` reject with outside a browser (an `UnsupportedError`). */
export interface SoftphoneNotSupportedError extends Error {
  name: 'NotSupportedError';
}

/** The error thrown for a bad configuration (a `ConfigError`). */
export interface SoftphoneConfigError extends Error {
  name: 'SoftphoneConfigError';
  /** The field as written in the configuration, e.g. `uri`, `servers[0].uri`, `registerExpires`. */
  field: string;
}

/**
 * The error thrown by `phone.call()` and the methods of `SoftphoneCall` (and the rejection
 * of `getStats()` after the end) when the operation does not fit (a `CallError`).
 */
export interface SoftphoneCallError extends Error {
  name: 'SoftphoneCallError';
  /** `invalidTarget`, `invalidValue`, `notConnected`, `noSuchCall` or `invalidState`. */
  code: SoftphoneCallErrorCode;
}

/**
 * The error thrown by `phone.sendMessage()`, `phone.subscribe()` (and `blf`, `watchBlf`,
 * `mwi`, `presence`) for a bad argument, or by `sendMessage()` without a connection.
 */
export interface SoftphoneRequestError extends Error {
  name: 'SoftphoneRequestError';
  /** `invalidTarget`, `invalidValue`, `notConnected` or `noSuchSubscription`. */
  code: SoftphoneRequestErrorCode;
}

/**
 * The base of every error the package throws or rejects with: test with `instanceof`
 * (`e instanceof CallError`) or by `code`, one union for the whole package.
 */
export declare class SoftphoneError extends Error {
  constructor(message: string, code: SoftphoneErrorCode, fields?: Record<string, unknown>);
  readonly code: SoftphoneErrorCode;
}

/** A bad configuration: `createSoftphone()` rejects with it. */
export declare class ConfigError extends SoftphoneError implements SoftphoneConfigError {
  readonly name: 'SoftphoneConfigError';
  readonly code: 'invalidConfig';
  readonly field: string;
}

/** A call operation that does not fit the call's state, or a bad argument. */
export declare class CallError extends SoftphoneError implements SoftphoneCallError {
  readonly name: 'SoftphoneCallError';
  readonly code: SoftphoneCallErrorCode;
}

/** A MESSAGE or subscription method's bad argument, or no connection (`sendMessage()`, `subscribe()`, `blf()` ...). */
export declare class RequestError extends SoftphoneError implements SoftphoneRequestError {
  readonly name: 'SoftphoneRequestError';
  readonly code: SoftphoneRequestErrorCode;
}

/** A browser media call failed (`getUserMedia`, `replaceTrack`, `setSinkId`, `enumerateDevices`). */
export declare class DeviceError extends SoftphoneError {
  readonly name: 'SoftphoneDeviceError';
  readonly code: 'deviceFailed';
  /** The browser's exception name: `NotFoundError`, `NotAllowedError`, `OverconstrainedError` ... */
  readonly browserError: string;
}

/**
 * The browser lacks a feature (`setSinkId` in Firefox without `media.setsinkid.enabled`),
 * or this is no browser (`createSoftphone()` in Node.js).
 */
export declare class UnsupportedError extends SoftphoneError implements SoftphoneNotSupportedError {
  readonly name: 'NotSupportedError';
  readonly code: 'unsupported';
  /** What is missing, e.g. `HTMLMediaElement.setSinkId`. */
  readonly feature: string;
}

export type {
  SoftphoneDiagnosis,
  SoftphoneDiagnoseConfig,
  SoftphoneWebSocketCheck,
  SoftphoneIceCheck,
  SoftphoneNetworkVerdict,
  SoftphoneNatCheck,
  SoftphoneOptionsCheck,
  SoftphoneCandidateType,
} from './diagnose.js';

/**
 * A preflight check of a configuration without a phone: each WebSocket server (open time,
 * OPTIONS round trip, likely causes when it closes before opening) and each STUN/TURN URL
 * (candidate types, time, authentication), with a verdict per network class. Browser only:
 * rejects with a `NotSupportedError` elsewhere.
 */
export declare function diagnose(
  config: import('./diagnose.js').SoftphoneDiagnoseConfig,
): Promise<import('./diagnose.js').SoftphoneDiagnosis>;
