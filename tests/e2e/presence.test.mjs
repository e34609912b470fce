// MESSAGE, BLF, MWI and presence in Chromium against the Asterisk-shaped peer
// (tests/e2e/lib/asterisk.mjs, notifier in lib/asterisk/notify.mjs, whose header lists the
// Asterisk facts it follows): MESSAGE between two softphones through the PBX (challenged,
// 202, relayed, 415 for a type the receiver does not allow), BLF lamps following the
// extension state, MWI by subscription and unsolicited, presence, a notifier shutdown the
// phone recovers from, and a 100-lamp panel whose SUBSCRIBEs arrive paced, not in a burst.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAsterisk } from './lib/asterisk.mjs';
import { h, makeUsers, openCallsPage, phoneConfig, startPhone, stopPhones, transcript, until, waitEvent } from './lib/asterisk/page.mjs';
import { launchChromium, startStaticServer } from './lib/servers.mjs';

const users = makeUsers(['1001', '1002', '1003', '1004']);
const PHONES = ['1001', '1002', '1003', '1004'];
let pbx;
let site;
let browser;
let page;
const consoleLines = [];

/** Makes a subscription handle in the page under `key`: phone[method](...args). */
const handle = (key, name, method, ...args) =>
  h(
    page,
    ([k, n, m, a]) => {
      window.subs ??= {};
      const made = window.harness.phone(n)[m](...a);
      window.subs[k] = made;
      return Array.isArray(made) ? made.map((s) => s.id) : made.id;
    },
    key,
    name,
    method,
    args,
  );

/** The latest state of handle `key` (or of its `i`th entry, for watchBlf). */
const stateOf = (key, i) =>
  h(
    page,
    ([k, j]) => {
      const s = j === null ? window.subs[k] : window.subs[k][j];
      return { status: s.status, state: s.state };
    },
    key,
    i ?? null,
  );

