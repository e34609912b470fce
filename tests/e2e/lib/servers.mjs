// Helpers for the browser end-to-end tests: the local servers, Chromium and the static server.
//
// The servers are started by scripts/test.sh (scripts/servers.sh start all) before
// `node --test` runs, and stopped after it. Tests read the addresses and the test accounts
// with readEnv(). Test files run one at a time (test.sh passes --test-concurrency=1) because
// they share the accounts and a test may restart Kamailio.
//
//   import { readEnv, launchChromium, startStaticServer } from './lib/servers.mjs';
//   const env = readEnv();                       // .run/env.json
//   const site = await startStaticServer();      // http://127.0.0.1:<free port>/
//   const browser = await launchChromium();
//   const page = await browser.newPage();
//   await page.goto(site.url + 'tests/my-page.html');
//   ...
//   await browser.close(); await site.close();

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { ROOT, buildConfig, startStaticServer as startServer, turnCredentials } from '../../../scripts/serve.mjs';

export { ROOT, buildConfig, turnCredentials };

const run = promisify(execFile);
const SERVERS_SH = path.join(ROOT, 'scripts', 'servers.sh');
const RUN_DIR = process.env.SOFTPHONE_RUN_DIR ?? path.join(ROOT, '.run');

/**
 * The local test servers and accounts, from .run/env.json (written by scripts/servers.sh start):
 * {wsUri: "ws://127.0.0.1:18080/ws", domain: "softphone.test", udp: "127.0.0.1:15060",
 *  accounts: [{user: "alice", uri: "sip:alice@softphone.test", password}, ... bob carol dave erin frank],
 *  turn: {urls: ["turn:127.0.0.1:13478?transport=udp", "...?transport=tcp"], secret, realm: "softphone.test"}}
 * Passwords and the TURN secret are secrets: never log them.
 * @returns {{wsUri: string, domain: string, udp: string,
 *   accounts: {user: string, uri: string, password: string}[],
 *   turn: {urls: string[], secret: string, realm: string}}}
 * @throws {Error} when the servers were never started
 */
export function readEnv() {
  const file = path.join(RUN_DIR, 'env.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file} (${e.code ?? e.message}): run "bash scripts/servers.sh start all" first`);
  }
}

/**
 * The account of one test user.
 * @param {string} user "alice", "bob", "carol", "dave", "erin" or "frank"
 * @returns {{user: string, uri: string, password: string}}
 */
export function account(user) {
  const found = readEnv().accounts.find((a) => a.user === user);
  if (!found) throw new Error(`no test account ${user}`);
  return found;
}

async function servers(action, name) {
  try {
    await run('bash', [SERVERS_SH, action, name], { cwd: ROOT, timeout: 60_000 });
  } catch (e) {
    throw new Error(`scripts/servers.sh ${action} ${name} failed: ${e.stderr || e.message}`);
  }
}

/** Starts Kamailio (no-op when it runs). Resolves when its WebSocket port accepts connections. */
export const startKamailio = () => servers('start', 'kamailio');
/** Stops Kamailio by its pid and waits until it is gone: every WebSocket to it closes. */
export const stopKamailio = () => servers('stop', 'kamailio');
/** Stops and starts Kamailio with the same ports and passwords. Registrations are lost (no database). */
export const restartKamailio = () => servers('restart', 'kamailio');

/**
 * Chromium flags for headless runs as root with fake audio/video devices, no permission
 * prompts, and real host ICE candidates (no mDNS .local names).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Launches Debian's Chromium (/usr/bin/chromium) headless through playwright-core, with a
 * fresh temporary profile and CHROMIUM_ARGS. Close it with `await browser.close()`.
 * @param {{args?: string[], headless?: boolean}} [options] extra flags, e.g. a fake audio file:
 *   `--use-file-for-fake-audio-capture=/path/to.wav`
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchChromium({ args = [], headless = true } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless,
    args: [...CHROMIUM_ARGS, ...args],
  });
}

/**
 * Starts scripts/serve.mjs in this process on 127.0.0.1 and a free port: / -> www/,
 * /pkg/ -> pkg/, /tests/ -> tests/e2e/pages/, /config.json (local accounts + TURN credentials,
 * or a real PBX from SIP_WS_URI/SIP_URI...).
 * @param {{port?: number, host?: string}} [options]
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>} url ends with "/"
 */
export function startStaticServer(options = {}) {
  return startServer(options);
}

/** The folder of this module's test suite (tests/e2e/). */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
