// The package in a plain Vite app (tests/vite: no framework, no vite.config), installed from
// the tarball `npm pack` makes of pkg/ as a user installs it from npm, built with `vite build`
// (Vite 8, rolldown), and the built dist/ served as static files with /config.json beside it
// (as any backend would hand out an account). It proves a bundler other than Next's webpack
// finds the WebAssembly through the glue's `new URL('softphone_core_bg.wasm',
// import.meta.url)`: the build emits it as a hashed asset and the page fetches it from there.
// Chromium opens the app twice, alice and bob register to the local Kamailio, alice calls
// bob, bob answers, and audio flows both ways. Then `vite` (the dev server, which serves the
// package from node_modules) loads the module as well.
//
// Needs pkg/ (bash scripts/build.sh) and the local servers (scripts/test.sh starts them).
// Timings of the install and the build are printed (t.diagnostic).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, buildConfig, launchChromium, readEnv, startKamailio } from './lib/servers.mjs';

const run = promisify(execFile);
const APP = path.join(ROOT, 'tests', 'vite');
const DIST = path.join(APP, 'dist');
const VITE_BIN = path.join(APP, 'node_modules', 'vite', 'bin', 'vite.js');
const env = readEnv();
const SECRETS = [...env.accounts.map((a) => a.password), env.turn?.secret].filter(Boolean);
const HAS_CALLS = readFileSync(path.join(ROOT, 'pkg', 'softphone_core.d.ts'), 'utf8').includes('SoftphoneCall');

let browser;
let server;
let appUrl;
/** The two tabs of the app: { alice, bob }. */
const tabs = {};
const consoleLines = [];
/** Every URL the pages requested, with the content type of the answer. */
const requests = [];

