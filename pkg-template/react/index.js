// @ts-check
'use client';
// softphone-core/react: React hooks over the softphone-core API (hand-written ESM, no build).
//
//   const sp = useSoftphone(config);   // { phone, connection, registration, calls, error, call(), answer(id) ... }
//   const c = useCall(sp.calls[0]);    // { state, duration, hold, muted, stats, warnings }
//
// Server-side rendering: importing this module and rendering with it touch no browser API;
// the phone is created in an effect, so the server (and the first client render) see the
// idle snapshot. Events reach React through useSyncExternalStore from the package's event
// handlers, which run after the Rust call that caused them has returned.
//
// Credentials: `password`, `ha1` and `authorizationUser` are not part of the key. A changed
// one is applied to the running phone with setCredentials() (the next challenge uses it; no
// call drops, no re-registration storm), so a token-style password that rotates every few
// minutes does not recreate the phone.
//
// Lifecycle: one phone per mounted hook and configuration key. Changing the key, or
// unmounting, stops the phone (un-REGISTER, hang up) and frees it once stop() resolves.
// A new phone is started only after every phone a hook stopped has finished stopping, so
// an un-REGISTER of the old flow cannot remove the new binding (same +sip.instance and
// reg-id). React 19 StrictMode's mount/unmount/mount never starts the first phone: its
// creation is cancelled before the WebAssembly call.

import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { SoftphoneError, createSoftphone } from '../index.js';
import { IDLE, LIVE_STATES, NO_CALLS, PhoneStore, callError, snapshotOf, storeOfHandle } from './store.js';

// The error classes, so that `instanceof` works with imports from either entry, and the
// package's one formatDuration (for `useCall().duration`).
export { CallError, ConfigError, DeviceError, RequestError, SoftphoneError, UnsupportedError, formatDuration } from '../index.js';
// The BLF and voicemail hooks.
export { useBlf, useMwi } from './subscriptions.js';

/**
 * @typedef {import('./index.js').Softphone} Softphone
 * @typedef {import('./index.js').SoftphoneCall} SoftphoneCall
 * @typedef {import('./index.js').SoftphoneConfig} SoftphoneConfig
 * @typedef {import('./index.js').SoftphoneCallStats} SoftphoneCallStats
 * @typedef {import('./index.js').SoftphoneErrorCode} SoftphoneErrorCode
 * @typedef {import('./index.js').CallSnapshot} CallSnapshot
 * @typedef {import('./index.js').UseSoftphoneResult} UseSoftphoneResult
 */
/**
 * @typedef {import('./store.js').Snapshot} Snapshot
 * @typedef {import('./store.js').Session} Session
 * @typedef {import('./store.js').EventRef} EventRef
 */

/** Resolves when every phone stopped by a hook has finished stopping (never rejects). */
let quiescing = Promise.resolve();

/**
 * Whether `error` is one of the package's errors, optionally with `code`.
 * @param {unknown} error
 * @param {SoftphoneErrorCode} [code]
 * @returns {error is SoftphoneError}
 */
export function isSoftphoneError(error, code) {
  return error instanceof SoftphoneError && (code === undefined || error.code === code);
}

/** The configuration fields applied with setCredentials() rather than by a new phone. */
const CREDENTIAL_FIELDS = /** @type {const} */ (['password', 'ha1', 'authorizationUser']);

/**
 * The credentials of a configuration, as a comparable string (never logged).
 * @param {SoftphoneConfig | null | undefined} config
 * @returns {string | null}
 */
function credentialsOf(config) {
  if (config == null) return null;
  return JSON.stringify(CREDENTIAL_FIELDS.map((k) => config[k] ?? null));
}

/**
 * The configuration key: a serialization with sorted keys, so that an equal object made
 * afresh on every render keeps the same phone. `null`/`undefined` means "no phone yet".
 * The credentials are left out: a changed password is applied to the phone in place.
 * @param {SoftphoneConfig | null | undefined} config
 * @returns {string | null}
 */
export function configKey(config) {
  if (config == null) return null;
  /** @type {Partial<SoftphoneConfig>} */
  const rest = { ...config };
  for (const k of CREDENTIAL_FIELDS) delete rest[k];
  return JSON.stringify(rest, (_k, /** @type {unknown} */ value) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, /** @type {Record<string, unknown>} */ (value)[k]]),
        )
      : value,
  );
}

