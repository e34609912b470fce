// softphone-core against the Asterisk-shaped peer (tests/e2e/lib/asterisk.mjs), which behaves on
// the wire as ../shared/TESTBED.md records Asterisk 18.19 (chan_pjsip, webrtc=yes, FreePBX):
// its HTTP answers, registration over ws (401 then 200 with `transport=WS`), qualify OPTIONS,
// a wrong password (401 again, no REGISTER loop), hold answered recvonly by the PBX, a
// PBX-initiated transfer (dialplan Transfer(): REFER to the browser; NOTIFYs with Contact; the
// PBX ends the original leg), a blind transfer from the browser, and diagnose() on /ws (OPTIONS
// challenged) and on a wrong path. Session timers: asterisk-timers.test.mjs; restart and crash
// recovery: asterisk-recovery.test.mjs. No Kamailio needed: only the static server and Chromium.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startAsterisk } from './lib/asterisk.mjs';
import {
  act, connect, h, makeUsers, openCallsPage, pageNow, phoneConfig, startPhone, stopPhones, transcript, until, waitEvent,
} from './lib/asterisk/page.mjs';
import { openConnectivityPage } from './lib/connectivity-page.mjs';
import { launchChromium, startStaticServer } from './lib/servers.mjs';

const users = makeUsers(['1001', '1002', '1003', '1004', '1009']);
const PHONES = ['1001', '1002', '1003'];
let pbx;
let site;
let browser;
let page;
const consoleLines = [];

const callEvents = (name) => h(page, ([n]) => window.harness.callEvents(n), name);
const stats = (name, id) => h(page, ([n, i]) => window.harness.stats(n, i), name, id);

/**
 * Clears what an earlier failed test left (calls in the page, channels in the PBX), so one
 * failure does not fail the tests after it. A passing test leaves nothing: each checks that.
 */
async function clearLeftovers() {
  await h(page, ([names]) => {
    for (const n of names) for (const id of window.harness.callIds(n)) window.harness.act(n, id, 'hangup');
  }, PHONES);
  pbx.hangupAll();
  await until(() => pbx.channels().length === 0, { what: 'leftover channels to go' });
}

/** Audio packets received and sent by a call in `ms` (the peer passes SDP through: browser to browser). */
async function flow(name, id, ms = 1500) {
  const x = await stats(name, id);
  await new Promise((r) => setTimeout(r, ms));
  const y = await stats(name, id);
  assert.ok(!x.error && !y.error, JSON.stringify(x.error ?? y.error));
  return { in: y.inbound.packets - x.inbound.packets, out: y.outbound.packets - x.outbound.packets };
}
const sdpOf = (entry) => entry.msg.body;

before(async () => {
  pbx = await startAsterisk({ users, routes: { 600: '1003' }, qualifyFrequency: 5 });
  site = await startStaticServer();
  browser = await launchChromium();
  page = await openCallsPage(browser, site, consoleLines);
});

after(async () => {
  await stopPhones(page, [...PHONES, '1009']);
  await browser?.close();
  await site?.close();
  await pbx?.close();
});

