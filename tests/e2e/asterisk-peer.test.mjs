// The Asterisk-shaped peer itself (tests/e2e/lib/asterisk.mjs), driven by bare SIP user agents
// in Node (lib/asterisk/raw-ua.mjs) that send exactly what a test writes: so the peer is seen
// to refuse what a real Asterisk refuses, which the browser tests (written against a fixed
// softphone-core) never show. No browser: a few seconds. Session timers run here with a short
// interval (the peer's minSe lowered to 6 s, as `timers_min_se` would be) to see the expiry BYE.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAsterisk } from './lib/asterisk.mjs';
import { RawUa } from './lib/asterisk/raw-ua.mjs';
import { makeUsers, until } from './lib/asterisk/page.mjs';

const users = makeUsers(['1001', '1002', '1003']);
const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:abcd\r\na=sendrecv\r\n';
let pbx;
const uas = [];

function ua(user, password = users[user]) {
  const u = new RawUa(pbx.wsUri, user, password);
  uas.push(u);
  return u;
}

/** A's call to B through the PBX, B answering with `answerSe`; returns A's dialog and B's INVITE. */
async function call(a, b, { se = 90, answerSe = `${se};refresher=uac` } = {}) {
  b.onRequest = (m) => {
    if (m.method === 'INVITE' && !m.toTag) {
      b.answer(m, 200, 'OK', [['Contact', `<${b.contact}>`], ['Allow', 'INVITE, ACK, BYE, CANCEL, UPDATE, REFER, NOTIFY'], ['Session-Expires', answerSe], ['Require', 'timer']], { body: SDP, contentType: 'application/sdp' });
    } else if (m.method !== 'ACK') {
      b.answer(m, 200, 'OK', [['Contact', `<${b.contact}>`]]);
    }
  };
  const invited = b.next((m) => m.method === 'INVITE');
  const ok = await a.request({
    method: 'INVITE',
    uri: `sip:${b.user}@127.0.0.1`,
    headers: [['Contact', `<${a.contact}>`], ['Supported', 'timer'], ['Session-Expires', String(se)], ['Allow', 'INVITE, ACK, BYE, UPDATE, REFER, NOTIFY']],
    body: SDP,
    contentType: 'application/sdp',
  });
  assert.equal(ok.status, 200);
  const dialog = { callId: ok.callId, from: ok.get('from'), to: ok.get('to'), seq: ok.cseq.seq };
  a.send(`ACK sip:x SIP/2.0\r\nVia: SIP/2.0/WS a.invalid;branch=z9hG4bKack${dialog.seq}\r\nFrom: ${dialog.from}\r\nTo: ${dialog.to}\r\nCall-ID: ${dialog.callId}\r\nCSeq: ${dialog.seq} ACK\r\nContent-Length: 0\r\n\r\n`);
  return { ok, dialog, invite: await invited };
}

/** An in-dialog request from `a` in `dialog`. */
const inDialog = (a, dialog, method, extra = {}) =>
  a.request({ method, uri: 'sip:asterisk@127.0.0.1', callId: dialog.callId, from: dialog.from, to: dialog.to, seq: (dialog.seq += 2), ...extra });

before(async () => {
  pbx = await startAsterisk({ users, routes: { 600: '1003' }, minSe: 6, sessionExpires: 1800 });
});

after(async () => {
  for (const u of uas) u.close();
  await pbx?.close();
});