/**
 * Creates, starts and owns a Softphone while the component is mounted.
 * @param {import('./index.js').SoftphoneConfig | null | undefined} config
 * @param {import('./index.js').UseSoftphoneOptions} [options]
 * @returns {import('./index.js').UseSoftphoneResult}
 */
export function useSoftphone(config, options = {}) {
  const [store] = useState(() => new PhoneStore());
  const [onEventRef] = useState(() => /** @type {EventRef} */ ({ current: undefined }));
  onEventRef.current = options.onEvent;
  const key = options.key !== undefined ? options.key : configKey(config);
  const autoStart = options.autoStart !== false;
  /** The phone made last and the credentials it holds. */
  const [applied] = useState(() => /** @type {{ phone: Softphone | null, credentials: string | null }} */ ({ phone: null, credentials: null }));
  const credentials = credentialsOf(config);

  useEffect(() => {
    if (key === null) return undefined;
    /** @type {Session} */
    const session = { offs: [] };
    store.begin(session);
    let cancelled = false;
    /** @type {Softphone | null} */
    let phone = null;
    (async () => {
      try {
        // The un-REGISTER of a phone this or another hook stopped must finish first.
        await quiescing;
        if (cancelled) return;
        const madeWith = credentialsOf(config);
        // `config` is null here only with an explicit `options.key`: createSoftphone() rejects it.
        const made = await createSoftphone(/** @type {SoftphoneConfig} */ (config));
        if (cancelled) {
          made.free();
          return;
        }
        phone = made;
        applied.phone = made;
        applied.credentials = madeWith;
        if (store.attach(session, made, onEventRef) && autoStart) made.start();
      } catch (error) {
        // createSoftphone() rejects with Errors only (a SoftphoneError, or a failed load).
        if (!cancelled) store.fail(session, /** @type {Error} */ (error));
      }
    })();
    return () => {
      cancelled = true;
      store.detach(session);
      if (phone) {
        const stopping = phone;
        const done = stopping
          .stop()
          .catch(() => {})
          .then(() => stopping.free());
        quiescing = Promise.all([quiescing, done]).then(
          () => {},
          () => {},
        );
      }
    };
    // The phone is re-created when the key changes only: `config` is read at that moment.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, store, autoStart]);

  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, () => IDLE);

  // A changed password (or HA1, or digest user) goes to the running phone.
  useEffect(() => {
    const phone = snapshot.phone;
    if (!phone || applied.phone !== phone || credentials === applied.credentials || config == null) return;
    applied.credentials = credentials;
    const authUser = config.authorizationUser !== undefined ? { authUser: config.authorizationUser } : {};
    const secret =
      config.password !== undefined ? { password: config.password } : config.ha1 !== undefined ? { ha1: config.ha1 } : null;
    if (secret === null) return;
    try {
      phone.setCredentials({ ...secret, ...authUser });
    } catch (error) {
      // setCredentials() throws a SoftphoneError; read only when there is a handler, as before.
      const failure = /** @type {Error} */ (error);
      onEventRef.current?.({ type: 'log', level: 'error', message: `setCredentials failed: ${failure.message}` });
    }
    // `config` is read when the credentials change only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snapshot.phone, credentials, applied]);

  const withPhone = useCallback(
    /**
     * @param {string} what
     * @returns {Softphone}
     */
    (what) => {
      const phone = store.snapshot.phone;
      if (!phone) throw callError('notConnected', `cannot ${what}: the phone is not created yet`);
      return phone;
    },
    [store],
  );

  const actions = useActions(store, withPhone);
  return { ...snapshot, ...actions };
}

/**
 * The actions of useSoftphone(), made once per store.
 * @param {PhoneStore} store
 * @param {(what: string) => Softphone} withPhone
 * @returns {Omit<UseSoftphoneResult, keyof Snapshot>}
 */
function useActions(store, withPhone) {
  /** @type {[Omit<UseSoftphoneResult, keyof Snapshot>, unknown]} */
  const [actions] = useState(() => ({
    start: () => withPhone('start').start(),
    stop: () => withPhone('stop').stop(),
    register: () => withPhone('register').register(),
    unregister: () => withPhone('unregister').unregister(),
    call: (target, options) => {
      const handle = withPhone('call').call(target, options);
      store.adopt(handle);
      store.refresh();
      return handle;
    },
    answer: (id, options) => (options === undefined ? store.handle(id).answer() : store.handle(id).answer(options)),
    reject: (id, status) => (status === undefined ? store.handle(id).reject() : store.handle(id).reject(status)),
    hangup: (id) => store.handle(id).hangup(),
    hold: (id) => store.handle(id).hold(),
    resume: (id) => store.handle(id).resume(),
    unhold: (id) => store.handle(id).unhold(),
    mute: (id) => store.handle(id).mute(),
    unmute: (id) => store.handle(id).unmute(),
    sendDtmf: (id, tones, options) => store.handle(id).sendDtmf(tones, options),
    transfer: (id, target) => store.handle(id).transfer(target),
    diagnose: async (...args) => withPhone('diagnose').diagnose(...args),
  }));
  return actions;
}

/**
 * A snapshot read straight from a handle that no hook owns.
 * @param {SoftphoneCall | null} handle
 */
function unownedSnapshot(handle) {
  return handle ? snapshotOf(handle, undefined) : null;
}

/**
 * The live state of one call: state, a ticking duration, hold and mute, and getStats()
 * polled every 2 s while connected.
 * @param {import('./index.js').CallSnapshot | import('./index.js').SoftphoneCall | null | undefined} call
 * @param {import('./index.js').UseCallOptions} [options]
 * @returns {import('./index.js').UseCallResult}
 */
export function useCall(call, options = {}) {
  const handle = call == null ? null : isSnapshot(call) ? call.call : call;
  const id = handle ? handle.id : undefined;
  const store = handle ? storeOfHandle.get(handle) : undefined;
  const subscribe = useCallback(
    /** @param {() => void} l */
    (l) => (store ? store.subscribe(l) : () => {}),
    [store],
  );
  const owned = useSyncExternalStore(
    subscribe,
    () => (store && id !== undefined ? store.callSnapshot(id) : undefined),
    () => undefined,
  );
  // A handle no hook owns (from phone.call() directly) is read on every render and tick.
  const current = owned ?? (isSnapshot(call) ? call : unownedSnapshot(handle));
  const state = current ? current.state : null;
  const live = state !== null && LIVE_STATES.has(state);
  const connectedAt = current?.connectedAt;
  const statsInterval = options.statsIntervalMs ?? 2000;

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state === null || state === 'ended' || (!live && store)) return undefined;
    // Ticks on the call's own second boundaries; an unowned handle is also re-read.
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const tick = () => {
      const t = Date.now();
      setNow(t);
      const base = connectedAt ?? t;
      timer = setTimeout(tick, 1000 - ((t - base) % 1000) + 5);
    };
    tick();
    return () => clearTimeout(timer);
  }, [live, state, connectedAt, store, handle]);

  const [polled, setPolled] = useState(/** @type {{ id: number | undefined, stats: SoftphoneCallStats } | null} */ (null));
  useEffect(() => {
    if (!live || !handle || typeof handle.getStats !== 'function' || statsInterval <= 0) return undefined;
    let stopped = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const poll = async () => {
      try {
        const s = await handle.getStats();
        if (!stopped) setPolled({ id, stats: s });
      } catch {
        // the call ended meanwhile; the next state change stops polling
      }
      if (!stopped) timer = setTimeout(poll, statsInterval);
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [live, handle, id, statsInterval]);

  const end = current?.endedAt ?? (live ? Math.max(now, connectedAt ?? now) : now);
  const duration = connectedAt === undefined || connectedAt === null ? 0 : Math.max(0, Math.floor((end - connectedAt) / 1000));
  return {
    call: current,
    state,
    duration,
    hold: current ? current.hold : NOT_HELD,
    muted: current ? current.muted : false,
    stats: polled !== null && polled.id === id ? polled.stats : null,
    warnings: current ? current.warnings : NO_CALLS,
  };
}

const NOT_HELD = Object.freeze({ local: false, remote: false });

/**
 * Whether `value` is a snapshot (it holds its handle) rather than a handle.
 * @param {unknown} value
 * @returns {value is CallSnapshot}
 */
function isSnapshot(value) {
  return value !== null && typeof value === 'object' && 'call' in value && typeof value.call === 'object' && value.call !== null && !('answer' in value);
}
