// JsSIP parity through the real Kamailio (issue 14, items 2, 6, 7), in headless Chromium:
// custom headers both ways (INVITE, its 200, INFO, REFER, BYE, a rejection with Reason), an
// anonymous call and a per-call display name, and
// the incoming call's P-Asserted-Identity / Alert-Info, INFO both ways between softphones,
// an HA1 instead of a password, credentials rotated after a refusal and during a call,
// unregister/register (do-not-disturb) with the connection and calls kept.
// The wire side is seen by "dave", a bare SIP-over-WebSocket UA in Node registered to the
// same Kamailio (lib/asterisk/raw-ua.mjs), which records every message it gets.
// Drives tests/e2e/pages/calls.html (window.harness) over the built package in pkg/.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { RawUa } from './lib/asterisk/raw-ua.mjs';
import { closeHarness, createPhones, openHarness } from './lib/harness.mjs';
import { account, readEnv } from './lib/servers.mjs';
import { responseHeaders, writeSip } from './lib/asterisk/sip.mjs';

const env = readEnv();
const md5 = (s) => createHash('md5').update(s).digest('hex');
let browser;
let site;
let page;
let dave;
const consoleLines = [];

function config(user, extra = {}) {
  const acc = account(user);
  return { servers: env.wsUri, uri: acc.uri, password: acc.password, logLevel: 'info', reconnect: { baseMs: 300, maxMs: 2000 }, ...extra };
}

const h = (fn, ...args) => page.evaluate(fn, args);
const act = (name, id, method, ...rest) => h(([n, i, m, r]) => window.harness.act(n, i, m, ...r), name, id, method, rest);
const phoneAct = (name, method, ...rest) => h(([n, m, r]) => window.harness.phoneAct(n, m, ...r), name, method, rest);
const details = (name, id) => h(([n, i]) => window.harness.details(n, i), name, id);
const now = () => h(() => performance.now());

/** Waits for an event of phone `name` of `type` matching `want` after time `after`, and returns it. */
async function waitFor(name, type, want, { timeout = 10_000, after = 0 } = {}) {
  const match = ([n, t, w, a]) =>
    window.harness.events.find(
      (e) => e.phone === n && e.type === t && e.at > a && Object.entries(w).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v)),
    ) ?? null;
  try {
    await page.waitForFunction(match, [name, type, want, after], { timeout, polling: 50 });
  } catch {
    const seen = await h(([n]) => window.harness.events.filter((e) => e.phone === n).map((e) => `${e.type} ${e.event ?? e.state} ${e.status ?? ''}`), name);
    assert.fail(`${name}: no ${type} event ${JSON.stringify(want)} within ${timeout} ms; saw:\n${seen.slice(-15).join('\n')}\n${consoleLines.slice(-5).join('\n')}`);
  }
  return page.evaluate(match, [name, type, want, after]);
}

const waitCall = (name, want, opts) => waitFor(name, 'call', want, opts);

/** A header value of a raw message, case-insensitively. */
const hdr = (msg, name) => msg.line(name);

/**
 * dave's next request of `method`. Made before the action that causes it: RawUa.next()
 * sees only messages that arrive after it is called.
 */
function daveGets(method, timeout = 8000) {
  return dave.next((m) => m.isRequest && m.method === method, { timeout });
}

before(async () => {
  ({ browser, site, page } = await openHarness({ consoleLines }));
  for (const name of ['alice', 'bob']) {
    const t0 = await now();
    await createPhones(page, [name], config);
    await waitFor(name, 'registration', { state: 'registered' }, { after: t0 });
  }
  const acc = account('dave');
  dave = new RawUa(env.wsUri, 'dave', acc.password);
  dave.aor = acc.uri;
  // Requests to dave: answered by the test (see answerInvite), 200 otherwise.
  dave.invites = [];
  dave.onRequest = (msg) => {
    if (msg.method === 'INVITE') dave.invites.push(msg);
    else if (msg.method !== 'ACK') dave.answer(msg, 200, 'OK');
  };
  await dave.open();
  const reg = await dave.request({
    method: 'REGISTER',
    uri: `sip:${env.domain}`,
    to: `<${acc.uri}>`,
    from: `<${acc.uri}>;tag=${dave.tag}`,
    headers: [['Contact', `<${dave.contact}>`], ['Expires', '600']],
  });
  assert.equal(reg.status, 200, 'dave registers');
});

after(async () => {
  dave?.close();
  await closeHarness({ page, browser, site }, ['alice', 'bob', 'erin', 'frank']);
});