describe('the Asterisk-shaped peer, seen from a bare SIP client', { concurrency: false }, () => {
  test('registrar: 401 then 200 (transport=WS, expires=599, Expires 600); wrong password 401 again; 423; unregister challenged', async () => {
    const a = ua('1001');
    await a.open();
    const ok = await a.register(600);
    assert.equal(ok.status, 200);
    assert.equal(ok.get('contact'), `<${a.contact.replace('transport=ws', 'transport=WS')}>;expires=599`);
    assert.equal(ok.get('expires'), '600');
    assert.deepEqual(a.messages.filter((m) => !m.msg.isRequest).map((m) => m.msg.status), [401, 200]);
    const wrong = ua('1002', 'not-the-password');
    await wrong.open();
    assert.equal((await wrong.register()).status, 401, 'a wrong password gets 401 again');
    const brief = ua('1002');
    await brief.open();
    const tooBrief = await brief.register(30);
    assert.deepEqual([tooBrief.status, tooBrief.get('min-expires')], [423, '60']);
    const off = await brief.register(0);
    assert.equal(off.status, 200);
    assert.equal(brief.messages.filter((m) => m.msg.status === 401).length, 2, 'the unregister was challenged too');
    wrong.close();
    brief.close();
  });

  test('calls: INVITE shapes; UPDATE and re-INVITE without Contact get 400 Missing Contact header', async () => {
    const a = uas[0];
    const b = ua('1002');
    await b.open();
    assert.equal((await b.register()).status, 200);
    const { ok, dialog, invite } = await call(a, b, { se: 90 });
    assert.deepEqual([ok.get('session-expires'), ok.get('require')], ['90;refresher=uac', 'timer']);
    assert.equal(invite.line('supported'), '100rel, timer, replaces, norefersub, histinfo');
    assert.equal(invite.get('session-expires'), '1800');
    assert.equal(invite.get('min-se'), '6');
    assert.equal(invite.get('p-asserted-identity'), '"1001" <sip:1001@127.0.0.1>');
    assert.equal(pbx.find({ dir: 'in', method: 'INVITE' })[0].msg.has('authorization'), false, 'the first INVITE was challenged');
    const update = await inDialog(a, dialog, 'UPDATE', { headers: [['Session-Expires', '90;refresher=uac']] });
    assert.deepEqual([update.status, update.reason], [400, 'Missing Contact header']);
    const reinvite = await inDialog(a, dialog, 'INVITE', { body: SDP, contentType: 'application/sdp' });
    assert.deepEqual([reinvite.status, reinvite.reason], [400, 'Missing Contact header']);
    const good = await inDialog(a, dialog, 'UPDATE', { headers: [['Contact', `<${a.contact}>`], ['Session-Expires', '90;refresher=uac']] });
    assert.deepEqual([good.status, good.get('session-expires'), good.has('contact')], [200, '90;refresher=uac', true]);
    const hold = await inDialog(a, dialog, 'INVITE', { headers: [['Contact', `<${a.contact}>`]], body: SDP.replace('sendrecv', 'sendonly'), contentType: 'application/sdp' });
    assert.match(hold.body, /a=recvonly/);
    assert.match(hold.body, /^o=- 1 2 /m, 'the o= version is bumped');
    const bye = await inDialog(a, dialog, 'BYE');
    assert.equal(bye.status, 200);
    await b.next((m) => m.method === 'BYE');
    assert.equal(pbx.channels().length, 0);
  });

  test('session timers: the PBX refreshes by UPDATE at N/2; without a refresh it sends BYE to both legs at N - N/3', async () => {
    const [a, b] = [uas[0], uas.at(-1)];
    const t0 = Date.now();
    const byeA = a.next((m) => m.method === 'BYE', { timeout: 8000 });
    const byeB = b.next((m) => m.method === 'BYE', { timeout: 8000 });
    const updateB = b.next((m) => m.method === 'UPDATE', { timeout: 8000 });
    await call(a, b, { se: 6, answerSe: '6;refresher=uac' });
    const upd = await updateB;
    assert.equal(upd.get('session-expires'), '6;refresher=uac');
    assert.ok(upd.has('contact'));
    const updAt = Date.now() - t0;
    await Promise.all([byeA, byeB]);
    const byeAt = Date.now() - t0;
    assert.ok(updAt >= 2500 && updAt < 4000, `UPDATE at ${updAt} ms (N/2 = 3000)`);
    assert.ok(byeAt >= 3800 && byeAt < 5500, `BYE at ${byeAt} ms (6 - 2 = 4 s)`);
    assert.equal(pbx.channels().length, 0);
  });

  test('Transfer(): a NOTIFY without Contact gets 400 and the call stays; with Contact and 200 OK the PBX hangs up both legs', async () => {
    const [a, b] = [uas[0], uas.at(-1)];
    const { dialog } = await call(a, b, { se: 1800 });
    let refer;
    a.onRequest = (m) => {
      if (m.method === 'REFER') (refer = m), a.answer(m, 202, 'Accepted');
      else if (m.method !== 'ACK') a.answer(m, 200, 'OK');
    };
    const leg = pbx.channels().find((l) => l.user === '1001');
    const referred = await pbx.transfer(leg, '600');
    assert.equal(referred.status, 202);
    assert.equal(refer.get('refer-to'), '<sip:600@127.0.0.1>');
    // The NOTIFY travels in the REFER's dialog: From is our side of it, To the PBX's.
    const notifyIn = { callId: dialog.callId, from: refer.get('to'), to: refer.get('from'), seq: 100 };
    const frag = (line) => ({ headers: [['Event', 'refer'], ['Subscription-State', 'active;expires=60']], body: `${line}\r\n`, contentType: 'message/sipfrag;version=2.0' });
    const bare = await inDialog(a, notifyIn, 'NOTIFY', frag('SIP/2.0 200 OK'));
    assert.deepEqual([bare.status, bare.reason], [400, 'Missing Contact header']);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(pbx.channels().length, 2, 'the PBX never learnt the outcome: the original leg stays');
    const byes = Promise.all([a.next((m) => m.method === 'BYE'), b.next((m) => m.method === 'BYE')]);
    const withContact = frag('SIP/2.0 200 OK');
    withContact.headers.push(['Contact', `<${a.contact}>`]);
    assert.equal((await inDialog(a, notifyIn, 'NOTIFY', withContact)).status, 200);
    await byes;
    assert.equal(pbx.channels().length, 0);
  });

  test('restart: sockets closed, registrations and channels forgotten; a re-INVITE for an old dialog gets 481', async () => {
    const [a, b] = [uas[0], uas.at(-1)];
    const { dialog } = await call(a, b, { se: 1800 });
    const closed = new Promise((r) => a.ws.once('close', (code) => r(code)));
    const { downAt, listeningAt } = await pbx.restart({ downMs: 300 });
    assert.equal(await closed, 1006);
    assert.ok(listeningAt - downAt >= 300);
    assert.deepEqual(pbx.registrations(), []);
    await a.open();
    const stale = await inDialog(a, dialog, 'INVITE', { headers: [['Contact', `<${a.contact}>`]], body: SDP, contentType: 'application/sdp' });
    assert.equal(stale.status, 481);
    await until(() => pbx.channels().length === 0);
  });
});
