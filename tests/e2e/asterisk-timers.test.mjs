// Session timers (RFC 4028) against the Asterisk-shaped peer, over two refresh periods, with
// Asterisk's smallest Session-Expires (90 s, its Min-SE). Three calls run at the same time, so
// the whole file takes about 100 s:
// 1. 1001 -> PBX -> 1002 holds both normal cases:
//    (a) leg 1001-PBX: 1001's INVITE asks Session-Expires 90; Asterisk answers `90;refresher=uac`,
//        so softphone-core refreshes (UPDATE, or re-INVITE) at ~45 s and ~90 s. Asterisk answers
//        a refresh without Contact `400 Missing Contact header` and hangs up at ~60 s.
//    (b) leg PBX-1002: the PBX's INVITE offers Session-Expires 90; 1002 answers refresher=uac,
//        so the PBX refreshes with UPDATE every 45 s; 1002's 200s must carry Contact.
// 2. 1003 -> 1004 with the PBX refusing every refresh from 1003 (fault injection, 500): the
//    UPDATE is retried by re-INVITE at once, then after 2, 4 and 7 s (the last 2 s before
//    the PBX would hang up at ~60 s), then the call ends with `sessionRefreshFailed`.
// 3. 1005 -> 1006 with the PBX refusing only 1005's first UPDATE: the re-INVITE retry is
//    accepted and the call lives on.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAsterisk } from './lib/asterisk.mjs';
import { act, connect, h, makeUsers, openCallsPage, phoneConfig, startPhone, stopPhones, transcript, waitEvent } from './lib/asterisk/page.mjs';
import { launchChromium, startStaticServer } from './lib/servers.mjs';

const INTERVAL = 90;
const PHONES = ['1001', '1002', '1003', '1004', '1005', '1006'];
const users = makeUsers(PHONES);
let pbx;
let site;
let browser;
let page;
const consoleLines = [];

before(async () => {
  pbx = await startAsterisk({ users, sessionExpires: INTERVAL });
  site = await startStaticServer();
  browser = await launchChromium();
  page = await openCallsPage(browser, site, consoleLines);
  for (const name of PHONES) await startPhone(page, name, phoneConfig(pbx, users, name, { sessionExpires: INTERVAL }));
});

after(async () => {
  await stopPhones(page, PHONES);
  await browser?.close();
  await site?.close();
  await pbx?.close();
});

/** The browser's in-dialog INVITE/UPDATE requests on `leg`, with their final answers and times (s) from `start`. */
function refreshesFrom(leg, start) {
  const mine = (m) => m.msg.callId === leg.callId;
  const requests = pbx.messages.filter((m) => m.dir === 'in' && mine(m) && ['UPDATE', 'INVITE'].includes(m.msg.method) && m.msg.toTag);
  return requests.map((r) => {
    const answer = pbx.messages.find((m) => m.dir === 'out' && mine(m) && m.msg.status >= 200 && m.msg.cseq.seq === r.msg.cseq.seq && m.msg.cseq.method === r.msg.method);
    return { atS: Math.round((r.at - start) / 100) / 10, method: r.msg.method, contact: r.msg.has('contact'), status: answer?.msg.status, se: r.msg.get('session-expires') };
  });
}

const line = (rs) => rs.map((r) => `${r.method} at ${r.atS} s -> ${r.status}${r.contact === false ? ' (no Contact)' : ''}`).join(', ');
const state = (name, id) => h(page, ([n, i]) => window.harness.info(n, i)?.state ?? 'gone', name, id);

