// The set-up the harness pages (tests/e2e/pages/calls.html, register.html) share: the real
// Kamailio, the static server over pkg/, headless Chromium with the page open and
// `window.harness` loaded, phones created and registered, and a bounded teardown.
// One copy here, so that calls, media, headers, transfer, message and register tests
// set up (and wait, and clean up) the same way.

import assert from 'node:assert/strict';
import { launchChromium, startKamailio, startStaticServer } from './servers.mjs';

/**
 * Starts Kamailio and the static server, launches Chromium and opens `pagePath` (below the
 * static server's root) in a new page whose console lines and page errors are appended to
 * `consoleLines`, then waits (20 s at most) for `window.harness`. With `checkReady` it also
 * asserts that the wasm module loaded (`window.harness.ready === true`).
 * On a failure part-way it closes what it opened before throwing.
 * @param {{pagePath?: string, consoleLines?: string[], checkReady?: boolean}} [options]
 * @returns {Promise<{browser: import('playwright-core').Browser, site: {url: string, close: () => Promise<void>},
 *   page: import('playwright-core').Page, h: (fn: Function, ...args: unknown[]) => Promise<any>, consoleLines: string[]}>}
 */
export async function openHarness({ pagePath = 'tests/calls.html', consoleLines = [], checkReady = true } = {}) {
  await startKamailio();
  const site = await startStaticServer();
  let browser;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    const h = (fn, ...args) => page.evaluate(fn, args);
    await page.goto(`${site.url}${pagePath}`);
    await page.waitForFunction(() => window.harness && window.harness.ready !== false, null, { timeout: 20_000 });
    if (checkReady) assert.equal(await h(() => window.harness.ready), true, 'the wasm module loads');
    return { browser, site, page, h, consoleLines };
  } catch (err) {
    await browser?.close().catch(() => {});
    await site.close().catch(() => {});
    throw err;
  }
}

/**
 * Creates and starts one harness phone per name, in order, with `configFor(name)`; asserts
 * that each was made (an instanceId). Does not wait for registration (see waitRegistered).
 * @param {import('playwright-core').Page} page
 * @param {string[]} names
 * @param {(name: string) => object} configFor
 */
export async function createPhones(page, names, configFor) {
  for (const name of names) {
    const made = await page.evaluate(([n, c]) => window.harness.create(n, c), [name, configFor(name)]);
    assert.ok(made.instanceId, JSON.stringify(made));
    await page.evaluate(([n]) => window.harness.start(n), [name]);
  }
}

/**
 * Waits until every phone in `names` has had a `registered` registration event.
 * @param {import('playwright-core').Page} page
 * @param {string[]} names
 * @param {{timeout?: number}} [options] ms, 10 s by default
 */
export async function waitRegistered(page, names, { timeout = 10_000 } = {}) {
  await page.waitForFunction(
    (ns) => ns.every((n) => window.harness.events.some((e) => e.phone === n && e.type === 'registration' && e.state === 'registered')),
    names,
    { timeout },
  );
}

/**
 * Teardown: stops the named phones (errors ignored; bounded by `boundMs`, the core bounds
 * stop() at 4 s and a dead page must not hang the suite), then closes Chromium and the
 * static server. Any of the parts may be missing (set-up failed early).
 * @param {{page?: import('playwright-core').Page, browser?: {close: () => Promise<void>}, site?: {close: () => Promise<void>}}} parts
 * @param {string[]} names
 * @param {number} [boundMs]
 */
export async function closeHarness({ page, browser, site }, names, boundMs = 12_000) {
  if (page) {
    const stopAll = page
      .evaluate((ns) => Promise.all(ns.map((n) => window.harness.stop(n).catch(() => 0))), names)
      .catch(() => {});
    let timer;
    await Promise.race([stopAll, new Promise((resolve) => (timer = setTimeout(resolve, boundMs)))]);
    clearTimeout(timer);
  }
  await browser?.close();
  await site?.close();
}
