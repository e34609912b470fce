#!/usr/bin/env node
// Where the idle CPU of N softphone-core UAs in one page goes: registers N bench accounts
// (as bench/suites/scale.mjs does), waits, then records a V8 CPU profile of the page over an
// idle window through the DevTools protocol and prints self time by function.
// Needs the bench servers up (scripts/bench.sh leaves none running: start them with
// SOFTPHONE_RUN_DIR=bench/.run KAMAILIO_EXTRA_USERS=200 bash scripts/servers.sh start all,
// and stop them after).
//
//   node bench/tools/profile-idle.mjs [N=200] [seconds=30] [softphoneCore|softphoneCoreNoKeepalive|jssip]

import { launchChromium } from '../lib/browser.mjs';
import { readEnv } from '../lib/servers.mjs';
import { startStaticServer } from '../lib/static.mjs';
import { sleep } from '../lib/stats.mjs';

const count = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 30);
const stack = process.argv[4] ?? 'softphoneCore';
const env = readEnv();
const accounts = env.accounts.filter((a) => a.user.startsWith('bench')).slice(0, count);
const site = await startStaticServer();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(site.url + 'bench/pages/blank.html');
  await page.addScriptTag({ url: '/bench/pages/both.js' });
  await page.evaluate(async ({ stack, wsUri, accounts }) => {
    window.uas = [];
    for (const a of accounts) {
      const extra = stack === 'softphoneCoreNoKeepalive' ? { keepaliveInterval: 0 } : {};
      const ua = stack === 'jssip' ? await makeJssip({ wsUri, uri: a.uri, password: a.password })
        : await makeSoftphone({ servers: wsUri, uri: a.uri, password: a.password, ...extra });
      uas.push(ua);
      ua.start();
    }
  }, { stack, wsUri: env.wsUri, accounts });
  await page.waitForFunction(() => uas.every((u) => u.registered), null, { timeout: 60_000 });
  await sleep(Number(process.env.PROFILE_SETTLE_S ?? 3) * 1000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await sleep(seconds * 1000);
  const { profile } = await cdp.send('Profiler.stop');
  const dt = profile.timeDeltas;
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
  let total = 0;
  for (const [id, us] of counts) {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  }
  const busy = [...self].filter(([k]) => k !== '(idle)' && k !== '(program)');
  const busyUs = busy.reduce((a, [, v]) => a + v, 0);
  console.log(`${count} ${stack} UAs, ${seconds} s: JS+wasm busy ${(busyUs / 1000).toFixed(0)} ms ` +
    `(${(busyUs / 1000 / count / (seconds / 60)).toFixed(2)} ms per UA per minute); (program) ${((self.get('(program)') ?? 0) / 1000).toFixed(0)} ms; total sampled ${(total / 1000).toFixed(0)} ms`);
  for (const [k, v] of busy.sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  await page.evaluate(async () => { await Promise.all(uas.map((u) => u.stop())); });
} finally {
  await browser.close();
  await site.close();
}
