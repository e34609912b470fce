// One call from a browser in the lab to baresip (erin, auto-answer), measured the same way
// for softphone-core and for JsSIP: the test (tests/e2e/netlab.test.mjs) and the benchmark
// (bench/suites/netlab.mjs) both use it.
//
//   const page = await openLabPage(browser);               // bench/pages/blank.html + both.js
//   await registerSoftphone(page, env, 'alice', iceServers);
//   const r = await softphoneCall(page, 'sip:erin@softphone.test', { watchMs: 12_000 });
//   // r: {inviteMs, answerMs, audioMs, states, quality, endCause, endMs, pair}
//
// Times are ms: inviteMs from call() to the INVITE leaving the WebSocket (wshook.js),
// answerMs from call() to 'connected', audioMs from the answer to the first inbound audio
// (the inbound RTP packet count reaching 10 and growing), `states`/`quality` every call
// state change and quality warning with its time after the answer.

import path from 'node:path';
import { ROOT, openPage } from './netlab.mjs';

/** A blank page with the benchmark helpers (bench/pages/both.js) and the WebSocket hook. */
export async function openLabPage(browser) {
  const page = await openPage(browser, 'bench/pages/blank.html', {
    initScripts: [path.join(ROOT, 'bench', 'lib', 'wshook.js')],
  });
  await page.addScriptTag({ url: '/bench/pages/both.js' });
  return page;
}

/** Creates and registers a softphone-core phone as `user`; resolves when registered. */
export async function registerSoftphone(page, env, user, iceServers, extra = {}) {
  const acc = env.accounts.find((a) => a.user === user);
  const config = { servers: env.wsUri, uri: acc.uri, password: acc.password, iceServers, logLevel: 'warn', ...extra };
  const ok = await page.evaluate(async (c) => {
    const ua = await window.makeSoftphone(c);
    window.sp = ua;
    ua.quality = [];
    ua.phone.on('quality', (e) => ua.quality.push({ t: wall(), ...e }));
    ua.start();
    return window.until(() => ua.registered, 15_000, 20);
  }, config);
  if (!ok) throw new Error(`${user} did not register in the lab`);
}

/** Creates and registers a JsSIP UA as `user` (bench/dist/jssip.min.js must be built). */
export async function registerJssip(page, env, user) {
  const acc = env.accounts.find((a) => a.user === user);
  const ok = await page.evaluate(async (c) => {
    const ua = await window.makeJssip(c);
    window.js = ua;
    ua.start();
    return window.until(() => ua.registered, 15_000, 20);
  }, { wsUri: env.wsUri, uri: acc.uri, password: acc.password });
  if (!ok) throw new Error(`JsSIP ${user} did not register in the lab`);
}

/**
 * Calls `target` with the page's softphone-core phone (window.sp) and watches the call for
 * `watchMs` after the answer (or until it ends), then hangs up if it still runs.
 */