/** dave answers `invite` (180, then `status`), with a Record-Route copy so the dialog goes through Kamailio. */
function answerInvite(invite, status, reason, extra = []) {
  const rr = invite.headers.filter(([n]) => n.toLowerCase() === 'record-route');
  dave.answer(invite, 180, 'Ringing', [...rr, ['Contact', `<${dave.contact}>`]]);
  dave.answer(invite, status, reason, [...rr, ['Contact', `<${dave.contact}>`], ...extra]);
}

test('headers on the INVITE, INFO, REFER and BYE reach the far end; Reason on the BYE', async () => {
  const t0 = await now();
  const invited = daveGets('INVITE', 10_000);
  const placed = await h(
    ([t, o]) => window.harness.call('alice', t, o),
    'dave',
    { headers: [['X-Ticket', 'T-42'], ['X-Queue', 'sales']], displayName: 'Front Desk' },
  );
  assert.ok(placed.id, JSON.stringify(placed.error));
  const calling = await waitCall('alice', { callId: placed.id, event: 'calling' }, { after: t0 });
  const invite = await invited;
  assert.equal(hdr(invite, 'X-Ticket'), 'T-42');
  assert.equal(hdr(invite, 'X-Queue'), 'sales');
  assert.match(hdr(invite, 'From'), /^"Front Desk" <sip:alice@softphone\.test>;tag=/);
  assert.equal(invite.callId, calling.sipCallId, 'the calling event carries the SIP Call-ID');
  answerInvite(invite, 200, 'OK');
  await waitCall('alice', { callId: placed.id, event: 'connected' });
  // INFO with the app's headers and body.
  const infoIn = daveGets('INFO');
  const infoSent = await act('alice', placed.id, 'sendInfo', 'application/x-crm+json', '{"ticket":42}', { headers: { 'X-Info': 'crm' } });
  assert.ok(infoSent.ok, JSON.stringify(infoSent.error));
  const info = await infoIn;
  assert.equal(hdr(info, 'Content-Type'), 'application/x-crm+json');
  assert.equal(hdr(info, 'X-Info'), 'crm');
  assert.equal(info.body, '{"ticket":42}');
  await waitCall('alice', { callId: placed.id, event: 'infoResponse', status: 200 });
  // A header the stack owns is refused before anything is sent.
  const refused = await act('alice', placed.id, 'sendInfo', 'text/plain', 'x', { headers: { Via: 'SIP/2.0/WS evil.invalid' } });
  assert.equal(refused.error?.code, 'invalidValue');
  // REFER with the app's headers.
  const referIn = daveGets('REFER');
  const transferred = await act('alice', placed.id, 'transfer', 'carol', { headers: [['X-Transfer', 'blind']] });
  assert.ok(transferred.ok, JSON.stringify(transferred.error));
  const refer = await referIn;
  assert.equal(hdr(refer, 'X-Transfer'), 'blind');
  assert.equal(hdr(refer, 'Refer-To'), '<sip:carol@softphone.test>');
  // BYE with a Q.850 Reason and a header.
  const byeIn = daveGets('BYE');
  const hung = await act('alice', placed.id, 'hangup', { reason: { protocol: 'Q.850', cause: 16, text: 'Normal Clearing' }, headers: { 'X-Wrapup': 'done' } });
  assert.ok(hung.ok, JSON.stringify(hung.error));
  const bye = await byeIn;
  assert.equal(hdr(bye, 'Reason'), 'Q.850;cause=16;text="Normal Clearing"');
  assert.equal(hdr(bye, 'X-Wrapup'), 'done');
  await waitCall('alice', { callId: placed.id, event: 'ended', cause: { kind: 'localHangup' } });
});

