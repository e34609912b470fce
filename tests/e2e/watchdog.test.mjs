// The core's media watchdog in headless Chromium against the real Kamailio and coturn: two
// phones in one page, relay-only through the local TURN server; the call's media is cut with
// nftables DROP rules on the TURN port (tests/e2e/lib/netfault.mjs) while the SIP WebSocket
// stays up.
//
// - cut mid-call, restored: `reconnecting` within ~3-4 s of the cut (no inbound audio for
//   3 s), a `noInboundAudio` warning, then `connected` again with audio once the cut ends;
// - cut for good: the call ends with a `mediaFailure` cause saying the media was lost, how
//   long recovery was tried, with the evidence (ICE/DTLS states, per-URL outcomes);
// - TURN dropped before the call: media never starts; the call goes `reconnecting` ~3 s
//   after the answer and ends saying the media never started.
// Tests that cut the network need nft (Debian nftables) and are skipped without it; every
// fault is removed at the end. Short watchdog timings keep the give-up tests brief.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openConnectivityPage, phoneRoster, stopPhones, waitEvent as waitEventOn } from './lib/connectivity-page.mjs';
import { dropPorts, netfaultAvailable, removeStaleFaults } from './lib/netfault.mjs';
import { account, launchChromium, readEnv, startKamailio, startStaticServer, turnCredentials } from './lib/servers.mjs';

const env = readEnv();
const turnPort = Number(/:(\d+)\?/.exec(env.turn.urls[0])[1]);

let browser;
let site;
let page;
let nft = false;
const consoleLines = [];

