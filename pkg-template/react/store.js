// @ts-check
'use client';
// softphone-core/react: the store behind one useSoftphone(), and the call snapshots it makes.

import { CallError } from '../index.js';

/**
 * @typedef {import('./index.js').Softphone} Softphone
 * @typedef {import('./index.js').SoftphoneCall} SoftphoneCall
 * @typedef {import('./index.js').SoftphoneEvent} SoftphoneEvent
 * @typedef {import('./index.js').SoftphoneCallEvent} SoftphoneCallEvent
 * @typedef {import('./index.js').SoftphoneQualityEvent} SoftphoneQualityEvent
 * @typedef {import('./index.js').SoftphoneConnectionState} SoftphoneConnectionState
 * @typedef {import('./index.js').SoftphoneRegistrationState} SoftphoneRegistrationState
 * @typedef {import('./index.js').SoftphoneCallErrorCode} SoftphoneCallErrorCode
 * @typedef {import('./index.js').SoftphoneError} SoftphoneError
 * @typedef {import('./index.js').CallSnapshot} CallSnapshot
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
export const NO_CALLS = Object.freeze([]);
/** @type {Snapshot} */
export const IDLE = Object.freeze({
  phone: null,
  connection: IDLE_CONNECTION,
  registration: IDLE_REGISTRATION,
  calls: NO_CALLS,
  error: null,
});
/** How many ended calls a store remembers, so that useCall() can show how they ended. */
const ENDED_KEPT = 20;
export const LIVE_STATES = new Set(['connected', 'reconnecting']);

/**
 * The store that made a call handle (handles from the hooks only).
 * @type {WeakMap<SoftphoneCall, PhoneStore>}
 */
export const storeOfHandle = new WeakMap();

/**
 * The package's own CallError, so `instanceof` and `code` hold for the hooks' errors too.
 * @param {SoftphoneCallErrorCode} code
 * @param {string} message
 */
export function callError(code, message) {
  return new CallError(message, code);
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
export function read(handle, name, fallback) {
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
export function snapshotOf(handle, previous, patch = {}) {
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
export class PhoneStore {
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
