// @ts-check
// softphone-core: the package entry.
//
// Importing this module outside a browser does nothing: no `window`, WebSocket or
// RTCPeerConnection is touched and the WebAssembly is not fetched, so it is safe to import
// during server-side rendering. In a browser, importing it starts loading the wasm-bindgen
// glue (softphone_core.js) and fetching and compiling the module (softphone_core_bg.wasm)
// at once (see `early` below), so that the first createSoftphone() finds them ready instead
// of fetching one after the other; the module is instantiated on the first initAsync() or
// createSoftphone() call, once.
//
// Content-Security-Policy findings: csp.js. Subscription handles: subscription.js. Both are
// inlined into this file by the build (scripts/inline_modules.py): the package ships one
// entry, so that the browser starts fetching the wasm one round trip sooner.

import { explainDiagnosis, explaining, watchPolicy } from './csp.js';
import { Subscription } from './subscription.js';

/**
 * @typedef {import('./softphone_core.js').InitInput} InitInput
 * @typedef {import('./softphone_core.js').Softphone} DeclaredSoftphone
 * @typedef {import('./softphone_core.js').SoftphoneConfig} SoftphoneConfig
 * @typedef {import('./softphone_core.js').SoftphoneConnectionEvent} SoftphoneConnectionEvent
 * @typedef {import('./softphone_core.js').SoftphoneSubscription} SoftphoneSubscription
 * @typedef {import('./softphone_core.js').SoftphoneSubscribeOptions} SoftphoneSubscribeOptions
 * @typedef {import('./softphone_core.js').SoftphoneNotifyBody} SoftphoneNotifyBody
 * @typedef {import('./softphone_core.js').SoftphoneBlfState} SoftphoneBlfState
 * @typedef {import('./softphone_core.js').SoftphoneMwiState} SoftphoneMwiState
 * @typedef {import('./softphone_core.js').SoftphonePresenceState} SoftphonePresenceState
 * @typedef {import('./softphone_core.js').SoftphoneMessageOptions} SoftphoneMessageOptions
 * @typedef {import('./softphone_core.js').SoftphoneMessageResult} SoftphoneMessageResult
 * @typedef {import('./softphone_core.js').SoftphoneEventType} SoftphoneEventType
 * @typedef {import('./diagnose.js').SoftphoneDiagnosis} SoftphoneDiagnosis
 */
/**
 * @template {SoftphoneEventType} K
 * @typedef {import('./softphone_core.js').SoftphoneEventOf<K>} SoftphoneEventOf
 */
/**
 * @template {SoftphoneNotifyBody} B
 * @typedef {import('./softphone_core.js').SoftphoneSubscription<B>} SoftphoneSubscriptionOf
 */
/**
 * The wasm-bindgen class as the glue defines it, before phoneClass() wraps it. The declared
 * Softphone (softphone_core.d.ts) describes the wrapped class: its sendMessage() and
 * subscribe() return a promise and a handle where the glue's return ids (GlueMethods), and
 * blf(), watchBlf(), mwi(), presence() and subscriptions() exist in the wrapper only.
 * @typedef {Omit<DeclaredSoftphone, 'on' | 'diagnose' | 'sendMessage' | 'subscribe' | 'blf' | 'watchBlf' | 'mwi' | 'presence' | 'subscriptions'> & {
 *   on<K extends SoftphoneEventType>(type: K, handler: (event: SoftphoneEventOf<K>) => void): () => void,
 *   diagnose(options?: { timeout?: number, iceTimeout?: number }): Promise<SoftphoneDiagnosis>,
 *   unsubscribe(id: number): void,
 * }} GlueSoftphone
 */
/**
 * The glue's MESSAGE and SUBSCRIBE methods, which the wrapper replaces (called on the wrapper
 * through the glue's prototype, as `super.sendMessage()` would).
 * @typedef {{
 *   sendMessage(target: string, body: string, options?: SoftphoneMessageOptions): number,
 *   subscribe(target: string, event: string, options?: SoftphoneSubscribeOptions): number,
 * }} GlueMethods
 */
