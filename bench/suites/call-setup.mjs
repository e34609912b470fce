// 1. Call setup: from call() in the page to the INVITE arriving at the far end, and to 180
// Ringing back at the caller, for both stacks, with two sets of ICE servers:
//   (a) STUN and TURN (UDP and TCP) of the local coturn, all reachable;
//   (b) the same plus a TURN URL over UDP to a closed port on 127.0.0.1 (ICMP unreachable,
//       which Chromium ignores: it waits ~40 s);
//   (c) (b) plus, when nftables is usable, a TURN URL over TCP to a port whose SYNs are
//       dropped (an nft rule on loopback; gathering never completes).
// The far end is lib/sipws.mjs in node: a raw SIP-over-WebSocket UA registered as the
// callee; it timestamps the INVITE's bytes on arrival, answers 180 at once and 486 300 ms
// later. The path is caller -> Kamailio (407 challenge, INVITE again with credentials) ->
// far end, so the figure includes one extra round trip to Kamailio for both stacks.
// softphone-core runs with its defaults; the UA is registered and left `prewarmMs` before the
// first call and between calls, so that pre-warming (`prewarm`, default true) has gathered by
// then; each case is run again with `prewarm: false` (gathering starts at call()). JsSIP runs with
// its defaults (it sends the INVITE when ICE gathering completes); its wait is bounded by
// `jssipBoundMs` and reported as "> bound" when it takes longer.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createSocket } from 'node:dgram';
import { turnCredentials } from '../../scripts/serve.mjs';
import * as nft from '../lib/nft.mjs';
import { SipWsUa } from '../lib/sipws.mjs';
import { BENCH_DIR } from '../lib/static.mjs';
import { sleep, summary } from '../lib/stats.mjs';

const HOOK = readFileSync(path.join(BENCH_DIR, 'lib', 'wshook.js'), 'utf8');

/** Wall times at which the page handed INVITEs to its WebSocket since wall time t0 (lib/wshook.js). */
const invitesSent = (page, t0) => page.evaluate((t0) => window.__wsLog
  .filter((e) => e.ev === 'send' && e.line.startsWith('INVITE ') && performance.timeOrigin + e.t >= t0)
  .map((e) => performance.timeOrigin + e.t - t0), t0);

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** A UDP port on 127.0.0.1 that nothing listens on: datagrams to it get ICMP port unreachable. */
export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export function turnPort(env) {
  return Number(/:(\d+)\?/.exec(env.turn.urls[0])[1]);
}

/** The ICE server sets of cases (a), (b), (c); `dropRule` is the nft rule to remove at the end. */
export async function iceCases(env) {
  const cred = turnCredentials(env.turn, { id: 'bench' });
  const port = turnPort(env);
  const good = [
    { urls: `stun:127.0.0.1:${port}` },
    { urls: env.turn.urls, username: cred.username, credential: cred.credential },
  ];
  const closedUdp = await freeUdpPort();
  const deadUdp = { urls: `turn:127.0.0.1:${closedUdp}?transport=udp`, username: cred.username, credential: cred.credential };
  const cases = {
    a: { label: 'STUN + TURN reachable', iceServers: good },
    b: { label: '(a) + TURN/UDP to a closed port', iceServers: [...good, deadUdp] },
  };
  let dropRule = null;
  if (nft.available()) {
    const dropPort = await freeTcpPort();
    dropRule = nft.drop('input', `tcp dport ${dropPort} drop`);
    cases.c = {
      label: '(b) + TURN/TCP whose SYNs are dropped',
      iceServers: [...good, deadUdp, { urls: `turn:127.0.0.1:${dropPort}?transport=tcp`, username: cred.username, credential: cred.credential }],
    };
  }
  return { dropRule, cases };
}

async function softphoneRuns(page, env, far, caller, iceServers, runs, prewarmMs, log, prewarm = true) {
  await page.evaluate(async ({ wsUri, a, iceServers, prewarm }) => {
    window.caller = await makeSoftphone({ servers: wsUri, uri: a.uri, password: a.password, iceServers, prewarm });
    caller.start();
  }, { wsUri: env.wsUri, a: caller, iceServers, prewarm });
  await page.waitForFunction(() => caller.registered, null, { timeout: 20_000 });
  const out = { invite: [], ringing: [], relayInOffer: [], causes: [], firstInviteSent: [], authInviteSent: [] };
  for (let i = 0; i < runs; i++) {
    await sleep(prewarmMs);
    const t0 = await page.evaluate((target) => { window.rec = placeSoftphoneCall(caller.phone, target); return rec.t0; }, far.target);
    const invite = await far.ua.nextInvite(20_000);
    const ended = await page.evaluate(() => until(() => rec.events.some((e) => e.event === 'ended'), 20_000));
    const ev = await page.evaluate(() => rec.events.map(({ t, event, cause }) => ({ t, event, cause: cause?.kind })));
    out.invite.push(invite ? invite.at - t0 : NaN);
    out.ringing.push((ev.find((e) => e.event === 'ringing')?.t ?? NaN) - t0);
    out.relayInOffer.push(invite ? /typ relay/.test(invite.raw) : false);
    const sent = await invitesSent(page, t0);
    out.firstInviteSent.push(sent[0] ?? NaN);
    out.authInviteSent.push(sent[1] ?? NaN);
    out.causes.push(ended ? ev.find((e) => e.event === 'ended')?.cause : 'not ended');
    if (!ended) await page.evaluate(() => { try { rec.call.hangup(); } catch { /* gone */ } });
    log(`setup: softphone-core${prewarm ? '' : ' (prewarm: false)'} run ${i + 1}: INVITE ${out.invite.at(-1).toFixed(0)} ms, 180 ${out.ringing.at(-1).toFixed(0)} ms, relay in offer ${out.relayInOffer.at(-1)}`);
  }
  await page.evaluate(() => caller.stop());
  return out;
}

