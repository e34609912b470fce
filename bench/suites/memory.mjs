// 5. Memory: `calls` sequential calls between two softphone-core UAs in one page (the callee
// answers at once; each call: set up, 1 s of audio after the first inbound packets, hang
// up, both sides ended). After call 10 and every `every` calls: gc() (Chromium started
// with --js-flags=--expose-gc), then the wasm instance's linear memory
// (WebAssembly.Memory.buffer.byteLength; it never shrinks, so it is a high-water mark) and
// performance.memory.usedJSHeapSize (--enable-precise-memory-info). Growth = last - after 10.
// The same for JsSIP (JsSIP -> JsSIP) with `jssipCalls` calls (default: the same count) for
// the JS heap, as a reference.

import { turnCredentials } from '../../scripts/serve.mjs';
import { sleep } from '../lib/stats.mjs';

async function sample(page) {
  return page.evaluate(async () => {
    for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 50)); }
    return {
      wasmBytes: window.spCaller ? await wasmMemoryBytes() : null,
      jsHeapBytes: performance.memory.usedJSHeapSize,
    };
  });
}

async function loop(page, stack, calls, every, log) {
  const samples = [];
  const failures = [];
  const t0 = performance.now();
  for (let i = 1; i <= calls; i++) {
    const r = await page.evaluate(async (stack) => {
      const sp = stack === 'softphoneCore';
      const rec = sp ? placeSoftphoneCall(spCaller.phone, window.calleeUri) : placeJssipCall(jsCaller.jua, window.calleeUri, window.pcConfig);
      const inbound = () => (sp ? softphoneInboundPackets(rec.call) : jssipInboundPackets(rec.session));
      const ended = () => rec.events.some((e) => e.event === 'ended');
      let flowing = false;
      const t = performance.now();
      while (performance.now() - t < 15_000 && !ended()) {
        if ((await inbound()) > 0) { flowing = true; break; }
        await new Promise((res) => setTimeout(res, 20));
      }
      if (flowing) await new Promise((res) => setTimeout(res, 1000));
      try { if (sp) rec.call.hangup(); else rec.session.terminate(); } catch { /* ended already */ }
      await until(ended, 10_000);
      rec.off?.();
      // The callee's side must be gone too before the next call.
      await until(() => (sp ? spCallee.phone.calls().length === 0 : jsCallee.sessions.every((s) => s.isEnded())), 10_000);
      if (!sp) jsCallee.sessions.length = 0;
      return { flowing, events: rec.events.map((e) => e.event).join(' ') };
    }, stack);
    if (!r.flowing) failures.push({ call: i, events: r.events });
    if (i === 10 || i % every === 0 || i === calls) {
      const s = { call: i, ...(await sample(page)), elapsedS: (performance.now() - t0) / 1000 };
      samples.push(s);
      log(`memory: ${stack} call ${i}: wasm ${s.wasmBytes ?? '-'} B, JS heap ${s.jsHeapBytes} B, ${failures.length} without audio`);
    }
  }
  const after10 = samples.find((s) => s.call === 10);
  const last = samples.at(-1);
  return {
    calls,
    samples,
    failures: failures.slice(0, 20),
    failureCount: failures.length,
    growth: {
      wasmBytes: last.wasmBytes === null ? null : last.wasmBytes - after10.wasmBytes,
      jsHeapBytes: last.jsHeapBytes - after10.jsHeapBytes,
    },
  };
}

export async function run({ browser, site, env, log, options = {} }) {
  const calls = Math.max(options.calls ?? 200, 11);
  const jssipCalls = Math.max(options.jssipCalls ?? calls, 11);
  const every = options.every ?? 50;
  const acc = (u) => env.accounts.find((a) => a.user === u);
  const cred = turnCredentials(env.turn, { id: 'bench-memory' });
  const iceServers = [{ urls: env.turn.urls, username: cred.username, credential: cred.credential }];
  const out = { calls, every };
  for (const stack of ['softphoneCore', 'jssip']) {
    const page = await browser.newPage();
    try {
      await page.goto(site.url + 'bench/pages/blank.html');
      await page.addScriptTag({ url: '/bench/pages/both.js' });
      if (stack === 'softphoneCore') {
        const hasCalls = await page.evaluate(async () => typeof (await import('/pkg/softphone_core.js')).Softphone.prototype.call === 'function');
        if (!hasCalls) return { skipped: 'the package has no phone.call() yet' };
      }
      await page.evaluate(async ({ stack, wsUri, iceServers, a, b }) => {
        window.calleeUri = b.uri;
        window.pcConfig = { iceServers };
        if (stack === 'softphoneCore') {
          window.spCaller = await makeSoftphone({ servers: wsUri, iceServers, uri: a.uri, password: a.password });
          window.spCallee = await makeSoftphone({ servers: wsUri, iceServers, uri: b.uri, password: b.password });
          autoAnswer(spCallee);
          spCaller.start();
          spCallee.start();
        } else {
          window.jsCaller = await makeJssip({ wsUri, uri: a.uri, password: a.password });
          window.jsCallee = await makeJssip({ wsUri, uri: b.uri, password: b.password });
          autoAnswerJssip(jsCallee, window.pcConfig);
          jsCaller.start();
          jsCallee.start();
        }
      }, { stack, wsUri: env.wsUri, iceServers, a: acc(stack === 'jssip' ? 'frank' : 'erin'), b: acc(stack === 'jssip' ? 'dave' : 'alice') });
      await page.waitForFunction((sp) => (sp ? [spCaller, spCallee] : [jsCaller, jsCallee]).every((u) => u.registered), stack === 'softphoneCore', { timeout: 20_000 });
      await sleep(3000);
      out[stack] = await loop(page, stack, stack === 'jssip' ? jssipCalls : calls, every, log);
      await page.evaluate(async () => {
        for (const u of [window.spCaller, window.spCallee, window.jsCaller, window.jsCallee]) if (u) await u.stop();
      });
    } finally {
      await page.close();
    }
  }
  return out;
}
