// softphone-core/react: types of the React hooks. Every type of the package is
// re-exported, so an app can import everything from 'softphone-core/react'; the hooks'
// actions throw the package's own `CallError` (a `SoftphoneError`: one `code` union,
// `SoftphoneErrorCode`, shared with the package).

import type {
  Softphone,
  SoftphoneAnswerOptions,
  SoftphoneCall,
  SoftphoneCallEvent,
  SoftphoneCallOptions,
  SoftphoneCallState,
  SoftphoneCallStats,
  SoftphoneConfig,
  SoftphoneConnectionEvent,
  SoftphoneDiagnosis,
  SoftphoneEndCause,
  SoftphoneError,
  SoftphoneErrorCode,
  SoftphoneEvent,
  SoftphoneQualityEvent,
  SoftphoneRegistrationEvent,
  SoftphoneBlfState,
  SoftphoneLamp,
  SoftphoneMwiState,
  SoftphoneSubscriptionStatus,
} from '../index.js';

export type * from '../index.js';
/** The package's error classes (the same classes as `softphone-core` exports). */
export { CallError, ConfigError, DeviceError, RequestError, SoftphoneError, UnsupportedError } from '../index.js';

/** The connection state: the last `connection` event, or `idle` before the first one. */
export type SoftphoneConnectionState = SoftphoneConnectionEvent | { type: 'connection'; state: 'idle' };

/** The registration state: the last `registration` event, or `idle` before the first one. */
export type SoftphoneRegistrationState = SoftphoneRegistrationEvent | { type: 'registration'; state: 'idle' };

/** A quality warning currently raised on a call (see `SoftphoneQualityEvent`). */
export type SoftphoneQualityWarning = SoftphoneQualityEvent['warning'];

/** What `phone.diagnose()` resolves to. */
export type SoftphoneDiagnoseResult = SoftphoneDiagnosis;

/** The arguments of `phone.diagnose()`. */
export type SoftphoneDiagnoseArgs = Parameters<Softphone['diagnose']>;

/** An immutable copy of a call's state, replaced (never mutated) on every event of the call. */
export interface CallSnapshot {
  readonly id: number;
  readonly direction: SoftphoneCall['direction'];
  readonly remoteUri: string;
  readonly remoteDisplayName: string | undefined;
  readonly state: SoftphoneCallState;
  readonly hold: { readonly local: boolean; readonly remote: boolean };
  readonly muted: boolean;
  /** `Date.now()` when the call first connected. */
  readonly connectedAt: number | undefined;
  /** `Date.now()` when the `ended` event arrived (ended calls only). */
  readonly endedAt: number | undefined;
  /** Why the call ended (ended calls only). */
  readonly endCause: SoftphoneEndCause | undefined;
  /** Attach to an `<audio autoPlay>` element's `srcObject`. */
  readonly remoteStream: MediaStream | null;
  readonly localStream: MediaStream | null;
  /** Quality warnings raised and not yet cleared. */
  readonly warnings: readonly SoftphoneQualityWarning[];
  /** The target of a pending `transferRequested` (see `call.acceptTransfer()`). */
  readonly transferTarget: string | undefined;
  /** The id of the call this one replaces (an INVITE with Replaces: answered already, no ringing). */
  readonly replaces: number | undefined;
  /** The live handle, for anything the hook does not wrap. */
  readonly call: SoftphoneCall;
}

/** Options of `useSoftphone`. */
export interface UseSoftphoneOptions {
  /**
   * The identity of the configuration. The phone is re-created (the old one stopped and
   * freed) only when the key changes. Default: the configuration serialized with sorted
   * keys, without `password`, `ha1` and `authorizationUser`, so an equal object made
   * afresh on every render keeps the phone. A changed password (or HA1, or digest user)
   * is applied to the running phone with `setCredentials()` whatever the key. `null`
   * means no phone (e.g. while credentials load), like a `null` configuration.
   */
  key?: string | null;
  /** Start (connect and register) as soon as the phone is created. Default true. */
  autoStart?: boolean;
  /** Called with every event after the hook's state has been updated (logs included). */
  onEvent?: (event: SoftphoneEvent) => void;
}

/** The options of `call.answer()`: `SoftphoneAnswerOptions` (kept for older code). */
export type SoftphoneAnswerOptionsOf<_C = SoftphoneCall> = SoftphoneAnswerOptions;

/** The `call` event type: `SoftphoneCallEvent` (kept for older code). */
export type SoftphoneCallEventOf<_P = Softphone> = SoftphoneCallEvent;