async function timed(t, what, fn) {
  const t0 = Date.now();
  const out = await fn();
  t.diagnostic(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)],
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves dist/ as a static host would, and /config.json (the local accounts and TURN credentials). */
function serveDist() {
  const srv = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(buildConfig({ SOFTPHONE_RUN_DIR: process.env.SOFTPHONE_RUN_DIR })));
      return;
    }
    const file = path.join(DIST, path.normalize(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(DIST + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

async function openApp(user) {
  const page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(`${user}: ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`${user}: pageerror: ${e.message}`));
  page.on('response', (r) => requests.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] }));
  await page.goto(`${appUrl}/?user=${user}`);
  return page;
}

/** Waits until `[data-testid=id]` shows `text`; fails with what the page and console show. */
async function waitText(page, id, text, timeout = 20_000) {
  try {
    await page.waitForFunction(([i, s]) => document.querySelector(`[data-testid=${i}]`)?.textContent === s, [id, text], { timeout });
  } catch {
    const shown = await page.locator('body').innerText();
    assert.fail(`${id} is not ${text}; page shows:\n${shown}\nconsole:\n${consoleLines.slice(-30).join('\n')}`);
  }
}

const packets = async (page, dir) => Number(await page.locator(`[data-testid=${dir}-packets]`).textContent());

before(async () => {
  assert.ok(existsSync(path.join(ROOT, 'pkg', 'index.js')), 'pkg/ is built (bash scripts/build.sh)');
  await startKamailio();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

describe('Vite app', { concurrency: false }, () => {
  test('npm installs the npm pack tarball of pkg/ and vite build emits the wasm as an asset', { timeout: 300_000 }, async (t) => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'softphone-pack-'));
    const packed = await run('npm', ['pack', '--pack-destination', packDir, '--json'], { cwd: path.join(ROOT, 'pkg') });
    const [{ filename, files: packedFiles }] = JSON.parse(packed.stdout);
    // As tests/e2e/nextjs.test.mjs: the tarball replaces package.json's file:../../pkg for
    // this install only (--no-save), and vite comes from the committed lockfile.
    rmSync(path.join(APP, 'node_modules', 'softphone-core'), { recursive: true, force: true });
    try {
      await timed(t, 'npm install (tests/vite)', () =>
        run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', path.join(packDir, filename)], { cwd: APP, maxBuffer: 1 << 26 }),
      );
    } finally {
      rmSync(packDir, { recursive: true, force: true });
    }
    const installed = path.join(APP, 'node_modules', 'softphone-core');
    assert.ok(lstatSync(installed).isDirectory(), 'a folder, not a symlink');
    assert.deepEqual(
      walk(installed).map((f) => path.relative(installed, f)).sort(),
      packedFiles.map((f) => f.path).sort(),
      'the installed package is the tarball',
    );

    rmSync(DIST, { recursive: true, force: true });
    const build = await timed(t, 'vite build', () => run(process.execPath, [VITE_BIN, 'build'], { cwd: APP, maxBuffer: 1 << 24 }));
    assert.match(build.stdout, /built in/);
    const files = walk(DIST);
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    assert.equal(wasm.length, 1, `one wasm asset: ${wasm.join(', ')}`);
    assert.match(path.relative(DIST, wasm[0]), /^assets[/]softphone_core_bg-[\w-]+\.wasm$/, 'hashed, under assets/');
    assert.deepEqual(readFileSync(wasm[0]), readFileSync(path.join(ROOT, 'pkg', 'softphone_core_bg.wasm')), 'the module just built, unchanged');
    const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(f, 'utf8'));
    assert.ok(js.some((text) => text.includes(path.basename(wasm[0]))), 'the bundled glue refers to the emitted asset');
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      for (const s of SECRETS) assert.ok(!text.includes(s), `a secret is in ${path.relative(APP, f)}`);
    }
  });

  test('the built app registers alice and bob; the wasm comes from the hashed asset as application/wasm', { timeout: 60_000 }, async () => {
    assert.ok(existsSync(path.join(DIST, 'index.html')), 'dist/ is built (previous test)');
    server = await serveDist();
    appUrl = `http://127.0.0.1:${server.address().port}`;
    browser = await launchChromium();
    tabs.alice = await openApp('alice');
    tabs.bob = await openApp('bob');
    for (const page of Object.values(tabs)) {
      await waitText(page, 'registration', 'registered');
      assert.equal(await page.locator('[data-testid=connection]').textContent(), 'connected');
      assert.equal(await page.locator('[data-testid=error]').isHidden(), true);
    }
    const wasm = requests.filter((r) => r.url.endsWith('.wasm'));
    assert.ok(wasm.length >= 2, `each page fetched the module: ${JSON.stringify(wasm)}`);
    for (const r of wasm) {
      assert.match(new URL(r.url).pathname, /^\/assets\/softphone_core_bg-[\w-]+\.wasm$/);
      assert.equal(r.status, 200);
      assert.equal(r.type, 'application/wasm');
    }
  });

  test('alice calls bob, bob answers, audio flows both ways, alice hangs up', { timeout: 90_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    await alice.fill('[data-testid=target]', 'bob');
    await alice.click('[data-testid=dial]');
    await waitText(bob, 'call-state', 'incoming', 15_000);
    assert.match(await bob.locator('[data-testid=call-remote]').textContent(), /alice/);
    await bob.click('[data-testid=answer]');
    for (const page of [alice, bob]) await waitText(page, 'call-state', 'connected', 20_000);
    for (const [who, page] of [['alice', alice], ['bob', bob]]) {
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=inbound-packets]').textContent) > 0, null, { timeout: 10_000 })
        .catch(() => assert.fail(`${who} receives no audio`));
      const first = await packets(page, 'inbound');
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=inbound-packets]').textContent) > n + 20, first, { timeout: 10_000 })
        .catch(async () => assert.fail(`${who}'s inbound audio packets do not rise: ${first} -> ${await packets(page, 'inbound')}`));
      assert.ok((await packets(page, 'outbound')) > 0, `${who} sends audio`);
    }
    await alice.click('[data-testid=hangup]');
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.getElementById('call').hidden, null, { timeout: 10_000 });
    }
  });

  test('under vite dev (no pre-bundling configured) the page finds the module too and registers', { timeout: 60_000 }, async (t) => {
    // The dev server serves the package from node_modules; /config.json comes from public/,
    // written for this test only and removed after it (never part of a build).
    const pub = path.join(APP, 'public');
    mkdirSync(pub, { recursive: true });
    writeFileSync(path.join(pub, 'config.json'), JSON.stringify(buildConfig({ SOFTPHONE_RUN_DIR: process.env.SOFTPHONE_RUN_DIR })));
    const port = await freePort();
    const dev = spawn(process.execPath, [VITE_BIN, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: APP, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dev.stdout.on('data', (d) => (out += d));
    dev.stderr.on('data', (d) => (out += d));
    try {
      const deadline = Date.now() + 30_000;
      while (!(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false))) {
        assert.ok(Date.now() < deadline && dev.exitCode === null, `vite dev did not answer:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const mark = requests.length;
      const page = await browser.newPage();
      page.on('console', (m) => consoleLines.push(`dev: ${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => consoleLines.push(`dev: pageerror: ${e.message}`));
      page.on('response', (r) => requests.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] }));
      const t0 = Date.now();
      await page.goto(`http://127.0.0.1:${port}/?user=erin`);
      await waitText(page, 'registration', 'registered', 30_000);
      t.diagnostic(`vite dev: page to registered ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const wasm = requests.slice(mark).filter((r) => r.url.includes('.wasm'));
      assert.equal(wasm.length, 1, JSON.stringify(wasm));
      assert.equal(wasm[0].status, 200);
      assert.equal(wasm[0].type, 'application/wasm');
      await page.close();
    } finally {
      dev.kill('SIGTERM');
      rmSync(pub, { recursive: true, force: true });
    }
  });

  test('no console errors and no secret in the console', () => {
    const errors = consoleLines.filter((l) => /: (error|pageerror):/.test(l));
    assert.deepEqual(errors, [], 'no console errors');
    for (const line of consoleLines) {
      for (const s of SECRETS) assert.ok(!line.includes(s), `a secret leaked: ${line.slice(0, 80)}`);
    }
  });
});
