// 11. The budget of issue 15, side by side with JsSIP in one run: start-up (navigation ->
// first REGISTER and -> registered; suites/startup.mjs), size (wasm + JS, raw, gzip -9 and
// brotli; suites/size.mjs), and idle CPU: one UA registered, left to settle for `settleMs`
// (default 30 s: past softphone-core's first keep-alive round, whose wasm functions the
// browser compiles lazily on that first run, so the window sees the steady state of a phone
// left registered for hours), then measured for `idleMs` (default 60 s), in a fresh browser
// context per repetition: the page's renderer main-thread time read from the DevTools
// protocol (Performance.getMetrics with `timeDomain: 'threadTicks'`, i.e. the thread's CPU
// time, so that waiting for a CPU on a loaded machine does not count): TaskDuration (every
// task, less DevToolsCommandDuration, the measurement's own calls) and ScriptDuration
// (JavaScript and wasm), at the start and the end of the window, scaled to one minute. A
// blank page (the same page, no UA, no library) measured the same way is the floor the
// browser itself costs; the stacks' figures are also given with it subtracted. Repetitions
// interleave blank, softphone-core, softphone-core without keep-alive and JsSIP, so that
// other load on the machine hits all of them. Both stacks run with their default settings:
// for softphone-core that includes a CRLF keep-alive every 20-25 s (JsSIP sends none by
// default); `softphoneCoreNoKeepalive` (`keepaliveInterval: 0`) shows what that costs.
// The idle phase runs against the same Kamailio restarted with no `Flow-Timer`
// (`KAMAILIO_FLOW_TIMER=0`): the test servers' default `Flow-Timer: 25` asks every outbound
// client for keep-alives, which softphone-core honours (RFC 5626 section 4.4.1) whatever its
// `keepaliveInterval`, so against it the no-keep-alive variant would ping all the same.

import { servers } from '../lib/servers.mjs';
import { summary, sleep } from '../lib/stats.mjs';
import { run as runSize } from './size.mjs';
import { run as runStartup } from './startup.mjs';

/** The fewest page loads per stack for the start-up figure. */
const STARTUP_MIN_RUNS = 15;

/**
 * The page's renderer main-thread CPU time so far (ms, thread ticks): all tasks less the
 * DevTools commands (this measurement's own getMetrics calls), and JavaScript + wasm alone.
 */
async function mainThreadMs(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
  return { task: get('TaskDuration') - get('DevToolsCommandDuration'), script: get('ScriptDuration') };
}

async function idleOnce(browser, site, env, stack, account, idleMs, settleMs) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(site.url + 'bench/pages/blank.html');
    await page.addScriptTag({ url: '/bench/pages/both.js' });
    // Counts what the page sends on WebSockets, so that a window can be checked for
    // keep-alives (a wrapper of a few calls a minute; every stack gets it).
    await page.evaluate(() => {
      const send = WebSocket.prototype.send;
      window.wsSent = 0;
      WebSocket.prototype.send = function (data) {
        window.wsSent += 1;
        return send.call(this, data);
      };
    });
    if (stack !== 'blank') {
      await page.evaluate(async ({ stack, wsUri, a }) => {
        const extra = stack === 'softphoneCoreNoKeepalive' ? { keepaliveInterval: 0 } : {};
        window.ua = stack === 'jssip' ? await makeJssip({ wsUri, uri: a.uri, password: a.password })
          : await makeSoftphone({ servers: wsUri, uri: a.uri, password: a.password, ...extra });
        window.ua.start();
      }, { stack, wsUri: env.wsUri, a: account });
      await page.waitForFunction(() => window.ua.registered, null, { timeout: 20_000 });
    }
    // Let start-up work (compilation, the 401 round trip, the first keep-alive round, GC)
    // finish before the window.
    await sleep(settleMs);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const sent0 = await page.evaluate(() => window.wsSent);
    const a = await mainThreadMs(cdp);
    const t0 = performance.now();
    await sleep(idleMs);
    const b = await mainThreadMs(cdp);
    const minutes = (performance.now() - t0) / 60_000;
    const wsSent = (await page.evaluate(() => window.wsSent)) - sent0;
    if (stack === 'softphoneCoreNoKeepalive' && wsSent > 0) {
      throw new Error(`budget: ${stack} sent ${wsSent} WebSocket messages in its idle window`);
    }
    const stillRegistered = stack === 'blank' ? true : await page.evaluate(() => window.ua.registered);
    if (stack !== 'blank') await page.evaluate(() => window.ua.stop());
    return { taskMsPerMin: (b.task - a.task) / minutes, scriptMsPerMin: (b.script - a.script) / minutes, wsSent, stillRegistered };
  } finally {
    await context.close();
  }
}