/** What `useSoftphone` returns: the state (re-rendered on events) and the actions. */
export interface UseSoftphoneResult {
  /** The phone, once created (`null` during server rendering, before the effect and after unmount). */
  readonly phone: Softphone | null;
  readonly connection: SoftphoneConnectionState;
  readonly registration: SoftphoneRegistrationState;
  /** Live calls, oldest first. */
  readonly calls: readonly CallSnapshot[];
  /**
   * Why the phone could not be created: a `ConfigError` (a `SoftphoneError` with `field`,
   * `code: 'invalidConfig'`), an `UnsupportedError`, or a load failure (a plain `Error`).
   */
  readonly error: SoftphoneError | Error | null;
  /** Connects and registers (only needed with `autoStart: false` or after `stop()`). */
  start(): void;
  /** Unregisters and disconnects; the phone stays and can be started again. */
  stop(): Promise<void>;
  /** Registers again after `unregister()` (`phone.register()`). */
  register(): void;
  /** Do-not-disturb: removes the registration, keeps the connection and calls (`phone.unregister()`). */
  unregister(): void;
  /**
   * Places a call. Throws a `SoftphoneCallError` (`code`: `notConnected`, `invalidTarget` ...).
   * The call appears in `calls` at once.
   */
  call(target: string, options?: SoftphoneCallOptions): SoftphoneCall;
  /**
   * The call actions by call id; they throw a `CallError` (`noSuchCall`, `invalidState` ...).
   * `answer(id, { video: true })` also sends video; audio only by default.
   */
  answer(id: number, options?: SoftphoneAnswerOptions): void;
  /** Rejects an incoming call; default status 486. */
  reject(id: number, status?: number): void;
  hangup(id: number): void;
  hold(id: number): void;
  resume(id: number): void;
  /** The same as `resume`: `hold`'s opposite by name. */
  unhold(id: number): void;
  mute(id: number): void;
  unmute(id: number): void;
  sendDtmf(id: number, tones: string, options?: { mode?: 'rfc4733' | 'info' }): void;
  /** Blind transfer (REFER to `target`), or attended with `{ replaces: otherCallId }` (see `call.transfer()`). */
  transfer(id: number, target: string | { replaces: number }): void;
  /** The connectivity preflight (`phone.diagnose()`); rejects with a `SoftphoneCallError` (`notConnected`) before the phone exists. */
  diagnose(...args: SoftphoneDiagnoseArgs): Promise<SoftphoneDiagnoseResult>;
}

/** Options of `useCall`. */
export interface UseCallOptions {
  /** How often `getStats()` is polled while the call is connected, in ms; 0 turns it off. Default 2000. */
  statsIntervalMs?: number;
}

/** What `useCall` returns. */
export interface UseCallResult {
  /** The latest snapshot (`null` without a call). */
  readonly call: CallSnapshot | null;
  readonly state: SoftphoneCallState | null;
  /** Whole seconds since the call connected, ticking while connected, frozen once ended; 0 before. */
  readonly duration: number;
  readonly hold: { readonly local: boolean; readonly remote: boolean };
  readonly muted: boolean;
  /** The last `getStats()` result, polled while connected; `null` before the first. */
  readonly stats: SoftphoneCallStats | null;
  readonly warnings: readonly SoftphoneQualityWarning[];
}

/**
 * Creates a `Softphone` from `config` in an effect, starts it, and re-renders on its
 * events. Unmounting (or a new key) stops it and frees it once `stop()` resolves.
 * Pass `null` to have no phone (e.g. until credentials are fetched).
 */
export declare function useSoftphone(
  config: SoftphoneConfig | null | undefined,
  options?: UseSoftphoneOptions,
): UseSoftphoneResult;

/** The state of one call (a snapshot from `useSoftphone().calls` or a handle), with a ticking duration and polled stats. */
export declare function useCall(
  call: CallSnapshot | SoftphoneCall | null | undefined,
  options?: UseCallOptions,
): UseCallResult;

/** Whether `error` is one of the package's errors, optionally with `code` (e.g. from `useSoftphone().error`). */
export declare function isSoftphoneError(error: unknown, code?: SoftphoneErrorCode): error is SoftphoneError;

/** The default configuration key (see `UseSoftphoneOptions.key`). */
export declare function configKey(config: SoftphoneConfig | null | undefined): string | null;

/** Formats seconds as `m:ss` or `h:mm:ss`: the function `softphone-core` exports. */
export { formatDuration } from '../index.js';

/** One lamp of `useBlf()`. */
export interface BlfLamp {
  readonly target: string;
  readonly status: SoftphoneSubscriptionStatus;
  /** `null` until the first NOTIFY. */
  readonly lamp: SoftphoneLamp | null;
  readonly remoteIdentity: string | undefined;
  readonly remoteDisplayName: string | undefined;
  /** The whole dialog-info state, `null` until the first NOTIFY. */
  readonly state: SoftphoneBlfState | null;
}

/**
 * BLF lamps for `targets` on `phone` (`useSoftphone().phone`), subscribed while mounted at
 * the phone's paced rate, unsubscribed on unmount or when the list changes. Keyed by target.
 */
export declare function useBlf(
  phone: Softphone | null | undefined,
  targets: readonly string[],
): Readonly<Record<string, BlfLamp>>;

/** What `useMwi()` returns. */
export interface UseMwiResult {
  /** `idle` without a phone. */
  readonly status: SoftphoneSubscriptionStatus | 'idle';
  readonly waiting: boolean;
  readonly newMessages: number;
  readonly oldMessages: number;
  readonly state: SoftphoneMwiState | null;
}

/** Voicemail of `target` (default: the phone's own address), subscribed while mounted. */
export declare function useMwi(phone: Softphone | null | undefined, target?: string): UseMwiResult;
