// 2c. Registration recovery after an Asterisk restart and crash, against the Asterisk-shaped
// peer (tests/e2e/lib/asterisk.mjs, in this process): `restart` closes every WebSocket (the
// browser sees 1006) and listens again on the same port `restartDownMs` later; `crash` resets
// every TCP connection and is down `crashDownMs`. Measured per stack, with its default
// reconnection settings, both UAs in one page at the same time: from the PBX listening again
// to the UA's next 'registered' event (fromUp), and from the moment it went down (fromDown).
// Goal for softphone-core (issue 11): registered within 1 s of the PBX answering.
// options: {restartDownMs = 2000, crashDownMs = 4000, jssip = true}

import { startAsterisk } from '../../tests/e2e/lib/asterisk.mjs';
import { randomBytes } from 'node:crypto';
import { summary, sleep } from '../lib/stats.mjs';

/**
 * Runs the suite: `runs` restarts and crashes of the peer; returns medians and spreads per stack.
 * @param {{browser, site, runs: number, log: Function, options?: {restartDownMs?: number, crashDownMs?: number, jssip?: boolean}}} context
 */
export async function run({ browser, site, runs, log, options = {} }) {
  const plans = [
    ['restart', options.restartDownMs ?? 2000],
    ['crash', options.crashDownMs ?? 4000],
  ];
  const stacks = options.jssip === false ? ['softphoneCore'] : ['softphoneCore', 'jssip'];
  const users = { 1001: randomBytes(9).toString('base64url'), 1002: randomBytes(9).toString('base64url') };
  const pbx = await startAsterisk({ users });
  const page = await browser.newPage();
  const res = {};
  for (const [how] of plans) res[how] = Object.fromEntries(stacks.map((k) => [k, { fromUp: [], fromDown: [] }]));
  try {
    await page.goto(site.url + 'bench/pages/blank.html');
    await page.addScriptTag({ url: '/bench/pages/both.js' });
    await page.evaluate(async ({ wsUri, users, stacks }) => {
      window.uas = [await makeSoftphone({ servers: wsUri, uri: 'sip:1001@127.0.0.1', password: users['1001'] })];
      if (stacks.includes('jssip')) window.uas.push(await makeJssip({ wsUri, uri: 'sip:1002@127.0.0.1', password: users['1002'] }));
      for (const u of uas) u.start();
    }, { wsUri: pbx.wsUri, users, stacks });
    await page.waitForFunction(() => uas.every((u) => u.registered), null, { timeout: 20_000 });
    for (let i = 0; i < runs; i++) {
      for (const [how, downMs] of plans) {
        const { downAt, listeningAt } = await pbx[how]({ downMs });
        await page
          .waitForFunction((t) => uas.every((u) => u.events.some((e) => e.t > t && e.kind === 'registration' && e.state === 'registered')), downAt, { timeout: 120_000, polling: 50 })
          .catch(() => log(`pbx ${how}: a UA did not register again within 120 s`));
        const regs = await page.evaluate((t) => uas.map((u) => u.events.find((e) => e.t > t && e.kind === 'registration' && e.state === 'registered')?.t ?? null), downAt);
        stacks.forEach((k, j) => {
          res[how][k].fromUp.push(regs[j] === null ? NaN : regs[j] - listeningAt);
          res[how][k].fromDown.push(regs[j] === null ? NaN : regs[j] - downAt);
        });
        log(`pbx ${how} (down ${downMs} ms): run ${i + 1}: ${stacks.map((k, j) => `${k} ${(regs[j] - listeningAt).toFixed(0)} ms`).join(', ')} after the PBX listened again`);
        await sleep(1000);
      }
    }
    await page.evaluate(async () => { for (const u of uas) await u.stop(); });
  } finally {
    await page.close();
    await pbx.close();
  }
  const out = { unit: 'ms' };
  for (const [how, downMs] of plans) {
    out[how] = { downMs };
    for (const k of stacks) out[how][k] = { fromUp: summary(res[how][k].fromUp), fromDown: summary(res[how][k].fromDown) };
  }
  return out;
}
