// Helpers of the demo page's end-to-end test (tests/e2e/demo.test.mjs): screenshots, waits
// that fail with the page's event log, and what the page's peer connections and call cards say.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './servers.mjs';

/** Where the test's screenshots go (gitignored). */
export const SHOTS = path.join(ROOT, 'artifacts', 'demo');
const DOC_SHOTS = process.env.DEMO_SCREENSHOTS ? path.resolve(ROOT, process.env.DEMO_SCREENSHOTS) : null;

/**
 * Makes every page of `context` keep a list of its peer connections (`window.__pcs`): the test,
 * not the demo, uses it to check that a microphone switch exchanges no offer or answer.
 */
export async function recordPeerConnections(context) {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    if (!Native) return;
    window.__pcs = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.__pcs.push(this);
      }
    };
  });
}

/** A full-page screenshot into artifacts/demo/. */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** A viewport-sized screenshot for the docs (only with DEMO_SCREENSHOTS set). */
export async function docShot(page, name) {
  if (!DOC_SHOTS) return;
  mkdirSync(DOC_SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(DOC_SHOTS, `${name}.png`) });
}

/** Nothing is wider than the viewport (no sideways scrolling on a phone). */
export async function assertFits(page, what) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  assert.ok(scroll <= inner, `${what}: the page is ${scroll} px wide in a ${inner} px viewport`);
}

/** Waits for `fn(arg)` in the page; on timeout fails with the page's event log. */
export async function waitIn(page, what, fn, arg, timeout = 15_000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch {
    const log = await page.$eval('#log', (el) => el.innerText).catch(() => '(no log)');
    await shot(page, `failed-${what.replace(/\W+/g, '-')}`).catch(() => {});
    assert.fail(`${what}: not within ${timeout} ms; the page's log:\n${log.split('\n').slice(-25).join('\n')}`);
  }
}

export const callState = (page) => page.$eval('.call', (el) => el.dataset.state).catch(() => null);

/** The page's connected peer connections: their descriptions and signalling state. */
export const descriptions = (page) => page.evaluate(() => window.__pcs
  .filter((pc) => pc.connectionState === 'connected')
  .map((pc) => ({ local: pc.localDescription?.sdp, remote: pc.remoteDescription?.sdp, state: pc.signalingState })));

/** The device the page's (one) connected call sends audio from. */
export const sendingDevice = (page) => page.evaluate(() => window.__pcs
  .find((pc) => pc.connectionState === 'connected')
  ?.getSenders().find((s) => s.track?.kind === 'audio')?.track.getSettings().deviceId);

/** Whether the page has a call in `state` whose remote party's text matches `who`. */
export const hasCall = (page, state, who) => page.evaluate(([st, w]) =>
  [...document.querySelectorAll('.call')].some((el) => el.dataset.state === st && el.querySelector('.remote').textContent.includes(w)), [state, who]);

export const duration = (page) => page.$eval('.call .duration', (el) => el.textContent);