export async function run({ browser, site, env, runs, log, options }) {
  const idleMs = options.idleMs ?? 60_000;
  const settleMs = options.settleMs ?? 30_000;
  // Start-up is the noisiest figure (a single page load on 2 CPUs spreads over 60-160 ms;
  // runs 17-21 in BENCHMARKS.md) and the cheapest to repeat (~1.5 s a load): at least
  // STARTUP_MIN_RUNS loads per stack, whatever `runs` the idle phase gets.
  const startup = await runStartup({ browser, site, env, runs: Math.max(runs, STARTUP_MIN_RUNS), log });
  const size = await runSize();
  const acc = (u) => env.accounts.find((a) => a.user === u);
  const stacks = { blank: null, softphoneCore: acc('carol'), softphoneCoreNoKeepalive: acc('erin'), jssip: acc('dave') };
  const raw = Object.fromEntries(Object.keys(stacks).map((k) => [k, []]));
  await servers('stop', 'kamailio');
  await servers('start', 'kamailio', { KAMAILIO_FLOW_TIMER: '0' });
  try {
    for (let i = 0; i < runs; i++) {
      for (const [stack, account] of Object.entries(stacks)) {
        const r = await idleOnce(browser, site, env, stack, account, idleMs, settleMs);
        if (!r.stillRegistered) throw new Error(`budget: ${stack} lost its registration during the idle window`);
        raw[stack].push(r);
        log(`budget: idle ${stack} run ${i + 1}: task ${r.taskMsPerMin.toFixed(2)} ms/min, script ${r.scriptMsPerMin.toFixed(2)} ms/min, ${r.wsSent} WebSocket messages sent`);
      }
    }
  } finally {
    await servers('stop', 'kamailio');
    await servers('start', 'kamailio');
  }
  const idle = {};
  for (const [stack, xs] of Object.entries(raw)) {
    idle[stack] = {
      taskMsPerMin: summary(xs.map((x) => x.taskMsPerMin)),
      scriptMsPerMin: summary(xs.map((x) => x.scriptMsPerMin)),
      wsSentPerMin: summary(xs.map((x) => x.wsSent / (idleMs / 60_000))),
    };
  }
  const floor = idle.blank.taskMsPerMin.median;
  for (const stack of ['softphoneCore', 'softphoneCoreNoKeepalive', 'jssip']) idle[stack].taskOverBlankMsPerMin = idle[stack].taskMsPerMin.median - floor;
  // Every mark (script, imported, instantiated, wsCreated, wsOpen, firstRegister,
  // registered), so that the path to the first REGISTER can be read step by step; and the
  // preloaded page, the figure an app gets with <head> links (the target is without them).
  return {
    idleMs,
    settleMs,
    idleRegistrar: 'Kamailio without Flow-Timer (KAMAILIO_FLOW_TIMER=0)',
    startup: { unit: startup.unit, softphoneCore: startup.softphoneCore, softphoneCorePreload: startup.softphoneCorePreload, jssip: startup.jssip },
    size: {
      softphoneCore: { shipped: size.softphoneCore.shipped, withMinifiedJs: size.softphoneCore.withMinifiedJs, parts: size.softphoneCore.parts },
      jssip: size.jssip,
    },
    idle,
    met: {
      startup: startup.softphoneCore.firstRegister.median <= startup.jssip.firstRegister.median,
      sizeBrotli: size.softphoneCore.withMinifiedJs.brotli <= 100_000,
      idle: idle.softphoneCore.taskMsPerMin.median <= idle.jssip.taskMsPerMin.median,
    },
  };
}
