// The fault soak (issue 13, item 5; a benchmark, not a test): two softphone-core phones in
// one call for `minutes` (20 by default) in the network lab (tests/netlab/), alice in a
// browser in the client namespace behind the NAT router (class `open`), bob in a browser
// in the server namespace (answers at once). Every `everyS` seconds (30) a fault, chosen
// in turn:
//   proxyRestart     Kamailio restarted (every WebSocket closes, registrations are lost)
//   webSocketDrop    the server side of alice's WebSocket killed (ss -K): a reset
//   turnRestart      coturn restarted (every allocation is lost)
//   mediaCut         UDP and TURN/TCP through the router dropped for 3, 5, 7 or 10 s (in turn)
//   offlineOnline    alice's browser offline for 3 s (playwright), then online
//   symmetricNat     the router maps every new flow to a random port for 10 s (existing
//                    flows keep their mapping), then back to `open`
// Reported: calls lost (alice's call ended by anything but her hangup; it is placed again),
// duplicate REGISTERs (a REGISTER sent while one of the same phone awaits its final
// answer), the time from the end of each fault to inbound audio flowing again at alice
// (>= 5 packets in 200 ms; p50/p95/max; bounded by `boundS`), the wasm memory and JS heap
// of alice's page before and after (after a forced GC). Needs root; else skipped.

import * as lab from '../../tests/e2e/lib/netlab.mjs';
import { openLabPage, registerSoftphone } from '../../tests/e2e/lib/netlab-calls.mjs';

const FAULTS = ['proxyRestart', 'webSocketDrop', 'turnRestart', 'mediaCut', 'offlineOnline', 'symmetricNat'];
const CUTS_S = [3, 5, 7, 10];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// In alice's and bob's pages before any script: REGISTER transactions per phone, from the
// messages on the page's WebSockets (method and CSeq of requests, status of answers).
function registerWatch() {
  const Native = window.WebSocket;
  const reg = (window.__reg = { sent: 0, duplicates: 0, outstanding: false, log: [] });
  const parse = (data) => {
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    const first = text.slice(0, text.indexOf('\r\n'));
    const cseq = /\r\nCSeq:\s*\d+\s+(\w+)/i.exec(text)?.[1];
    return { first, cseq };
  };
  window.WebSocket = class extends Native {
    constructor(...a) {
      super(...a);
      this.addEventListener('close', () => { reg.outstanding = false; });
      this.addEventListener('message', (e) => {
        const m = parse(e.data);
        const code = Number(/^SIP\/2\.0 (\d{3})/.exec(m.first)?.[1]);
        if (m.cseq === 'REGISTER' && code >= 200) reg.outstanding = false;
      });
    }
    send(data) {
      const m = parse(data);
      if (m.first.startsWith('REGISTER ')) {
        reg.sent++;
        if (reg.outstanding) {
          reg.duplicates++;
          reg.log.push({ t: performance.now(), dup: true });
        }
        reg.outstanding = true;
      }
      return super.send(data);
    }
  };
}

async function phone(env, ns, user) {
  const browser = await lab.launchChromium({ ns, args: ['--js-flags=--expose-gc', '--enable-precise-memory-info'] });
  const page = await openLabPage(browser);
  await page.evaluate(`(${registerWatch.toString()})()`);
  await registerSoftphone(page, env, user, lab.iceServers(env, { ttlSeconds: 24 * 3600 }));
  return { browser, page, context: page.context() };
}

const memory = (page) => page.evaluate(async () => {
  window.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  return { wasm: await window.wasmMemoryBytes(), js: performance.memory?.usedJSHeapSize ?? null };
});

/** Places alice's call to bob; resolves with the call id once connected (or null). */
const placeCall = (page) => page.evaluate(async () => {
  const rec = window.placeSoftphoneCall(window.sp.phone, 'sip:bob@softphone.test');
  window.soak = rec;
  const ok = await window.until(() => rec.events.some((e) => e.event === 'connected' || e.event === 'ended'), 20_000, 20);
  return ok && rec.events.some((e) => e.event === 'connected') ? rec.id : null;
});

