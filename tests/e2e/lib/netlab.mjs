// The network lab from node: build and remove it (tests/netlab/lab.sh), switch its class,
// restart its servers, launch Chromium inside a lab namespace and open a page there.
//
//   import * as lab from './lib/netlab.mjs';
//   if (await lab.unavailable()) ...skip...
//   const env = await lab.up();                 // .run/netlab/env.json
//   await lab.setClass('symmetric');
//   const browser = await lab.launchChromium(); // runs in spnetlab-cli
//   const page = await lab.openPage(browser, 'tests/calls.html');
//   ...
//   await lab.down();
//
// Chromium in the client namespace cannot reach the root namespace, so the page and the
// package are not served over the network: every request to PAGE_ORIGIN is answered by
// the test process itself (playwright routing) from tests/e2e/pages/ and pkg/. The origin
// is a loopback one, so the page is a secure context (getUserMedia works).

import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './servers.mjs';

const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** tests/netlab/: the lab's shell side (lab.sh, chromium-in-ns.sh). */
export const LAB_DIR = path.join(ROOT, 'tests', 'netlab');
export const RUN_DIR = process.env.NETLAB_RUN_DIR ?? path.join(ROOT, '.run', 'netlab');
const LAB_SH = path.join(LAB_DIR, 'lab.sh');
/** The origin the lab's pages are served from (intercepted: nothing listens there). */
export const PAGE_ORIGIN = 'http://127.0.0.1:8765';
/** The five classes of network, in the order the test and the benchmark run them. */
export const CLASSES = ['open', 'corporate', 'udpdrop', 'symmetric', 'noturn'];
/** Which classes have a working TURN path. */
export const HAS_TURN = { open: true, corporate: true, udpdrop: true, symmetric: true, noturn: false };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function labSh(...args) {
  try {
    const { stdout } = await run('bash', [LAB_SH, ...args], {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...process.env, NETLAB_RUN_DIR: RUN_DIR },
    });
    return stdout;
  } catch (e) {
    throw new Error(`tests/netlab/lab.sh ${args.join(' ')} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/** Why the lab cannot be built here (no netns, no nft, a server missing), or null. */
export async function unavailable() {
  try {
    await run('bash', [LAB_SH, 'check'], { timeout: 20_000 });
    return null;
  } catch (e) {
    return (e.stdout || e.stderr || e.message).trim();
  }
}

/**
 * Builds the lab (removing a stale one first) and starts its servers; resolves with
 * .run/netlab/env.json once baresip is registered. Passwords and the TURN secret in it are
 * secrets: never log them.
 */
export async function up() {
  await labSh('up');
  const env = readEnv();
  await baresipRegistered(env);
  return env;
}

/** Stops every process in the lab's namespaces and removes them. */
export const down = () => labSh('down');
/**
 * Installs the rules of one class (see CLASSES) on the router. With `keepMark` (the mark
 * of the class before, 1 for `open`), connections made before the switch stay up.
 */
export const setClass = (name, keepMark) => (keepMark ? labSh('class', name, String(keepMark)) : labSh('class', name));

/** Runs `nft -f -` with `script` in the router namespace (the soak's faults). */
export async function routerNft(script) {
  await new Promise((resolve, reject) => {
    const child = execFile('ip', ['netns', 'exec', 'spnetlab-rtr', 'nft', '-f', '-'], { timeout: 10_000 }, (e, _o, stderr) =>
      e ? reject(new Error(`router nft: ${stderr || e.message}`)) : resolve());
    child.stdin.end(script);
  });
}

/** Kills the server side of every SIP WebSocket that came through the router (ss -K). */
export async function dropClientWebSockets() {
  await run('ip', ['netns', 'exec', 'spnetlab-srv', 'ss', '-K', 'dst', '10.99.2.1', 'sport', '=', ':80'], { timeout: 10_000 });
}
/** Restarts one of the lab's servers: `kamailio`, `coturn` or `baresip`. */
export const restart = (name) => labSh('restart', name);

/** The lab's env.json: {wsUri, domain, accounts, turn: {urls, secret}, stun: [url, url], baresip}. */
export function readEnv() {
  return JSON.parse(readFileSync(path.join(RUN_DIR, 'env.json'), 'utf8'));
}

/** The account of a test user in the lab. */
export function account(env, user) {
  const found = env.accounts.find((a) => a.user === user);
  if (!found) throw new Error(`no lab account ${user}`);
  return found;
}

/** Sends one command to baresip's ctrl_tcp (netstring JSON) and resolves with its reply. */
export function baresipCommand(env, command, params = '') {
  const [host, port] = env.baresip.ctrl.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`baresip ${command}: no reply within 5 s`));
    }, 5_000);
    socket.on('connect', () => {
      const body = JSON.stringify({ command, params, token: '1' });
      socket.write(`${Buffer.byteLength(body)}:${body},`);
    });
    socket.on('data', (d) => {
      buffer += d;
      for (;;) {
        const colon = buffer.indexOf(':');
        if (colon < 0) return;
        const len = Number(buffer.slice(0, colon));
        if (buffer.length < colon + 1 + len + 1) return;
        const msg = JSON.parse(buffer.slice(colon + 1, colon + 1 + len));
        buffer = buffer.slice(colon + 2 + len);
        if (msg.response) {
          clearTimeout(timer);
          socket.destroy();
          resolve(msg);
          return;
        }
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function baresipRegistered(env) {
  const deadline = Date.now() + 15_000;
  let last = '';
  for (;;) {
    try {
      last = (await baresipCommand(env, 'reginfo')).data ?? '';
      if (/OK/.test(last.replace(/\x1b\[[0-9;]*m/g, " "))) return;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) throw new Error(`baresip did not register in the lab: ${last}`);
    await sleep(300);
  }
}

/** RTCIceServer entries for the lab: both STUN servers and TURN REST credentials. */
export function iceServers(env, { ttlSeconds = 3600 } = {}) {
  return [{ urls: env.stun }, turnServer(env, ttlSeconds)];
}

/** The lab's TURN server with fresh TURN REST credentials. */
export function turnServer(env, ttlSeconds = 3600) {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:netlab`;
  return { urls: env.turn.urls, username, credential: hmac(env.turn.secret, username) };
}

function hmac(secret, text) {
  return createHmac('sha1', secret).update(text).digest('base64');
}

/**
 * The tests' Chromium flags, plus: no Local Network Access checks. The lab's pages are
 * answered by playwright, so Chromium counts them as public and would refuse their
 * WebSocket to 127.0.0.1. (Chromium reads only the last --disable-features: one list.)
 */
function labArgs() {
  const features = ['LocalNetworkAccessChecks', 'LocalNetworkAccessChecksWebSockets'];
  const out = [];
  for (const a of CHROMIUM_ARGS) {
    if (a.startsWith('--disable-features=')) features.push(...a.slice('--disable-features='.length).split(','));
    else out.push(a);
  }
  return [...out, `--disable-features=${features.join(',')}`];
}

/**
 * Launches Chromium (headless, fake media) inside a lab namespace (default the client's).
 * @param {{ns?: string, args?: string[]}} [options]
 */
export function launchChromium({ ns = 'spnetlab-cli', args = [] } = {}) {
  return chromium.launch({
    executablePath: path.join(LAB_DIR, 'chromium-in-ns.sh'),
    headless: true,
    args: [...labArgs(), ...args],
    env: { ...process.env, SPNETLAB_NS: ns },
    timeout: 60_000,
  });
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const ROUTES = [
  ['/pkg/', path.join(ROOT, 'pkg')],
  ['/tests/', path.join(ROOT, 'tests', 'e2e', 'pages')],
  ['/bench/', path.join(ROOT, 'bench')],
];

/**
 * A new page of `browser` whose PAGE_ORIGIN requests are answered from the repository
 * (/pkg/, /tests/ = tests/e2e/pages/, /bench/), opened at `pagePath`.
 * @param {import('playwright-core').Browser} browser
 * @param {string} pagePath e.g. 'tests/calls.html'
 * @param {{initScripts?: string[]}} [options] files run before the page's scripts
 */
export async function openPage(browser, pagePath, { initScripts = [] } = {}) {
  const context = await browser.newContext();
  await context.route(`${PAGE_ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const found = ROUTES.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!found) return route.fulfill({ status: 404, body: 'not found' });
    const file = path.resolve(found[1], '.' + url.pathname.slice(found[0].length - 1));
    if (!file.startsWith(found[1] + path.sep)) return route.fulfill({ status: 403, body: 'no' });
    try {
      const body = await readFile(file);
      return route.fulfill({ status: 200, body, headers: { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' } });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
  for (const script of initScripts) await context.addInitScript({ path: script });
  const page = await context.newPage();
  await page.goto(`${PAGE_ORIGIN}/${pagePath}`);
  return page;
}
