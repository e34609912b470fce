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
import { CallError, SoftphoneError, createSoftphone } from '../index.js';

// The error classes, so that `instanceof` works with imports from either entry, and the
// package's one formatDuration (for `useCall().duration`).
export { CallError, ConfigError, DeviceError, RequestError, SoftphoneError, UnsupportedError, formatDuration } from '../index.js';

/**
 * @typedef {import('./index.js').Softphone} Softphone
 * @typedef {import('./index.js').SoftphoneCall} SoftphoneCall
 * @typedef {import('./index.js').SoftphoneConfig} SoftphoneConfig
 * @typedef {import('./index.js').SoftphoneEvent} SoftphoneEvent
 * @typedef {import('./index.js').SoftphoneCallEvent} SoftphoneCallEvent
 * @typedef {import('./index.js').SoftphoneQualityEvent} SoftphoneQualityEvent
 * @typedef {import('./index.js').SoftphoneCallStats} SoftphoneCallStats
 * @typedef {import('./index.js').SoftphoneSubscription} SoftphoneSubscription
 * @typedef {import('./index.js').SoftphoneSubscriptionStatus} SoftphoneSubscriptionStatus
 * @typedef {import('./index.js').SoftphoneBlfState} SoftphoneBlfState
 * @typedef {import('./index.js').SoftphoneMwiState} SoftphoneMwiState
 * @typedef {import('./index.js').SoftphoneNotifyBody} SoftphoneNotifyBody
 * @typedef {import('./index.js').SoftphoneConnectionState} SoftphoneConnectionState
 * @typedef {import('./index.js').SoftphoneRegistrationState} SoftphoneRegistrationState
 * @typedef {import('./index.js').SoftphoneCallErrorCode} SoftphoneCallErrorCode
 * @typedef {import('./index.js').SoftphoneErrorCode} SoftphoneErrorCode
 * @typedef {import('./index.js').CallSnapshot} CallSnapshot
 * @typedef {import('./index.js').BlfLamp} BlfLamp
 * @typedef {import('./index.js').UseMwiResult} UseMwiResult
 * @typedef {import('./index.js').UseSoftphoneResult} UseSoftphoneResult
 */
/**
 * A store's state: what useSoftphone() returns besides the actions.
 * @typedef {{
 *   readonly phone: Softphone | null,
 *   readonly connection: SoftphoneConnectionState,
 *   readonly registration: SoftphoneRegistrationState,
 *   readonly calls: readonly CallSnapshot[],
 *   readonly error: SoftphoneError | Error | null,
 * }} Snapshot
 */
/**
 * One phone's lifetime in a store (from begin() to detach()), with its event subscriptions.
 * @typedef {{ offs: Array<() => void> }} Session
 */
/** @typedef {{ current: ((event: SoftphoneEvent) => void) | undefined }} EventRef */
/** @typedef {{ -readonly [K in keyof CallSnapshot]?: CallSnapshot[K] }} SnapshotPatch */

/** @type {SoftphoneConnectionState} */
const IDLE_CONNECTION = Object.freeze({ type: 'connection', state: 'idle' });
/** @type {SoftphoneRegistrationState} */
const IDLE_REGISTRATION = Object.freeze({ type: 'registration', state: 'idle' });
/** @type {readonly never[]} */
const NO_CALLS = Object.freeze([]);
/** @type {Snapshot} */
const IDLE = Object.freeze({
  phone: null,
  connection: IDLE_CONNECTION,
  registration: IDLE_REGISTRATION,
  calls: NO_CALLS,
  error: null,
});
/** How many ended calls a store remembers, so that useCall() can show how they ended. */
const ENDED_KEPT = 20;
const LIVE_STATES = new Set(['connected', 'reconnecting']);

/** Resolves when every phone stopped by a hook has finished stopping (never rejects). */
let quiescing = Promise.resolve();

