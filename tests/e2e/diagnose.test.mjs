// diagnose() in headless Chromium against the real Kamailio and coturn: a working setup (OPTIONS
// round trip, relay over UDP and TCP), a wrong WebSocket path (closed before open, hint names the
// path), a dead TURN server beside a live one (unreachable verdict, the live one still ok, the
// whole run bounded), refused TURN credentials (401), UDP blocked (TURN over TCP still works),
// and servers fetched from an iceServersUrl. Dead servers and blocked UDP are nftables DROP
// rules on loopback ports (tests/e2e/lib/netfault.mjs), removed at the end pass or fail; those
// tests are skipped where nft is missing.
// Needs: bash scripts/build.sh, and the local servers (scripts/test.sh starts them).

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { deadTurnServer, dropPorts, netfaultAvailable, removeStaleFaults } from './lib/netfault.mjs';
import { openConnectivityPage } from './lib/connectivity-page.mjs';
import { account, launchChromium, readEnv, startKamailio, startStaticServer, turnCredentials } from './lib/servers.mjs';

const env = readEnv();
const alice = account('alice');
const turnPort = Number(/:(\d+)\?/.exec(env.turn.urls[0])[1]);
const wsPort = Number(new URL(env.wsUri).port);
const SECRETS = [env.turn.secret, ...env.accounts.map((a) => a.password)];

let browser;
let site;
let page;
let nft = false;
const consoleLines = [];

/** Runs diagnose(config) in the page; returns the diagnosis and the wall time it took. */
async function diagnose(config) {
  const t0 = Date.now();
  const result = await page.evaluate((c) => window.connectivity.diagnose(c), config);
  return { result, ms: Date.now() - t0 };
}

const liveTurn = () => turnCredentials(env.turn, { id: 'diagnose' });
const byUrl = (result, url) => result.ice.find((c) => c.url === url);
const brief = (result) => JSON.stringify(result, null, 1).slice(0, 3000);

before(async () => {
  await startKamailio();
  nft = await netfaultAvailable();
  if (nft) await removeStaleFaults();
  site = await startStaticServer();
  browser = await launchChromium();
  page = await openConnectivityPage(browser, site, consoleLines);
});

after(async () => {
  await browser?.close();
  await site?.close();
});