test('an anonymous call; the incoming call shows PAI, Alert-Info and headers; answer headers and a rejection with Reason on the wire', async () => {
  // dave calls bob with a browser's own SDP offer, as Asterisk relays one.
  const offerFrom = await (async () => {
    const t0 = await now();
    const invited = daveGets('INVITE', 10_000);
    const placed = await h(([t, o]) => window.harness.call('alice', t, o), 'dave', { anonymous: true });
    const inv = await invited;
    // An anonymous call (RFC 3323): the From says nothing, Privacy asks the proxy to hide the rest.
    assert.match(hdr(inv, 'From'), /^"Anonymous" <sip:anonymous@anonymous\.invalid>;tag=/);
    assert.equal(hdr(inv, 'Privacy'), 'id');
    await waitCall('alice', { callId: placed.id, event: 'calling' }, { after: t0 });
    dave.answer(inv, 486, 'Busy Here');
    await waitCall('alice', { callId: placed.id, event: 'ended' });
    return inv.body;
  })();
  assert.match(offerFrom, /^v=0/);
  const bobUri = account('bob').uri;
  // From outside the domain, as a trunk would call: Kamailio challenges only its own users.
  const daveFrom = `"Dave" <sip:dave@trunk.invalid>;tag=${dave.tag}`;
  const ring = async (extra) => {
    const t0 = await now();
    const callId = `dave-${Math.random().toString(16).slice(2)}`;
    const final = dave.request({
      method: 'INVITE',
      uri: bobUri,
      callId,
      to: `<${bobUri}>`,
      from: daveFrom,
      headers: [['Contact', `<${dave.contact}>`], ...extra],
      body: offerFrom,
      contentType: 'application/sdp',
    });
    final.catch(() => {});
    const incoming = await waitCall('bob', { event: 'incoming' }, { after: t0 });
    return { incoming, final, callId };
  };
  // 1. Rejected with a status, a phrase, a Reason and a header.
  const first = await ring([
    ['P-Asserted-Identity', '"Reception, Desk" <sip:200@softphone.test>'],
    ['Alert-Info', '<http://www.notused.com>;info=alert-autoanswer;delay=0'],
    ['X-Campaign', 'spring'],
  ]);
  assert.deepEqual(first.incoming.identity, { uri: 'sip:200@softphone.test', displayName: 'Reception, Desk', source: 'pAssertedIdentity' });
  assert.equal(first.incoming.autoAnswerAfter, 0);
  assert.equal(first.incoming.sipCallId, first.callId);
  const d = await details('bob', first.incoming.callId);
  assert.equal(d.sipCallId, first.callId);
  assert.deepEqual(d.alertInfo, ['<http://www.notused.com>;info=alert-autoanswer;delay=0']);
  assert.ok(d.requestHeaders.some(([n, v]) => n === 'X-Campaign' && v === 'spring'), JSON.stringify(d.requestHeaders));
  assert.ok(d.requestHeaders.findIndex(([n]) => /^via$/i.test(n)) >= 0, 'every header, Kamailio\'s Via included');
  const rejected = await act('bob', first.incoming.callId, 'reject', {
    status: 603,
    reasonPhrase: 'Agent Away',
    reason: { protocol: 'SIP', cause: 603, text: 'Declined by agent' },
    headers: { 'X-Why': 'break' },
  });
  assert.ok(rejected.ok, JSON.stringify(rejected.error));
  const refusal = await first.final;
  assert.equal(refusal.status, 603);
  assert.equal(refusal.reason, 'Agent Away');
  assert.equal(hdr(refusal, 'Reason'), 'SIP;cause=603;text="Declined by agent"');
  assert.equal(hdr(refusal, 'X-Why'), 'break');
  await waitCall('bob', { callId: first.incoming.callId, event: 'ended', cause: { kind: 'rejected', status: 603 } });
  // 2. Answered with a header on the 200.
  const second = await ring([['Call-Info', '<sip:softphone.test>;answer-after=5']]);
  assert.equal(second.incoming.autoAnswerAfter, 5);
  assert.equal(second.incoming.identity, undefined);
  const answered = await act('bob', second.incoming.callId, 'answer', { headers: { 'X-Agent': '7' } });
  assert.ok(answered.ok, JSON.stringify(answered.error));
  const ok = await second.final;
  assert.equal(ok.status, 200);
  assert.equal(hdr(ok, 'X-Agent'), '7');
  // ACK the 200 through Kamailio (its Record-Route, reversed), then hang up from bob.
  const routes = ok.headers.filter(([n]) => n.toLowerCase() === 'record-route').map(([, v]) => ['Route', v]).reverse();
  const target = /<([^>]+)>/.exec(hdr(ok, 'Contact'))[1];
  dave.send(
    writeSip(`ACK ${target} SIP/2.0`, [
      ['Via', `SIP/2.0/WS ack.invalid;branch=z9hG4bK${Math.random().toString(16).slice(2)}`],
      ['Max-Forwards', '70'],
      ...routes,
      ['From', daveFrom],
      ['To', hdr(ok, 'To')],
      ['Call-ID', second.callId],
      ['CSeq', `${ok.get('cseq').split(' ')[0]} ACK`],
    ]),
  );
  await waitCall('bob', { callId: second.incoming.callId, event: 'connected' });
  const byeIn = daveGets('BYE');
  assert.ok((await act('bob', second.incoming.callId, 'hangup')).ok);
  const bye = await byeIn;
  dave.send(writeSip('SIP/2.0 200 OK', responseHeaders(bye, dave.tag)));
  await waitCall('bob', { callId: second.incoming.callId, event: 'ended' });
});

