// 6. Start-up: from navigation start (performance.now() = 0) to the first REGISTER handed to
// the WebSocket (lib/wshook.js), in a fresh browser context each time (nothing cached:
// the static server says no-store), for both stacks, interleaved. Also reported: the module
// import, instantiation (fetch + compile + instantiate of the wasm), WebSocket open, and
// registered (after the 401 round trip; the page then logs `bench:registered`).
// softphoneCorePreload: the same page with modulepreload/preload links in <head>
// (pages/startup-softphone-preload.html).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from '../lib/static.mjs';
import { summary } from '../lib/stats.mjs';

const HOOK = readFileSync(path.join(BENCH_DIR, 'lib', 'wshook.js'), 'utf8');

async function once(browser, site, pageName, config) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(HOOK);
    await context.addInitScript((c) => { window.__config = c; }, config);
    const page = await context.newPage();
    // Waited for through the console, not page.waitForFunction(): that injects Playwright's
    // own script into the page (a 14-23 ms task on the renderer's main thread, in a trace)
    // once `goto` returns, i.e. in the middle of the start-up being measured. It landed after
    // JsSIP's classic <script> had run but while softphone-core's module was still fetching
    // and compiling the wasm: in an interleaved A/B (BENCHMARKS.md, run 21) it added 22 ms
    // to softphone-core's median and 11 ms to JsSIP's. Nothing else touches the page until
    // the console line.
    const registered = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:registered', timeout: 20_000 });
    await page.goto(site.url + `bench/pages/${pageName}`, { waitUntil: 'commit' });
    await registered;
    const r = await page.evaluate(() => {
      const log = window.__wsLog;
      const reg = log.find((e) => e.ev === 'send' && e.line.startsWith('REGISTER'));
      return {
        ...window.__marks,
        wsCreated: log.find((e) => e.ev === 'create')?.t,
        wsOpen: log.find((e) => e.ev === 'open')?.t,
        firstRegister: reg?.t,
      };
    });
    // Leave cleanly so that the next run starts from an empty registrar binding.
    await page.evaluate(async () => {
      if (window.__phone) { await window.__phone.stop(); window.__phone.free(); }
      if (window.__ua) {
        await new Promise((res) => { window.__ua.on('disconnected', res); window.__ua.stop(); setTimeout(res, 3000); });
      }
    });
    return r;
  } finally {
    await context.close();
  }
}

export async function run({ browser, site, env, runs, log }) {
  const acc = (u) => env.accounts.find((a) => a.user === u);
  const stacks = {
    softphoneCore: ['startup-softphone.html', { servers: env.wsUri, uri: acc('alice').uri, password: acc('alice').password }],
    softphoneCorePreload: ['startup-softphone-preload.html', { servers: env.wsUri, uri: acc('alice').uri, password: acc('alice').password }],
    jssip: ['startup-jssip.html', { wsUri: env.wsUri, uri: acc('bob').uri, password: acc('bob').password }],
  };
  const raw = Object.fromEntries(Object.keys(stacks).map((k) => [k, []]));
  // One unmeasured run each: the first launch of a page pays for process start-up.
  for (const [name, [page, cfg]] of Object.entries(stacks)) await once(browser, site, page, cfg);
  for (let i = 0; i < runs; i++) {
    for (const [name, [page, cfg]] of Object.entries(stacks)) raw[name].push(await once(browser, site, page, cfg));
  }
  const out = {};
  for (const [name, xs] of Object.entries(raw)) {
    out[name] = {};
    for (const k of ['script', 'imported', 'instantiated', 'wsCreated', 'wsOpen', 'firstRegister', 'registered']) {
      out[name][k] = summary(xs.map((x) => x[k]));
    }
  }
  log(`startup: first REGISTER softphone-core ${out.softphoneCore.firstRegister.median?.toFixed(1)} ms, JsSIP ${out.jssip.firstRegister.median?.toFixed(1)} ms`);
  return { unit: 'ms since navigation start', ...out };
}
