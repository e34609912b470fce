#!/usr/bin/env node
// Where the start-up of one softphone-core (or JsSIP) page goes: a V8 CPU profile from
// before navigation to the first registration, in a fresh browser context, printed as self
// time by function with the page's marks (bench/pages/startup-*.html). Needs the bench
// servers up, as bench/tools/profile-idle.mjs does (SOFTPHONE_RUN_DIR=bench/.run
// bash scripts/servers.sh start all, and stop them after).
//
//   node bench/tools/profile-startup.mjs [softphoneCore|jssip] [runs=3]

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from '../lib/browser.mjs';
import { readEnv } from '../lib/servers.mjs';
import { BENCH_DIR, startStaticServer } from '../lib/static.mjs';

const stack = process.argv[2] ?? 'softphoneCore';
const runs = Number(process.argv[3] ?? 3);
const env = readEnv();
const account = env.accounts.find((a) => a.user === 'frank');
const HOOK = readFileSync(path.join(BENCH_DIR, 'lib', 'wshook.js'), 'utf8');
const [pageName, config] = stack === 'jssip'
  ? ['startup-jssip.html', { wsUri: env.wsUri, uri: account.uri, password: account.password }]
  : ['startup-softphone.html', { servers: env.wsUri, uri: account.uri, password: account.password }];
const site = await startStaticServer();
const browser = await launchChromium();
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    await context.addInitScript(HOOK);
    await context.addInitScript((c) => { window.__config = c; }, config);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    // As suites/startup.mjs: no Playwright script in the page until it has registered.
    const registered = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:registered', timeout: 20_000 });
    await page.goto(site.url + `bench/pages/${pageName}`, { waitUntil: 'commit' });
    await registered;
    const { profile } = await cdp.send('Profiler.stop');
    const marks = await page.evaluate(() => {
      const reg = window.__wsLog.find((e) => e.ev === 'send' && e.line.startsWith('REGISTER'));
      return { ...window.__marks, firstRegister: reg?.t };
    });
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    profile.samples.forEach((id, k) => {
      const f = byId.get(id).callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}`.trim();
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[k] ?? 0));
    });
    const busy = [...self].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]);
    const total = busy.reduce((a, [, v]) => a + v, 0);
    console.log(`run ${i + 1}: marks ${Object.entries(marks).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')} ms; busy ${(total / 1000).toFixed(1)} ms`);
    for (const [k, v] of busy.slice(0, 15)) console.log(`${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
    await page.evaluate(async () => {
      if (window.__phone) { await window.__phone.stop(); window.__phone.free(); }
      if (window.__ua) await new Promise((res) => { window.__ua.on('disconnected', res); window.__ua.stop(); setTimeout(res, 3000); });
    });
    await context.close();
  }
} finally {
  await browser.close();
  await site.close();
}
