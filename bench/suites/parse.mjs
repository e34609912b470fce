// 4. SIP parsing in the browser: messages per second, softphone-core (wasm) against JsSIP's
// parser, on the same five messages (lib/messages.mjs), in one page.
//
//   softphone-core, in wasm:    BenchCorpus.parseAll(rounds): the loop runs inside wasm;
//   softphone-core, per call:   benchParseOne(text) once per message from JavaScript: the
//                               string's UTF-8 copy into wasm memory is included, as on the
//                               driver's receive path;
//   JsSIP:                      Parser.parseMessage(text) (what JsSIP's Transport runs on
//                               every message; internal, bundled into dist/jssip.min.js).
// Both parse the start line and the headers a UA acts on (Via, From, To, Call-ID, CSeq,
// Contact, Record-Route, Content-Type, the digest challenge); neither parses the SDP.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MESSAGES } from '../lib/messages.mjs';
import { BENCH_DIR } from '../lib/static.mjs';
import { summary } from '../lib/stats.mjs';

/** Runs in the page. */
async function inPage({ messages, runs, sliceMs, dir }) {
  const glue = await import(`/bench/${dir}/softphone_core.js`);
  await glue.default({ module_or_path: `/bench/${dir}/softphone_core_bg.wasm` });
  if (!globalThis.JsSIPParseMessage) {
    await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/bench/dist/jssip.min.js';
      s.onload = resolve;
      s.onerror = () => reject(new Error('cannot load jssip.min.js'));
      document.head.appendChild(s);
    });
  }
  const texts = Object.values(messages);
  const names = Object.keys(messages);
  // Check that both parsers accept every message before timing anything.
  for (const [i, t] of texts.entries()) {
    if (glue.benchParseOne(t) < 0) throw new Error(`softphone-core rejects ${names[i]}`);
    const m = globalThis.JsSIPParseMessage(t, null);
    if (!m) throw new Error(`JsSIP rejects ${names[i]}`);
  }

  // rate(fn, batch): fn() parses `batch` messages; runs it for sliceMs; msgs/s.
  const rate = (fn, batch) => {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < sliceMs) {
      fn();
      n += batch;
      t = performance.now();
    }
    return (n * 1000) / (t - t0);
  };
  const variants = (set) => {
    const corpus = new glue.BenchCorpus();
    for (const t of set) corpus.add(t);
    let sink = 0;
    const v = {
      wasmLoop: [() => { sink += corpus.parseAll(50); }, 50 * set.length],
      wasmPerCall: [() => { for (const t of set) sink += glue.benchParseOne(t); }, set.length],
      jssip: [() => { for (const t of set) sink += globalThis.JsSIPParseMessage(t, null).headers ? 1 : 0; }, set.length],
    };
    return { v, free: () => corpus.free(), sink: () => sink };
  };
  const out = { mix: {}, perMessage: {} };
  const measure = (set, reps) => {
    const { v, free } = variants(set);
    const res = {};
    for (const k of Object.keys(v)) res[k] = [];
    for (const k of Object.keys(v)) rate(...v[k]); // warm-up: JIT tiers, Liftoff -> TurboFan
    for (let r = 0; r < reps; r++) {
      // Interleaved so that a burst of load from another process hits all three alike.
      for (const k of Object.keys(v)) res[k].push(rate(...v[k]));
    }
    free();
    return res;
  };
  out.mix = measure(texts, runs);
  for (const [i, t] of texts.entries()) out.perMessage[names[i]] = measure([t], Math.max(3, runs - 2));
  return out;
}

async function measureBuild(browser, site, runs, dir) {
  // A fresh page per build: two wasm-bindgen glues must not share a realm.
  const page = await browser.newPage();
  try {
    await page.goto(site.url + 'bench/pages/blank.html');
    const raw = await page.evaluate(inPage, { messages: MESSAGES, runs, sliceMs: 500, dir });
    const sum = (o) => Object.fromEntries(Object.entries(o).map(([k, xs]) => [k, summary(xs)]));
    const mix = sum(raw.mix);
    const perMessage = Object.fromEntries(Object.entries(raw.perMessage).map(([k, o]) => [k, sum(o)]));
    return {
      mix,
      perMessage,
      ratio: {
        wasmLoopOverJssip: mix.wasmLoop.median / mix.jssip.median,
        wasmPerCallOverJssip: mix.wasmPerCall.median / mix.jssip.median,
      },
    };
  } finally {
    await page.close();
  }
}

/**
 * options.variants: other builds of the bench variant to measure too, as folders under
 * bench/ (scripts/bench.sh --opt-variants builds pkg-bench-O3 and pkg-bench-s: the same
 * code with opt-level 3 and "s" instead of the shipped "z").
 */
export async function run({ browser, site, runs, log, options = {} }) {
  log(`parse: ${runs} runs of 500 ms per variant`);
  const main = await measureBuild(browser, site, runs, 'pkg-bench');
  const variants = {};
  for (const dir of options.variants ?? []) {
    if (!existsSync(path.join(BENCH_DIR, dir, 'softphone_core.js'))) continue;
    log(`parse: build ${dir}`);
    const r = await measureBuild(browser, site, runs, dir);
    variants[dir] = { mix: r.mix, ratio: r.ratio, wasmBytes: statSync(path.join(BENCH_DIR, dir, 'softphone_core_bg.wasm')).size };
  }
  return {
    unit: 'messages/s',
    messages: Object.fromEntries(Object.entries(MESSAGES).map(([k, v]) => [k, v.length])),
    ...main,
    variants,
  };
}
