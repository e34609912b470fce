// Pre-warming in headless Chromium against the real Kamailio and coturn: a registered phone
// keeps one idle RTCPeerConnection (iceCandidatePoolSize 1) gathering before the user dials;
// the next audio call adopts it, so its INVITE carries a relay candidate at once even when the
// TURN server is far away (tests/e2e/lib/slowturn.mjs: 600 ms each way, an allocation takes
// ~2.4 s); without pre-warming the same call waits for the 2 s gathering deadline. Stale warm
// state is dropped: a network change (`online`), a hidden page, new TURN credentials from
// iceServersUrl, a minute of age; a video call does not take it; stop() closes it.
// Drives tests/e2e/pages/connectivity.html (window.connectivity, window.mediaTracker). Needs the
// local servers (scripts/test.sh starts them) and bash scripts/build.sh.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { openConnectivityPage, startPhone, stopPhones, waitEvent as waitEventOn } from './lib/connectivity-page.mjs';
import { slowTurn } from './lib/slowturn.mjs';
import { account, launchChromium, readEnv, startKamailio, startStaticServer, turnCredentials } from './lib/servers.mjs';

const env = readEnv();
const turnUdpPort = Number(/:(\d+)\?transport=udp/.exec(env.turn.urls.find((u) => u.includes('udp')))[1]);
const SECRETS = [env.turn.secret, ...env.accounts.map((a) => a.password)];
/** Pre-warming replaces a warm peer connection this old (src/web/media/prewarm.rs). */
const MAX_AGE_MS = 60_000;

let browser;
let site;
let page;
/** A second page, for frank, who only ages: the events dispatched on `page` do not reach him. */
let agePage;
let slow;
const created = [];
const consoleLines = [];

const h = (fn, ...args) => page.evaluate(fn, args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pageNow = () => h(() => performance.now());

/** TURN REST credentials whose username ends with `:<tag>`: each phone's peer connections are told apart by it. */
const turn = (tag, urls = env.turn.urls, ttlSeconds = 3600) => ({ ...turnCredentials(env.turn, { id: tag, ttlSeconds }), urls });

function config(user, extra = {}) {
  const acc = account(user);
  return { servers: env.wsUri, uri: acc.uri, password: acc.password, logLevel: 'debug', iceTransportPolicy: 'relay', ...extra };
}

/** The peer connections made with ICE servers tagged `tag`: {createdAt, closedAt, poolSize, bundle, remote, local, warmIdle}. */
function pcsOf(tag, pg = page) {
  return pg.evaluate(([t]) => window.mediaTracker.pcs
    .filter((pc) => (pc.__config.iceServers ?? []).some((s) => String(s.username ?? '').endsWith(`:${t}`)))
    .map((pc) => ({
      createdAt: pc.__createdAt,
      closedAt: pc.__closedAt ?? null,
      poolSize: pc.__config.iceCandidatePoolSize ?? 0,
      bundle: pc.__config.bundlePolicy,
      remote: pc.remoteDescription?.sdp ?? null,
      local: pc.localDescription?.sdp ?? null,
      warmIdle: window.mediaTracker.warmPcs().includes(pc),
    })), [tag]);
}

/** Waits until `check(await pcsOf(tag))` holds; returns the list. */
async function untilPcs(tag, check, what, { timeout = 5_000, pg = page } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const list = await pcsOf(tag, pg);
    if (check(list)) return list;
    if (Date.now() > end) assert.fail(`${what}: peer connections of ${tag}: ${JSON.stringify(list.map(({ remote, local, ...r }) => ({ ...r, remote: !!remote, local: !!local })))}`);
    await sleep(50);
  }
}

const waitEvent = (name, want, options) => waitEventOn(page, name, want, options);

async function phone(name, user, extra) {
  created.push(name);
  await startPhone(page, name, config(user, extra));
}

const openPage = () => openConnectivityPage(browser, site, consoleLines);

async function drop(name) {
  await h(([n]) => window.connectivity.stop(n), name).catch(() => {});
  await h(([n]) => window.connectivity.free(n), name).catch(() => {});
  created.splice(created.indexOf(name), 1);
}

const logsOf = async (name) => (await h(([n]) => window.connectivity.eventsOf(n, 'log'), name)).map((e) => e.message);

/** `caller` calls erin; returns the call ids and call() -> INVITE at erin, ms. */
async function callErin(caller, options) {
  const placed = await h(([c, o]) => window.connectivity.call(c, 'erin', o), caller, options);
  assert.ok(placed.id !== undefined, JSON.stringify(placed.error));
  const incoming = await waitEvent('erin', { type: 'call', event: 'incoming' }, { after: placed.at, timeout: 8_000 });
  return { a: placed.id, b: incoming.callId, at: placed.at, inviteMs: incoming.at - placed.at };
}

async function hangup(caller, c) {
  const t = await pageNow();
  const r = await h(([n, i]) => window.connectivity.act(n, i, 'hangup'), caller, c.a);
  assert.ok(r.ok, JSON.stringify(r.error));
  await waitEvent('erin', { type: 'call', callId: c.b, event: 'ended' }, { after: t });
}