export function softphoneCall(page, target, { watchMs = 12_000, answerBoundMs = 15_000 } = {}) {
  return page.evaluate(
    async ([target, watchMs, answerBoundMs]) => {
      const sp = window.sp;
      const wsMark = window.__wsLog.length;
      const qMark = sp.quality.length;
      const rec = window.placeSoftphoneCall(sp.phone, target);
      const out = { states: [], quality: [] };
      const answered = await window.until(() => rec.events.some((e) => e.event === 'connected' || e.event === 'ended'), answerBoundMs, 10);
      const invite = window.__wsLog.slice(wsMark).find((e) => e.ev === 'send' && e.line.startsWith('INVITE '));
      if (invite) out.inviteMs = performance.timeOrigin + invite.t - rec.t0;
      const connected = rec.events.find((e) => e.event === 'connected');
      if (!answered || !connected) {
        out.endCause = rec.events.find((e) => e.event === 'ended')?.cause ?? null;
        out.states = rec.events.map((e) => ({ event: e.event, ms: Math.round(e.t - rec.t0) }));
        try { rec.call.hangup(); } catch {}
        rec.off?.();
        return out;
      }
      const tA = connected.t;
      out.answerMs = tA - rec.t0;
      // Inbound audio: the packet count reaches 10 and grows (200 ms of audio at 20 ms).
      let first = null;
      let last = 0;
      while (wall() - tA < watchMs) {
        if (rec.events.some((e) => e.event === 'ended')) break;
        const n = await window.softphoneInboundPackets(rec.call);
        if (first === null && n >= 10 && n > last) first = wall() - tA;
        last = n;
        if (first !== null && wall() - tA > first + 1000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      out.audioMs = first;
      out.inboundPackets = last;
      try {
        const stats = await rec.call.getStats();
        out.pair = stats.selectedPair ? `${stats.selectedPair.local.type}/${stats.selectedPair.local.relayProtocol ?? stats.selectedPair.local.protocol} -> ${stats.selectedPair.remote.type}` : null;
      } catch {}
      out.states = rec.events.map((e) => ({ event: e.event, ms: Math.round(e.t - tA), cause: e.cause }));
      out.quality = sp.quality.slice(qMark).filter((q) => q.callId === rec.id).map((q) => ({ warning: q.warning, active: q.active, ms: Math.round(q.t - tA) }));
      const ended = rec.events.find((e) => e.event === 'ended');
      if (ended) {
        out.endCause = ended.cause;
        out.endMs = Math.round(ended.t - tA);
      } else {
        try { rec.call.hangup(); } catch {}
        await window.until(() => rec.events.some((e) => e.event === 'ended'), 5_000, 20);
      }
      rec.off?.();
      return out;
    },
    [target, watchMs, answerBoundMs],
  );
}

/** The same call with JsSIP (window.js): its defaults, `pcConfig` with the lab's servers. */
export function jssipCall(page, target, pcConfig, { watchMs = 12_000, answerBoundMs = 60_000 } = {}) {
  return page.evaluate(
    async ([target, pcConfig, watchMs, answerBoundMs]) => {
      const wsMark = window.__wsLog.length;
      const rec = window.placeJssipCall(window.js.jua, target, pcConfig);
      const out = { states: [], quality: [] };
      const answered = await window.until(() => rec.events.some((e) => e.event === 'connected' || e.event === 'ended'), answerBoundMs, 10);
      const invite = window.__wsLog.slice(wsMark).find((e) => e.ev === 'send' && e.line.startsWith('INVITE '));
      if (invite) out.inviteMs = performance.timeOrigin + invite.t - rec.t0;
      const connected = rec.events.find((e) => e.event === 'connected');
      const session = rec.session;
      if (!answered || !connected) {
        out.endCause = rec.events.find((e) => e.event === 'ended')?.cause ?? (answered ? null : `no answer within ${answerBoundMs / 1000} s`);
        try { session.terminate(); } catch {}
        return out;
      }
      const tA = connected.t;
      out.answerMs = tA - rec.t0;
      let first = null;
      let last = 0;
      while (wall() - tA < watchMs) {
        if (rec.events.some((e) => e.event === 'ended')) break;
        const n = await window.jssipInboundPackets(session);
        if (first === null && n >= 10 && n > last) first = wall() - tA;
        last = n;
        if (first !== null && wall() - tA > first + 1000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      out.audioMs = first;
      out.inboundPackets = last;
      out.iceState = session.connection?.iceConnectionState;
      out.states = rec.events.map((e) => ({ event: e.event, ms: Math.round(e.t - tA), cause: e.cause }));
      const ended = rec.events.find((e) => e.event === 'ended');
      if (ended) {
        out.endCause = ended.cause;
        out.endMs = Math.round(ended.t - tA);
      } else {
        try { session.terminate(); } catch {}
        await window.until(() => rec.events.some((e) => e.event === 'ended'), 5_000, 20);
      }
      return out;
    },
    [target, pcConfig, watchMs, answerBoundMs],
  );
}
