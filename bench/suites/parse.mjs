// 4. SIP parsing in the browser: messages per second, softphone-core (wasm) against JsSIP's
// parser, on the same five messages (lib/messages.mjs), in one page.
//
//   softphone-core, in wasm:    BenchCorpus.parseAll(rounds): the loop runs inside wasm;
//   softphone-core, per call:   benchParseOne(text) once per message from JavaScript: the
//                               string's UTF-8 copy into wasm memory is included, made as on
//                               the driver's receive path (TextEncoder.encodeInto, web/utf8.rs);
//                               wasmPerCallBindgen (in the JSON only): the same with
//                               wasm-bindgen's &str copy, a JS loop over the string, which the
//                               driver used before;
//   encodeInto alone:           TextEncoder.encodeInto(text, view) and nothing else: the cost
//                               of getting a JS string's bytes into any wasm parser, which
//                               bounds the per-call figure from above;
//   JsSIP:                      Parser.parseMessage(text) (what JsSIP's Transport runs on
//                               every message; internal, bundled into dist/jssip.min.js).
// Both parse the start line and the headers a UA acts on (Via, From, To, Call-ID, CSeq,
// Contact, Record-Route, Content-Type, the digest challenge); neither parses the SDP.
// Every variant (and other builds of the bench variant, options.variants) runs in the same
// page, interleaved slice by slice, so that load from other processes hits all alike; the
// ratio is taken per repetition and its median reported.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MESSAGES } from '../lib/messages.mjs';
import { BENCH_DIR } from '../lib/static.mjs';
import { summary } from '../lib/stats.mjs';

/** Runs in the page. */
async function inPage({ messages, runs, sliceMs, dirs }) {
  const glues = {};
  for (const dir of dirs) {
    const glue = await import(`/bench/${dir}/softphone_core.js`);
    await glue.default({ module_or_path: `/bench/${dir}/softphone_core_bg.wasm` });
    glues[dir] = glue;
  }
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
  // Check that every parser accepts every message before timing anything.
  for (const [i, t] of texts.entries()) {
    for (const [dir, glue] of Object.entries(glues)) {
      if (glue.benchParseOne(t) < 0) throw new Error(`softphone-core (${dir}) rejects ${names[i]}`);
    }
    if (!globalThis.JsSIPParseMessage(t, null)) throw new Error(`JsSIP rejects ${names[i]}`);
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
  let sink = 0;
  const measure = (set, reps) => {
    const v = {};
    const corpora = [];
    for (const [dir, glue] of Object.entries(glues)) {
      const corpus = new glue.BenchCorpus();
      for (const t of set) corpus.add(t);
      corpora.push(corpus);
      const tag = dir === 'pkg-bench' ? '' : `@${dir}`;
      v[`wasmLoop${tag}`] = [() => { sink += corpus.parseAll(50); }, 50 * set.length];
      v[`wasmPerCall${tag}`] = [() => { for (const t of set) sink += glue.benchParseOne(t); }, set.length];
      if (glue.benchParseOneBindgen) {
        v[`wasmPerCallBindgen${tag}`] = [() => { for (const t of set) sink += glue.benchParseOneBindgen(t); }, set.length];
      }
    }
    const enc = new TextEncoder();
    const dst = new Uint8Array(3 * Math.max(...set.map((t) => t.length)));
    v.encodeIntoOnly = [() => { for (const t of set) sink += enc.encodeInto(t, dst).written; }, set.length];
    v.jssip = [() => { for (const t of set) sink += globalThis.JsSIPParseMessage(t, null).headers ? 1 : 0; }, set.length];
    const res = Object.fromEntries(Object.keys(v).map((k) => [k, []]));
    for (const k of Object.keys(v)) rate(...v[k]); // warm-up: JIT tiers, Liftoff -> TurboFan
    for (let r = 0; r < reps; r++) {
      for (const k of Object.keys(v)) res[k].push(rate(...v[k]));
    }
    for (const c of corpora) c.free();
    return res;
  };
  const out = { mix: measure(texts, runs), perMessage: {} };
  for (const [i, t] of texts.entries()) out.perMessage[names[i]] = measure([t], Math.max(3, runs - 2));
  out.sink = sink;
  return out;
}

/**
 * options.variants: other builds of the bench variant to measure too, as folders under
 * bench/ (BENCH_OPT_VARIANTS=1 scripts/bench.sh builds pkg-bench-O3 and pkg-bench-s: the
 * same code at opt-level 3 and "s" instead of the shipped "z"); BENCH_PARSE_VARIANTS adds
 * more (see run()).
 */
export async function run({ browser, site, runs, log, options = {} }) {
  // BENCH_PARSE_VARIANTS=dir1,dir2: more builds under bench/ to measure in the same page (an
  // older commit's bench variant, for a before/after comparison under the same load).
  const extra = (process.env.BENCH_PARSE_VARIANTS ?? '').split(',').filter(Boolean);
  const variants = [...(options.variants ?? []), ...extra]
    .filter((d) => existsSync(path.join(BENCH_DIR, d, 'softphone_core.js')));
  const dirs = ['pkg-bench', ...variants];
  log(`parse: ${runs} runs of 500 ms per variant; builds: ${dirs.join(', ')}`);
  const page = await browser.newPage();
  let raw;
  try {
    await page.goto(site.url + 'bench/pages/blank.html');
    raw = await page.evaluate(inPage, { messages: MESSAGES, runs, sliceMs: 500, dirs });
  } finally {
    await page.close();
  }
  const sum = (o) => Object.fromEntries(Object.entries(o).map(([k, xs]) => [k, summary(xs)]));
  // Ratios per repetition (same moment, same load), then their median.
  const ratio = (k) => summary(raw.mix[k].map((x, i) => x / raw.mix.jssip[i])).median;
  const mix = sum(raw.mix);
  const perMessage = Object.fromEntries(Object.entries(raw.perMessage).map(([k, o]) => [k, sum(o)]));
  const out = {
    unit: 'messages/s',
    messages: Object.fromEntries(Object.entries(MESSAGES).map(([k, v]) => [k, v.length])),
    mix: {
      wasmLoop: mix.wasmLoop,
      wasmPerCall: mix.wasmPerCall,
      wasmPerCallBindgen: mix.wasmPerCallBindgen,
      encodeIntoOnly: mix.encodeIntoOnly,
      jssip: mix.jssip,
    },
    perMessage,
    ratio: {
      wasmLoopOverJssip: ratio('wasmLoop'),
      wasmPerCallOverJssip: ratio('wasmPerCall'),
      encodeIntoOverJssip: ratio('encodeIntoOnly'),
    },
    variants: {},
  };
  for (const dir of variants) {
    out.variants[dir] = {
      mix: { wasmLoop: mix[`wasmLoop@${dir}`], wasmPerCall: mix[`wasmPerCall@${dir}`] },
      ratio: { wasmLoopOverJssip: ratio(`wasmLoop@${dir}`), wasmPerCallOverJssip: ratio(`wasmPerCall@${dir}`) },
      wasmBytes: statSync(path.join(BENCH_DIR, dir, 'softphone_core_bg.wasm')).size,
    };
  }
  return out;
}
