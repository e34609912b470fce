// The package in a Next.js 15 + React 19 App Router app (tests/nextjs), installed from the
// tarball `npm pack` makes of pkg/, the way a user installs it from npm (only what the
// package's `files` let into the tarball reaches the app), built
// with `next build` and served by `next start` on loopback. Chromium loads the page: it
// renders on the server without the phone, fetches its password from /api/sip-credentials
// and its TURN credentials from /api/ice (minted server-side), registers as alice to the
// local Kamailio, and calls bob on the demo page (www/) over a TURN relay, with audio.
// The /panel page runs useBlf and useMwi against the Asterisk-shaped scripted notifier
// (tests/e2e/lib/asterisk.mjs), which this file starts itself.
//
// Needs pkg/ (bash scripts/build.sh) and the local servers (scripts/test.sh starts them).
// Timings of the install and the build are printed (t.diagnostic).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startAsterisk } from './lib/asterisk.mjs';
import { DOMAIN, makeUsers, until } from './lib/asterisk/page.mjs';
import { ROOT, account, launchChromium, readEnv, startKamailio, startStaticServer } from './lib/servers.mjs';

const run = promisify(execFile);
const APP = path.join(ROOT, 'tests', 'nextjs');
/** Run with node directly (not npx), so that the pid we stop is the server's own. */
const NEXT_BIN = path.join(APP, 'node_modules', 'next', 'dist', 'bin', 'next');
const env = readEnv();
const alice = account('alice');
const bob = account('bob');
const SECRETS = [...env.accounts.map((a) => a.password), env.turn?.secret].filter(Boolean);
const ENV_JSON = path.join(process.env.SOFTPHONE_RUN_DIR ?? path.join(ROOT, '.run'), 'env.json');
const HAS_CALLS = readFileSync(path.join(ROOT, 'pkg', 'softphone_core.d.ts'), 'utf8').includes('SoftphoneCall');

/** The Asterisk-shaped scripted notifier of the /panel test, closed in after(). */
let pbx;
/** The `next start` / `next dev` processes, stopped in after(). */
const servers = [];
let serverLog = '';
let appUrl;
let browser;
let site;
const consoleLines = [];

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

const buildEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  // Next would try to add other platforms' @next/swc entries to the lockfile over the network.
  NEXT_IGNORE_INCORRECT_LOCKFILE: '1',
  NEXT_PUBLIC_SIP_WS_URI: env.wsUri,
  NEXT_PUBLIC_SIP_URI: alice.uri,
  // Relay only: the call can only connect through coturn with the credentials /api/ice minted.
  NEXT_PUBLIC_SIP_ICE_TRANSPORT_POLICY: HAS_CALLS ? 'relay' : '',
  // A build without calls rejects the ICE fields of the configuration.
  NEXT_PUBLIC_SIP_ICE_URL: HAS_CALLS ? '/api/ice' : '',
};

