// The wasm user agent in headless Chromium against the real Kamailio (ws://127.0.0.1:18080/ws):
// digest-authenticated registration, refresh before expiry, recovery after a Kamailio restart,
// and `failed` 401 for a wrong password. Drives tests/e2e/pages/register.html (window.harness)
// over the built package in pkg/ (bash scripts/build.sh first). Needs the local servers
// (bash scripts/servers.sh start kamailio; scripts/test.sh starts and stops them).
// Every wait is bounded; a test that times out lists the events it saw.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeHarness, openHarness } from './lib/harness.mjs';
import { account, readEnv, restartKamailio } from './lib/servers.mjs';

const env = readEnv();
const alice = account('alice');
const bob = account('bob');
const carol = account('carol');
const SECRETS = env.accounts.map((a) => a.password);

let browser;
let site;
let page;
/** Everything the page wrote to its console, to check that no secret leaks. */
const consoleLines = [];

/** A config for the local Kamailio; logLevel trace so that the secrecy check sees everything. */
function config(acc, extra = {}) {
  return {
    servers: env.wsUri,
    uri: acc.uri,
    password: acc.password,
    logLevel: 'trace',
    reconnect: { baseMs: 300, maxMs: 2000 },
    ...extra,
  };
}

const events = (name, type) => page.evaluate(([n, t]) => window.harness.eventsOf(n, t), [name, type]);

/**
 * Waits for an event of `name` with `type` and `state` delivered after `after` (performance.now()
 * ms in the page) and returns it. Fails after `timeout` ms, listing what arrived.
 */
async function waitFor(name, type, state, { after = 0, timeout = 10_000 } = {}) {
  const match = ([n, t, s, a]) =>
    window.harness.events.find((e) => e.phone === n && e.type === t && e.state === s && e.at > a) ?? null;
  const args = [name, type, state, after];
  try {
    await page.waitForFunction(match, args, { timeout, polling: 50 });
  } catch {
    const seen = (await events(name, 'connection')).concat(await events(name, 'registration'));
    seen.sort((x, y) => x.at - y.at);
    const brief = seen.map((e) => `${Math.round(e.at)} ${e.type}:${e.state}${e.status ? ` ${e.status}` : ''}`);
    const panics = consoleLines.filter((l) => l.includes('panicked at')).map((l) => l.split('\n').slice(0, 2).join(' '));
    assert.fail(
      `${name}: no ${type} "${state}" after ${Math.round(after)} within ${timeout} ms; saw:\n${brief.join('\n')}` +
        (panics.length ? `\npanics:\n${panics.join('\n')}` : ''),
    );
  }
  return page.evaluate(match, args);
}

const now = () => page.evaluate(() => performance.now());

before(async () => {
  ({ browser, site, page } = await openHarness({ pagePath: 'tests/register.html', consoleLines }));
});

// Unregister what is left (the core bounds stop() at 4 s; a dead page must not hang us).
after(() => closeHarness({ page, browser, site }, ['alice', 'bob', 'carol']));

