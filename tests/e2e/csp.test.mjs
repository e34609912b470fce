// The package under a strict Content-Security-Policy, in Chromium (playwright-core) and in
// Firefox ESR (geckodriver, tests/e2e/lib/firefox.mjs): the harness page
// (tests/e2e/pages/register.html, a module script from 'self') served with a CSP header
// (`default-src 'none'`: nothing but what the policy names). The same scenarios in both:
//
// - `script-src 'self' 'wasm-unsafe-eval'` and a `connect-src` that allows the SIP server:
//   the phone registers.
// - A `connect-src` that forbids the server: the browser fires `securitypolicyviolation`,
//   and the phone reports the flow as `openFailed` at once (not `connectTimeout` 10 s
//   later) with `reason.csp` and a hint that says what to allow; `diagnose()` says so too.
//   Chromium fires the violation before the WebSocket's `error` event; Firefox throws from
//   `new WebSocket()` and fires the violation one task later (the entry waits for it).
// - Without 'wasm-unsafe-eval' no WebAssembly can compile: createSoftphone() rejects.
// - A server that never answers (the browser has nothing to tell): `connectTimeout` with a
//   hint that names the CSP among the causes.
//
// Safari is not tested: it runs only on macOS and iOS, and playwright's WebKit build cannot
// be installed here (the package README, "Browser support").
//
// Needs pkg/ (bash scripts/build.sh) and the local Kamailio (scripts/test.sh starts it).

import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { firefoxMissing, launchFirefox } from './lib/firefox.mjs';
import { account, launchChromium, readEnv, startKamailio, startStaticServer } from './lib/servers.mjs';

const env = readEnv();
const alice = account('alice');
const wsOrigin = new URL(env.wsUri).origin;
// img-src: the harness page's `data:` favicon.
const STRICT = "default-src 'none'; img-src data:; script-src 'self' 'wasm-unsafe-eval'";

/** The browsers by name; Firefox is started by its own describe() block. */
const browsers = {};
let site;
let proxy;
/** A TCP server that accepts WebSocket connections and never answers the upgrade. */
let silent;
const sockets = new Set();

before(async () => {
  await startKamailio();
  site = await startStaticServer();
  proxy = await startCspProxy(site.url);
  silent = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  for (const b of Object.values(browsers)) await b.close();
  await site?.close();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve()));
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve()));
});

/**
 * In front of the static server: answers as it does, with `Content-Security-Policy` set
 * to the page's `?csp=` on HTML answers. (Not playwright's route.fulfill(): Chromium takes
 * a document it did not load from the network for a public one, and its Local Network
 * Access checks then refuse every WebSocket to 127.0.0.1.)
 */
function startCspProxy(target) {
  const server = createHttpServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const answer = await fetch(new URL(url.pathname, target));
    const headers = { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (headers['content-type'].startsWith('text/html') && url.searchParams.has('csp')) {
      headers['content-security-policy'] = url.searchParams.get('csp');
    }
    res.writeHead(answer.status, headers);
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Opens the harness page served with `Content-Security-Policy: csp` in `engine`. Console lines
 * are collected in Chromium only (classic WebDriver has no console events); `securitypolicyviolation`
 * events after load are recorded by the page in both (`window.violations`).
 */
async function openPage(engine, csp) {
  const url = `http://127.0.0.1:${proxy.address().port}/tests/register.html?csp=${encodeURIComponent(csp)}`;
  const consoleLines = [];
  let page;
  if (engine === 'chromium') {
    browsers.chromium ??= await launchChromium();
    page = await browsers.chromium.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    await page.goto(url);
  } else {
    page = await browsers.firefox.newPage(url);
  }
  // `ready` is true, or the reason initAsync() failed.
  await page.waitForFunction(() => window.harness && window.harness.ready !== false, null, { timeout: 10_000 });
  await page.evaluate(() => {
    window.violations = [];
    addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective));
  });
  return { page, consoleLines };
}

const config = (extra = {}) => ({
  servers: env.wsUri,
  uri: alice.uri,
  password: alice.password,
  logLevel: 'info',
  ...extra,
});

/** Waits for the first event of `type` matching `state`; returns it. */
async function waitEvent(page, type, state, timeout) {
  try {
    await page.waitForFunction(
      ([t, s]) => window.harness.events.some((e) => e.type === t && e.state === s),
      [type, state],
      { timeout },
    );
  } catch {
    const events = await page.evaluate(() => window.harness.events.filter((e) => e.type !== 'log' || e.level !== 'debug'));
    assert.fail(`no ${type} ${state} within ${timeout} ms; events:\n${events.map((e) => JSON.stringify(e)).join('\n')}`);
  }
  return page.evaluate(([t, s]) => window.harness.events.find((e) => e.type === t && e.state === s), [type, state]);
}