/** Inbound audio packets of a call over `ms`. */
async function inbound(name, id, ms = 1500) {
  const s1 = await h(([n, i]) => window.connectivity.stats(n, i), name, id);
  await sleep(ms);
  const s2 = await h(([n, i]) => window.connectivity.stats(n, i), name, id);
  assert.ok(!s1.error && !s2.error, JSON.stringify(s1.error ?? s2.error));
  return { packets: s2.inbound.packets - s1.inbound.packets, stats: s2 };
}

let ageingSince = 0;

before(async () => {
  await startKamailio();
  slow = await slowTurn({ target: turnUdpPort, delayMs: 600, maxMs: 600_000 });
  site = await startStaticServer();
  browser = await launchChromium();
  page = await openPage();
  agePage = await openPage();
  // The far end: relay-only through the local coturn, not pre-warming (its answers make their own).
  await phone('erin', 'erin', { iceServers: [turn('erin')], prewarm: false });
  // frank only ages, in his own page: his warm peer connection must be replaced after a
  // minute (checked last).
  const made = await agePage.evaluate(async (c) => {
    const r = await window.connectivity.create('frank', c);
    if (r.ok) await window.connectivity.start('frank');
    return r;
  }, config('frank', { iceServers: [turn('frank')] }));
  assert.ok(made.ok, JSON.stringify(made.error));
  const [first] = await untilPcs('frank', (l) => l.length === 1, 'frank warms up once registered', { pg: agePage });
  ageingSince = first.createdAt;
});

after(async () => {
  await agePage?.evaluate(() => window.connectivity.stop('frank')).catch(() => {});
  if (page) await stopPhones(page, [...created]);
  await browser?.close();
  await site?.close();
  await slow?.close();
});