describe('softphone-core against an Asterisk 18-shaped PBX', { concurrency: false }, () => {
  test('the peer answers HTTP as Asterisk does: 404 elsewhere, 426 without upgrade, 400 without "sip"', async () => {
    const base = `http://127.0.0.1:${pbx.port}`;
    const wrong = await fetch(`${base}/wrong`);
    assert.equal(wrong.status, 404);
    assert.equal(wrong.headers.get('server'), 'Asterisk/18.19.0');
    assert.match(await wrong.text(), /<html>/i);
    assert.equal((await fetch(`${base}/ws`)).status, 426);
    const refused = await new Promise((resolve) => {
      const ws = new WebSocket(pbx.wsUri);
      ws.on('unexpected-response', (_, res) => resolve(res.statusCode));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    assert.equal(refused, 400);
    const upgraded = await new Promise((resolve) => {
      const ws = new WebSocket(pbx.wsUri, 'sip');
      ws.on('upgrade', (res) => resolve(res.headers));
      ws.on('open', () => ws.close());
      ws.on('error', () => {});
    });
    assert.equal(upgraded['sec-websocket-protocol'], 'sip');
    assert.equal(upgraded.server, undefined, 'the 101 carries no Server header');
  });

  test('registers over ws: 401, then 200 with the contact as transport=WS; qualify OPTIONS answered 200', async () => {
    for (const name of PHONES) {
      const registered = await startPhone(page, name, phoneConfig(pbx, users, name));
      assert.ok(registered.expires > 500 && registered.expires <= 600, `expires ${registered.expires}`);
    }
    const regs = pbx.find({ cseqMethod: 'REGISTER', user: '1001' });
    const [first, challenge, second, ok] = regs;
    assert.equal(first.msg.method, 'REGISTER');
    assert.equal(first.msg.has('authorization'), false);
    assert.equal(challenge.msg.status, 401);
    assert.match(challenge.msg.get('www-authenticate'), /^Digest realm="asterisk",nonce="\d+\/[0-9a-f]{32}",opaque="[0-9a-f]+",algorithm=MD5,qop="auth"$/);
    assert.match(second.msg.get('authorization'), /qop=("?)auth\1/);
    assert.equal(ok.msg.status, 200, transcript(pbx));
    assert.match(ok.msg.get('contact'), /;transport=WS[;>].*;expires=599$/);
    assert.equal(ok.msg.get('expires'), '600');
    assert.equal(ok.msg.get('server'), 'FPBX-16.0.40(18.19.0)');
    // Qualify: right after the 200, then every 5 s.
    await until(() => pbx.registrar.qualifies.filter((q) => q.user === '1001').length >= 2, { timeout: 8_000, what: 'two qualify OPTIONS' });
    const qualifies = pbx.registrar.qualifies.filter((q) => q.user === '1001');
    assert.ok(qualifies.every((q) => q.status === 200), JSON.stringify(qualifies));
    const options = pbx.find({ dir: 'out', method: 'OPTIONS' })[0];
    assert.match(options.msg.get('via'), /^SIP\/2\.0\/WS 127\.0\.0\.1:8088;rport;branch=z9hG4bKPj[0-9a-f-]{36};alias$/);
    assert.match(options.raw, /\r\nContent-Length: {2}0\r\n/);
    console.log(`# qualify rtt ${qualifies.map((q) => q.rttMs).join(', ')} ms`);
  });

  test('a wrong password: failed 401, and no REGISTER loop', async () => {
    const t0 = await pageNow(page);
    await h(page, ([c]) => window.harness.create('1009', c), phoneConfig(pbx, users, '1009', { password: 'not-the-password' }));
    await h(page, () => window.harness.start('1009'));
    const failed = await waitEvent(page, '1009', { type: 'registration', state: 'failed' }, { after: t0 });
    assert.equal(failed.status, 401);
    const countAt = pbx.find({ dir: 'in', method: 'REGISTER', user: '1009' }).length;
    await new Promise((r) => setTimeout(r, 5_000));
    const count = pbx.find({ dir: 'in', method: 'REGISTER', user: '1009' }).length;
    assert.ok(count <= 4, `${count} REGISTERs in about 5 s`);
    assert.ok(pbx.find({ dir: 'out', status: 403 }).length === 0, 'Asterisk never answers 403');
    console.log(`# wrong password: ${countAt} REGISTERs until failed, ${count} after 5 s more; retryInMs ${failed.retryInMs ?? 'none'}`);
    await h(page, () => window.harness.stop('1009'));
  });

  test('hold: the re-INVITE sendonly is answered recvonly by the PBX, not forwarded; the app sees hold', async () => {
    await clearLeftovers();
    const [a, b] = await connect(page, '1001', '1002');
    const invite = pbx.find({ dir: 'out', method: 'INVITE' }).at(-1).msg;
    assert.equal(invite.line('supported'), '100rel, timer, replaces, norefersub, histinfo');
    assert.equal(invite.get('session-expires'), '1800');
    assert.equal(invite.get('min-se'), '90');
    assert.equal(invite.get('p-asserted-identity'), '"1001" <sip:1001@127.0.0.1>');
    assert.match(invite.get('contact'), /^<sip:asterisk@[^:>]+:5060;transport=ws>$/);
    const invitesToCallee = pbx.find({ dir: 'out', method: 'INVITE' }).length;
    const t0 = await pageNow(page);
    assert.ok((await act(page, '1001', a, 'hold')).ok);
    await waitEvent(page, '1001', { type: 'call', callId: a, event: 'hold', local: true, remote: false }, { after: t0 });
    const reinvite = pbx.find({ dir: 'in', method: 'INVITE' }).at(-1);
    assert.match(sdpOf(reinvite), /a=sendonly/);
    const answer = pbx.messages.find((m) => m.dir === 'out' && m.msg.status === 200 && m.msg.cseq.method === 'INVITE' && m.at >= reinvite.at);
    assert.match(sdpOf(answer), /a=recvonly/);
    assert.doesNotMatch(sdpOf(answer), /a=sendrecv/);
    assert.equal(pbx.find({ dir: 'out', method: 'INVITE' }).length, invitesToCallee, 'the hold was not forwarded to 1002');
    assert.equal((await h(page, ([i]) => window.harness.info('1001', i), a)).hold.local, true);
    const t1 = await pageNow(page);
    assert.ok((await act(page, '1001', a, 'resume')).ok);
    await waitEvent(page, '1001', { type: 'call', callId: a, event: 'hold', local: false, remote: false }, { after: t1 });
    assert.match(sdpOf(pbx.messages.filter((m) => m.dir === 'out' && m.msg.status === 200 && m.msg.cseq.method === 'INVITE').at(-1)), /a=sendrecv/);
    assert.ok((await act(page, '1001', a, 'hangup')).ok);
    await waitEvent(page, '1002', { type: 'call', callId: b, event: 'ended', cause: { kind: 'remoteHangup' } });
    await until(() => pbx.channels().length === 0, { what: 'no channel left' });
  });

  test('a PBX-initiated transfer (Transfer() to 600) completes and the PBX ends the original leg', async () => {
    await clearLeftovers();
    const [a, b] = await connect(page, '1001', '1002');
    const leg = pbx.channels().filter((l) => l.user === '1001').at(-1);
    const t0 = await pageNow(page);
    const refer = pbx.transfer(leg, '600');
    const asked = await waitEvent(page, '1001', { type: 'call', callId: a, event: 'transferRequested' }, { after: t0 });
    assert.match(asked.target, /^sip:600@127\.0\.0\.1/);
    const accepted = await act(page, '1001', a, 'acceptTransfer');
    assert.ok(accepted.ok && accepted.id, JSON.stringify(accepted));
    assert.equal((await refer).status, 202);
    const ringing = await waitEvent(page, '1003', { type: 'call', event: 'incoming' }, { after: t0 });
    assert.ok((await act(page, '1003', ringing.callId, 'answer')).ok);
    await waitEvent(page, '1001', { type: 'call', callId: accepted.id, event: 'connected' });
    const record = pbx.calls.transfers.log.at(-1);
    // Both NOTIFYs reach the PBX with Contact and get 200; then the PBX hangs up the original leg.
    const ended = await waitEvent(page, '1001', { type: 'call', callId: a, event: 'ended' }, { timeout: 8_000 }).catch((e) => {
      throw new Error(`${e.message}\nNOTIFYs at the PBX: ${JSON.stringify(record.notifies)}`);
    });
    assert.deepEqual(ended.cause, { kind: 'remoteHangup' });
    const notifies = record.notifies.map((n) => [n.status, n.contact, n.answered]);
    assert.deepEqual(notifies[0], [100, true, 200], JSON.stringify(notifies));
    assert.deepEqual(notifies.at(-1), [200, true, 200], JSON.stringify(notifies));
    assert.ok(notifies.every(([, contact, answered]) => contact && answered === 200), JSON.stringify(notifies));
    assert.equal(record.outcome, 'success');
    await waitEvent(page, '1002', { type: 'call', callId: b, event: 'ended', cause: { kind: 'remoteHangup' } });
    assert.ok((await act(page, '1001', accepted.id, 'hangup')).ok);
    await waitEvent(page, '1003', { type: 'call', callId: ringing.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
    await until(() => pbx.channels().length === 0, { what: `no channel left: ${pbx.channels().map((l) => l.channel)}` });
  });

  test('a blind transfer from the browser (REFER to 600): 202, NOTIFY 100 and 200, BYE; 1002 is connected to 1003', async () => {
    await clearLeftovers();
    const [a, b] = await connect(page, '1001', '1002');
    const t0 = await pageNow(page);
    assert.ok((await act(page, '1001', a, 'transfer', '600')).ok);
    const ringing = await waitEvent(page, '1003', { type: 'call', event: 'incoming' }, { after: t0 });
    assert.equal(ringing.from, 'sip:1002@127.0.0.1', 'the transferee calls the target');
    assert.ok((await act(page, '1003', ringing.callId, 'answer')).ok);
    await waitEvent(page, '1003', { type: 'call', callId: ringing.callId, event: 'connected' });
    await waitEvent(page, '1001', { type: 'call', callId: a, event: 'ended', cause: { kind: 'transferred' } });
    const progress = (await callEvents('1001')).filter((e) => e.callId === a && e.event === 'transferProgress').map((e) => e.status);
    assert.ok(progress.includes(200), `transfer progress ${progress}`);
    const record = pbx.calls.transfers.log.at(-1);
    assert.equal(record.dir, 'in');
    assert.equal(record.outcome, 'success');
    assert.deepEqual(record.notifies.map((n) => n.status), [100, 200]);
    // 1002's call goes on, now with 1003 (re-INVITEd with 1003's offer).
    assert.equal((await h(page, ([i]) => window.harness.info('1002', i), b))?.state, 'connected');
    // No audio assertion here: the peer joins 1002 to 1003 by re-INVITE (it anchors no media),
    // and Chromium keeps 1002's DTLS association with 1001, so no SRTP flows to 1003. A real
    // Asterisk keeps 1002's media on itself and re-INVITEs nobody. See lib/asterisk/calls.mjs.
    assert.equal(pbx.channels().length, 2, pbx.channels().map((l) => l.channel).join());
    assert.ok((await act(page, '1002', b, 'hangup')).ok);
    await waitEvent(page, '1003', { type: 'call', callId: ringing.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
    await until(() => pbx.channels().length === 0, { what: 'no channel left' });
  });

  test('a call originated from the CLI: anonymous From, bridged to 1003; audio flows', async () => {
    await clearLeftovers();
    const t0 = await pageNow(page);
    pbx.originate('1002', { extension: '1003' });
    const first = await waitEvent(page, '1002', { type: 'call', event: 'incoming' }, { after: t0 });
    assert.equal(first.from, 'sip:anonymous@anonymous.invalid');
    assert.equal(first.displayName, 'Anonymous');
    assert.ok((await act(page, '1002', first.callId, 'answer')).ok);
    const second = await waitEvent(page, '1003', { type: 'call', event: 'incoming' }, { after: t0 });
    assert.ok((await act(page, '1003', second.callId, 'answer')).ok);
    await waitEvent(page, '1002', { type: 'call', callId: first.callId, event: 'connected' });
    await waitEvent(page, '1003', { type: 'call', callId: second.callId, event: 'connected' });
    await waitEvent(page, '1002', { type: 'call', callId: first.callId, event: 'remoteStream' });
    const f = await flow('1002', first.callId);
    assert.ok(f.in > 20 && f.out > 20, JSON.stringify(f));
    assert.ok((await act(page, '1003', second.callId, 'hangup')).ok);
    await waitEvent(page, '1002', { type: 'call', callId: first.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
    await until(() => pbx.channels().length === 0, { what: 'no channel left' });
  });

  test('diagnose() on /ws: OPTIONS challenged 401 (reachable); phone.diagnose() answers it (200); a wrong path: 1006', async () => {
    const probe = await openConnectivityPage(browser, site, consoleLines);
    try {
      const config = phoneConfig(pbx, users, '1004');
      const alone = await probe.evaluate((c) => window.connectivity.diagnose({ servers: c.servers, uri: c.uri, timeout: 5 }), config);
      const ws = alone.websocket[0];
      assert.equal(ws.status, 'open', JSON.stringify(alone));
      assert.equal(ws.protocol, 'sip');
      assert.equal(ws.options?.status, 401, JSON.stringify(ws));
      assert.ok(ws.hints.some((x) => /reachable/i.test(x) && /authenticat/i.test(x)), `hints: ${ws.hints.join(' | ')}`);
      assert.equal(alone.ok, true, `a 401 proves the PBX speaks SIP: ${JSON.stringify(alone)}`);

      const made = await probe.evaluate((c) => window.connectivity.create('1004', c), config);
      assert.ok(made.ok, JSON.stringify(made));
      const withPhone = await probe.evaluate(() => window.connectivity.phoneDiagnose('1004', { timeout: 5 }));
      const own = withPhone.websocket[0];
      assert.equal(own.options?.status, 200, JSON.stringify(own));
      assert.equal(own.options?.authenticated, true, JSON.stringify(own));
      assert.equal(withPhone.ok, true);
      const challenged = pbx.find({ dir: 'in', method: 'OPTIONS', user: '1004' });
      assert.ok(challenged.some((m) => m.msg.has('authorization')), 'the phone answered the challenge');

      const wrong = `ws://127.0.0.1:${pbx.port}/wrong`;
      const bad = (await probe.evaluate((c) => window.connectivity.diagnose(c), { servers: wrong, uri: config.uri, timeout: 5 })).websocket[0];
      assert.equal(bad.status, 'closedBeforeOpen', JSON.stringify(bad));
      assert.equal(bad.closeCode, 1006);
      assert.ok(bad.hints.some((x) => x.includes('"/wrong"') && x.includes('"/ws"')), bad.hints.join('\n'));
      assert.ok(pbx.http.some((r) => r.path === '/wrong' && r.status === 404));
    } finally {
      await probe.evaluate(() => window.connectivity.free('1004')).catch(() => {});
      await probe.close();
    }
  });

  test('no password reached the console', () => {
    for (const line of consoleLines) for (const pw of Object.values(users)) assert.ok(!line.includes(pw), 'a password was logged');
  });
});