/** The scenarios, in `engine` ('chromium' or 'firefox'). */
function scenarios(engine) {
  test("script-src 'self' 'wasm-unsafe-eval' and connect-src allowing the server: the phone registers", { timeout: 30_000 }, async () => {
    const { page, consoleLines } = await openPage(engine, `${STRICT}; connect-src 'self' ${wsOrigin}`);
    await page.evaluate((c) => window.harness.create('alice', c), config());
    await page.evaluate(() => window.harness.start('alice'));
    await waitEvent(page, 'registration', 'registered', 15_000);
    assert.ok(!consoleLines.some((l) => /Content Security Policy/i.test(l)), `no violation:\n${consoleLines.join('\n')}`);
    assert.deepEqual(await page.evaluate(() => window.violations), [], 'no securitypolicyviolation');
    await page.evaluate(() => window.harness.stop('alice'));
    await page.evaluate(() => window.harness.free('alice'));
    await page.close();
  });

  test('connect-src forbidding the server: reported at once as blocked by the policy, with what to allow', { timeout: 30_000 }, async () => {
    const { page } = await openPage(engine, `${STRICT}; connect-src 'self'`);
    await page.evaluate((c) => window.harness.create('alice', c), config());
    await page.evaluate(() => window.harness.start('alice'));
    const connecting = await waitEvent(page, 'connection', 'connecting', 5_000);
    // Well before connectTimeout (10 s): the flow fails on the browser's `error` event.
    const down = await waitEvent(page, 'connection', 'disconnected', 3_000);
    assert.ok(down.at - connecting.at < 2_000, `reported after ${Math.round(down.at - connecting.at)} ms`);
    assert.equal(down.url, env.wsUri);
    assert.equal(down.reason.kind, 'openFailed');
    assert.equal(down.reason.csp?.directive, 'connect-src');
    assert.ok(down.reason.csp.blockedUri.startsWith(wsOrigin), down.reason.csp.blockedUri);
    assert.match(down.reason.hint, /Content-Security-Policy/);
    assert.ok(down.reason.hint.includes(wsOrigin), down.reason.hint);
    // The phone goes on retrying as after any failed open; it never registers.
    await waitEvent(page, 'connection', 'reconnecting', 5_000);
    const registered = await page.evaluate(() => window.harness.events.some((e) => e.state === 'registered'));
    assert.equal(registered, false);

    // diagnose() puts the policy first among the WebSocket hints.
    const diagnosis = await page.evaluate((servers) => window.harness.diagnose({ servers, timeout: 2 }), env.wsUri);
    const [ws] = diagnosis.websocket;
    assert.notEqual(ws.status, 'open');
    assert.match(ws.hints[0], /Content-Security-Policy forbids/);

    await page.evaluate(() => window.harness.stop('alice'));
    await page.evaluate(() => window.harness.free('alice'));
    await page.close();
  });

  test("without 'wasm-unsafe-eval' the module cannot compile: createSoftphone() rejects", { timeout: 30_000 }, async () => {
    const { page } = await openPage(engine, `default-src 'none'; script-src 'self'; connect-src 'self' ${wsOrigin}`);
    // The harness's own initAsync() at load failed, and so does createSoftphone().
    assert.match(String(await page.evaluate(() => window.harness.ready)), /^failed: CompileError/);
    const error = await page.evaluate(async (c) => {
      try {
        await window.harness.create('alice', c);
        return null;
      } catch (e) {
        return JSON.parse(e.message);
      }
    }, config());
    assert.ok(error, 'createSoftphone() rejected');
    assert.equal(error.name, 'CompileError');
    // Chromium: "... 'unsafe-eval' is not an allowed source ..."; Firefox: "call to
    // WebAssembly.instantiateStreaming() blocked by CSP".
    assert.match(error.message, engine === 'chromium' ? /unsafe-eval/ : /blocked by CSP/);
    await page.close();
  });

  test('a server that never answers: connectTimeout, with a hint that names the policy among the causes', { timeout: 30_000 }, async () => {
    const url = `ws://127.0.0.1:${silent.address().port}/ws`;
    const { page } = await openPage(engine, `${STRICT}; connect-src 'self' ws://127.0.0.1:${silent.address().port}`);
    await page.evaluate((c) => window.harness.create('alice', c), config({ servers: url, connectTimeout: 1 }));
    await page.evaluate(() => window.harness.start('alice'));
    const down = await waitEvent(page, 'connection', 'disconnected', 5_000);
    assert.equal(down.reason.kind, 'connectTimeout');
    assert.equal(down.reason.csp, undefined);
    assert.match(down.reason.hint, /no answer within connectTimeout/);
    assert.match(down.reason.hint, /Content-Security-Policy connect-src/);
    await page.evaluate(() => window.harness.stop('alice'));
    await page.evaluate(() => window.harness.free('alice'));
    await page.close();
  });
}

describe('Content-Security-Policy in Chromium', { concurrency: false }, () => scenarios('chromium'));

describe('Content-Security-Policy in Firefox', { concurrency: false, skip: firefoxMissing() }, () => {
  before(async () => {
    browsers.firefox = await launchFirefox();
  });
  scenarios('firefox');
  test('the scenarios above ran in Firefox', () => {
    assert.match(browsers.firefox.version(), /^\d+\./, 'geckodriver reported a Firefox version');
  });
});
