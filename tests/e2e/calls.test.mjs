// Calls between softphones in headless Chromium (fake microphone) through the real Kamailio:
// audio both ways (getStats counters rising), DTMF (RFC 4733 and INFO), hold and resume,
// a second call answered while the first is held, hangup from either side, 404 for an
// unregistered user, CANCEL before the answer, call API errors, and no peer connection or
// microphone left open afterwards. Drives tests/e2e/pages/calls.html (window.harness) over
// the built package in pkg/. Needs the local servers (scripts/test.sh starts them).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeHarness, createPhones, openHarness } from './lib/harness.mjs';
import { account, readEnv, turnCredentials } from './lib/servers.mjs';

const env = readEnv();
let browser;
let site;
let page;
const consoleLines = [];

function config(user, extra = {}) {
  const acc = account(user);
  return {
    servers: env.wsUri,
    uri: acc.uri,
    password: acc.password,
    logLevel: 'info',
    reconnect: { baseMs: 300, maxMs: 2000 },
    ...extra,
  };
}

const h = (fn, ...args) => page.evaluate(fn, args);
const callEvents = (name, id) => h(([n, i]) => window.harness.callEvents(n, i), name, id);
const stats = (name, id) => h(([n, i]) => window.harness.stats(n, i), name, id);
const act = (name, id, method, ...rest) => h(([n, i, m, r]) => window.harness.act(n, i, m, ...r), name, id, method, rest);
const info = (name, id) => h(([n, i]) => window.harness.info(n, i), name, id);
const media = (name, id) => h(([n, i]) => window.harness.media(n, i), name, id);
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
    const seen = (await callEvents(name)).map((e) => `${Math.round(e.at)} #${e.callId} ${e.event}${e.cause ? ' ' + JSON.stringify(e.cause) : ''}`);
    const panics = consoleLines.filter((l) => /panicked|error/i.test(l)).slice(-5);
    assert.fail(`${name}: no call event ${JSON.stringify(want)} within ${timeout} ms; saw:\n${seen.join('\n')}\n${panics.join('\n')}`);
  }
  return page.evaluate(match, [name, want, after]);
}

async function waitRegistered(name) {
  await page.waitForFunction(
    (n) => window.harness.events.some((e) => e.phone === n && e.type === 'registration' && e.state === 'registered'),
    name,
    { timeout: 10_000 },
  );
}

/** Inbound and outbound audio counters of a call, measured twice `ms` apart. */
async function flow(name, id, ms = 1500) {
  const a = await stats(name, id);
  await sleep(ms);
  const b = await stats(name, id);
  assert.ok(!a.error && !b.error, `getStats failed: ${JSON.stringify(a.error ?? b.error)}`);
  return {
    inPackets: b.inbound.packets - a.inbound.packets,
    inBytes: b.inbound.bytes - a.inbound.bytes,
    outPackets: b.outbound.packets - a.outbound.packets,
    outBytes: b.outbound.bytes - a.outbound.bytes,
    last: b,
  };
}

/** alice calls `callee`, who answers; returns both call ids once both are connected. */
async function connect(caller, callee) {
  const t0 = await h(() => performance.now());
  const placed = await h(([c, t]) => window.harness.call(c, t), caller, callee);
  assert.ok(placed.id, `call failed: ${JSON.stringify(placed.error)}`);
  assert.equal(placed.direction, 'outgoing');
  const incoming = await waitEvent(callee, { event: 'incoming' }, { after: t0 });
  assert.equal(incoming.from, account(caller).uri);
  const answered = await act(callee, incoming.callId, 'answer');
  assert.ok(answered.ok, JSON.stringify(answered.error));
  await waitEvent(caller, { callId: placed.id, event: 'connected' });
  await waitEvent(callee, { callId: incoming.callId, event: 'connected' });
  await waitEvent(caller, { callId: placed.id, event: 'remoteStream' });
  await waitEvent(callee, { callId: incoming.callId, event: 'remoteStream' });
  return [placed.id, incoming.callId];
}

before(async () => {
  ({ browser, site, page } = await openHarness({ consoleLines }));
  await createPhones(page, ['alice', 'bob', 'carol'], (name) => config(name));
  await Promise.all(['alice', 'bob', 'carol'].map(waitRegistered));
});