/** ms from now until alice's inbound audio flows (>= 5 packets in 200 ms), or null after boundMs. */
const timeToAudio = (page, boundMs) => page.evaluate(async (bound) => {
  const t0 = performance.now();
  const samples = [];
  while (performance.now() - t0 < bound) {
    const rec = window.soak;
    if (rec.events.some((e) => e.event === 'ended')) return { ended: true };
    samples.push([performance.now(), await window.softphoneInboundPackets(rec.call)]);
    const old = samples.findLast(([t]) => performance.now() - t >= 200);
    if (old && samples.at(-1)[1] - old[1] >= 5) return { ms: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ms: null };
}, boundMs);

const callEnded = (page) => page.evaluate(() => {
  const e = window.soak.events.find((x) => x.event === 'ended');
  return e ? e.cause : null;
});

export async function run({ log, options = {} }) {
  const minutes = options.minutes ?? 20;
  const everyS = options.everyS ?? 30;
  const boundS = options.boundS ?? 25;
  const why = await lab.unavailable();
  if (why) return { skipped: `network lab unavailable: ${why}` };
  const env = await lab.up();
  const out = { minutes, everyS, boundS, faults: [], callsLost: 0, lostCauses: [], duplicateRegisters: 0 };
  let alice;
  let bob;
  try {
    bob = await phone(env, 'spnetlab-srv', 'bob');
    await bob.page.evaluate(() => window.autoAnswer(window.sp));
    alice = await phone(env, 'spnetlab-cli', 'alice');
    await sleep(1500);
    if ((await placeCall(alice.page)) === null) throw new Error('the first call did not connect');
    const first = await timeToAudio(alice.page, boundS * 1000);
    if (first.ms == null) throw new Error('no audio in the first call');
    out.memory = { before: await memory(alice.page) };
    const t0 = Date.now();
    const end = t0 + minutes * 60_000;
    for (let i = 0; Date.now() + everyS * 1000 <= end; i++) {
      const slot = t0 + (i + 1) * everyS * 1000;
      await sleep(Math.max(0, slot - Date.now()));
      const kind = FAULTS[i % FAULTS.length];
      const fault = { i, kind, at: Math.round((Date.now() - t0) / 1000) };
      if (kind === 'proxyRestart') await lab.restart('kamailio');
      else if (kind === 'webSocketDrop') await lab.dropClientWebSockets();
      else if (kind === 'turnRestart') await lab.restart('coturn');
      else if (kind === 'mediaCut') {
        fault.seconds = CUTS_S[Math.floor(i / FAULTS.length) % CUTS_S.length];
        await lab.routerNft(`table inet spnetlab_fault {
  chain forward { type filter hook forward priority -10; policy accept;
    meta l4proto udp drop
    tcp dport 3478 drop
    tcp sport 3478 drop
  }
}`);
        await sleep(fault.seconds * 1000);
        await lab.routerNft('delete table inet spnetlab_fault');
      } else if (kind === 'offlineOnline') {
        await alice.context.setOffline(true);
        await sleep(3000);
        await alice.context.setOffline(false);
      } else if (kind === 'symmetricNat') {
        await lab.setClass('symmetric', 1);
        await sleep(10_000);
        await lab.setClass('open', 1);
      }
      const back = await timeToAudio(alice.page, boundS * 1000);
      fault.audioMs = back.ms == null ? null : Math.round(back.ms);
      const cause = await callEnded(alice.page);
      if (cause) {
        fault.callLost = cause;
        out.callsLost++;
        out.lostCauses.push(cause);
        await sleep(1000);
        fault.replaced = (await placeCall(alice.page)) !== null;
        const again = await timeToAudio(alice.page, boundS * 1000);
        fault.audioMs = again.ms == null ? null : Math.round(again.ms);
      }
      out.faults.push(fault);
      log(`soak ${fault.at} s: ${kind}${fault.seconds ? ` ${fault.seconds} s` : ''}: audio ${fault.audioMs ?? 'none'} ms${cause ? `, call lost ${JSON.stringify(cause)}` : ''}`);
    }
    out.memory.after = await memory(alice.page);
    for (const p of [alice, bob]) {
      const reg = await p.page.evaluate(() => window.__reg);
      out.duplicateRegisters += reg.duplicates;
      out[p === alice ? 'registersAlice' : 'registersBob'] = reg.sent;
    }
  } finally {
    await alice?.browser.close().catch(() => {});
    await bob?.browser.close().catch(() => {});
    await lab.down();
  }
  const times = out.faults.map((f) => f.audioMs).filter((x) => x != null).sort((a, b) => a - b);
  const q = (p) => (times.length ? times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] : null);
  out.audioAfterFault = { p50: q(0.5), p95: q(0.95), max: times.at(-1) ?? null, missing: out.faults.length - times.length };
  out.perKind = Object.fromEntries(FAULTS.map((k) => [k, out.faults.filter((f) => f.kind === k).map((f) => f.audioMs)]));
  return out;
}