async function timed(t, what, fn) {
  const t0 = Date.now();
  const out = await fn();
  t.diagnostic(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

/** Every file under `dir`, recursively. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)],
  );
}

before(async () => {
  assert.ok(existsSync(path.join(ROOT, 'pkg', 'index.js')), 'pkg/ is built (bash scripts/build.sh)');
  await startKamailio();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await pbx?.close();
  await Promise.all(servers.map(stopServer));
});

function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Runs `next <command>` on a free loopback port; resolves with its URL and first HTML once it answers. */
async function startNext(command, extraEnv = {}, timeoutMs = 30_000) {
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT_BIN, command, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: APP,
    env: { ...buildEnv, SOFTPHONE_ENV_JSON: ENV_JSON, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  child.stdout.on('data', (d) => (serverLog += d));
  child.stderr.on('data', (d) => (serverLog += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url + '/');
      if (res.ok) return { url, html: await res.text(), child };
    } catch {
      // not listening yet
    }
    assert.ok(Date.now() < deadline, `next ${command} did not answer within ${timeoutMs} ms:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the page shows registration `state`; fails with what the page and console show. */
async function waitRegistration(page, state, timeout = 20_000) {
  try {
    await page.waitForFunction((s) => document.querySelector('[data-testid=registration]')?.textContent === s, state, { timeout });
  } catch {
    const shown = await page.locator('body').innerText();
    assert.fail(`registration is not ${state}; page shows:\n${shown}\nconsole:\n${consoleLines.slice(-30).join('\n')}`);
  }
}

/** Waits for a console line matching `re` after index `from` of consoleLines. */
async function waitConsole(re, from, timeout = 12_000) {
  const deadline = Date.now() + timeout;
  while (!consoleLines.slice(from).some((l) => re.test(l))) {
    assert.ok(Date.now() < deadline, `no console line ${re} within ${timeout} ms:\n${consoleLines.slice(from).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Next.js 15 app', { concurrency: false }, () => {
  test('npm installs the npm pack tarball of pkg/ and next build succeeds with no webpack configuration', { timeout: 300_000 }, async (t) => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'softphone-pack-'));
    const packed = await run('npm', ['pack', '--pack-destination', packDir, '--json'], { cwd: path.join(ROOT, 'pkg'), env: buildEnv });
    const [{ filename, files: packedFiles }] = JSON.parse(packed.stdout);
    const tarball = path.join(packDir, filename);
    // `npm install` from the committed lockfile, not `npm ci`: this machine's registry lacks the
    // macOS/Windows @next/swc packages, so the lockfile cannot list them and `npm ci` refuses it.
    // The tarball replaces package.json's `file:../../pkg` for this install only (--no-save).
    rmSync(path.join(APP, 'node_modules', 'softphone-core'), { recursive: true, force: true });
    try {
      await timed(t, 'npm install (tests/nextjs)', () =>
        run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: APP, env: buildEnv, maxBuffer: 1 << 26 }),
      );
    } finally {
      rmSync(packDir, { recursive: true, force: true });
    }
    // Exactly the tarball's files, as from the registry (a copy, not a symlink to pkg/).
    const installed = path.join(APP, 'node_modules', 'softphone-core');
    assert.ok(lstatSync(installed).isDirectory(), 'a folder, not a symlink');
    assert.deepEqual(
      walk(installed).map((f) => path.relative(installed, f)).sort(),
      packedFiles.map((f) => f.path).sort(),
      'the installed package is the tarball',
    );
    for (const f of ['LICENSE-MIT', 'LICENSE-APACHE', 'react/index.js', 'react/index.d.ts']) {
      assert.ok(packedFiles.some((p) => p.path === f), `${f} is in the tarball`);
    }
    assert.equal(
      readFileSync(path.join(installed, 'softphone_core_bg.wasm')).length,
      statSync(path.join(ROOT, 'pkg', 'softphone_core_bg.wasm')).size,
      'the installed .wasm is the one just built',
    );
    const build = await timed(t, 'next build', () =>
      run(process.execPath, [NEXT_BIN, 'build'], { cwd: APP, env: buildEnv, maxBuffer: 1 << 26 }),
    );
    assert.match(build.stdout, /Compiled successfully/);
    const files = walk(path.join(APP, '.next', 'static'));
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    assert.equal(wasm.length, 1, `webpack emitted the module as an asset: ${wasm.join(', ')}`);
    // No secret in anything the browser can download.
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      for (const s of SECRETS) assert.ok(!text.includes(s), `a secret is in ${path.relative(APP, f)}`);
    }
  });

  test('the hook types compile against the package with skipLibCheck off, and return no any', { timeout: 120_000, skip: !HAS_CALLS && 'the call types come with the calls driver' }, async (t) => {
    // tsconfig.strict.json: the app, lib/hook-types.ts (type assertions) and the package's .d.ts files.
    const tsc = path.join(APP, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await timed(t, 'tsc --noEmit (strict)', () => run(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.strict.json'], { cwd: APP, maxBuffer: 1 << 24 }));
    } catch (e) {
      assert.fail(`tsc found errors:\n${e.stdout}${e.stderr}`);
    }
  });

  test('next start serves the page; the server render has no phone', { timeout: 60_000 }, async () => {
    const started = await startNext('start');
    appUrl = started.url;
    assert.match(started.html, /data-testid="registration">idle</, 'the server render shows the idle snapshot');
    for (const s of SECRETS) assert.ok(!started.html.includes(s), 'no secret in the HTML');
  });

  test('/api/ice mints coturn REST credentials that verify with the secret', async () => {
    const res = await fetch(`${appUrl}/api/ice`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { iceServers, ttl } = await res.json();
    assert.equal(ttl, 3600);
    assert.equal(iceServers.length, 1);
    const [{ urls, username, credential }] = iceServers;
    assert.deepEqual(urls, env.turn.urls);
    const [expiry] = username.split(':');
    assert.ok(Math.abs(Number(expiry) - (Date.now() / 1000 + 3600)) < 60, `expiry ${expiry}`);
    assert.equal(credential, createHmac('sha1', env.turn.secret).update(username).digest('base64'));
  });

  test('the page registers as alice; unmounting stops the phone; remounting registers again', { timeout: 60_000 }, async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.goto(appUrl + '/');
    await waitRegistration(page, 'registered');
    assert.equal(await page.locator('[data-testid=connection]').textContent(), 'connected');
    assert.equal(await page.locator('[data-testid=error]').count(), 0);

    const mark = consoleLines.length;
    await page.click('[data-testid=toggle]');
    // The hook stops the phone (un-REGISTER, close) and frees it; the library logs the close.
    await waitConsole(/disconnected from .*Stopped/, mark);
    await page.click('[data-testid=toggle]');
    await waitRegistration(page, 'registered');
  });

  test('alice (Next.js) calls bob (demo page) through TURN, with audio; bob calls back and alice answers', { timeout: 90_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    site = await startStaticServer();
    const bobPage = await browser.newPage();
    bobPage.on('console', (m) => consoleLines.push(m.text()));
    await bobPage.goto(site.url);
    await bobPage.waitForFunction(() => document.querySelector('#preset').options.length > 1, null, { timeout: 10_000 });
    await bobPage.selectOption('#preset', String(env.accounts.findIndex((a) => a.user === 'bob')));
    await bobPage.click('#connect');
    await bobPage.waitForFunction(() => document.querySelector('#reg').textContent === 'registered', null, { timeout: 15_000 });

    const page = browser.contexts()[0].pages()[0];
    await page.fill('[data-testid=target]', bob.user);
    await page.click('[data-testid=dial]');
    await bobPage.waitForSelector('#incoming:not([hidden]) #answer-incoming', { timeout: 15_000 });
    await bobPage.click('#answer-incoming');

    const state = page.locator('[data-testid=call-state]');
    await page.waitForFunction(() => document.querySelector('[data-testid=call-state]')?.textContent === 'connected', null, {
      timeout: 20_000,
    }).catch(async () => assert.fail(`alice's call is ${await state.textContent()}:\n${await page.locator('body').innerText()}`));
    const packets = async () => Number(await page.locator('[data-testid=inbound-packets]').textContent());
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=inbound-packets]')?.textContent) > 0, null, {
      timeout: 10_000,
    });
    const first = await packets();
    await page.waitForTimeout(4_500); // two stats polls
    const second = await packets();
    assert.ok(second > first, `inbound audio packets rise: ${first} -> ${second}`);
    assert.equal(await page.locator('[data-testid=local-candidate]').textContent(), ' via relay', 'the media goes through TURN');
    const duration = await page.locator('[data-testid=call-duration]').textContent();
    assert.notEqual(duration, '0:00', 'the duration ticks');

    await page.click('[data-testid=hangup]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=call]').length === 0, null, { timeout: 10_000 });

    // The other way: bob calls alice, the hook shows the incoming call, alice answers, bob hangs up.
    await bobPage.waitForFunction(() => !document.querySelector('.call:not([data-state=ended])'), null, { timeout: 10_000 });
    await bobPage.fill('#target', 'alice');
    await bobPage.click('#call');
    await page.waitForSelector('[data-testid=answer]', { timeout: 15_000 });
    assert.equal(await state.textContent(), 'incoming');
    await page.click('[data-testid=answer]');
    await page.waitForFunction(() => document.querySelector('[data-testid=call-state]')?.textContent === 'connected', null, {
      timeout: 20_000,
    });
    await bobPage.waitForFunction(() => document.querySelector('.call')?.dataset.state === 'connected', null, { timeout: 10_000 });
    await bobPage.click('.call [data-action=hangup]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=call]').length === 0, null, { timeout: 10_000 });
    await bobPage.click('#disconnect');
    await bobPage.close();
  });

  // docs/migrating-from-jssip.md: the team's useWebRTCPhone hook rewritten on useSoftphone/useCall.
  test('the migrated useWebRTCPhone page: status, ringing banner with a ringtone, hold, mute, DTMF, relay, hang-up', { timeout: 120_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    site ??= await startStaticServer();
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.goto(appUrl + '/migrated');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent === 'registered', null, { timeout: 20_000 })
      .catch(async () => assert.fail(`the migrated page shows:\n${await page.locator('body').innerText()}`));

    const bobPage = await browser.newPage();
    bobPage.on('console', (m) => consoleLines.push(m.text()));
    await bobPage.goto(site.url);
    await bobPage.waitForFunction(() => document.querySelector('#preset').options.length > 1, null, { timeout: 10_000 });
    await bobPage.selectOption('#preset', String(env.accounts.findIndex((a) => a.user === 'bob')));
    await bobPage.click('#connect');
    await bobPage.waitForFunction(() => document.querySelector('#reg').textContent === 'registered', null, { timeout: 15_000 });

    // Bob calls alice: the banner rings (the ringtone is playing, or says the browser blocks it).
    await bobPage.fill('#target', 'alice');
    await bobPage.click('#call');
    const banner = page.locator('[data-testid=ringing]');
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /Incoming call from .*bob/);
    await page.waitForFunction(() => document.querySelector('[data-testid=ringing]')?.dataset.ringtone !== 'off', null, { timeout: 5_000 });
    assert.match(await banner.getAttribute('data-ringtone'), /^(playing|blocked)$/);
    await page.click('[data-testid=answer]');
    await page.waitForFunction(() => document.querySelector('[data-testid=active-state]')?.textContent === 'connected', null, { timeout: 20_000 });
    assert.equal(await banner.count(), 0, 'the banner goes once answered');
    await bobPage.waitForFunction(() => document.querySelector('.call')?.dataset.state === 'connected', null, { timeout: 10_000 });

    // "Is relay used?" from getStats: this build forces relay, so the answer is yes.
    await page.waitForFunction(() => document.querySelector('[data-testid=relay]')?.textContent === 'via TURN', null, { timeout: 10_000 })
      .catch(async () => assert.fail(`relay shows ${await page.locator('[data-testid=relay]').textContent()}`));

    // Hold: bob's phone sees the call held by the far end; unhold clears it.
    await page.click('[data-testid=hold]');
    await page.locator('[data-testid=held]').waitFor({ timeout: 10_000 });
    await bobPage.waitForFunction(() => /held by remote/.test(document.querySelector('.call')?.textContent ?? ''), null, { timeout: 10_000 });
    await page.click('[data-testid=hold]');
    await page.locator('[data-testid=held]').waitFor({ state: 'detached', timeout: 10_000 });
    await bobPage.waitForFunction(() => !/held by remote/.test(document.querySelector('.call')?.textContent ?? ''), null, { timeout: 10_000 });

    // Mute and unmute (no signalling).
    await page.click('[data-testid=mute]');
    await page.locator('[data-testid=muted]').waitFor({ timeout: 5_000 });
    await page.click('[data-testid=mute]');
    await page.locator('[data-testid=muted]').waitFor({ state: 'detached', timeout: 5_000 });

    // DTMF by SIP INFO (JsSIP's default transport): bob's phone reports each tone.
    const mark = consoleLines.length;
    await page.click('[data-testid="dtmf-1"]');
    await page.click('[data-testid="dtmf-#"]');
    const bobLog = () => bobPage.locator('#log').innerText();
    await bobPage.waitForFunction(() => ['DTMF received: 1', 'DTMF received: #'].every((t) => (document.querySelector('#log')?.textContent ?? '').includes(t)), null, { timeout: 10_000 })
      .catch(async () => assert.fail(`bob's log has no DTMF 1 and #:\n${(await bobLog()).slice(-2000)}\n${consoleLines.slice(mark).join('\n')}`));

    // Alice hangs up; the bar goes back to the dial form.
    await page.click('[data-testid=hangup]');
    await page.locator('[data-testid=dial]').waitFor({ timeout: 10_000 });
    await bobPage.waitForFunction(() => !document.querySelector('.call:not([data-state=ended])'), null, { timeout: 10_000 });
    await bobPage.click('#disconnect');
    await bobPage.close();
    await page.close();
  });

  // useBlf / useMwi (softphone-core/react) in the production build, against the Asterisk-shaped
  // notifier (tests/e2e/lib/asterisk/notify.mjs): Kamailio serves no dialog or message-summary
  // events. The /panel page takes the PBX from its address, so the same build serves it.
  test('the /panel page: useBlf lamps and useMwi follow the notifier in Chromium; unmounting unsubscribes', { timeout: 90_000 }, async () => {
    assert.ok(appUrl, 'next start is serving the app');
    const users = makeUsers(['1001', '1002', '1003']);
    SECRETS.push(...Object.values(users));
    pbx = await startAsterisk({ users });
    browser ??= await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    const query = new URLSearchParams({ ws: pbx.wsUri, uri: `sip:1001@${DOMAIN}`, blf: '1002,1003' });
    await page.goto(`${appUrl}/panel?${query}#${encodeURIComponent(users['1001'])}`);
    const shows = async (what) => `${what}; the page shows:\n${await page.locator('body').innerText()}\nconsole:\n${consoleLines.slice(-20).join('\n')}`;
    /** Waits until `[data-testid=id]` has every `data-*` value of `want`; fails with what the page shows. */
    const waitData = (id, want, timeout = 10_000) =>
      page
        .waitForFunction(
          ([i, w]) => {
            const el = document.querySelector(`[data-testid="${i}"]`);
            return el && Object.entries(w).every(([k, v]) => el.dataset[k] === v);
          },
          [id, want],
          { timeout },
        )
        .catch(async () => assert.fail(await shows(`${id} is not ${JSON.stringify(want)}`)));
    await page.waitForFunction(() => document.querySelector('[data-testid=registration]')?.textContent === 'registered', null, { timeout: 20_000 })
      .catch(async () => assert.fail(await shows('not registered')));
    assert.equal(new URL(page.url()).hash, '', 'the password is dropped from the address');

    // Two lamps and the mailbox, subscribed by the hooks (paced), lit by the first NOTIFYs.
    await waitData('lamp-1002', { lamp: 'idle', status: 'active' });
    await waitData('lamp-1003', { lamp: 'idle', status: 'active' });
    await waitData('mwi', { status: 'active', waiting: 'false', new: '0' });
    await until(() => pbx.notifier.list().filter((s) => s.user === '1001').length === 3, { what: "the panel's 3 subscriptions" });
    const events = pbx.notifier.list().map((s) => `${s.event}:${s.resource}`).sort();
    assert.deepEqual(events, ['dialog:1002', 'dialog:1003', 'message-summary:1001']);

    // 1002 rings, then answers: only its lamp changes.
    await pbx.notifier.setState('1002', 'ringing');
    await waitData('lamp-1002', { lamp: 'ringing' });
    await pbx.notifier.setState('1002', 'inuse');
    await waitData('lamp-1002', { lamp: 'busy' });
    assert.equal(await page.locator('[data-testid=lamp-1003]').getAttribute('data-lamp'), 'idle', "1003's lamp did not move");
    await pbx.notifier.setState('1002', 'idle');
    await waitData('lamp-1002', { lamp: 'idle' });

    // Voicemail arrives.
    await pbx.notifier.setMailbox('1001', { new: 2, old: 5 });
    await waitData('mwi', { waiting: 'true', new: '2', old: '5' });

    // Unmounting the lamps: both hooks unsubscribe (Expires: 0) while the phone stays registered.
    await page.click('[data-testid=toggle-lamps]');
    await until(() => pbx.notifier.list().filter((s) => s.user === '1001').length === 0, { what: 'the hooks unsubscribed on unmount' });
    assert.equal(await page.locator('[data-testid=registration]').textContent(), 'registered');
    await page.close();
  });

  test('under next dev (React StrictMode) one phone registers, and unmounting stops it', { timeout: 120_000 }, async (t) => {
    const dev = await timed(t, 'next dev: first page', () => startNext('dev', { NEXT_DIST_DIR: '.next-dev' }, 90_000));
    const page = await browser.newPage();
    const mark = consoleLines.length;
    page.on('console', (m) => consoleLines.push(m.text()));
    await page.goto(dev.url + '/');
    await waitRegistration(page, 'registered', 60_000);
    await page.waitForTimeout(1_000);
    const connecting = consoleLines.slice(mark).filter((l) => /\[softphone\] connecting to/.test(l));
    assert.equal(connecting.length, 1, `StrictMode's discarded first mount never starts a phone:\n${connecting.join('\n')}`);
    const before = consoleLines.length;
    await page.click('[data-testid=toggle]');
    await waitConsole(/disconnected from .*Stopped/, before);
    await page.close();
    await stopServer(dev.child);
  });

  test('a changed password reaches the running phone: the hook calls setCredentials, no new phone', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    await page.goto(appUrl + '/rotate');
    await waitRegistration(page, 'failed');
    const instance = await page.locator('[data-testid=instance]').textContent();
    assert.ok(instance, 'the phone exists');
    assert.equal(await page.locator('[data-testid=connects]').textContent(), '1');
    await page.click('[data-testid=fix]');
    await waitRegistration(page, 'registered');
    // A new phone would open a WebSocket of its own (and un-REGISTER the old one).
    assert.equal(await page.locator('[data-testid=connects]').textContent(), '1', 'the same phone and WebSocket');
    await page.close();
  });

  test('no secret reached the console', () => {
    for (const line of consoleLines) {
      for (const s of SECRETS) assert.ok(!line.includes(s), `a secret leaked: ${line.slice(0, 80)}`);
    }
  });
});
