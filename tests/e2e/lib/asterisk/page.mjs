// What the Asterisk e2e tests (tests/e2e/asterisk*.test.mjs) share: extensions with passwords
// made for this run, softphone configs for the peer, and waits on the call harness page
// (tests/e2e/pages/calls.html, window.harness) and on the peer's record. Every wait is bounded
// and, when it times out, says what it saw. Passwords are never printed.
//
//   const users = makeUsers(['1001', '1002']);          // {1001: '<random>', ...}
//   const pbx = await startAsterisk({ users, routes: { 600: '1003' } });
//   const page = await openCallsPage(browser, site, consoleLines);
//   await startPhone(page, '1001', phoneConfig(pbx, users, '1001'));
//   const [a, b] = await connect(page, '1001', '1002');

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

/** The domain of the test AORs (Asterisk does not care which; FreePBX users often put its address). */
export const DOMAIN = '127.0.0.1';

/** A users table with a fresh random password per extension. */
export function makeUsers(extensions) {
  return Object.fromEntries(extensions.map((e) => [e, randomBytes(9).toString('base64url')]));
}

/** The softphone config for extension `user` on `pbx`; `extra` overrides. */
export function phoneConfig(pbx, users, user, extra = {}) {
  return { servers: pbx.wsUri, uri: `sip:${user}@${DOMAIN}`, password: users[user], logLevel: 'info', ...extra };
}

/** Opens tests/calls.html in a new tab of `browser` and waits for the wasm module. */
export async function openCallsPage(browser, site, consoleLines) {
  const page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(m.text()));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(`${site.url}tests/calls.html`);
  await page.waitForFunction(() => window.harness && window.harness.ready !== false, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.harness.ready), true, 'the wasm module loads');
  return page;
}

/** page.evaluate with arguments spread: h(page, ([a, b]) => ..., a, b). */
export const h = (page, fn, ...args) => page.evaluate(fn, args);

/** The page's clock (performance.now()). */
export const pageNow = (page) => page.evaluate(() => performance.now());

/** The page's clock origin, to turn an event's `at` into Date.now() time. */
export const pageOrigin = (page) => page.evaluate(() => performance.timeOrigin);

/**
 * Waits for an event of phone `name` whose fields equal `want` (e.g. {type: 'call', event:
 * 'connected', callId: 3}), delivered after page time `after`; returns it.
 */
export async function waitEvent(page, name, want, { timeout = 10_000, after = 0 } = {}) {
  const match = ([n, w, a]) =>
    window.harness.events.find(
      (e) => e.phone === n && e.at > a && Object.entries(w).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v)),
    ) ?? null;
  try {
    await page.waitForFunction(match, [name, want, after], { timeout, polling: 50 });
  } catch {
    const seen = await h(page, ([n]) => window.harness.events.filter((e) => e.phone === n), name);
    const lines = seen.map(
      (e) => `${Math.round(e.at)} ${e.type} #${e.callId ?? ''} ${e.event ?? e.state ?? ''}${e.cause ? ' ' + JSON.stringify(e.cause) : ''}${e.status ? ' ' + e.status : ''}`,
    );
    assert.fail(`${name}: no ${JSON.stringify(want)} after ${Math.round(after)} within ${timeout} ms; saw:\n${lines.join('\n')}`);
  }
  return page.evaluate(match, [name, want, after]);
}

/** Creates phone `name` with `config`, starts it and waits until it is registered. */
export async function startPhone(page, name, config) {
  const made = await h(page, ([n, c]) => window.harness.create(n, c), name, config);
  assert.ok(made.instanceId, JSON.stringify(made));
  const t0 = await pageNow(page);
  await h(page, ([n]) => window.harness.start(n), name);
  return waitEvent(page, name, { type: 'registration', state: 'registered' }, { after: t0 });
}

/** Runs a call method in the page: act(page, '1001', id, 'hold'). */
export const act = (page, name, id, method, ...rest) =>
  h(page, ([n, i, m, r]) => window.harness.act(n, i, m, ...r), name, id, method, rest);

/** `caller` calls `target` (default: the callee's extension), `callee` answers; both connected. */
export async function connect(page, caller, callee, target = callee) {
  const t0 = await pageNow(page);
  const placed = await h(page, ([c, t]) => window.harness.call(c, t), caller, target);
  assert.ok(placed.id, `call failed: ${JSON.stringify(placed.error)}`);
  const incoming = await waitEvent(page, callee, { type: 'call', event: 'incoming' }, { after: t0 });
  assert.ok((await act(page, callee, incoming.callId, 'answer')).ok);
  await waitEvent(page, caller, { type: 'call', callId: placed.id, event: 'connected' });
  await waitEvent(page, callee, { type: 'call', callId: incoming.callId, event: 'connected' });
  return [placed.id, incoming.callId, incoming];
}

/** Waits until `predicate()` is truthy (polled every 50 ms); returns its value. */
export async function until(predicate, { timeout = 10_000, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = predicate();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops phones `names`, bounded: for after(); never throws. */
export async function stopPhones(page, names, boundMs = 12_000) {
  if (!page) return;
  const all = h(page, ([ns]) => Promise.all(ns.map((n) => window.harness.stop(n).catch(() => 0))), names).catch(() => {});
  let timer;
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, boundMs)))]);
  clearTimeout(timer);
}

/** A one-line summary of the peer's record (method / status, direction), for failure messages. */
export function transcript(pbx, last = 40) {
  return pbx.messages
    .slice(-last)
    .map((m) => `${m.dir === 'in' ? '->' : '<-'} f${m.flow} ${m.msg.method ?? m.msg.status + ' ' + m.msg.reason} (${m.msg.cseq.seq} ${m.msg.cseq.method})`)
    .join('\n');
}
