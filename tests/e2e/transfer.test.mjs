// Attended transfer (RFC 5589, Replaces per RFC 3891) between three softphones in headless
// Chromium (fake microphone) through the real Kamailio: alice calls bob and holds him, calls
// carol, then transfers bob to carol with `call.transfer({ replaces })`. Bob accepts the
// REFER and calls carol with Replaces; carol's phone answers it by itself in place of her
// call with alice; bob and carol end up talking (RTP counters rising both ways) and alice's
// two calls end as `transferred`. Then the 481 case end to end: the dialog named by the
// Replaces is gone when bob's INVITE reaches carol, so the transfer fails and bob stays
// held with alice. Drives tests/e2e/pages/calls.html (window.harness) over pkg/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeHarness, createPhones, openHarness, waitRegistered } from './lib/harness.mjs';
import { account, readEnv } from './lib/servers.mjs';

const env = readEnv();
let browser;
let site;
let page;
const consoleLines = [];
const PHONES = ['alice', 'bob', 'carol'];

function config(user) {
  const acc = account(user);
  return { servers: env.wsUri, uri: acc.uri, password: acc.password, logLevel: 'info', reconnect: { baseMs: 300, maxMs: 2000 } };
}

const h = (fn, ...args) => page.evaluate(fn, args);
const callEvents = (name, id) => h(([n, i]) => window.harness.callEvents(n, i), name, id);
const stats = (name, id) => h(([n, i]) => window.harness.stats(n, i), name, id);
const act = (name, id, method, ...rest) => h(([n, i, m, r]) => window.harness.act(n, i, m, ...r), name, id, method, rest);
const info = (name, id) => h(([n, i]) => window.harness.info(n, i), name, id);
const now = () => h(() => performance.now());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for a call event of `name` matching `want` (fields compared) and returns it. */
async function waitEvent(name, want, { timeout = 10_000, after = 0 } = {}) {
  const match = ([n, w, a]) =>
    window.harness.events.find(
      (e) => e.phone === n && e.type === 'call' && e.at > a && Object.entries(w).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v)),
    ) ?? null;
  try {
    await page.waitForFunction(match, [name, want, after], { timeout, polling: 50 });
  } catch {
    const seen = (await callEvents(name)).map((e) => `${Math.round(e.at)} #${e.callId} ${e.event}${e.cause ? ' ' + JSON.stringify(e.cause) : ''}${e.status ? ' ' + e.status : ''}`);
    const panics = consoleLines.filter((l) => /panicked|error/i.test(l)).slice(-5);
    assert.fail(`${name}: no call event ${JSON.stringify(want)} within ${timeout} ms; saw:\n${seen.join('\n')}\n${panics.join('\n')}`);
  }
  return page.evaluate(match, [name, want, after]);
}

/** Audio counters of a call, measured twice `ms` apart. */
async function flow(name, id, ms = 1500) {
  const a = await stats(name, id);
  await sleep(ms);
  const b = await stats(name, id);
  assert.ok(!a.error && !b.error, `getStats failed: ${JSON.stringify(a.error ?? b.error)}`);
  return { inPackets: b.inbound.packets - a.inbound.packets, outPackets: b.outbound.packets - a.outbound.packets };
}

/** `caller` calls `callee`, who answers; returns both call ids once both are connected. */
async function connect(caller, callee) {
  const t0 = await now();
  const placed = await h(([c, t]) => window.harness.call(c, t), caller, callee);
  assert.ok(placed.id, `call failed: ${JSON.stringify(placed.error)}`);
  const incoming = await waitEvent(callee, { event: 'incoming' }, { after: t0 });
  assert.ok((await act(callee, incoming.callId, 'answer')).ok);
  await waitEvent(caller, { callId: placed.id, event: 'connected' });
  await waitEvent(callee, { callId: incoming.callId, event: 'connected' });
  return [placed.id, incoming.callId];
}

/** alice calls bob and holds him, then calls carol: the calls of an attended transfer. */
async function consult() {
  const [aliceBob, bobAlice] = await connect('alice', 'bob');
  const t0 = await now();
  assert.ok((await act('alice', aliceBob, 'hold')).ok);
  await waitEvent('alice', { callId: aliceBob, event: 'hold', local: true, remote: false }, { after: t0 });
  await waitEvent('bob', { callId: bobAlice, event: 'hold', local: false, remote: true }, { after: t0 });
  const [aliceCarol, carolAlice] = await connect('alice', 'carol');
  return { aliceBob, bobAlice, aliceCarol, carolAlice };
}

before(async () => {
  ({ browser, site, page } = await openHarness({ consoleLines }));
  await createPhones(page, PHONES, config);
  await waitRegistered(page, PHONES);
});

after(() => closeHarness({ page, browser, site }, PHONES));