const h = (fn, ...args) => page.evaluate(fn, args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pageNow = () => h(() => performance.now());
const waitEvent = (name, want, options) => waitEventOn(page, name, want, options);

/** Quick give-up: 2 restarts, the first given 2 s, the second 4 s. */
const QUICK = { startTimeout: 3, stallTimeout: 3, restartWait: 2, restarts: 2 };

function config(user, extra = {}) {
  const acc = account(user);
  return {
    servers: env.wsUri,
    uri: acc.uri,
    password: acc.password,
    logLevel: 'info',
    reconnect: { baseMs: 300, maxMs: 2000 },
    iceTransportPolicy: 'relay',
    iceServers: [turnCredentials(env.turn, { id: 'e2e-watchdog', ttlSeconds: 3600 })],
    ...extra,
  };
}

const { created, phone, drop, withDave } = phoneRoster(() => page, config);

/** dave calls erin, who answers; returns the call ids and when dave saw `connected`. */
async function connect() {
  const placed = await h(([c, t]) => window.connectivity.call(c, t), 'dave', 'erin');
  assert.ok(placed.id !== undefined, JSON.stringify(placed.error));
  const incoming = await waitEvent('erin', { type: 'call', event: 'incoming' }, { after: placed.at });
  const answered = await h(([n, i]) => window.connectivity.act(n, i, 'answer'), 'erin', incoming.callId);
  assert.ok(answered.ok, JSON.stringify(answered.error));
  const connected = await waitEvent('dave', { type: 'call', callId: placed.id, event: 'connected' }, { after: placed.at, timeout: 15_000 });
  return { a: placed.id, b: incoming.callId, connectedAt: connected.at };
}

/** Inbound/outbound audio packets of a call over `ms`, and the last stats. */
async function flow(name, id, ms = 1500) {
  const s1 = await h(([n, i]) => window.connectivity.stats(n, i), name, id);
  await sleep(ms);
  const s2 = await h(([n, i]) => window.connectivity.stats(n, i), name, id);
  assert.ok(!s1.error && !s2.error, JSON.stringify(s1.error ?? s2.error));
  return { in: s2.inbound.packets - s1.inbound.packets, out: s2.outbound.packets - s1.outbound.packets, stats: s2 };
}

async function hangup(id, otherId) {
  const t = await pageNow();
  const r = await h(([n, i]) => window.connectivity.act(n, i, 'hangup'), 'dave', id);
  assert.ok(r.ok, JSON.stringify(r.error));
  await waitEvent('erin', { type: 'call', callId: otherId, event: 'ended', cause: { kind: 'remoteHangup' } }, { after: t });
}

/** The `ended` event of dave's call `id`, waiting up to `timeout`. */
async function endedCause(id, after, timeout) {
  const ended = await waitEvent('dave', { type: 'call', callId: id, event: 'ended' }, { after, timeout });
  return ended.cause;
}

const STATUSES = ['pending', 'allocated', 'timedOut', 'refused', 'authFailed', 'error'];

function checkEvidence(cause) {
  assert.equal(cause.kind, 'mediaFailure', JSON.stringify(cause));
  assert.ok(typeof cause.reason === 'string' && cause.reason.length > 20, cause.reason);
  assert.ok(['iceFailed', 'turnUnreachable', 'dtlsFailed', 'noInboundPackets'].includes(cause.why), cause.why);
  assert.ok(cause.triedMs > 0, JSON.stringify(cause));
  // The watchdog's 2, and those ICE states started on their own (ICE failed).
  assert.ok(cause.restarts >= 2, JSON.stringify(cause));
  const e = cause.evidence;
  assert.ok(e && Array.isArray(e.servers), JSON.stringify(cause));
  const turn = e.servers.find((s) => s.url === env.turn.urls[0]);
  assert.ok(turn, `the TURN URL is in the evidence: ${JSON.stringify(e.servers)}`);
  for (const s of e.servers) assert.ok(STATUSES.includes(s.status), JSON.stringify(s));
  assert.ok(!JSON.stringify(cause).includes(env.turn.secret), 'no TURN secret in the cause');
}

before(async () => {
  await startKamailio();
  nft = await netfaultAvailable();
  if (nft) await removeStaleFaults();
  site = await startStaticServer();
  browser = await launchChromium();
  page = await openConnectivityPage(browser, site, consoleLines);
  await phone('dave', 'dave');
  await phone('erin', 'erin');
});

after(async () => {
  if (page) await stopPhones(page, [...created]);
  await browser?.close();
  await site?.close();
});

describe('the media watchdog', { concurrency: false }, () => {
  test('media cut mid-call: reconnecting within 4 s, connected with audio once restored', async (t) => {
    if (!nft) return t.skip('nft is not available');
    const c = await connect();
    assert.ok((await flow('dave', c.a, 1000)).in > 10, 'audio before the cut');
    const cut = await dropPorts({ ports: [turnPort], maxMs: 40_000 });
    const cutAt = await pageNow();
    let restoredAt;
    try {
      const rec = await waitEvent('dave', { type: 'call', callId: c.a, event: 'reconnecting' }, { after: cutAt, timeout: 8_000 });
      const ms = rec.at - cutAt;
      const silent = await waitEvent('dave', { type: 'quality', callId: c.a, warning: 'noInboundAudio', active: true }, { after: cutAt, timeout: 8_000 });
      console.log(`# media cut: reconnecting after ${Math.round(ms)} ms, noInboundAudio after ${Math.round(silent.at - cutAt)} ms`);
      assert.ok(ms >= 2_500 && ms <= 4_500, `reconnecting ${Math.round(ms)} ms after the cut`);
      await sleep(2_000);
    } finally {
      restoredAt = await pageNow();
      await cut.restore();
    }
    const back = await waitEvent('dave', { type: 'call', callId: c.a, event: 'connected' }, { after: restoredAt, timeout: 20_000 });
    console.log(`# media restored: connected ${Math.round(back.at - restoredAt)} ms after the cut ended`);
    const a = await flow('dave', c.a);
    assert.ok(a.in > 20 && a.out > 20, `audio after recovery: in ${a.in} out ${a.out}`);
    assert.equal(typeof a.stats.mos, 'number', 'packets measured: a MOS');
    assert.equal(await h(([n, i]) => window.connectivity.state(n, i), 'dave', c.a), 'connected');
    await hangup(c.a, c.b);
  });

  test('media cut for good: the call ends saying media was lost, with the evidence', async (t) => {
    if (!nft) return t.skip('nft is not available');
    await withDave({ mediaWatchdog: QUICK }, async () => {
      const c = await connect();
      assert.ok((await flow('dave', c.a, 1000)).in > 10, 'audio before the cut');
      const cut = await dropPorts({ ports: [turnPort], maxMs: 40_000 });
      const cutAt = await pageNow();
      try {
        await waitEvent('dave', { type: 'call', callId: c.a, event: 'reconnecting' }, { after: cutAt, timeout: 8_000 });
        const cause = await endedCause(c.a, cutAt, 20_000);
        const ms = (await pageNow()) - cutAt;
        console.log(`# media cut for good: ended ${Math.round(ms)} ms after the cut: ${cause.reason}`);
        checkEvidence(cause);
        assert.equal(cause.media, 'lost');
        // The far end is told: the BYE goes over the WebSocket, which was not cut.
        await waitEvent('erin', { type: 'call', callId: c.b, event: 'ended' }, { after: cutAt, timeout: 10_000 });
      } finally {
        await cut.restore();
      }
    });
  });

  test('TURN dropped before the call: media never starts, and the cause says so', async (t) => {
    if (!nft) return t.skip('nft is not available');
    await withDave({ mediaWatchdog: QUICK }, async () => {
      const cut = await dropPorts({ ports: [turnPort], maxMs: 40_000 });
      try {
        const c = await connect();
        const rec = await waitEvent('dave', { type: 'call', callId: c.a, event: 'reconnecting' }, { after: c.connectedAt, timeout: 8_000 });
        const told = rec.at - c.connectedAt;
        console.log(`# no TURN path: reconnecting ${Math.round(told)} ms after the answer`);
        assert.ok(told <= 5_000, `the app is told within 5 s of the answer (${Math.round(told)} ms)`);
        const stats = await h(([n, i]) => window.connectivity.stats(n, i), 'dave', c.a);
        assert.equal(stats.mos, null, `no MOS without packets: ${JSON.stringify(stats)}`);
        assert.equal(stats.mosUnavailable, 'noInboundPackets');
        const cause = await endedCause(c.a, c.connectedAt, 20_000);
        console.log(`# no TURN path: ended ${Math.round((await pageNow()) - c.connectedAt)} ms after the answer: ${cause.reason}`);
        checkEvidence(cause);
        assert.equal(cause.media, 'neverStarted');
        assert.equal(cause.relayOnly, false, 'relay-only already: no relay-only restart');
        // A pre-warmed connection may hold a relay allocated before the cut: then the TURN
        // server did answer once, and the verdict is that no pair worked. Otherwise no TURN
        // URL ever gave a relay (dropped UDP and TCP never answer): TURN is unreachable.
        console.log(`# no TURN path: evidence ${JSON.stringify(cause.evidence)}`);
        const allocated = cause.evidence.servers.some((s) => s.status === 'allocated');
        assert.equal(cause.why, allocated ? 'iceFailed' : 'turnUnreachable', cause.reason);
        await waitEvent('erin', { type: 'call', callId: c.b, event: 'ended' }, { after: c.connectedAt, timeout: 10_000 });
      } finally {
        await cut.restore();
      }
    });
  });
});