/**
 * The store that made a call handle (handles from the hooks only).
 * @type {WeakMap<SoftphoneCall, PhoneStore>}
 */
const storeOfHandle = new WeakMap();

/**
 * The package's own CallError, so `instanceof` and `code` hold for the hooks' errors too.
 * @param {SoftphoneCallErrorCode} code
 * @param {string} message
 */
function callError(code, message) {
  return new CallError(message, code);
}

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
 * `handle[name]`, or `fallback` when the getter throws (a freed handle).
 * @template {object} H
 * @template {keyof H} N
 * @template F
 * @param {H} handle
 * @param {N} name
 * @param {F} fallback
 * @returns {H[N] | F}
 */
function read(handle, name, fallback) {
  try {
    return handle[name];
  } catch {
    return fallback; // a freed handle
  }
}

/**
 * A frozen plain copy of a call handle's state.
 * @param {SoftphoneCall} handle
 * @param {CallSnapshot | undefined} previous
 * @param {SnapshotPatch} [patch]
 * @returns {CallSnapshot}
 */
function snapshotOf(handle, previous, patch = {}) {
  const hold = read(handle, 'hold', previous?.hold ?? { local: false, remote: false });
  return Object.freeze({
    id: handle.id,
    // Undefined only for a handle freed before its first snapshot, which no store makes.
    direction: /** @type {SoftphoneCall['direction']} */ (read(handle, 'direction', previous?.direction)),
    remoteUri: read(handle, 'remoteUri', previous?.remoteUri ?? ''),
    remoteDisplayName: read(handle, 'remoteDisplayName', previous?.remoteDisplayName),
    state: read(handle, 'state', previous?.state ?? 'ended'),
    hold: Object.freeze({ local: Boolean(hold?.local), remote: Boolean(hold?.remote) }),
    muted: Boolean(read(handle, 'muted', previous?.muted)),
    connectedAt: read(handle, 'connectedAt', previous?.connectedAt),
    endedAt: previous?.endedAt,
    endCause: previous?.endCause,
    remoteStream: read(handle, 'remoteStream', previous?.remoteStream ?? null),
    localStream: read(handle, 'localStream', previous?.localStream ?? null),
    warnings: previous?.warnings ?? NO_CALLS,
    transferTarget: previous?.transferTarget,
    replaces: previous?.replaces,
    call: handle,
    ...patch,
  });
}

/** The state behind one useSoftphone(): snapshots for useSyncExternalStore. */
class PhoneStore {
  constructor() {
    /** @type {Snapshot} */
    this.snapshot = IDLE;
    /** @type {Set<() => void>} */
    this.listeners = new Set();
    /** @type {Session | null} */
    this.session = null;
    /** @type {Map<number, SoftphoneCall>} call id -> handle, live calls only */
    this.handles = new Map();
    /** @type {Map<number, CallSnapshot>} call id -> last snapshot of an ended call */
    this.ended = new Map();
    /** @param {() => void} listener */
    this.subscribe = (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    };
    this.getSnapshot = () => this.snapshot;
  }