async function waitState(key, predicate, what, i) {
  let last;
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    last = await stateOf(key, i);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${key}: no ${what} within 10 s; last ${JSON.stringify(last)}\n${transcript(pbx)}`);
}

before(async () => {
  pbx = await startAsterisk({ users: { ...users, 1002: { password: users['1002'], name: 'Bob' } } });
  site = await startStaticServer();
  browser = await launchChromium();
  page = await openCallsPage(browser, site, consoleLines);
  await startPhone(page, '1001', phoneConfig(pbx, users, '1001'));
  await startPhone(page, '1002', phoneConfig(pbx, users, '1002', { messageAccept: ['text/plain', 'application/json'] }));
  await startPhone(page, '1003', phoneConfig(pbx, users, '1003'));
});

after(async () => {
  await stopPhones(page, PHONES);
  await browser?.close();
  await site?.close();
  await pbx?.close();
});

describe('MESSAGE, BLF, MWI and presence against the Asterisk-shaped peer', { concurrency: false }, () => {
  test('MESSAGE between two softphones: challenged, 202, relayed and received; 415 for a type not allowed', async () => {
    const result = await h(page, ([t]) => window.harness.phone('1001').sendMessage(t, 'hello Bob', { headers: { 'X-Ticket': '42' } }), '1002');
    assert.equal(result.delivered, true, JSON.stringify(result));
    assert.equal(result.status, 202, 'Asterisk answers MESSAGE 202 Accepted');
    const got = await waitEvent(page, '1002', { type: 'message', event: 'received' });
    assert.equal(got.body, 'hello Bob');
    assert.equal(got.from, 'sip:1001@127.0.0.1');
    assert.equal(got.displayName, '1001');
    assert.match(got.contentType, /^text\/plain/);
    const sent = pbx.find({ dir: 'in', method: 'MESSAGE' });
    assert.equal(sent.length, 2, 'the first MESSAGE was challenged, the second carried credentials');
    assert.ok(sent[1].msg.get('authorization'), 'Authorization on the retry');
    assert.equal(sent[0].msg.get('x-ticket'), '42');
    await until(() => pbx.notifier.relayed[0]?.status === 200, { what: 'the relayed MESSAGE answered 200' });

    const html = await h(page, ([t]) => window.harness.phone('1001').sendMessage(t, '<b>x</b>', { contentType: 'text/html' }), '1003');
    assert.equal(html.delivered, true, 'the PBX accepts it: 202');
    await until(() => pbx.notifier.relayed[1]?.status === 415, { what: 'the receiver answering 415' });
    const nobody = await h(page, () => window.harness.phone('1001').sendMessage('1999', 'x'));
    assert.deepEqual([nobody.delivered, nobody.status, nobody.reason], [false, 404, 'Not Found']);
    const bad = await h(page, () => {
      try {
        window.harness.phone('1001').sendMessage('1002', 'x', { headers: { 'Call-ID': 'mine' } });
        return null;
      } catch (e) {
        return { name: e.name, code: e.code };
      }
    });
    assert.deepEqual(bad, { name: 'SoftphoneRequestError', code: 'invalidValue' });
  });

  test('BLF lamps follow the extension: idle, ringing, busy, on hold; presence and MWI', async () => {
    await handle('blf', '1001', 'watchBlf', ['1002', '1003']);
    await waitState('blf', (s) => s.status === 'active' && s.state?.lamp === 'idle', 'idle lamp', 0);
    await waitState('blf', (s) => s.state?.lamp === 'idle', 'idle lamp', 1);
    const subscribes = pbx.find({ dir: 'in', method: 'SUBSCRIBE' });
    assert.equal(subscribes[0].msg.get('event'), 'dialog');
    assert.equal(subscribes[0].msg.get('accept'), 'application/dialog-info+xml');
    // The MESSAGE's challenge was answered before: its credentials ride on the SUBSCRIBE.
    assert.ok(subscribes[0].msg.get('authorization'), 'SUBSCRIBE with the cached credentials');
    await pbx.notifier.setState('1002', 'ringing');
    await waitState('blf', (s) => s.state?.lamp === 'ringing', 'ringing lamp', 0);
    await pbx.notifier.setState('1002', 'inuse');
    await waitState('blf', (s) => s.state?.lamp === 'busy' && !s.state.onHold, 'busy lamp', 0);
    await pbx.notifier.setState('1002', 'onhold');
    const held = await waitState('blf', (s) => s.state?.onHold === true, 'on hold', 0);
    assert.equal(held.state.lamp, 'busy');
    assert.equal((await stateOf('blf', 1)).state.lamp, 'idle', "1003's lamp did not move");
    const versions = pbx.find({ dir: 'out', method: 'NOTIFY' }).map((m) => /version="(\d+)"/.exec(m.msg.body)?.[1]).filter(Boolean);
    assert.ok(versions.length >= 5, `${versions}`);

    await handle('presence', '1001', 'presence', '1002');
    const p = await waitState('presence', (s) => s.state?.kind === 'presence', 'a presence document');
    assert.deepEqual([p.state.open, p.state.notes, p.state.activities], [true, ['On hold'], ['on-the-phone']]);

    await handle('mwi', '1001', 'mwi');
    await waitState('mwi', (s) => s.state?.kind === 'messageSummary' && s.state.newMessages === 0, 'an empty mailbox');
    await pbx.notifier.setMailbox('1001', { new: 2, old: 5 });
    const mwi = await waitState('mwi', (s) => s.state?.newMessages === 2, '2 new messages');
    assert.deepEqual([mwi.state.waiting, mwi.state.oldMessages], [true, 5]);
    // Unsolicited MWI to a phone with no subscription: an `mwi` event, answered 200.
    const answer = await pbx.notifier.unsolicitedMwi('1003', { new: 1, old: 0 });
    assert.equal(answer.status, 200);
    const unsolicited = await waitEvent(page, '1003', { type: 'mwi', newMessages: 1 });
    assert.equal(unsolicited.waiting, true);
  });

  test('a notifier shutdown (terminated;reason=deactivated) is followed by new subscriptions', async () => {
    const before = pbx.find({ dir: 'in', method: 'SUBSCRIBE' }).length;
    await pbx.notifier.shutdown('deactivated');
    await waitEvent(page, '1001', { type: 'subscription', event: 'interrupted', reason: 'deactivated' });
    try {
      await until(() => pbx.notifier.list().filter((s) => s.user === '1001').length === 4, { what: 'the 4 subscriptions renewed' });
    } catch (e) {
      console.log(transcript(pbx, 30), JSON.stringify(pbx.notifier.list()));
      throw e;
    }
    assert.ok(pbx.find({ dir: 'in', method: 'SUBSCRIBE' }).length >= before + 4);
    await pbx.notifier.setState('1003', 'inuse');
    await waitState('blf', (s) => s.state?.lamp === 'busy', "1003's lamp in the new dialog", 1);
    // Unsubscribe: Expires 0, the final NOTIFY, `ended`.
    await h(page, () => window.subs.presence.unsubscribe());
    await waitState('presence', (s) => s.status === 'ended', 'ended');
    assert.equal(pbx.notifier.list().filter((s) => s.user === '1001').length, 3);
  });

  test('a 100-lamp panel: SUBSCRIBEs arrive paced at subscribeRate, never in a burst', async () => {
    await startPhone(page, '1004', phoneConfig(pbx, users, '1004', { subscribeRate: 10 }));
    const targets = Array.from({ length: 100 }, (_, i) => String(2000 + i));
    const t0 = Date.now();
    await handle('panel', '1004', 'watchBlf', targets);
    await until(() => pbx.notifier.list().filter((s) => s.user === '1004').length === 100, { timeout: 30_000, what: '100 subscriptions' });
    const took = Date.now() - t0;
    // First attempts (CSeq 1): what the pacing governs; a challenged one is retried at once.
    const starts = pbx
      .find({ dir: 'in', method: 'SUBSCRIBE', user: '1004' })
      .filter((m) => m.msg.cseq.seq === 1 && !m.msg.toTag)
      .map((m) => m.at);
    assert.equal(starts.length, 100);
    // The exact pacing (one every 1/rate s, k*100 ms) is proven on virtual time by the core
    // transcript (tests/core_subscriptions.rs, a_hundred_lamps_start_paced_at_the_configured_rate).
    // Here the SUBSCRIBEs cross a real WebSocket into a Node event loop on a machine shared with
    // builds: arrival gaps of 54-184 ms were measured for 100 ms spacing, so a count per 950 ms
    // flakes. What this test must still catch is a burst (no pacing, or pacing at the wrong rate):
    // so at most 2*rate+2 in any 2 s window (a burst of 100 puts all of them in one), and the
    // 100 spread over at least (n-1)/rate less 1 s of jitter (a burst spans a few ms).
    const rate = 10;
    const windowMs = 2_000;
    const most = Math.max(...starts.map((at) => starts.filter((x) => x >= at && x < at + windowMs).length));
    const gaps = starts.slice(1).map((at, i) => at - starts[i]);
    assert.ok(most <= 2 * rate + 2, `${most} SUBSCRIBEs within ${windowMs} ms (at most ${2 * rate + 2}); gaps ${gaps}`);
    const span = starts[99] - starts[0];
    const minSpan = ((starts.length - 1) / rate) * 1000 - 1_000;
    assert.ok(span >= minSpan, `the 100 SUBSCRIBEs spanned ${span} ms (at least ${minSpan}); gaps ${gaps}`);
    assert.ok(took >= minSpan && took < 25_000, `100 lamps took ${took} ms`);
    await waitState('panel', (s) => s.state?.lamp === 'idle', 'the last lamp lit', 99);
    console.log(`# 100 lamps: all active after ${took} ms; SUBSCRIBEs spanned ${span} ms, gaps ${Math.min(...gaps)}-${Math.max(...gaps)} ms, at most ${most} in ${windowMs} ms`);
    // stop(): every dialog is unsubscribed.
    await h(page, () => window.harness.stop('1004'));
    await until(() => pbx.notifier.list().filter((s) => s.user === '1004').length === 0, { what: 'the panel unsubscribed' });
  });
});