async function jssipRuns(page, env, far, caller, iceServers, runs, boundMs, log) {
  await page.evaluate(async ({ wsUri, a }) => {
    window.jcaller = await makeJssip({ wsUri, uri: a.uri, password: a.password });
    jcaller.start();
  }, { wsUri: env.wsUri, a: caller });
  await page.waitForFunction(() => jcaller.registered, null, { timeout: 20_000 });
  const out = { invite: [], ringing: [], relayInOffer: [], timeouts: 0, firstInviteSent: [], authInviteSent: [] };
  for (let i = 0; i < runs; i++) {
    await sleep(1000);
    const t0 = await page.evaluate(({ target, iceServers }) => {
      window.jrec = placeJssipCall(jcaller.jua, target, { iceServers });
      return jrec.t0;
    }, { target: far.target, iceServers });
    const invite = await far.ua.nextInvite(boundMs);
    if (!invite) {
      out.timeouts++;
      out.invite.push(Infinity);
      out.ringing.push(Infinity);
      out.relayInOffer.push(null);
      await page.evaluate(() => { try { jrec.session.terminate(); } catch { /* ended */ } });
      log(`setup: JsSIP run ${i + 1}: no INVITE within ${boundMs / 1000} s`);
    } else {
      await page.evaluate(() => until(() => jrec.events.some((e) => e.event === 'ended'), 20_000));
      const ev = await page.evaluate(() => jrec.events.map(({ t, event }) => ({ t, event })));
      out.invite.push(invite.at - t0);
      out.ringing.push((ev.find((e) => e.event === 'ringing')?.t ?? NaN) - t0);
      out.relayInOffer.push(/typ relay/.test(invite.raw));
      const sent = await invitesSent(page, t0);
      out.firstInviteSent.push(sent[0] ?? NaN);
      out.authInviteSent.push(sent[1] ?? NaN);
      log(`setup: JsSIP run ${i + 1}: INVITE ${out.invite.at(-1).toFixed(0)} ms, 180 ${out.ringing.at(-1).toFixed(0)} ms`);
    }
    // A late INVITE of a terminated session must not be taken for the next run's.
    await sleep(500);
    while (await far.ua.nextInvite(0)) { /* drain */ }
  }
  await page.evaluate(() => jcaller.stop());
  return out;
}

const sum = (o) => {
  const inv = summary(o.invite.map((x) => (Number.isFinite(x) ? x : NaN)));
  inv.values = o.invite;
  inv.timeouts = o.timeouts ?? 0;
  const fin = (xs) => summary((xs ?? []).map((x) => (Number.isFinite(x) ? x : NaN)));
  return { ...o, invite: inv, ringing: fin(o.ringing), firstInviteSent: fin(o.firstInviteSent), authInviteSent: fin(o.authInviteSent) };
};

export async function run({ browser, site, env, runs, log, options = {} }) {
  const boundMs = options.jssipBoundMs ?? 45_000;
  const prewarmMs = options.prewarmMs ?? 3000;
  const acc = (u) => env.accounts.find((a) => a.user === u);
  const hasCalls = await (async () => {
    const page = await browser.newPage();
    try {
      await page.goto(site.url + 'bench/pages/blank.html');
      return await page.evaluate(async () => typeof (await import('/pkg/index.js')).createSoftphone === 'function'
        && typeof (await import('/pkg/softphone_core.js')).Softphone.prototype.call === 'function');
    } finally {
      await page.close();
    }
  })();
  const { cases, dropRule } = await iceCases(env);
  const calleeAcc = acc('bob');
  const far = { ua: await SipWsUa.register({ wsUri: env.wsUri, user: calleeAcc.user, password: calleeAcc.password, domain: env.domain }), target: calleeAcc.uri };
  const page = await browser.newPage();
  await page.addInitScript(HOOK);
  const out = { jssipBoundMs: boundMs, prewarmMs, synDrop: Boolean(dropRule), softphoneCallApi: hasCalls, cases: {} };
  try {
    await page.goto(site.url + 'bench/pages/blank.html');
    await page.addScriptTag({ url: '/bench/pages/both.js' });
    for (const [key, c] of Object.entries(cases)) {
      log(`setup: case (${key}) ${c.label}`);
      const sp = hasCalls
        ? sum(await softphoneRuns(page, env, far, acc('erin'), c.iceServers, runs, prewarmMs, log))
        : { skipped: 'the package has no phone.call() yet', invite: summary([]), ringing: summary([]), relayInOffer: [] };
      // The same without pre-warming: gathering starts at call().
      const cold = hasCalls
        ? sum(await softphoneRuns(page, env, far, acc('erin'), c.iceServers, runs, prewarmMs, log, false))
        : null;
      // Each JsSIP run of (b) and (c) costs ~40 s or the whole bound.
      const jsRuns = key === 'a' ? runs : Math.min(runs, key === 'b' ? 3 : 2);
      const js = sum(await jssipRuns(page, env, far, acc('frank'), c.iceServers, jsRuns, boundMs, log));
      out.cases[key] = { label: c.label, iceServers: c.iceServers.map((s) => s.urls), softphoneCore: sp, softphoneCoreCold: cold, jssip: js };
    }
  } finally {
    await page.close();
    await far.ua.close();
    if (dropRule) nft.remove(dropRule);
  }
  return out;
}