/**
 * The glue module with its undeclared export (errors.rs, `skip_typescript`).
 * @typedef {typeof import('./softphone_core.js') & { __setErrorFactory(factory: typeof makeError): void }} Glue
 */

/** The sessionStorage key under which this tab's generated instanceId is kept. */
export const INSTANCE_ID_STORAGE_KEY = 'softphone-core:instance-id';

/**
 * Every error the package throws or rejects with is a SoftphoneError with a `code` (one
 * union, SoftphoneErrorCode); the subclasses say what kind it is. The names are those the
 * errors had before the classes existed, so code testing `err.name` keeps working.
 */
export class SoftphoneError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   * @param {Record<string, unknown>} [fields] extra properties (`field`, `browserError`, `feature`)
   */
  constructor(message, code, fields) {
    super(message);
    this.code = code;
    if (fields) Object.assign(this, fields);
  }
}

/** A bad configuration (`code: 'invalidConfig'`); `field` names the field. */
export class ConfigError extends SoftphoneError {}

/** A call operation that does not fit (`noSuchCall`, `invalidState`, `invalidValue` ...). */
export class CallError extends SoftphoneError {}

/** A MESSAGE or subscription argument or state (`invalidTarget`, `invalidValue`, `notConnected`, `noSuchSubscription`). */
export class RequestError extends SoftphoneError {}

/** A browser media call failed (`code: 'deviceFailed'`); `browserError` is the browser's exception name. */
export class DeviceError extends SoftphoneError {}

/** The browser (or the environment) lacks something (`code: 'unsupported'`); `feature` says what. */
export class UnsupportedError extends SoftphoneError {}

for (const [cls, name] of /** @type {Array<[typeof SoftphoneError, string]>} */ ([
  [SoftphoneError, 'SoftphoneError'],
  [ConfigError, 'SoftphoneConfigError'],
  [CallError, 'SoftphoneCallError'],
  [RequestError, 'SoftphoneRequestError'],
  [DeviceError, 'SoftphoneDeviceError'],
  [UnsupportedError, 'NotSupportedError'],
])) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

/**
 * What the WebAssembly driver calls to make its errors (errors.rs).
 * @param {string} code
 * @param {string} message
 * @param {Record<string, unknown>} [fields]
 * @param {string} [kind] `request` for a RequestError
 * @returns {SoftphoneError}
 */
function makeError(code, message, fields, kind) {
  const cls =
    kind === 'request' ? RequestError
    : code === 'invalidConfig' ? ConfigError
    : code === 'unsupported' ? UnsupportedError
    : code === 'deviceFailed' ? DeviceError
    : CallError;
  return new cls(message, code, fields);
}

/**
 * Whether this is a browser that can run the phone: the same test as requireBrowser().
 * @returns {boolean}
 */
function isBrowser() {
  return typeof globalThis.WebSocket === 'function' && typeof globalThis.RTCPeerConnection === 'function';
}

/**
 * The compiled module, requested (with the glue) when this entry is imported in a
 * browser (start-up: navigation -> first REGISTER, BENCHMARKS.md). Otherwise the three files
 * load as a chain: this entry, then the glue when createSoftphone() runs, then the wasm when
 * the glue's init runs, each a round trip, with compilation after the last. Here the glue
 * and the wasm are fetched in parallel and the wasm compiles (streaming, as it arrives)
 * while the app is still making its configuration. The URL is written as the glue writes
 * it, so bundlers that move the .wasm rewrite this one too.
 *
 * Only a hint: if the early compile fails for any reason (a bundler that serves the wasm
 * elsewhere, a wrong MIME type, a Content-Security-Policy without 'wasm-unsafe-eval'),
 * load() does what it did without it, and the error the app sees is that path's.
 * @type {Promise<WebAssembly.Module | undefined> | undefined}
 */
let early;
if (isBrowser() && typeof WebAssembly === 'object' && typeof WebAssembly.compileStreaming === 'function') {
  // Failures are not unhandled rejections: load() decides what they mean.
  import('./softphone_core.js').catch(() => {});
  try {
    early = WebAssembly.compileStreaming(fetch(new URL('./softphone_core_bg.wasm', import.meta.url))).catch(() => undefined);
  } catch {
    early = undefined;
  }
}