describe('session timers with Asterisk (Session-Expires 90)', () => {
  test('refresher and refreshee over two periods; a refused refresh retried by re-INVITE, then reported', { timeout: 170_000 }, async () => {
    pbx.refuseRefreshes({ user: '1003', status: 500, reason: 'Server Internal Error' });
    pbx.refuseRefreshes({ user: '1005', methods: ['UPDATE'], times: 1, status: 500, reason: 'Server Internal Error' });
    const [a, b] = await connect(page, '1001', '1002');
    const [c, d] = await connect(page, '1003', '1004');
    const [e, f] = await connect(page, '1005', '1006');
    const legOf = (user) => pbx.channels().find((l) => l.user === user);
    const [legA, legB, legC, legE] = ['1001', '1002', '1003', '1005'].map(legOf);
    const ok200 = pbx.messages.find((m) => m.dir === 'out' && m.msg.callId === legA.callId && m.msg.status === 200 && m.msg.cseq.method === 'INVITE');
    assert.equal(ok200.msg.get('session-expires'), `${INTERVAL};refresher=uac`);
    assert.equal(ok200.msg.get('require'), 'timer');
    const inviteB = pbx.find({ dir: 'out', method: 'INVITE' }).find((m) => m.msg.callId === legB.callId);
    assert.equal(inviteB.msg.get('session-expires'), String(INTERVAL));
    assert.equal(legA.session.pbxRefreshes, false, 'the browser refreshes leg a');
    assert.equal(legB.session.pbxRefreshes, true, `1002 answered ${legB.session.interval}: the PBX refreshes leg b`);
    const start = legA.session.startedAt;

    // Two refresh periods and a little more; stop early if call 1 dies.
    const end = start + 2 * (INTERVAL / 2) * 1000 + 5_000;
    while (Date.now() < end && !legA.ended && !legB.ended) await new Promise((r) => setTimeout(r, 1_000));

    const mine = refreshesFrom(legA, start);
    const theirs = legB.session.sent.map((r) => ({ ...r, atS: Math.round((r.at - start) / 100) / 10 }));
    const refused = refreshesFrom(legC, start);
    const retried = refreshesFrom(legE, start);
    console.log(`# leg a (softphone-core refreshes): ${line(mine)}`);
    console.log(`# leg b (the PBX refreshes): ${line(theirs)}`);
    console.log(`# call 2 (every refresh refused): ${line(refused)}`);
    console.log(`# call 3 (the first UPDATE refused): ${line(retried)}`);
    const brief = () => `a: ${JSON.stringify(mine)}\nb: ${JSON.stringify(theirs)}\nended: a ${legA.endedBy} b ${legB.endedBy}\n${transcript(pbx, 20)}`;

    // 1 (a): every refresh from softphone-core carries Contact and is accepted, at ~45 and ~90 s.
    assert.ok(!legA.ended && !legB.ended, `a leg ended: ${brief()}`);
    assert.ok(mine.length >= 2, `softphone-core refreshed ${mine.length} times: ${brief()}`);
    for (const r of mine) assert.ok(r.contact, `a refresh without Contact: ${brief()}`);
    assert.deepEqual(mine.filter((r) => r.status !== 200), [], `refused refreshes: ${brief()}`);
    assert.ok(Math.abs(mine[0].atS - INTERVAL / 2) <= 5, `first refresh at ${mine[0].atS} s: ${brief()}`);
    assert.ok(Math.abs(mine[1].atS - INTERVAL) <= 6, `second refresh at ${mine[1].atS} s: ${brief()}`);
    // 1 (b): the PBX's UPDATEs are answered 200 with Contact.
    assert.ok(theirs.length >= 2, `the PBX refreshed ${theirs.length} times: ${brief()}`);
    for (const r of theirs) {
      assert.equal(r.method, 'UPDATE');
      assert.equal(r.status, 200, brief());
      assert.ok(r.contact, `1002's 200 to UPDATE has no Contact: ${brief()}`);
    }
    for (const [name, id] of [['1001', a], ['1002', b]]) assert.equal(await state(name, id), 'connected', `${name}'s call`);

    // 2: UPDATE refused, re-INVITE refused, then the call ends with the refusal as its cause.
    assert.deepEqual(refused.slice(0, 2).map((r) => [r.method, r.status]), [['UPDATE', 500], ['INVITE', 500]], JSON.stringify(refused));
    const failed = await waitEvent(page, '1003', { type: 'call', callId: c, event: 'ended' }, { timeout: 1000 });
    assert.deepEqual(failed.cause, { kind: 'sessionRefreshFailed', status: 500, reason: 'Server Internal Error' });
    await waitEvent(page, '1004', { type: 'call', callId: d, event: 'ended', cause: { kind: 'remoteHangup' } }, { timeout: 1000 });
    assert.ok(refused[1].atS - refused[0].atS < 5, `the re-INVITE retry came ${refused[1].atS - refused[0].atS} s after the UPDATE`);
    assert.ok(refused.length >= 4 && refused.every((r) => r.status === 500), `retried until the session was about to expire: ${JSON.stringify(refused)}`);
    const ownC = refreshesFrom(legC, legC.session.startedAt);
    assert.ok(ownC.at(-1).atS < INTERVAL - 30, `the last try comes before the PBX's expiry (60 s into leg c): ${JSON.stringify(ownC)}`);

    // 3: the retry by re-INVITE is accepted; the call goes on, refreshed again at ~90 s.
    assert.deepEqual(retried.slice(0, 2).map((r) => [r.method, r.status]), [['UPDATE', 500], ['INVITE', 200]], JSON.stringify(retried));
    assert.ok(retried.length >= 3 && retried.at(-1).status === 200, JSON.stringify(retried));
    for (const [name, id] of [['1005', e], ['1006', f]]) assert.equal(await state(name, id), 'connected', `${name}'s call`);

    for (const [caller, id, callee, other] of [['1001', a, '1002', b], ['1005', e, '1006', f]]) {
      assert.ok((await act(page, caller, id, 'hangup')).ok);
      await waitEvent(page, callee, { type: 'call', callId: other, event: 'ended', cause: { kind: 'remoteHangup' } });
    }
    assert.equal(pbx.channels().length, 0);
  });
});