test('INFO both ways between softphones; PAI and headers set by the caller reach the callee', async () => {
  const t0 = await now();
  const placed = await h(
    ([t, o]) => window.harness.call('alice', t, o),
    'bob',
    { headers: { 'P-Asserted-Identity': '<sip:100@softphone.test>', 'X-Ticket': 'T-7' } },
  );
  assert.ok(placed.id, JSON.stringify(placed.error));
  const incoming = await waitCall('bob', { event: 'incoming' }, { after: t0 });
  assert.equal(incoming.identity?.uri, 'sip:100@softphone.test');
  const calling = await waitCall('alice', { callId: placed.id, event: 'calling' }, { after: t0 });
  assert.equal(incoming.sipCallId, calling.sipCallId, 'the same Call-ID on both sides');
  assert.ok((await details('bob', incoming.callId)).requestHeaders.some(([n, v]) => n === 'X-Ticket' && v === 'T-7'));
  assert.ok((await act('bob', incoming.callId, 'answer')).ok);
  await waitCall('alice', { callId: placed.id, event: 'connected' });
  await waitCall('bob', { callId: incoming.callId, event: 'connected' });
  assert.ok((await act('alice', placed.id, 'sendInfo', 'application/json', '{"a":1}', { headers: { 'X-Dir': 'out' } })).ok);
  const got = await waitCall('bob', { callId: incoming.callId, event: 'info' });
  assert.equal(got.contentType, 'application/json');
  assert.equal(got.body, '{"a":1}');
  assert.ok(got.headers.some(([n, v]) => n === 'X-Dir' && v === 'out'), JSON.stringify(got.headers));
  await waitCall('alice', { callId: placed.id, event: 'infoResponse', status: 200 });
  assert.ok((await act('bob', incoming.callId, 'sendInfo', 'text/plain', 'back')).ok);
  const back = await waitCall('alice', { callId: placed.id, event: 'info' });
  assert.equal(back.body, 'back');
  // DTMF by INFO with a duration, then RFC 4733 with duration and gap (checked by the API).
  assert.ok((await act('alice', placed.id, 'sendDtmf', '12', { mode: 'info', duration: 250, interToneGap: 100 })).ok);
  await waitCall('bob', { callId: incoming.callId, event: 'dtmf', tone: '1' });
  await waitCall('bob', { callId: incoming.callId, event: 'dtmf', tone: '2' });
  assert.equal((await act('alice', placed.id, 'sendDtmf', '1', { duration: 5 })).error?.code, 'invalidValue');
  // RFC 4733: the RTCDTMFSender plays each tone `duration` ms, then waits `interToneGap`.
  await waitCall('alice', { callId: placed.id, event: 'remoteStream' });
  assert.equal(await h(([i]) => window.harness.watchDtmf('alice', i), placed.id), true);
  assert.ok((await act('alice', placed.id, 'sendDtmf', '12', { duration: 400, interToneGap: 300 })).ok);
  await page.waitForFunction(([i]) => window.harness.toneTimes('alice', i).length >= 3, [placed.id], { timeout: 5000 });
  const [t1, t2, end] = await h(([i]) => window.harness.toneTimes('alice', i), placed.id);
  // 700 ms from one tone to the next (the default 100 + 70 would be 170 ms), 400 ms of the last.
  assert.ok(t2 - t1 >= 650 && t2 - t1 < 1200, `tone to tone ${Math.round(t2 - t1)} ms`);
  assert.ok(end - t2 >= 350, `the last tone lasted ${Math.round(end - t2)} ms`);
  assert.ok((await act('alice', placed.id, 'hangup')).ok);
  await waitCall('bob', { callId: incoming.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
});

test('HA1 instead of a password; a refused password replaced; credentials rotated during a call', async () => {
  // frank registers with an HA1 only.
  const frank = account('frank');
  let t0 = await now();
  const ha1 = md5(`frank:${env.domain}:${frank.password}`);
  const made = await h(([c]) => window.harness.create('frank', c), { servers: env.wsUri, uri: frank.uri, ha1, logLevel: 'info' });
  assert.ok(made.instanceId, JSON.stringify(made));
  await h(() => window.harness.start('frank'));
  await waitFor('frank', 'registration', { state: 'registered' }, { after: t0 });
  // erin starts with a wrong password: refused for good, until new credentials come.
  const erin = account('erin');
  t0 = await now();
  await h(([c]) => window.harness.create('erin', c), config('erin', { password: 'not-the-password' }));
  await h(() => window.harness.start('erin'));
  const failed = await waitFor('erin', 'registration', { state: 'failed' }, { after: t0 });
  assert.equal(failed.status, 401);
  assert.equal(failed.retryInMs, undefined, 'waits for the app');
  assert.equal((await phoneAct('erin', 'setCredentials', { password: 'a', ha1: 'b' })).error?.code, 'invalidValue');
  t0 = await now();
  assert.ok((await phoneAct('erin', 'setCredentials', { password: erin.password, authUser: 'erin' })).ok);
  await waitFor('erin', 'registration', { state: 'registered' }, { after: t0 });
  // alice, in a call with bob, switches to an HA1: the call stays, her next INVITE uses it.
  t0 = await now();
  const placed = await h(([t]) => window.harness.call('alice', t), 'bob');
  const incoming = await waitCall('bob', { event: 'incoming' }, { after: t0 });
  assert.ok((await act('bob', incoming.callId, 'answer')).ok);
  await waitCall('alice', { callId: placed.id, event: 'connected' });
  const aliceHa1 = md5(`alice:${env.domain}:${account('alice').password}`);
  assert.ok((await phoneAct('alice', 'setCredentials', { ha1: aliceHa1 })).ok);
  t0 = await now();
  const second = await h(([t]) => window.harness.call('alice', t), 'erin');
  assert.ok(second.id, JSON.stringify(second.error));
  const ringing = await waitCall('erin', { event: 'incoming' }, { after: t0 });
  assert.ok((await act('erin', ringing.callId, 'answer')).ok);
  await waitCall('alice', { callId: second.id, event: 'connected' });
  const first = await h(([i]) => window.harness.info('alice', i), placed.id);
  assert.equal(first?.state, 'connected', 'the first call is still up');
  for (const id of [placed.id, second.id]) assert.ok((await act('alice', id, 'hangup')).ok);
  await waitCall('erin', { callId: ringing.callId, event: 'ended' });
  await waitCall('bob', { callId: incoming.callId, event: 'ended' });
});

test('unregister keeps the connection and calls; calls to it fail until register', async () => {
  let t0 = await now();
  const placed = await h(([t]) => window.harness.call('alice', t), 'bob');
  const incoming = await waitCall('bob', { event: 'incoming' }, { after: t0 });
  assert.ok((await act('bob', incoming.callId, 'answer')).ok);
  await waitCall('alice', { callId: placed.id, event: 'connected' });
  t0 = await now();
  assert.ok((await phoneAct('bob', 'unregister')).ok);
  await waitFor('bob', 'registration', { state: 'unregistered' }, { after: t0 });
  assert.deepEqual(await h(() => window.harness.phoneState('bob')), { isRegistered: false, connectionState: 'connected' });
  // A call to bob now finds no binding.
  t0 = await now();
  const missed = await h(([t]) => window.harness.call('alice', t), 'bob');
  const ended = await waitCall('alice', { callId: missed.id, event: 'ended' }, { after: t0 });
  assert.equal(ended.cause.status, 404, JSON.stringify(ended.cause));
  // The call from before is still up, in both directions.
  assert.equal((await h(([i]) => window.harness.info('bob', i), incoming.callId))?.state, 'connected');
  assert.ok((await act('alice', placed.id, 'sendInfo', 'text/plain', 'still here')).ok);
  await waitCall('bob', { callId: incoming.callId, event: 'info', body: 'still here' });
  // No disconnect happened.
  const disconnected = await h(([a]) => window.harness.events.some((e) => e.phone === 'bob' && e.type === 'connection' && e.at > a && e.state === 'disconnected'), t0);
  assert.equal(disconnected, false);
  t0 = await now();
  assert.ok((await phoneAct('bob', 'register')).ok);
  await waitFor('bob', 'registration', { state: 'registered' }, { after: t0 });
  assert.deepEqual(await h(() => window.harness.phoneState('bob')), { isRegistered: true, connectionState: 'connected' });
  t0 = await now();
  const again = await h(([t]) => window.harness.call('alice', t), 'bob');
  const rings = await waitCall('bob', { event: 'incoming' }, { after: t0 });
  assert.ok((await act('bob', rings.callId, 'reject')).ok);
  await waitCall('alice', { callId: again.id, event: 'ended', cause: { kind: 'busy' } });
  assert.ok((await act('alice', placed.id, 'hangup')).ok);
  await waitCall('bob', { callId: incoming.callId, event: 'ended' });
});