describe('pre-warming', { concurrency: false }, () => {
  test('a warm peer connection gathers before the user dials; the call adopts it and its INVITE carries a relay candidate at once', async () => {
    await phone('dave', 'dave', { iceServers: [turn('dave-warm', slow.urls)] });
    try {
      const [warm] = await untilPcs('dave-warm', (l) => l.length === 1 && l[0].warmIdle, 'a warm peer connection once registered');
      assert.equal(warm.poolSize, 1);
      assert.equal(warm.bundle, 'balanced');
      await sleep(3500); // the TURN allocation through the slow path: two round trips of 1.2 s
      const c = await callErin('dave');
      console.log(`# pre-warmed, TURN 600 ms away: INVITE ${Math.round(c.inviteMs)} ms after call()`);
      assert.ok(c.inviteMs < 1000, `INVITE ${Math.round(c.inviteMs)} ms after call(): the pool was not used`);
      // The call's peer connection is the warm one: no other was made for it.
      const during = await pcsOf('dave-warm');
      assert.equal(during.length, 1, 'the call made its own peer connection');
      assert.ok(during[0].local && !during[0].closedAt, 'the warm peer connection carries the call');
      assert.ok((await logsOf('dave')).some((m) => /adopts the pre-warmed peer connection \(\d+ ms old\)/.test(m)));

      assert.ok((await h(([n, i]) => window.connectivity.act(n, i, 'answer'), 'erin', c.b)).ok);
      // erin's remote description is the INVITE's offer.
      const offer = (await untilPcs('erin', (l) => l.some((p) => p.remote && p.createdAt > c.at), 'erin applies the offer')).find((p) => p.remote && p.createdAt > c.at);
      assert.match(offer.remote, /typ relay/, 'the INVITE offers the relay candidate');
      await waitEvent('dave', { type: 'call', callId: c.a, event: 'connected' }, { after: c.at, timeout: 15_000 });
      // Every packet to and from dave's relay crosses the slow path: ICE checks and the
      // TURN permission take a few of its 1.2 s round trips before audio flows.
      let audio = { packets: 0 };
      for (let i = 0; i < 8 && audio.packets <= 20; i++) audio = await inbound('dave', c.a);
      assert.ok(audio.packets > 20, `audio through the adopted peer connection: ${audio.packets}`);
      assert.equal(audio.stats.selectedPair?.local.type, 'relay');
      await hangup('dave', c);
      // The last call is over: warm again for the next one.
      await untilPcs('dave-warm', (l) => l.length === 2 && l[0].closedAt && l[1].warmIdle, 'warm again after the call');
    } finally {
      await drop('dave');
    }
    const left = await pcsOf('dave-warm');
    assert.ok(left.every((p) => p.closedAt), 'free() closed the warm peer connection');
  });

  test('without pre-warming the same slow TURN holds the INVITE until the 2 s gathering deadline', async () => {
    await phone('dave', 'dave', { iceServers: [turn('dave-cold', slow.urls)], prewarm: false });
    try {
      await sleep(500);
      assert.equal((await pcsOf('dave-cold')).length, 0, 'prewarm: false made a peer connection before the call');
      const c = await callErin('dave');
      console.log(`# not pre-warmed, TURN 600 ms away: INVITE ${Math.round(c.inviteMs)} ms after call()`);
      assert.ok(c.inviteMs >= 1800, `INVITE ${Math.round(c.inviteMs)} ms after call(): faster than a TURN allocation allows`);
      await hangup('dave', c);
    } finally {
      await drop('dave');
    }
  });

  test('stale warm state is dropped: online, a hidden page; a video call leaves it; stop() closes it', async () => {
    await phone('dave', 'dave', { iceServers: [turn('dave-stale')] });
    try {
      let l = await untilPcs('dave-stale', (x) => x.length === 1 && x[0].warmIdle, 'warm once registered');
      await h(() => window.dispatchEvent(new Event('online')));
      // Replaced (perhaps twice: the core may also reconnect the WebSocket, which drops it again).
      const fresh = (x) => x.filter((p) => p.warmIdle).length === 1 && x.at(-1).warmIdle;
      l = await untilPcs('dave-stale', (x) => x.length >= 2 && x[0].closedAt && fresh(x), 'replaced after online');
      assert.ok((await logsOf('dave')).some((m) => m.includes('pre-warmed peer connection dropped: the network changed')));

      const setHidden = (hidden) => h(([hid]) => {
        Object.defineProperty(document, 'visibilityState', { value: hid ? 'hidden' : 'visible', configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
      await setHidden(true);
      l = await untilPcs('dave-stale', (x) => x.every((p) => p.closedAt), 'dropped while hidden');
      await setHidden(false);
      const hiddenCount = l.length;
      l = await untilPcs('dave-stale', (x) => x.length === hiddenCount + 1 && x.at(-1).warmIdle, 'warm again when visible');

      const c = await callErin('dave', { video: true });
      l = await pcsOf('dave-stale');
      assert.equal(l.length, hiddenCount + 2, 'a video call makes its own peer connection');
      assert.equal(l.at(-1).bundle, 'max-bundle');
      assert.ok(l.at(-2).warmIdle, 'the warm peer connection waits for the next audio call');
      await hangup('dave', c);
      await h(([n]) => window.connectivity.stop(n), 'dave');
      l = await pcsOf('dave-stale');
      assert.ok(l.every((p) => p.closedAt), 'stop() closed the warm peer connection');
    } finally {
      await drop('dave');
    }
  });

  test('new TURN credentials from iceServersUrl: the warm peer connection made with the old ones is not adopted', async () => {
    let hits = 0;
    const api = createServer((req, res) => {
      hits += 1;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ iceServers: [turn(`dave-url${hits}`, env.turn.urls, 3)], ttl: 3 }));
    });
    await new Promise((r) => api.listen(0, '127.0.0.1', r));
    try {
      await phone('dave', 'dave', { iceServersUrl: `http://127.0.0.1:${api.address().port}/api/ice` });
      await untilPcs('dave-url1', (x) => x.length === 1 && x[0].warmIdle, 'warm with the first credentials');
      await sleep(3000); // refreshed at 80 % of the 3 s ttl
      assert.ok(hits >= 2, `refreshed: ${hits} fetches`);
      const c = await callErin('dave');
      assert.ok((await logsOf('dave')).some((m) => m.includes('pre-warmed peer connection dropped: the ICE servers changed')));
      assert.ok((await h(([n, i]) => window.connectivity.act(n, i, 'answer'), 'erin', c.b)).ok);
      await waitEvent('dave', { type: 'call', callId: c.a, event: 'connected' }, { after: c.at, timeout: 15_000 });
      const audio = await inbound('dave', c.a);
      assert.ok(audio.packets > 20, `audio with the new credentials: ${audio.packets}`);
      await hangup('dave', c);
    } finally {
      await drop('dave');
      await new Promise((r) => api.close(r));
    }
  });

  test('a warm peer connection is replaced when it is a minute old', async () => {
    const wait = ageingSince + MAX_AGE_MS + 3000 - (await agePage.evaluate(() => performance.now()));
    if (wait > 0) await sleep(wait);
    const l = await untilPcs('frank', (x) => x.length >= 2 && x[0].closedAt, 'replaced after a minute', { pg: agePage });
    assert.ok(l[0].closedAt - l[0].createdAt >= MAX_AGE_MS - 50, `closed after ${Math.round(l[0].closedAt - l[0].createdAt)} ms`);
    assert.ok(l.at(-1).warmIdle && !l.at(-1).closedAt, 'a fresh one waits');
    const logs = await agePage.evaluate(() => window.connectivity.eventsOf('frank', 'log').map((e) => e.message));
    assert.ok(logs.some((m) => m.includes('pre-warmed peer connection dropped: a minute old')));
  });

  test('no secret reached the console', () => {
    for (const line of consoleLines) {
      for (const s of SECRETS) assert.ok(!line.includes(s), `a secret leaked: ${line.slice(0, 80)}`);
    }
  });
});
