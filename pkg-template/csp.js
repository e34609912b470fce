// @ts-check
// softphone-core: what the page's Content-Security-Policy blocked, for the entry's reports.
//
// Content-Security-Policy: the browser tells a page which connections its policy blocked
// with `securitypolicyviolation` events, and tells the page only (the WebSocket itself just
// fails, as for any other cause). This entry listens for them from the first
// createSoftphone() / diagnose() on, and adds what it saw to the phone's reports: a
// `disconnected` event's `reason.csp`, a diagnosis' `hints`. It decides nothing: the phone
// retries as it would after any failed open.

/**
 * @typedef {import('./softphone_core.js').SoftphoneConnectionEvent} SoftphoneConnectionEvent
 * @typedef {import('./diagnose.js').SoftphoneDiagnosis} SoftphoneDiagnosis
 */

/**
 * connect-src violations this page has seen, by origin (`wss://pbx.example.com:8089`).
 * A page's policies only ever get stricter, so a blocked origin stays blocked.
 * @type {Map<string, { directive: string, blockedUri: string }>}
 */
const blocked = new Map();
let watching = false;

/**
 * @param {string} url
 * @returns {string | undefined}
 */
function originOf(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return undefined;
  }
}

/**
 * The violation recorded for `url`'s origin, if any.
 * @param {string} url
 */
function blockedFor(url) {
  const origin = originOf(url);
  return origin === undefined ? undefined : blocked.get(origin);
}

export function watchPolicy() {
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

/** @param {string} url */
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

/**
 * Adds `csp` and `hint` to a `disconnected` event of a flow that never opened.
 * @param {SoftphoneConnectionEvent} event
 * @returns {SoftphoneConnectionEvent}
 */
function explain(event) {
  if (!event || event.state !== 'disconnected') return event;
  const reason = event.reason;
  if (reason && (reason.kind === 'openFailed' || reason.kind === 'connectTimeout') && reason.hint === undefined) {
    const csp = blockedFor(event.url);
    if (csp) reason.csp = csp;
    reason.hint = csp ? cspHint(event.url) : HINTS[reason.kind];
  }
  return event;
}

/**
 * Puts the CSP hint first for each WebSocket server a policy blocked. Async: after a failed
 * check it first lets the browser deliver a `securitypolicyviolation` still queued (Firefox).
 * @param {SoftphoneDiagnosis} diagnosis
 * @returns {Promise<SoftphoneDiagnosis>}
 */
export async function explainDiagnosis(diagnosis) {
  const failed = (diagnosis?.websocket ?? []).filter((check) => check.status !== 'open');
  if (failed.some((check) => blockedFor(check.url) === undefined)) await nextTask();
  for (const check of diagnosis?.websocket ?? []) {
    if (check.status !== 'open' && blockedFor(check.url) !== undefined && Array.isArray(check.hints)) {
      check.hints.unshift(cspHint(check.url));
    }
  }
  return diagnosis;
}

/**
 * A flow that failed to open, to a server no policy is known to block (yet).
 * @param {SoftphoneConnectionEvent} event
 */
function unexplainedOpenFailure(event) {
  return event?.state === 'disconnected' && event.reason?.kind === 'openFailed' && blockedFor(event.url) === undefined;
}

/**
 * Resolves after the tasks the browser has already queued (a `securitypolicyviolation` among them).
 * @returns {Promise<void>}
 */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Calls `handler(event)`; an error it throws is reported as uncaught without stopping the caller's loop.
 * @template T
 * @param {(event: T) => void} handler
 * @param {T} event
 */
function deliver(handler, event) {
  try {
    handler(event);
  } catch (e) {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(e);
    else setTimeout(() => {
      throw e;
    }, 0);
  }
}

/**
 * Wraps a `connection` handler so that its events carry the CSP findings. Firefox throws from
 * `new WebSocket()` for a server the policy forbids and fires `securitypolicyviolation` one
 * task later (Chromium fires it first): an open failure not yet explained, and every event
 * after it, wait for that task, in order, and are then explained and delivered.
 * @param {(event: SoftphoneConnectionEvent) => void} handler
 * @param {() => boolean} isActive
 * @returns {(event: SoftphoneConnectionEvent) => void}
 */
export function explaining(handler, isActive) {
  /** @type {SoftphoneConnectionEvent[] | null} */
  let held = null;
  return (event) => {
    if (held) {
      held.push(event);
      return;
    }
    if (!unexplainedOpenFailure(event)) {
      handler(explain(event));
      return;
    }
    held = [event];
    nextTask().then(() => {
      const events = held ?? [];
      held = null;
      for (const e of events) if (isActive()) deliver(handler, explain(e));
    });
  };
}
