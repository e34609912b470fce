// 7. Scale in one page: N UAs (accounts bench001..benchN) started at once in one page, time
// until every one is registered; then an idle window (default 60 s) in which Chromium's CPU
// time is read from /proc/<pid>/stat (utime + stime) for every process of the browser,
// grouped by process type. The per-UA figure is the renderer's CPU over the window, scaled
// to one minute, minus the same page's CPU before any UA was made (baseline window, scaled
// to one minute), divided by N. /proc counts in 10 ms ticks: over 60 s and 200 UAs the
// resolution is 0.05 ms per UA per minute.
// softphone-core first, then JsSIP in a fresh page, same accounts.

import { readFileSync } from 'node:fs';
import { cpuMs, descendants, processType } from '../lib/browser.mjs';
import { sleep } from '../lib/stats.mjs';

function cpuByType() {
  const out = {};
  for (const pid of descendants(process.pid)) {
    const type = processType(pid);
    if (type === 'gone' || type === 'zygote' || !/chrom/.test(safeComm(pid))) continue;
    out[type] = (out[type] ?? 0) + cpuMs(pid);
  }
  return out;
}

function safeComm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8');
  } catch {
    return '';
  }
}

const delta = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));

async function idleCpu(windowMs) {
  const a = cpuByType();
  const t0 = performance.now();
  await sleep(windowMs);
  const b = cpuByType();
  return { ms: performance.now() - t0, cpu: delta(a, b) };
}

async function oneStack(browser, site, env, stack, count, idleMs, baselineMs, log) {
  const accounts = env.accounts.filter((a) => a.user.startsWith('bench')).slice(0, count);
  if (accounts.length < count) throw new Error(`scale: ${count} UAs need KAMAILIO_EXTRA_USERS >= ${count}`);
  const page = await browser.newPage();
  try {
    await page.goto(site.url + 'bench/pages/blank.html');
    await page.addScriptTag({ url: '/bench/pages/both.js' });
    // Load the code first so that the timed part is making, starting and registering.
    await page.evaluate(async (stack) => {
      if (stack === 'jssip') await loadScript('/bench/dist/jssip.min.js');
      else await (await import('/pkg/index.js')).initAsync();
    }, stack);
    await sleep(1000);
    const baseline = await idleCpu(baselineMs); // the same page, code loaded, no UA yet
    const cpu0 = cpuByType();
    const t = await page.evaluate(async ({ stack, wsUri, accounts }) => {
      const t0 = wall();
      window.uas = [];
      for (const a of accounts) {
        const ua = stack === 'jssip'
          ? await makeJssip({ wsUri, uri: a.uri, password: a.password })
          : await makeSoftphone({ servers: wsUri, uri: a.uri, password: a.password });
        uas.push(ua);
        ua.start();
      }
      const started = wall();
      await new Promise((resolve) => {
        const check = () => (uas.every((u) => u.registered) ? resolve() : setTimeout(check, 20));
        check();
      });
      const regs = uas.map((u) => u.events.find((e) => e.state === 'registered').t - t0).sort((a, b) => a - b);
      return { startedMs: started - t0, firstRegisteredMs: regs[0], medianRegisteredMs: regs[regs.length >> 1], allRegisteredMs: regs[regs.length - 1] };
    }, { stack, wsUri: env.wsUri, accounts });
    const cpuReg = delta(cpu0, cpuByType());
    log(`scale: ${count} ${stack} UAs registered in ${t.allRegisteredMs.toFixed(0)} ms; idle ${idleMs / 1000} s`);
    await sleep(2000); // let the last 200 OKs and event deliveries settle
    const idle = await idleCpu(idleMs);
    const stillRegistered = await page.evaluate(() => uas.filter((u) => u.registered).length);
    const heap = await page.evaluate(() => { if (window.gc) gc(); return performance.memory?.usedJSHeapSize; });
    await page.evaluate(async () => { await Promise.all(uas.map((u) => u.stop())); });
    return { ...t, cpuDuringRegistrationMs: cpuReg, baseline, idle, stillRegistered, jsHeapBytes: heap };
  } finally {
    await page.close();
  }
}

/**
 * What limits "all registered": N bare WebSockets (subprotocol sip, no SIP sent) opened at
 * once from the page to the same Kamailio. Chromium lets one handshake per endpoint be in
 * progress at a time (RFC 6455 4.1), so they open one after another.
 */
async function bareWebSockets(browser, site, env, count) {
  const page = await browser.newPage();
  try {
    await page.goto(site.url + 'bench/pages/blank.html');
    return await page.evaluate(async ({ uri, count }) => {
      const t0 = performance.now();
      const opens = await Promise.all(Array.from({ length: count }, () => new Promise((res) => {
        const w = new WebSocket(uri, 'sip');
        w.onopen = () => res([performance.now() - t0, w]);
        w.onerror = () => res([NaN, w]);
      })));
      const ts = opens.map((o) => o[0]).sort((a, b) => a - b);
      for (const [, w] of opens) w.close();
      return { firstOpenMs: ts[0], medianOpenMs: ts[count >> 1], lastOpenMs: ts[count - 1] };
    }, { uri: env.wsUri, count });
  } finally {
    await page.close();
  }
}

export async function run({ browser, site, env, log, options = {} }) {
  const count = options.count ?? 200;
  const idleMs = options.idleMs ?? 60_000;
  const baselineMs = options.baselineMs ?? Math.min(idleMs, 20_000);
  const out = { count, idleMs, baselineMs, bareWebSockets: await bareWebSockets(browser, site, env, count) };
  log(`scale: ${count} bare WebSockets (no SIP) open in ${out.bareWebSockets.lastOpenMs.toFixed(0)} ms`);
  for (const stack of ['softphoneCore', 'jssip']) {
    const r = await oneStack(browser, site, env, stack, count, idleMs, baselineMs, log);
    const { baseline } = r;
    const perMin = (x) => (x * 60_000) / r.idle.ms;
    const perMinB = (x) => (x * 60_000) / baseline.ms;
    r.rendererCpuMsPerUaPerMin = (perMin(r.idle.cpu.renderer ?? 0) - perMinB(baseline.cpu.renderer ?? 0)) / count;
    const total = (c) => Object.values(c).reduce((a, b) => a + b, 0);
    r.allProcessesCpuMsPerUaPerMin = (perMin(total(r.idle.cpu)) - perMinB(total(baseline.cpu))) / count;
    out[stack] = r;
    log(`scale: ${stack}: ${r.rendererCpuMsPerUaPerMin.toFixed(2)} ms renderer CPU per UA per idle minute (${r.allProcessesCpuMsPerUaPerMin.toFixed(2)} ms all processes), ${r.stillRegistered}/${count} registered at the end`);
    await sleep(3000);
  }
  return out;
}