/** @type {Promise<Glue> | undefined} */
let loading;

/**
 * Loads the glue and the module once (again after a failed load).
 * @param {InitInput | Promise<InitInput>} [input]
 * @returns {Promise<Glue>}
 */
function load(input) {
  if (!loading) {
    const pre = input === undefined ? early : undefined;
    // Used once: a retry after a failed load fetches afresh.
    early = undefined;
    loading = import('./softphone_core.js').then(async (module) => {
      const glue = /** @type {Glue} */ (module);
      /** @type {InitInput | undefined} */
      let source = input;
      if (pre) source = await pre;
      await glue.default(source === undefined ? undefined : { module_or_path: source });
      glue.__setErrorFactory(makeError);
      return glue;
    });
    // A failed load (offline, wrong path) may be retried by the next call.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/**
 * Throws when this is not a browser: the phone needs WebSocket and RTCPeerConnection, and
 * without them the first thing to fail would be an unrelated-looking fetch of the .wasm.
 * @param {string} what
 */
function requireBrowser(what) {
  const missing = /** @type {const} */ (['WebSocket', 'RTCPeerConnection']).filter((name) => typeof globalThis[name] !== 'function');
  if (missing.length === 0) return;
  throw new UnsupportedError(
    `softphone-core: ${what} needs a browser (WebSocket and RTCPeerConnection); ` +
      `this environment has no ${missing.join(' and no ')}. ` +
      'Importing the package during server-side rendering is fine: make the phone in the browser (e.g. in a React effect).',
    'unsupported',
    { feature: missing.join(', ') },
  );
}

/** @type {ReturnType<typeof makePhoneClass> | undefined} */
let Phone;

/**
 * The Softphone class (made once).
 * @param {Glue} glue
 */
function phoneClass(glue) {
  Phone ??= makePhoneClass(glue);
  return Phone;
}

/**
 * The Softphone class with the CSP findings added to its reports, and the promise and handle forms of MESSAGE and SUBSCRIBE.
 * @param {Glue} glue
 */
function makePhoneClass(glue) {
  const Base = /** @type {new (config: SoftphoneConfig) => GlueSoftphone} */ (/** @type {unknown} */ (glue.Softphone));
  const glueMethods = /** @type {GlueMethods} */ (/** @type {unknown} */ (glue.Softphone.prototype));
  return class Softphone extends Base {
    /** @type {string} */
    #uri;
    /** @type {Map<number, Subscription>} */
    #subs = new Map();
    #listening = false;

    /** @param {SoftphoneConfig} config */
    constructor(config) {
      super(config);
      this.#uri = config.uri;
    }

    /**
     * @template {SoftphoneEventType} K
     * @param {K} type
     * @param {(event: SoftphoneEventOf<K>) => void} handler
     * @returns {() => void}
     */
    on(type, handler) {
      if (type !== 'connection' || typeof handler !== 'function') return super.on(type, handler);
      const onConnection = /** @type {(event: SoftphoneConnectionEvent) => void} */ (/** @type {unknown} */ (handler));
      let active = true;
      const off = super.on('connection', explaining(onConnection, () => active));
      return () => {
        active = false;
        off();
      };
    }

    /**
     * @param {{ timeout?: number, iceTimeout?: number }} [options]
     * @returns {Promise<SoftphoneDiagnosis>}
     */
    async diagnose(options) {
      return explainDiagnosis(await super.diagnose(options));
    }

    /**
     * @param {string} target
     * @param {string} body
     * @param {SoftphoneMessageOptions} [options]
     * @returns {Promise<SoftphoneMessageResult>}
     */
    sendMessage(target, body, options) {
      const id = glueMethods.sendMessage.call(this, target, body, options);
      return new Promise((resolve) => {
        const off = super.on('message', (e) => {
          // A received MESSAGE has no messageId (and so never matched the test below).
          if (e.event === 'received') return;
          if (e.messageId !== id) return;
          off();
          resolve(
            e.event === 'delivered'
              ? { delivered: true, messageId: id, status: e.status }
              : { delivered: false, messageId: id, status: e.status, reason: e.reason },
          );
        });
      });
    }

    /**
     * @param {string} target
     * @param {string} event
     * @param {SoftphoneSubscribeOptions} [options]
     * @returns {Subscription}
     */
    subscribe(target, event, options) {
      this.#listen();
      const id = glueMethods.subscribe.call(this, target, event, options);
      const sub = new Subscription(id, target, event, (i) => super.unsubscribe(i));
      this.#subs.set(id, sub);
      return sub;
    }

    /**
     * @param {string} target
     * @returns {SoftphoneSubscriptionOf<SoftphoneBlfState>}
     */
    blf(target) {
      return /** @type {SoftphoneSubscriptionOf<SoftphoneBlfState>} */ (this.subscribe(target, 'dialog'));
    }

    /**
     * @param {string[]} targets
     * @returns {Array<SoftphoneSubscriptionOf<SoftphoneBlfState>>}
     */
    watchBlf(targets) {
      if (!Array.isArray(targets)) throw new TypeError('watchBlf() takes an array of targets');
      return targets.map((t) => this.blf(t));
    }

    /**
     * @param {string} [target]
     * @returns {SoftphoneSubscriptionOf<SoftphoneMwiState>}
     */
    mwi(target) {
      return /** @type {SoftphoneSubscriptionOf<SoftphoneMwiState>} */ (
        this.subscribe(target ?? this.#uri, 'message-summary')
      );
    }

    /**
     * @param {string} target
     * @returns {SoftphoneSubscriptionOf<SoftphonePresenceState>}
     */
    presence(target) {
      return /** @type {SoftphoneSubscriptionOf<SoftphonePresenceState>} */ (this.subscribe(target, 'presence'));
    }

    /** @returns {Subscription[]} */
    subscriptions() {
      return [...this.#subs.values()];
    }

    #listen() {
      if (this.#listening) return;
      this.#listening = true;
      super.on('subscription', (e) => {
        const sub = this.#subs.get(e.subscriptionId);
        if (!sub) return;
        if (e.event === 'ended') this.#subs.delete(e.subscriptionId);
        sub.deliver(e);
      });
    }
  };
}

/**
 * Formats a duration in seconds as `m:ss` or `h:mm:ss` (negative as `0:00`), as
 * `useCall().duration` is shown. The one copy in the package: softphone-core/react exports
 * this same function.
 * @param {number} seconds
 * @returns {string}
 */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Loads and instantiates the WebAssembly module. Optional: createSoftphone() calls it.
 * Pass the module's URL (or bytes, a Response, a compiled WebAssembly.Module) when a
 * bundler serves `softphone_core_bg.wasm` from somewhere else; by default it is fetched
 * from beside this file. Only the first call's argument counts.
 * @param {import('./softphone_core.js').InitInput | Promise<import('./softphone_core.js').InitInput>} [input]
 * @returns {Promise<void>}
 */
export async function initAsync(input) {
  await load(input);
}

/**
 * Loads the module if needed and makes a Softphone. Browser only.
 * @param {import('./softphone_core.js').SoftphoneConfig} config
 * @returns {Promise<import('./softphone_core.js').Softphone>}
 * @throws {Error} a SoftphoneConfigError naming the bad field (its `field` property), or a
 *   NotSupportedError outside a browser
 */
export async function createSoftphone(config) {
  requireBrowser('createSoftphone()');
  watchPolicy();
  const glue = await load();
  return new (phoneClass(glue))(config);
}

/**
 * Loads the module if needed and checks a configuration's servers without a phone.
 * Browser only.
 * @param {import('./diagnose.js').SoftphoneDiagnoseConfig} config
 * @returns {Promise<import('./diagnose.js').SoftphoneDiagnosis>}
 */
export async function diagnose(config) {
  requireBrowser('diagnose()');
  watchPolicy();
  const glue = await load();
  return explainDiagnosis(await glue.diagnose(config));
}
