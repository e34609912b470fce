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
  SoftphoneIceServer,
} from './softphone_core.js';

import type { SoftphoneCallErrorCode } from './softphone_core.js';

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

/** The error `createSoftphone()` and `diagnose()` reject with outside a browser. */
export interface SoftphoneNotSupportedError extends Error {
  name: 'NotSupportedError';
}

/** The error thrown for a bad configuration. */
export interface SoftphoneConfigError extends Error {
  name: 'SoftphoneConfigError';
  /** The field as written in the configuration, e.g. `uri`, `servers[0].uri`, `registerExpires`. */
  field: string;
}

/**
 * The error thrown by `phone.call()` and the methods of `SoftphoneCall` (and the rejection
 * of `getStats()` after the end) when the operation does not fit.
 */
export interface SoftphoneCallError extends Error {
  name: 'SoftphoneCallError';
  /** `invalidTarget`, `invalidValue`, `notConnected`, `noSuchCall` or `invalidState`. */
  code: SoftphoneCallErrorCode;
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