describe('attended transfer', { timeout: 90_000 }, () => {
  test('alice transfers bob (held) to carol with Replaces: bob and carol talk, alice\'s calls end as transferred', async () => {
    const c = await consult();
    const t0 = await now();
    const bad = await act('alice', c.aliceBob, 'transfer', { replaces: c.aliceBob });
    assert.equal(bad.error?.code, 'invalidValue', 'a call cannot replace itself');
    assert.ok((await act('alice', c.aliceBob, 'transfer', { replaces: c.aliceCarol })).ok);

    // Bob sees a transfer request like a blind one: the target without the Replaces.
    const asked = await waitEvent('bob', { callId: c.bobAlice, event: 'transferRequested' }, { after: t0 });
    assert.equal(asked.target, account('carol').uri);
    const accepted = await act('bob', c.bobAlice, 'acceptTransfer');
    assert.ok(accepted.ok && accepted.id > c.bobAlice, JSON.stringify(accepted));

    // Carol's phone takes bob's INVITE in place of her call with alice, without ringing.
    const replacing = await waitEvent('carol', { event: 'incoming', replaces: c.carolAlice }, { after: t0 });
    assert.equal(replacing.from, account('bob').uri);
    await waitEvent('carol', { callId: replacing.callId, event: 'connected' });
    await waitEvent('bob', { callId: accepted.id, event: 'connected' });
    await waitEvent('carol', { callId: c.carolAlice, event: 'ended', cause: { kind: 'replaced' } });
    assert.ok(!(await callEvents('carol', replacing.callId)).some((e) => e.event === 'ringing'));

    // Alice: both calls end as transferred; the REFER got 202 and the NOTIFYs reached 200.
    await waitEvent('alice', { callId: c.aliceCarol, event: 'ended', cause: { kind: 'transferred' } });
    await waitEvent('alice', { callId: c.aliceBob, event: 'ended', cause: { kind: 'transferred' } });
    const progress = (await callEvents('alice', c.aliceBob)).filter((e) => e.event === 'transferProgress').map((e) => e.status);
    assert.equal(progress[0], 202, `transfer progress ${progress}`);
    assert.equal(progress.at(-1), 200, `transfer progress ${progress}`);
    await waitEvent('bob', { callId: c.bobAlice, event: 'ended', cause: { kind: 'remoteHangup' } });
    assert.deepEqual(await h(() => window.harness.callIds('alice')), []);

    // Bob and carol hear each other.
    await waitEvent('bob', { callId: accepted.id, event: 'remoteStream' });
    await waitEvent('carol', { callId: replacing.callId, event: 'remoteStream' });
    for (const [name, id] of [['bob', accepted.id], ['carol', replacing.callId]]) {
      const f = await flow(name, id);
      assert.ok(f.inPackets > 20 && f.outPackets > 20, `${name}: audio ${JSON.stringify(f)}`);
    }
    assert.ok((await act('bob', accepted.id, 'hangup')).ok);
    await waitEvent('carol', { callId: replacing.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
    await page.waitForFunction(() => window.harness.openPcs() === 0, null, { timeout: 5_000 });
  });

  test('a Replaces naming a dialog that is gone gets 481: the transfer fails and bob stays held', async () => {
    const c = await consult();
    const t0 = await now();
    assert.ok((await act('alice', c.aliceBob, 'transfer', { replaces: c.aliceCarol })).ok);
    await waitEvent('bob', { callId: c.bobAlice, event: 'transferRequested' }, { after: t0 });
    // Alice hangs up on carol before bob's INVITE with Replaces gets there.
    assert.ok((await act('alice', c.aliceCarol, 'hangup')).ok);
    await waitEvent('carol', { callId: c.carolAlice, event: 'ended', cause: { kind: 'remoteHangup' } });
    const accepted = await act('bob', c.bobAlice, 'acceptTransfer');
    assert.ok(accepted.ok, JSON.stringify(accepted));
    await waitEvent('bob', { callId: accepted.id, event: 'ended', cause: { kind: 'failed', status: 481, reason: 'Call/Transaction Does Not Exist' } });
    await waitEvent('alice', { callId: c.aliceBob, event: 'transferProgress', status: 481 });
    assert.ok(!(await callEvents('carol')).some((e) => e.at > t0 && e.event === 'incoming'), 'carol never rang');
    const held = await info('alice', c.aliceBob);
    assert.equal(held?.state, 'connected');
    assert.deepEqual(held.holdState, { local: true, remote: false }, 'still held');
    assert.equal((await info('bob', c.bobAlice))?.state, 'connected');
    assert.ok((await act('alice', c.aliceBob, 'resume')).ok);
    await waitEvent('bob', { callId: c.bobAlice, event: 'hold', local: false, remote: false }, { after: t0 });
    assert.ok((await act('alice', c.aliceBob, 'hangup')).ok);
    await waitEvent('bob', { callId: c.bobAlice, event: 'ended', cause: { kind: 'remoteHangup' } });
    await page.waitForFunction(() => window.harness.openPcs() === 0, null, { timeout: 5_000 });
  });
});
