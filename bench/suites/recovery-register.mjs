// 2a. Registration recovery: Kamailio is stopped (every WebSocket closes, the registrar forgets
// every binding: no database), stays down `downMs`, and is started again; measured per stack:
// from Kamailio accepting again (scripts/servers.sh start returns once it answers HTTP; it
// polls every 200 ms) to the UA's 'registered' event. Both stacks run in one page, with
// their default reconnection settings, at the same time.

import { summary, sleep } from '../lib/stats.mjs';
import { servers } from '../lib/servers.mjs';
import { wallNow } from '../lib/sipws.mjs';

export async function run({ browser, site, env, runs, log, options = {} }) {
  const downMs = options.downMs ?? 2000;
  const acc = (u) => env.accounts.find((a) => a.user === u);
  const page = await browser.newPage();
  const res = { softphoneCore: { fromUp: [], fromStop: [] }, jssip: { fromUp: [], fromStop: [] } };
  try {
    await page.goto(site.url + 'bench/pages/blank.html');
    await page.addScriptTag({ url: '/bench/pages/both.js' });
    await page.evaluate(async ({ wsUri, a, b }) => {
      window.uas = [
        await makeSoftphone({ servers: wsUri, uri: a.uri, password: a.password }),
        await makeJssip({ wsUri, uri: b.uri, password: b.password }),
      ];
      for (const u of uas) u.start();
    }, { wsUri: env.wsUri, a: acc('carol'), b: acc('dave') });
    await page.waitForFunction(() => uas.every((u) => u.registered), null, { timeout: 20_000 });
    for (let i = 0; i < runs; i++) {
      const tStop = wallNow();
      await servers('stop', 'kamailio');
      await sleep(downMs);
      await servers('start', 'kamailio');
      const tUp = wallNow();
      await page.waitForFunction((t) => uas.every((u) => u.events.some((e) => e.t > t && e.kind === 'registration' && e.state === 'registered')), tStop, { timeout: 120_000, polling: 50 })
        .catch(() => log('recovery: a UA did not register again within 120 s'));
      const regs = await page.evaluate((t) => uas.map((u) => u.events.find((e) => e.t > t && e.kind === 'registration' && e.state === 'registered')?.t ?? null), tStop);
      for (const [k, t] of [['softphoneCore', regs[0]], ['jssip', regs[1]]]) {
        res[k].fromUp.push(t === null ? NaN : t - tUp);
        res[k].fromStop.push(t === null ? NaN : t - tStop);
      }
      log(`recovery: run ${i + 1}: softphone-core ${(regs[0] - tUp)?.toFixed(0)} ms, JsSIP ${(regs[1] - tUp)?.toFixed(0)} ms after Kamailio was up`);
      await sleep(1000);
    }
    await page.evaluate(async () => { for (const u of uas) await u.stop(); });
  } finally {
    await page.close();
  }
  const out = { unit: 'ms', downMs };
  for (const k of Object.keys(res)) out[k] = { fromUp: summary(res[k].fromUp), fromStop: summary(res[k].fromStop) };
  return out;
}