  /** @param {Partial<Snapshot>} patch */
  set(patch) {
    this.snapshot = Object.freeze({ ...this.snapshot, ...patch });
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * The latest snapshot of call `id`, live or recently ended.
   * @param {number} id
   */
  callSnapshot(id) {
    return this.snapshot.calls.find((c) => c.id === id) ?? this.ended.get(id);
  }

  /** @param {Session} session */
  begin(session) {
    this.session = session;
    this.handles.clear();
    this.set({ ...IDLE });
  }

  /**
   * Subscribes to the phone's events for `session`; returns false if the session is over.
   * @param {Session} session
   * @param {Softphone} phone
   * @param {EventRef} onEventRef
   */
  attach(session, phone, onEventRef) {
    if (this.session !== session) return false;
    /** @type {Array<() => void>} */
    const offs = [];
    /**
     * @template {SoftphoneEvent} E
     * @param {(event: E) => void} fn
     * @returns {(event: E) => void}
     */
    const guard = (fn) => (event) => {
      if (this.session !== session) return;
      fn(event);
      try {
        onEventRef.current?.(event);
      } catch (e) {
        console.error('[softphone-core/react] onEvent threw:', e);
      }
    };
    offs.push(phone.on('connection', guard((e) => this.set({ connection: e }))));
    offs.push(phone.on('registration', guard((e) => this.set({ registration: e }))));
    offs.push(phone.on('log', guard(() => {})));
    // 'call' and 'quality' exist from the calls driver on; older builds reject the type.
    for (const subscribe of [
      () => phone.on('call', guard((e) => this.onCall(phone, e))),
      () => phone.on('quality', guard((e) => this.onQuality(e))),
    ]) {
      try {
        offs.push(subscribe());
      } catch {
        // not supported by this build
      }
    }
    session.offs = offs;
    this.set({ phone });
    return true;
  }

  /** @param {Session} session */
  detach(session) {
    if (this.session !== session) return;
    for (const off of session.offs ?? []) off();
    this.session = null;
    this.handles.clear();
    this.set({ ...IDLE });
  }

  /**
   * @param {Session} session
   * @param {Error} error
   */
  fail(session, error) {
    if (this.session === session) this.set({ error });
  }

  /** @param {number} id */
  handle(id) {
    const handle = this.handles.get(id);
    if (!handle) throw callError('noSuchCall', `no live call ${id}`);
    return handle;
  }

  /** @param {SoftphoneCall} handle */
  adopt(handle) {
    this.handles.set(handle.id, handle);
    storeOfHandle.set(handle, this);
  }

  /**
   * Rebuilds the list of live calls from the cached handles.
   * @param {Map<number, SnapshotPatch>} [patches]
   */
  refresh(patches = new Map()) {
    const previous = new Map(this.snapshot.calls.map((c) => [c.id, c]));
    const calls = [];
    for (const [id, handle] of this.handles) {
      calls.push(snapshotOf(handle, previous.get(id), patches.get(id)));
    }
    this.set({ calls: Object.freeze(calls) });
  }

  /**
   * @param {Softphone} phone
   * @param {SoftphoneCallEvent} e
   */
  onCall(phone, e) {
    const id = e.callId;
    if (e.event === 'ended') {
      const handle = this.handles.get(id);
      const last = this.snapshot.calls.find((c) => c.id === id);
      const known = handle ?? last?.call;
      if (known) {
        const final = snapshotOf(known, last, { state: 'ended', endedAt: Date.now(), endCause: e.cause });
        this.ended.set(id, final);
        const oldest = this.ended.keys().next();
        if (this.ended.size > ENDED_KEPT && !oldest.done) this.ended.delete(oldest.value);
      }
      this.handles.delete(id);
      this.refresh();
      return;
    }
    if (!this.handles.has(id)) {
      const handle = typeof phone.getCall === 'function' ? phone.getCall(id) : undefined;
      if (!handle) return;
      this.adopt(handle);
    }
    const patches = new Map();
    if (e.event === 'transferRequested') patches.set(id, { transferTarget: e.target });
    if (e.event === 'incoming' && e.replaces !== undefined) patches.set(id, { replaces: e.replaces });
    this.refresh(patches);
  }

  /** @param {SoftphoneQualityEvent} e */
  onQuality(e) {
    const current = this.snapshot.calls.find((c) => c.id === e.callId);
    if (!current) return;
    const others = current.warnings.filter((w) => w !== e.warning);
    const warnings = Object.freeze(e.active ? [...others, e.warning] : others);
    this.refresh(new Map([[e.callId, { warnings }]]));
  }
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
      const message = /** @type {Error} */ (error).message;
      onEventRef.current?.({ type: 'log', level: 'error', message: `setCredentials failed: ${message}` });
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

/** @type {Readonly<Record<string, BlfLamp>>} */
const NO_LAMPS = Object.freeze({});

/**
 * A frozen copy of what a subscription handle last said.
 * @template {SoftphoneNotifyBody} B
 * @param {import('./index.js').SoftphoneSubscription<B>} sub
 * @returns {{ status: SoftphoneSubscriptionStatus, state: B | null }}
 */
function subscriptionSnapshot(sub) {
  return { status: read(sub, 'status', 'ended'), state: read(sub, 'state', null) };
}

/**
 * BLF lamps for `targets` on `phone` (`useSoftphone().phone`): subscribes while mounted
 * (started at the phone's paced rate) and unsubscribes on unmount or when the list changes.
 * Returns, per target, `{ status, lamp, remoteIdentity, remoteDisplayName, state }`;
 * `lamp` is `null` until the first NOTIFY.
 * @param {import('./index.js').Softphone | null | undefined} phone
 * @param {readonly string[]} targets
 * @returns {Readonly<Record<string, import('./index.js').BlfLamp>>}
 */
export function useBlf(phone, targets) {
  const key = JSON.stringify(targets ?? []);
  const [lamps, setLamps] = useState(NO_LAMPS);
  useEffect(() => {
    if (!phone) {
      setLamps(NO_LAMPS);
      return undefined;
    }
    /** @type {string[]} */
    const list = JSON.parse(key);
    /** @type {Array<import('./index.js').SoftphoneSubscription<SoftphoneBlfState>>} */
    let subs = [];
    try {
      subs = phone.watchBlf(list);
    } catch (e) {
      console.error('[softphone-core/react] useBlf:', e);
    }
    /** @type {Record<string, BlfLamp>} */
    const current = {};
    const offs = subs.map((sub, i) => {
      const update = () => {
        const { status, state } = subscriptionSnapshot(sub);
        current[list[i]] = Object.freeze({
          target: list[i],
          status,
          lamp: state?.lamp ?? null,
          remoteIdentity: state?.remoteIdentity,
          remoteDisplayName: state?.remoteDisplayName,
          state,
        });
        setLamps(Object.freeze({ ...current }));
      };
      update();
      return sub.on(update);
    });
    return () => {
      for (const off of offs) off();
      for (const sub of subs) {
        try {
          sub.unsubscribe();
        } catch {
          // already ended with its phone
        }
      }
    };
  }, [phone, key]);
  return lamps;
}

/** @type {UseMwiResult} */
const NO_MWI = Object.freeze({ status: 'idle', waiting: false, newMessages: 0, oldMessages: 0, state: null });

/**
 * Voicemail of `target` (default: the phone's own address) on `phone`, subscribed while
 * mounted. Summaries the PBX sends on its own update it too.
 * @param {import('./index.js').Softphone | null | undefined} phone
 * @param {string} [target]
 * @returns {import('./index.js').UseMwiResult}
 */
export function useMwi(phone, target) {
  const [mwi, setMwi] = useState(NO_MWI);
  useEffect(() => {
    if (!phone) {
      setMwi(NO_MWI);
      return undefined;
    }
    /** @type {import('./index.js').SoftphoneSubscription<SoftphoneMwiState>} */
    let sub;
    try {
      sub = phone.mwi(target);
    } catch (e) {
      console.error('[softphone-core/react] useMwi:', e);
      return undefined;
    }
    const update = () => {
      const { status, state } = subscriptionSnapshot(sub);
      setMwi(
        Object.freeze({
          status,
          waiting: Boolean(state?.waiting),
          newMessages: state?.newMessages ?? 0,
          oldMessages: state?.oldMessages ?? 0,
          state,
        }),
      );
    };
    update();
    const off = sub.on(update);
    return () => {
      off();
      try {
        sub.unsubscribe();
      } catch {
        // already ended with its phone
      }
    };
  }, [phone, target]);
  return mwi;
}