after(() => closeHarness({ page, browser, site }, ['alice', 'bob', 'carol', 'dave']));

describe('calls through Kamailio', { concurrency: false }, () => {
  let aliceBob;
  let bobAlice;

  test('alice calls bob: both connect and audio flows both ways', async () => {
    [aliceBob, bobAlice] = await connect('alice', 'bob');
    const a = await info('alice', aliceBob);
    assert.equal(a.state, 'connected');
    assert.ok(a.hasRemoteStream && a.hasLocalStream, JSON.stringify(a));
    assert.ok(a.connectedAt > Date.now() - 60_000, `connectedAt ${a.connectedAt}`);
    assert.equal((await info('bob', bobAlice)).direction, 'incoming');
    const m = await media('alice', aliceBob);
    // Audio only: 'balanced' (one transport all the same; see src/web/media/peer.rs).
    assert.deepEqual(m.config, { bundlePolicy: 'balanced', rtcpMuxPolicy: 'require' });
    const [fa, fb] = await Promise.all([flow('alice', aliceBob), flow('bob', bobAlice)]);
    for (const [who, f] of [['alice', fa], ['bob', fb]]) {
      assert.ok(f.inPackets > 20 && f.inBytes > 500, `${who} inbound not rising: ${JSON.stringify(f)}`);
      assert.ok(f.outPackets > 20 && f.outBytes > 500, `${who} outbound not rising: ${JSON.stringify(f)}`);
    }
    assert.ok(fa.last.selectedPair?.local?.type, `selected pair: ${JSON.stringify(fa.last.selectedPair)}`);
  });

  test('DTMF: RFC 4733 tones are played; INFO digits reach bob', async () => {
    assert.equal(await h(([n, i]) => window.harness.watchDtmf(n, i), 'alice', aliceBob), true, 'an RTCDTMFSender exists');
    assert.ok((await act('alice', aliceBob, 'sendDtmf', '12#')).ok);
    await page.waitForFunction(
      ([n, i]) => window.harness.media(n, i).dtmfTones.join(',') === '1,2,#,',
      ['alice', aliceBob],
      { timeout: 5_000 },
    );
    const t0 = await h(() => performance.now());
    assert.ok((await act('alice', aliceBob, 'sendDtmf', '5*', { mode: 'info' })).ok);
    await waitEvent('bob', { callId: bobAlice, event: 'dtmf', tone: '5' }, { after: t0 });
    await waitEvent('bob', { callId: bobAlice, event: 'dtmf', tone: '*' }, { after: t0 });
    const bad = await act('alice', aliceBob, 'sendDtmf', '1', { mode: 'sms' });
    assert.equal(bad.error?.code, 'invalidValue');
  });

  test('hold stops the holder hearing, and a second call is answered while the first is held', async () => {
    const t0 = await h(() => performance.now());
    assert.ok((await act('alice', aliceBob, 'hold')).ok);
    await waitEvent('alice', { callId: aliceBob, event: 'hold', local: true, remote: false }, { after: t0 });
    await waitEvent('bob', { callId: bobAlice, event: 'hold', local: false, remote: true }, { after: t0 });
    assert.deepEqual((await info('alice', aliceBob)).hold, { local: true, remote: false });
    assert.deepEqual((await media('alice', aliceBob)).directions, ['sendonly']);
    assert.deepEqual((await media('bob', bobAlice)).directions, ['recvonly']);
    await sleep(300); // packets in flight
    const [fa, fb] = await Promise.all([flow('alice', aliceBob), flow('bob', bobAlice)]);
    assert.ok(fa.inPackets <= 2, `alice still receives while holding: ${JSON.stringify(fa)}`);
    assert.ok(fb.inPackets > 20, `bob stopped receiving alice's audio: ${JSON.stringify(fb)}`);

    // carol calls alice; alice answers with bob on hold.
    const [carolAlice, aliceCarol] = await connect('carol', 'alice');
    assert.deepEqual(await h(() => window.harness.callIds('alice')), [aliceBob, aliceCarol].sort((x, y) => x - y));
    const f2 = await flow('alice', aliceCarol);
    assert.ok(f2.inPackets > 20 && f2.outPackets > 20, `second call audio: ${JSON.stringify(f2)}`);
    const still = await flow('alice', aliceBob, 500);
    assert.ok(still.inPackets <= 2, `the held call came back: ${JSON.stringify(still)}`);

    // alice hangs up carol: localHangup for alice, remoteHangup for carol.
    assert.ok((await act('alice', aliceCarol, 'hangup')).ok);
    await waitEvent('alice', { callId: aliceCarol, event: 'ended', cause: { kind: 'localHangup' } });
    await waitEvent('carol', { callId: carolAlice, event: 'ended', cause: { kind: 'remoteHangup' } });
    assert.equal(await info('alice', aliceCarol), null, 'an ended call is not live');

    // Resume: bob's audio is heard again.
    const t1 = await h(() => performance.now());
    assert.ok((await act('alice', aliceBob, 'resume')).ok);
    await waitEvent('alice', { callId: aliceBob, event: 'hold', local: false, remote: false }, { after: t1 });
    await waitEvent('bob', { callId: bobAlice, event: 'hold', local: false, remote: false }, { after: t1 });
    assert.deepEqual((await media('alice', aliceBob)).directions, ['sendrecv']);
    await sleep(300);
    const back = await flow('alice', aliceBob);
    assert.ok(back.inPackets > 20, `alice does not hear bob after resume: ${JSON.stringify(back)}`);
  });

  test('mute is reported and shown', async () => {
    assert.ok((await act('alice', aliceBob, 'mute')).ok);
    await waitEvent('alice', { callId: aliceBob, event: 'muted', muted: true });
    assert.equal((await info('alice', aliceBob)).muted, true);
    assert.ok((await act('alice', aliceBob, 'unmute')).ok);
    await waitEvent('alice', { callId: aliceBob, event: 'muted', muted: false });
  });

  test('bob hangs up: remoteHangup for alice; no peer connection or microphone stays open', async () => {
    assert.ok((await act('bob', bobAlice, 'hangup')).ok);
    await waitEvent('bob', { callId: bobAlice, event: 'ended', cause: { kind: 'localHangup' } });
    await waitEvent('alice', { callId: aliceBob, event: 'ended', cause: { kind: 'remoteHangup' } });
    assert.deepEqual(await h(() => window.harness.callIds('alice')), []);
    assert.equal(await h(() => window.harness.openPcs()), 0, 'peer connections left open');
    assert.equal(await h(() => window.harness.liveTracks()), 0, 'captured tracks left live');
    assert.ok((await h(() => window.mediaTracker.pcs.length)) >= 4, 'the test made peer connections');
  });

  test('a call to an unregistered user ends failed 404', async () => {
    const placed = await h(() => window.harness.call('alice', 'nobody'));
    assert.ok(placed.id, JSON.stringify(placed));
    const ended = await waitEvent('alice', { callId: placed.id, event: 'ended' });
    assert.equal(ended.cause.kind, 'failed', JSON.stringify(ended.cause));
    assert.equal(ended.cause.status, 404);
  });

  test('CANCEL before the answer: both sides end cancelled', async () => {
    const t0 = await h(() => performance.now());
    const placed = await h(() => window.harness.call('alice', 'sip:bob@softphone.test'));
    const incoming = await waitEvent('bob', { event: 'incoming' }, { after: t0 });
    await waitEvent('alice', { callId: placed.id, event: 'ringing' });
    assert.equal((await info('alice', placed.id)).state, 'ringing');
    assert.ok((await act('alice', placed.id, 'hangup')).ok);
    await waitEvent('alice', { callId: placed.id, event: 'ended', cause: { kind: 'cancelled' } });
    await waitEvent('bob', { callId: incoming.callId, event: 'ended', cause: { kind: 'cancelled' } });
    assert.equal(await h(() => window.harness.openPcs()), 0, 'peer connections left open');
    assert.equal(await h(() => window.harness.liveTracks()), 0, 'captured tracks left live');
  });

  test('call API errors carry a code', async () => {
    const badTarget = await h(() => window.harness.call('alice', 'sip:'));
    assert.deepEqual([badTarget.error?.name, badTarget.error?.code], ['SoftphoneCallError', 'invalidTarget']);
    const badHeader = await h(() => window.harness.call('alice', 'bob', { headers: { 'X-A': 'a\r\nB: c' } }));
    assert.equal(badHeader.error?.code, 'invalidValue');
    const badOption = await h(() => window.harness.call('alice', 'bob', { vidoe: true }));
    assert.equal(badOption.error?.code, 'invalidValue');
    await h(([c]) => window.harness.create('dave', c), config('dave'));
    const offline = await h(() => window.harness.call('dave', 'bob'));
    assert.equal(offline.error?.code, 'notConnected');
    assert.equal(await h(() => window.harness.info('alice', 4242)), null);
    assert.deepEqual(await h(() => window.harness.events.filter((e) => e.type === 'call' && e.phone === 'dave')), []);
  });

  test('relay-only calls go through TURN (iceServers, iceTransportPolicy)', async () => {
    const iceServers = [turnCredentials(env.turn, { id: 'calls-e2e' })];
    for (const [name, user] of [['daveTurn', 'dave'], ['frankTurn', 'frank']]) {
      const made = await h(
        ([n, c]) => window.harness.create(n, c),
        name,
        config(user, { iceServers, iceTransportPolicy: 'relay', logLevel: 'trace' }),
      );
      assert.ok(made.instanceId, JSON.stringify(made));
      await h(([n]) => window.harness.start(n), name);
      await waitRegistered(name);
    }
    const t0 = await h(() => performance.now());
    const placed = await h(() => window.harness.call('daveTurn', 'frank'));
    assert.ok(placed.id, JSON.stringify(placed));
    const incoming = await waitEvent('frankTurn', { event: 'incoming' }, { after: t0 });
    assert.ok((await act('frankTurn', incoming.callId, 'answer')).ok);
    await waitEvent('daveTurn', { callId: placed.id, event: 'remoteStream' }, { timeout: 15_000 });
    await waitEvent('frankTurn', { callId: incoming.callId, event: 'remoteStream' }, { timeout: 15_000 });
    const f = await flow('daveTurn', placed.id);
    assert.ok(f.inPackets > 20 && f.outPackets > 20, `no audio through TURN: ${JSON.stringify(f)}`);
    assert.equal(f.last.selectedPair?.local?.type, 'relay', JSON.stringify(f.last.selectedPair));
    const cfg = await h(() => window.mediaTracker.pcs.at(-1).getConfiguration());
    assert.equal(cfg.iceTransportPolicy, 'relay');
    assert.deepEqual(cfg.iceServers.map((s) => s.urls).flat(), env.turn.urls);
    assert.ok((await act('daveTurn', placed.id, 'hangup')).ok);
    await waitEvent('frankTurn', { callId: incoming.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
    assert.equal(await h(() => window.harness.openPcs()), 0);
    // With TURN configured both phones pre-warm (on by default): one idle peer connection
    // each once the call is over, and none after stop().
    await page.waitForFunction(() => window.mediaTracker.warmPcs().length === 2, null, { timeout: 5_000 });
    await h(() => Promise.all(['daveTurn', 'frankTurn'].map((n) => window.harness.stop(n))));
    assert.equal(await h(() => window.mediaTracker.warmPcs().length), 0, 'stop() left a pre-warmed peer connection');
    assert.ok(consoleLines.some((l) => l.includes('INVITE')), 'trace logging reached the console');
    for (const line of consoleLines) {
      assert.ok(!line.includes(iceServers[0].credential), `the TURN credential leaked: ${line.slice(0, 80)}`);
    }
  });

  test('blind transfer: bob accepts alice\'s REFER and calls carol', async () => {
    const [aliceBob3, bobAlice3] = await connect('alice', 'bob');
    const t0 = await h(() => performance.now());
    assert.ok((await act('alice', aliceBob3, 'transfer', 'carol')).ok);
    const asked = await waitEvent('bob', { callId: bobAlice3, event: 'transferRequested' }, { after: t0 });
    assert.match(asked.target, /^sip:carol@softphone\.test/);
    const accepted = await act('bob', bobAlice3, 'acceptTransfer');
    assert.ok(accepted.ok && accepted.id > bobAlice3, JSON.stringify(accepted));
    const ringing = await waitEvent('carol', { event: 'incoming' }, { after: t0 });
    assert.equal(ringing.from, account('bob').uri);
    assert.ok((await act('carol', ringing.callId, 'answer')).ok);
    await waitEvent('bob', { callId: accepted.id, event: 'connected' });
    await waitEvent('alice', { callId: aliceBob3, event: 'ended', cause: { kind: 'transferred' } });
    const progress = (await callEvents('alice', aliceBob3)).filter((e) => e.event === 'transferProgress');
    assert.ok(progress.some((e) => e.status === 200), `transfer progress: ${JSON.stringify(progress)}`);
    assert.ok((await act('bob', accepted.id, 'hangup')).ok);
    await waitEvent('carol', { callId: ringing.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
    await page.waitForFunction(() => window.harness.openPcs() === 0, null, { timeout: 5_000 });
  });

  test('a video call captures the camera and bundles audio and video', async () => {
    const t0 = await h(() => performance.now());
    const placed = await h(() => window.harness.call('alice', 'bob', { video: true }));
    assert.ok(placed.id, JSON.stringify(placed));
    const incoming = await waitEvent('bob', { event: 'incoming' }, { after: t0 });
    assert.ok((await act('bob', incoming.callId, 'answer')).ok);
    await waitEvent('alice', { callId: placed.id, event: 'remoteStream' });
    const kinds = await h(([i]) => window.harness.localKinds('alice', i), placed.id);
    assert.deepEqual(kinds, ['audio', 'video']);
    const m = await media('alice', placed.id);
    assert.equal(m.config.bundlePolicy, 'max-bundle');
    assert.equal(m.directions.length, 2, JSON.stringify(m));
    const f = await flow('alice', placed.id, 1000);
    assert.ok(f.inPackets > 10 && f.outPackets > 10, `audio in a video call: ${JSON.stringify(f)}`);
    assert.ok((await act('alice', placed.id, 'hangup')).ok);
    await waitEvent('bob', { callId: incoming.callId, event: 'ended', cause: { kind: 'remoteHangup' } });
    await page.waitForFunction(() => window.harness.openPcs() === 0 && window.harness.liveTracks() === 0, null, { timeout: 5_000 });
  });

  test('stop() and free() during calls release the media', async () => {
    const [aliceBob2, bobAlice2] = await connect('alice', 'bob');
    await h(() => window.harness.stop('bob'));
    await waitEvent('bob', { callId: bobAlice2, event: 'ended', cause: { kind: 'localHangup' } });
    await waitEvent('alice', { callId: aliceBob2, event: 'ended', cause: { kind: 'remoteHangup' } });
    assert.equal(await h(() => window.harness.openPcs()), 0, 'stop() left a peer connection open');

    const [, aliceCarol] = await connect('carol', 'alice');
    assert.equal(await h(() => window.harness.openPcs()), 2);
    await h(() => window.harness.free('carol'));
    assert.equal(await h(() => window.harness.openPcs()), 1, "free() left carol's peer connection open");
    assert.ok((await act('alice', aliceCarol, 'hangup')).ok);
    await waitEvent('alice', { callId: aliceCarol, event: 'ended', cause: { kind: 'localHangup' } });
    assert.equal(await h(() => window.harness.openPcs()), 0);
    assert.equal(await h(() => window.harness.liveTracks()), 0, 'a microphone was left on');
  });

  test('each tab has its own instance id, kept across reloads', async () => {
    // Two tabs of one profile share localStorage, not sessionStorage.
    const context = await browser.newContext();
    const ids = [];
    try {
      const open = async () => {
        const tab = await context.newPage();
        await tab.goto(`${site.url}tests/calls.html`);
        await tab.waitForFunction(() => window.harness?.ready === true, null, { timeout: 20_000 });
        return tab;
      };
      const probe = async (tab) =>
        (await tab.evaluate(([c]) => window.harness.create('probe', c), [config('frank')])).instanceId;
      const [one, two] = [await open(), await open()];
      ids.push(await probe(one), await probe(two));
      await two.reload();
      await two.waitForFunction(() => window.harness?.ready === true, null, { timeout: 20_000 });
      ids.push(await probe(two));
    } finally {
      await context.close();
    }
    assert.match(ids[0], /^[0-9a-f-]{36}$/);
    assert.notEqual(ids[0], ids[1], 'two tabs share an instance id');
    assert.equal(ids[1], ids[2], 'a reload changed the instance id');
  });
});