describe('register against Kamailio', { concurrency: false }, () => {
  test('registers with digest auth', async () => {
    const t0 = await now();
    await page.evaluate(([c]) => window.harness.create('alice', c), [config(alice)]);
    await page.evaluate(() => window.harness.start('alice'));
    await waitFor('alice', 'connection', 'connected', { after: t0 });
    const registered = await waitFor('alice', 'registration', 'registered', { after: t0 });
    assert.ok(registered.expires > 0 && registered.expires <= 600, `expires ${registered.expires}`);
    // Kamailio challenged the first REGISTER (401) and accepted the authenticated one.
    const logs = (await events('alice', 'log')).map((e) => e.message);
    assert.ok(logs.some((m) => /recv SIP\/2\.0 401/.test(m)), 'a 401 challenge was received');
    assert.ok(logs.some((m) => /recv SIP\/2\.0 200/.test(m)), 'a 200 was received');
    const states = (await events('alice', 'registration')).map((e) => e.state);
    assert.deepEqual(states.slice(0, 2), ['registering', 'registered']);
  });

  test('refreshes the registration before it expires', async () => {
    const t0 = await now();
    await page.evaluate(([c]) => window.harness.create('carol', c), [config(carol, { registerExpires: 10 })]);
    await page.evaluate(() => window.harness.start('carol'));
    const first = await waitFor('carol', 'registration', 'registered', { after: t0 });
    assert.ok(first.expires <= 10, `granted ${first.expires} s`);
    // The second `registered` must come before the first binding lapses.
    const second = await waitFor('carol', 'registration', 'registered', {
      after: first.at,
      timeout: first.expires * 1000 + 2_000,
    });
    const gap = second.at - first.at;
    assert.ok(gap < first.expires * 1000, `refreshed after ${Math.round(gap)} ms, binding lasted ${first.expires} s`);
    assert.ok(gap > 1_000, `refreshed suspiciously early: ${Math.round(gap)} ms`);
    const failed = (await events('carol', 'registration')).filter((e) => e.state === 'failed');
    assert.deepEqual(failed, []);
    const took = await page.evaluate(() => window.harness.stop('carol'));
    assert.ok(took < 5_000, `stop took ${took} ms`);
    const last = (await events('carol', 'registration')).at(-1);
    assert.equal(last.state, 'unregistered');
  });

  test('re-registers by itself after Kamailio restarts', async () => {
    const t0 = await now();
    // Default expiry (600 s): a new `registered` can only come from recovering the flow.
    await page.evaluate(([c]) => window.harness.create('bob', c), [config(bob)]);
    await page.evaluate(() => window.harness.start('bob'));
    await waitFor('bob', 'registration', 'registered', { after: t0 });

    const before = await now();
    await restartKamailio();
    const lost = await waitFor('bob', 'connection', 'disconnected', { after: before, timeout: 15_000 });
    const back = await waitFor('bob', 'connection', 'connected', { after: lost.at, timeout: 20_000 });
    const again = await waitFor('bob', 'registration', 'registered', { after: back.at, timeout: 15_000 });
    assert.ok(again.at > lost.at);
    // alice, registered before the restart too, recovers the same way.
    await waitFor('alice', 'registration', 'registered', { after: before, timeout: 20_000 });
  });

  test('reports failed 401 for a wrong password, and stop() works from a handler', async () => {
    const t0 = await now();
    const wrong = { ...config(alice, { password: 'not-the-password' }) };
    await page.evaluate(([c]) => window.harness.create('mallory', c, { stopFromHandlerOn: 'failed' }), [wrong]);
    await page.evaluate(() => window.harness.start('mallory'));
    const failed = await waitFor('mallory', 'registration', 'failed', { after: t0 });
    assert.equal(failed.status, 401);
    assert.equal(typeof failed.reason, 'string');
    // The handler called stop(): the phone goes idle and stops trying.
    await waitFor('mallory', 'connection', 'disconnected', { after: failed.at, timeout: 12_000 });
    const count = (await events('mallory', 'registration')).length;
    await page.waitForTimeout(1_500);
    assert.equal((await events('mallory', 'registration')).length, count, 'no registration attempt after stop()');
    assert.deepEqual(await page.evaluate(() => window.harness.errors), []);
  });

  test('config errors name the field', async () => {
    const error = await page.evaluate(async () => {
      try {
        await window.harness.create('typo', { servers: 'ws://127.0.0.1:1/ws', uri: 'sip:x@softphone.test', regiserExpires: 5 });
        return null;
      } catch (e) {
        return JSON.parse(e.message);
      }
    });
    assert.deepEqual({ name: error.name, field: error.field }, { name: 'SoftphoneConfigError', field: 'regiserExpires' });
  });

  test('the demo page (www/) registers and disconnects', async () => {
    const dave = account('dave');
    const demo = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      demo.on('console', (m) => consoleLines.push(m.text()));
      await demo.goto(site.url);
      await demo.waitForFunction(() => document.querySelector('#preset').options.length > 1, null, { timeout: 10_000 });
      await demo.selectOption('#preset', String(env.accounts.findIndex((a) => a.user === 'dave')));
      assert.equal(await demo.getAttribute('#password', 'type'), 'password');
      await demo.selectOption('#logLevel', 'trace');
      await demo.click('#connect');
      await demo.waitForFunction(() => document.querySelector('#reg').textContent === 'registered', null, { timeout: 10_000 });
      await demo.click('#disconnect');
      await demo.waitForFunction(() => document.querySelector('#log').innerText.includes('stopped'), null, { timeout: 12_000 });
      const shown = await demo.$eval('#log', (el) => el.innerText);
      assert.ok(shown.includes('registration: registered'), 'the log shows the registration');
      assert.ok(!shown.includes(dave.password), 'the password is not shown');
    } finally {
      await demo.close();
    }
  });

  test('no password appears on the console or in log events', async () => {
    const logs = (await page.evaluate(() => window.harness.events.filter((e) => e.type === 'log'))).map((e) => e.message);
    assert.ok(logs.length > 10, 'trace logging produced lines');
    assert.ok(logs.some((m) => /^send REGISTER/.test(m)), 'REGISTERs were logged');
    for (const line of [...consoleLines, ...logs]) {
      for (const secret of [...SECRETS, 'not-the-password']) {
        assert.ok(!line.includes(secret), `a password leaked: ${line.slice(0, 80)}...`);
      }
      // Authorization header values are redacted.
      assert.ok(!/Authorization:\s*Digest\s+\w+=/.test(line), `an Authorization value leaked: ${line.slice(0, 120)}`);
    }
  });
});
