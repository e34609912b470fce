// The connectivity test page (tests/e2e/pages/connectivity.html, window.connectivity), shared by
// diagnose.test.mjs, connectivity.test.mjs and prewarm.test.mjs: opening it, waiting for a
// phone's event, starting a phone until it is registered, and stopping phones at the end.
//
//   const page = await openConnectivityPage(browser, site, consoleLines);
//   await startPhone(page, 'dave', config);            // created, started, registered
//   const ev = await waitEvent(page, 'dave', { type: 'call', event: 'incoming' }, { after: t0 });
//   await stopPhones(page, ['dave']);                  // in after(): bounded, never throws

import assert from 'node:assert/strict';

/** Opens the page in a new tab of `browser`, its console lines pushed to `consoleLines`, and waits for the wasm. */
export async function openConnectivityPage(browser, site, consoleLines) {
  const page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(`${site.url}tests/connectivity.html`);
  await page.waitForFunction(() => window.connectivity && window.connectivity.ready !== false, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.connectivity.ready), true, 'the wasm module loads');
  return page;
}

/**
 * Waits for an event of phone `name` with the fields of `want`, delivered after page time
 * `after`; returns it. On timeout fails with the phone's events and last log lines.
 */
export async function waitEvent(page, name, want, { timeout = 10_000, after = 0 } = {}) {
  const match = ([n, w, a]) =>
    window.connectivity.events.find(
      (e) => e.phone === n && e.at > a && Object.entries(w).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v)),
    ) ?? null;
  try {
    await page.waitForFunction(match, [name, want, after], { timeout, polling: 50 });
  } catch {
    const seen = await page.evaluate(([n]) => window.connectivity.events.filter((e) => e.phone === n && e.type !== 'log'), [name]);
    const lines = seen.map((e) => `${Math.round(e.at)} ${e.type} ${e.event ?? e.state ?? e.warning ?? ''}${e.active !== undefined ? ' ' + e.active : ''}`);
    const logs = (await page.evaluate(([n]) => window.connectivity.eventsOf(n, 'log'), [name])).slice(-12).map((e) => `${Math.round(e.at)} ${e.message}`);
    assert.fail(`${name}: no ${JSON.stringify(want)} after ${Math.round(after)} within ${timeout} ms; saw:\n${lines.join('\n')}\nlast log lines:\n${logs.join('\n')}`);
  }
  return page.evaluate(match, [name, want, after]);
}

/** Creates phone `name` from `config`, starts it, and waits until it is registered. */
export async function startPhone(page, name, config) {
  const r = await page.evaluate(([n, c]) => window.connectivity.create(n, c), [name, config]);
  assert.ok(r.ok, JSON.stringify(r.error));
  const t0 = await page.evaluate(() => performance.now());
  await page.evaluate(([n]) => window.connectivity.start(n), [name]);
  await waitEvent(page, name, { type: 'registration', state: 'registered' }, { after: t0 });
}

/**
 * Stops phones `names` (unregistering them), waiting at most `boundMs`: for `after()`,
 * where a hung unregistration must not hold the suite; errors are ignored.
 */
export async function stopPhones(page, names, boundMs = 12_000) {
  const stopAll = page
    .evaluate(([ns]) => Promise.all(ns.map((n) => window.connectivity.stop(n).catch(() => 0))), [names])
    .catch(() => {});
  let timer;
  await Promise.race([stopAll, new Promise((r) => (timer = setTimeout(r, boundMs)))]);
  clearTimeout(timer);
}

/**
 * The phones a suite made on the connectivity page, and the three moves watchdog.test.mjs and
 * connectivity.test.mjs make with them: `phone(name, user, extra)` starts phone `name` with
 * `configFor(user, extra)` and records it; `drop(name)` stops and frees it (errors ignored);
 * `withDave(extra, fn)` runs `fn` with dave made from `extra`, then puts the default dave back.
 * `created` lists the phones alive now, for stopPhones() in after(). `getPage` is called at
 * each use, so the roster can be made before the page is opened.
 * @param {() => import('playwright-core').Page} getPage
 * @param {(user: string, extra?: object) => object} configFor
 */
export function phoneRoster(getPage, configFor) {
  const created = [];
  async function phone(name, user, extra) {
    created.push(name);
    await startPhone(getPage(), name, configFor(user, extra));
  }
  async function drop(name) {
    const page = getPage();
    await page.evaluate(([n]) => window.connectivity.stop(n), [name]).catch(() => {});
    await page.evaluate(([n]) => window.connectivity.free(n), [name]).catch(() => {});
    created.splice(created.indexOf(name), 1);
  }
  async function withDave(extra, fn) {
    await drop('dave');
    await phone('dave', 'dave', extra);
    try {
      return await fn();
    } finally {
      await drop('dave');
      await phone('dave', 'dave');
    }
  }
  return { created, phone, drop, withDave };
}