describe('diagnose()', { concurrency: false }, () => {
  test('a working setup: WebSocket open, OPTIONS 200, relay over UDP and TCP, STUN answers', async () => {
    const turn = liveTurn();
    const stun = `stun:127.0.0.1:${turnPort}`;
    const { result, ms } = await diagnose({
      servers: env.wsUri,
      uri: alice.uri,
      iceServers: [turn, { urls: stun }],
      timeout: 8,
    });
    const ws = result.websocket[0];
    assert.equal(ws.status, 'open', brief(result));
    assert.equal(ws.protocol, 'sip');
    assert.equal(ws.options?.status, 200, brief(result));
    assert.ok(ws.options.rttMs >= 0 && ws.options.rttMs < 1000, `OPTIONS rtt ${ws.options.rttMs}`);
    assert.deepEqual(ws.hints, []);
    for (const url of turn.urls) {
      const c = byUrl(result, url);
      assert.equal(c.status, 'ok', `${url}: ${brief(c)}`);
      assert.deepEqual(c.candidateTypes, ['relay']);
      assert.ok(c.timeToCandidateMs < 2000, `${url}: relay after ${c.timeToCandidateMs} ms`);
      assert.equal(c.username, turn.username);
    }
    assert.equal(byUrl(result, stun).status, 'ok', brief(result));
    const verdict = Object.fromEntries(result.verdicts.map((v) => [v.network, v]));
    assert.equal(verdict.homeNat.ok, true);
    assert.equal(verdict.udpBlocked.ok, true, 'TURN over TCP works');
    assert.equal(verdict.symmetricNat.ok, true);
    assert.equal(verdict.tcp443Only.ok, false, 'no TURN on 443 here');
    assert.match(verdict.tcp443Only.message, /443/);
    assert.equal(result.ok, true);
    // Relay candidates come fast: nothing waits for the end of gathering.
    assert.ok(ms < 5000, `diagnose took ${ms} ms`);
    const udp = byUrl(result, turn.urls[0]);
    const tcp = byUrl(result, turn.urls[1]);
    console.log(
      `# OPTIONS rtt ${ws.options.rttMs} ms, ws open ${ws.openMs} ms, relay udp ${udp.timeToCandidateMs} ms, ` +
        `relay tcp ${tcp.timeToCandidateMs} ms, total ${ms} ms`,
    );
    const text = JSON.stringify(result);
    assert.ok(!text.includes(turn.credential), 'the TURN credential is not in the result');
  });

  test('a wrong WebSocket path: closed before open, and the hint names the path', async () => {
    const wrong = `ws://127.0.0.1:${wsPort}/wrong`;
    const { result } = await diagnose({ servers: [{ uri: wrong }, { uri: env.wsUri }], uri: alice.uri, timeout: 5 });
    const [bad, good] = result.websocket;
    assert.equal(bad.url, wrong);
    assert.equal(bad.status, 'closedBeforeOpen', brief(result));
    assert.equal(bad.closeCode, 1006);
    assert.ok(bad.hints.some((h) => h.includes('"/wrong"') && h.includes('"/ws"')), bad.hints.join('\n'));
    assert.ok(bad.hints.some((h) => /1006/.test(h) && /cannot see/.test(h)), 'says the browser only sees 1006');
    assert.ok(bad.hints.some((h) => /tunnel/i.test(h)), 'mentions tunnels');
    assert.equal(good.status, 'open');
    assert.equal(good.options?.status, 200);
    assert.equal(result.ok, true, 'one good server is enough');
  });

  test('a dead TURN server beside a live one: unreachable, the live one ok, bounded time', async (t) => {
    if (!nft) return t.skip('nft is not available: cannot make a silently dead server');
    const dead = await deadTurnServer();
    try {
      const turn = liveTurn();
      const deadServer = { urls: dead.urls, username: turn.username, credential: turn.credential };
      const { result, ms } = await diagnose({
        servers: env.wsUri,
        uri: alice.uri,
        iceServers: [deadServer, turn],
        iceTimeout: 3,
        timeout: 6,
      });
      for (const url of dead.urls) {
        const c = byUrl(result, url);
        assert.equal(c.status, 'unreachable', `${url}: ${brief(c)}`);
        assert.deepEqual(c.candidateTypes, []);
        assert.ok(c.hint && c.hint.includes(String(dead.port)), c.hint);
      }
      for (const url of turn.urls) assert.equal(byUrl(result, url).status, 'ok', `${url} still works: ${brief(result)}`);
      assert.equal(result.verdicts.find((v) => v.network === 'symmetricNat').ok, true);
      // Bounded by iceTimeout (3 s), not by Chromium's 40 s UDP gathering or the endless TCP one.
      assert.ok(ms < 4500, `diagnose took ${ms} ms`);
      console.log(`# dead TURN diagnosed in ${ms} ms (iceTimeout 3 s)`);
    } finally {
      await dead.restore();
    }
  });

  test('refused TURN credentials are reported as authFailed (401)', async () => {
    const turn = liveTurn();
    const { result } = await diagnose({
      iceServers: [{ urls: turn.urls[1], username: turn.username, credential: 'not-the-password' }],
      iceTimeout: 3,
      timeout: 4,
    });
    const c = result.ice[0];
    assert.equal(c.status, 'authFailed', brief(result));
    assert.ok(c.errors.some((e) => e.code === 401));
    assert.ok(result.verdicts.some((v) => v.network === 'thisNetwork' && !v.ok && /401/.test(v.message)));
  });

  test('UDP blocked: TURN over UDP unreachable, over TCP ok, and the verdict says so', async (t) => {
    if (!nft) return t.skip('nft is not available');
    const cut = await dropPorts({ ports: [turnPort], protocols: ['udp'], maxMs: 30_000 });
    try {
      const turn = liveTurn();
      const { result } = await diagnose({ iceServers: [turn], iceTimeout: 3, timeout: 5 });
      assert.equal(byUrl(result, turn.urls[0]).status, 'unreachable', brief(result));
      assert.equal(byUrl(result, turn.urls[1]).status, 'ok', brief(result));
      const here = result.verdicts.find((v) => v.network === 'thisNetwork');
      assert.ok(here && here.ok && /UDP blocked/.test(here.message), brief(result.verdicts));
    } finally {
      await cut.restore();
    }
  });

  test('servers from iceServersUrl are fetched and probed; a failing URL is reported', async () => {
    let hits = 0;
    const api = createServer((req, res) => {
      hits += 1;
      const body = req.url === '/api/ice' ? JSON.stringify({ iceServers: [liveTurn()], ttl: 60 }) : 'nope';
      res.writeHead(req.url === '/api/ice' ? 200 : 500, {
        'Content-Type': 'application/json',
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    });
    await new Promise((r) => api.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${api.address().port}`;
    try {
      const { result } = await diagnose({ iceServersUrl: `${base}/api/ice`, iceTimeout: 3, timeout: 5 });
      assert.equal(result.iceServers.fetched, 1, brief(result));
      assert.equal(result.ice.length, 2);
      assert.ok(result.ice.every((c) => c.status === 'ok'), brief(result));
      const failing = await diagnose({ iceServersUrl: `${base}/broken`, timeout: 3 });
      assert.equal(failing.result.iceServers.fetched, 0);
      assert.match(failing.result.iceServers.fetchError ?? '', /HTTP 500/);
      assert.ok(hits >= 2);
    } finally {
      await new Promise((r) => api.close(r));
    }
  });

  test('the whole diagnosis stays within timeout, the iceServersUrl fetch included', async (t) => {
    if (!nft) return t.skip('nft is not available');
    const dead = await deadTurnServer();
    const turn = liveTurn();
    const api = createServer((req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        res.end(JSON.stringify({ iceServers: [turn], ttl: 60 }));
      }, 1000);
    });
    await new Promise((r) => api.listen(0, '127.0.0.1', r));
    try {
      const deadServer = { urls: dead.urls, username: turn.username, credential: turn.credential };
      const { result, ms } = await diagnose({
        iceServers: [deadServer],
        iceServersUrl: `http://127.0.0.1:${api.address().port}/api/ice`,
        iceTimeout: 5,
        timeout: 3,
      });
      assert.equal(result.iceServers.fetched, 1, JSON.stringify(result.iceServers));
      assert.ok(ms < 3500, `took ${ms} ms with timeout 3 s`);
      assert.deepEqual(result.ice.map((c) => c.status), ['unreachable', 'unreachable', 'ok', 'ok']);
    } finally {
      await new Promise((r) => api.close(r));
      await dead.restore();
    }
  });

  test('no secret reached the console', () => {
    for (const line of consoleLines) for (const s of SECRETS) assert.ok(!line.includes(s), 'a secret was logged');
  });
});
