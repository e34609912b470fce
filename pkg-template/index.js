// softphone-core: the package entry.
//
// Importing this module does nothing: no `window`, WebSocket or RTCPeerConnection is touched
// and the WebAssembly is not fetched, so it is safe to import during server-side rendering.
// The wasm-bindgen glue (softphone_core.js) and the module (softphone_core_bg.wasm) are
// loaded on the first initAsync() or createSoftphone() call, once.
//
// Content-Security-Policy: the browser tells a page which connections its policy blocked
// with `securitypolicyviolation` events, and tells the page only (the WebSocket itself just
// fails, as for any other cause). This entry listens for them from the first
// createSoftphone() / diagnose() on, and adds what it saw to the phone's reports: a
// `disconnected` event's `reason.csp`, a diagnosis' `hints`. It decides nothing: the phone
// retries as it would after any failed open.

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

/** A browser media call failed (`code: 'deviceFailed'`); `browserError` is the browser's exception name. */
export class DeviceError extends SoftphoneError {}

/** The browser (or the environment) lacks something (`code: 'unsupported'`); `feature` says what. */
export class UnsupportedError extends SoftphoneError {}

for (const [cls, name] of [
  [SoftphoneError, 'SoftphoneError'],
  [ConfigError, 'SoftphoneConfigError'],
  [CallError, 'SoftphoneCallError'],
  [DeviceError, 'SoftphoneDeviceError'],
  [UnsupportedError, 'NotSupportedError'],
]) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

/** What the WebAssembly driver calls to make its errors (errors.rs). */
function makeError(code, message, fields) {
  const cls =
    code === 'invalidConfig' ? ConfigError
    : code === 'unsupported' ? UnsupportedError
    : code === 'deviceFailed' ? DeviceError
    : CallError;
  return new cls(message, code, fields);
}

/** @type {Promise<typeof import('./softphone_core.js')> | undefined} */
let loading;

function load(input) {
  if (!loading) {
    loading = import('./softphone_core.js').then(async (glue) => {
      await glue.default(input === undefined ? undefined : { module_or_path: input });
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
 */
function requireBrowser(what) {
  const missing = ['WebSocket', 'RTCPeerConnection'].filter((name) => typeof globalThis[name] !== 'function');
  if (missing.length === 0) return;
  throw new UnsupportedError(
    `softphone-core: ${what} needs a browser (WebSocket and RTCPeerConnection); ` +
      `this environment has no ${missing.join(' and no ')}. ` +
      'Importing the package during server-side rendering is fine: make the phone in the browser (e.g. in a React effect).',
    'unsupported',
    { feature: missing.join(', ') },
  );
}

/**
 * connect-src violations this page has seen, by origin (`wss://pbx.example.com:8089`).
 * A page's policies only ever get stricter, so a blocked origin stays blocked.
 * @type {Map<string, { directive: string, blockedUri: string }>}
 */
const blocked = new Map();
let watching = false;

function originOf(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return undefined;
  }
}

function watchPolicy() {
  if (watching || typeof globalThis.addEventListener !== 'function') return;
  watching = true;
  globalThis.addEventListener('securitypolicyviolation', (e) => {
    // A report-only policy blocks nothing. `effectiveDirective` is `connect-src` also when
    // `default-src` stood in for it.
    if (e.disposition === 'report') return;
    const directive = e.effectiveDirective || e.violatedDirective;
    if (directive !== 'connect-src') return;
    const origin = originOf(e.blockedURI);
    if (origin !== undefined) blocked.set(origin, { directive, blockedUri: e.blockedURI });
  });
}

function cspHint(url) {
  return (
    `the page's Content-Security-Policy forbids ${url} (connect-src): ` +
    `add ${originOf(url) ?? url} to connect-src in the policy the page is served with`
  );
}

const HINTS = {
  openFailed:
    'the browser does not say why a WebSocket failed to open: a wrong path (Asterisk serves /ws only), ' +
    'a TLS certificate the browser does not trust, a refused port, a proxy or tunnel error, ' +
    "or the page's Content-Security-Policy connect-src (the console says so); diagnose() checks the servers",
  connectTimeout:
    'no answer within connectTimeout: the server is down, or packets to it are dropped (firewall, wrong port), ' +
    "or the page's Content-Security-Policy connect-src forbids it and the browser did not say so (see the console)",
};

/** Adds `csp` and `hint` to a `disconnected` event of a flow that never opened. */
function explain(event) {
  const reason = event && event.state === 'disconnected' ? event.reason : undefined;
  if (reason && (reason.kind === 'openFailed' || reason.kind === 'connectTimeout') && reason.hint === undefined) {
    const csp = blocked.get(originOf(event.url));
    if (csp) reason.csp = csp;
    reason.hint = csp ? cspHint(event.url) : HINTS[reason.kind];
  }
  return event;
}

/** Puts the CSP hint first for each WebSocket server a policy blocked. */
function explainDiagnosis(diagnosis) {
  for (const check of diagnosis?.websocket ?? []) {
    if (check.status !== 'open' && blocked.has(originOf(check.url)) && Array.isArray(check.hints)) {
      check.hints.unshift(cspHint(check.url));
    }
  }
  return diagnosis;
}

/** @type {any} */
let Phone;

/** The Softphone class with the CSP findings added to its reports. */
function phoneClass(glue) {
  Phone ??= class Softphone extends glue.Softphone {
    on(type, handler) {
      const wrapped = type === 'connection' && typeof handler === 'function' ? (e) => handler(explain(e)) : handler;
      return super.on(type, wrapped);
    }

    async diagnose(options) {
      return explainDiagnosis(await super.diagnose(options));
    }
  };
  return Phone;
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
