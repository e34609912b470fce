// Firefox for the end-to-end tests, through geckodriver (W3C WebDriver over HTTP; no
// dependency): playwright-core drives only its own patched Firefox build, which cannot be
// downloaded here, while Debian's firefox-esr and `cargo install geckodriver` (scripts/setup.sh)
// are on the machine. The page object mimics the few playwright calls the tests use, so that a
// scenario can run in both browsers:
//
//   const firefox = await launchFirefox();
//   const page = await firefox.newPage('http://127.0.0.1:8000/tests/register.html');
//   await page.waitForFunction(() => window.harness?.ready === true, null, { timeout: 10_000 });
//   const v = await page.evaluate((x) => x + 1, 41);   // functions are sent as source text
//   await page.close(); await firefox.close();
//
// One session per page (a fresh profile each, like playwright's newPage() in a new context),
// one page at a time (geckodriver's limit): newPage() closes the previous page if still open.
// Every wait is bounded; geckodriver is stopped by its pid, and it ends its Firefox.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';

/** geckodriver from `cargo install` (scripts/setup.sh), or GECKODRIVER_PATH. */
export const GECKODRIVER = process.env.GECKODRIVER_PATH ?? path.join(homedir(), '.cargo', 'bin', 'geckodriver');
/** Debian's Firefox ESR, or FIREFOX_PATH. */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Whether Firefox and geckodriver are installed (the tests skip with this reason otherwise). */
export function firefoxMissing() {
  for (const f of [GECKODRIVER, FIREFOX]) if (!existsSync(f)) return `${f} is missing (bash scripts/setup.sh)`;
  return false;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts geckodriver on a free loopback port.
 * @param {{prefs?: Record<string, unknown>}} [options] extra Firefox preferences
 * @returns {Promise<{newPage: (url: string) => Promise<FirefoxPage>, version: () => string, close: () => Promise<void>}>}
 */
export async function launchFirefox({ prefs = {} } = {}) {
  const port = await freePort();
  const driver = spawn(GECKODRIVER, ['--host', '127.0.0.1', '--port', String(port), '--binary', FIREFOX, '--log', 'error'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  driver.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;

  async function wd(method, route, body) {
    const res = await fetch(base + route, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${route}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  }

  for (let i = 0; ; i++) {
    try {
      await wd('GET', '/status');
      break;
    } catch (e) {
      if (i > 100 || driver.exitCode !== null) throw new Error(`geckodriver did not start: ${e.message}\n${stderr}`);
      await sleep(100);
    }
  }

  let browserVersion = '';
  const sessions = new Set();

  async function newPage(url) {
    // geckodriver runs one session at a time: a page left open (a test that failed before
    // its close()) is closed here, so that one failure does not fail every later test.
    for (const id of [...sessions]) {
      sessions.delete(id);
      await wd('DELETE', `/session/${id}`).catch(() => {});
    }
    const session = await wd('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'firefox',
          acceptInsecureCerts: false,
          'moz:firefoxOptions': {
            args: ['-headless'],
            prefs: {
              'media.navigator.streams.fake': true,
              'media.navigator.permission.disabled': true,
              'datareporting.policy.dataSubmissionEnabled': false,
              'browser.shell.checkDefaultBrowser': false,
              ...prefs,
            },
          },
          timeouts: { script: 60_000, pageLoad: 30_000 },
        },
      },
    });
    const id = session.sessionId;
    sessions.add(id);
    browserVersion = session.capabilities.browserVersion;
    const at = (route) => `/session/${id}${route}`;
    await wd('POST', at('/url'), { url });

    /** @type {FirefoxPage} */
    const page = {
      /** Runs `fn(arg)` in the page (awaiting a promise it returns); resolves with its JSON value, rethrows its error. */
      async evaluate(fn, arg) {
        // The function travels as source text inside the WebDriver script, which the driver
        // compiles itself: no eval in the page, so the page's CSP does not apply to it.
        const script = `const done = arguments[arguments.length - 1];
          Promise.resolve().then(() => (${fn.toString()})(arguments[0])).then(
            (value) => done({ ok: true, value: value === undefined ? null : value }),
            (e) => done({ ok: false, error: String(e && e.message ? e.message : e) }));`;
        const r = await wd('POST', at('/execute/async'), { script, args: [arg ?? null] });
        if (!r.ok) throw new Error(r.error);
        return r.value;
      },
      /** Polls `fn(arg)` every 100 ms until it is truthy; rejects after `timeout` ms. */
      async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
        const deadline = Date.now() + timeout;
        for (;;) {
          const v = await page.evaluate(fn, arg);
          if (v) return v;
          if (Date.now() > deadline) throw new Error(`waitForFunction: not true within ${timeout} ms`);
          await sleep(100);
        }
      },
      async close() {
        sessions.delete(id);
        await wd('DELETE', at('')).catch(() => {});
      },
    };
    return page;
  }

  return {
    newPage,
    version: () => browserVersion,
    async close() {
      for (const id of [...sessions]) await wd('DELETE', `/session/${id}`).catch(() => {});
      if (driver.exitCode === null && driver.signalCode === null) {
        const gone = new Promise((r) => driver.once('exit', r));
        driver.kill('SIGTERM');
        await Promise.race([gone, sleep(5_000)]);
        if (driver.exitCode === null && driver.signalCode === null) driver.kill('SIGKILL');
      }
    },
  };
}

/**
 * @typedef {object} FirefoxPage
 * @property {(fn: Function, arg?: unknown) => Promise<any>} evaluate
 * @property {(fn: Function, arg?: unknown, options?: {timeout?: number}) => Promise<any>} waitForFunction
 * @property {() => Promise<void>} close
 */
