// The demo page (www/) end to end, as a person uses it on a phone-sized screen (390x844):
// two tabs, alice and bob, register to the local Kamailio; alice dials bob, bob answers from
// the incoming-call banner, both show the call connected with the duration ticking, the
// diagnostics panel shows live stats, hold and mute show on both sides, alice hangs up; then
// bob rejects a call from the banner, and bob transfers alice to carol (a third tab).
// Screenshots go to artifacts/demo/ (gitignored).
//
// Needs pkg/ (bash scripts/build.sh) and the local servers (scripts/test.sh starts them).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, launchChromium, readEnv, startKamailio, startStaticServer } from './lib/servers.mjs';

const env = readEnv();
const SECRETS = [...env.accounts.map((a) => a.password), env.turn?.secret].filter(Boolean);
const HAS_CALLS = readFileSync(path.join(ROOT, 'pkg', 'softphone_core.d.ts'), 'utf8').includes('SoftphoneCall');
const SHOTS = path.join(ROOT, 'artifacts', 'demo');

let browser;
let site;
let context;
const tabs = {};
const consoleLines = [];

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Waits for `fn(arg)` in the page; on timeout fails with the page's event log. */
async function waitIn(page, what, fn, arg, timeout = 15_000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch {
    const log = await page.$eval('#log', (el) => el.innerText).catch(() => '(no log)');
    await shot(page, `failed-${what.replace(/\W+/g, '-')}`).catch(() => {});
    assert.fail(`${what}: not within ${timeout} ms; the page's log:\n${log.split('\n').slice(-25).join('\n')}`);
  }
}

const callState = (page) => page.$eval('.call', (el) => el.dataset.state).catch(() => null);
const duration = (page) => page.$eval('.call .duration', (el) => el.textContent);

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await startKamailio();
  site = await startStaticServer();
  browser = await launchChromium();
  // Two tabs of one browser profile, phone-sized.
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  for (const user of ['alice', 'bob']) {
    const page = await context.newPage();
    page.on('console', (m) => consoleLines.push(`${user}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`${user}: pageerror: ${e.message}`));
    tabs[user] = page;
  }
});

after(async () => {
  for (const page of Object.values(tabs)) {
    await page.click('#disconnect', { timeout: 2_000 }).catch(() => {});
  }
  await Promise.all(
    Object.values(tabs).map((p) => p.waitForFunction(() => document.querySelector('#log').innerText.includes('stopped'), null, { timeout: 12_000 }).catch(() => {})),
  );
  await browser?.close();
  await site?.close();
});

describe('demo page, two (then three) tabs', { concurrency: false }, () => {
  test('alice and bob register', { timeout: 30_000 }, async () => {
    for (const [user, page] of Object.entries(tabs)) {
      await page.goto(`${site.url}?user=${user}`);
      await waitIn(page, `${user} loads /config.json`, () => document.querySelector('#preset').options.length > 1);
      assert.equal(await page.getAttribute('#password', 'type'), 'password');
      await page.click('#connect');
    }
    for (const [user, page] of Object.entries(tabs)) {
      await waitIn(page, `${user} registers`, () => document.querySelector('#reg').textContent === 'registered');
    }
    await shot(tabs.alice, '1-alice-registered');
  });

  test('alice calls bob; bob answers from the banner; both connect and the duration ticks', { timeout: 60_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    await alice.fill('#target', 'bob');
    await alice.click('#call');
    await waitIn(bob, 'the incoming-call banner shows', () => !document.querySelector('#incoming').hidden);
    assert.match(await bob.textContent('#incoming-from'), /alice/);
    await shot(bob, '2-bob-incoming-banner');
    await shot(alice, '2-alice-calling');
    await bob.click('#answer-incoming');
    for (const [user, page] of Object.entries(tabs)) {
      await waitIn(page, `${user}'s call connects`, () => document.querySelector('.call')?.dataset.state === 'connected');
    }
    assert.ok(await bob.$eval('#incoming', (el) => el.hidden), 'the banner is gone once answered');
    const before = { alice: await duration(alice), bob: await duration(bob) };
    await alice.waitForTimeout(2_200);
    for (const [user, page] of Object.entries(tabs)) {
      const now = await duration(page);
      assert.match(now, /^\d+:\d\d$/, `${user} shows a duration`);
      assert.notEqual(now, before[user], `${user}'s duration ticks (${before[user]} -> ${now})`);
    }
    await shot(alice, '3-alice-connected');
    await shot(bob, '3-bob-connected');
  });

  test('diagnostics show live stats with audio flowing', { timeout: 30_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice } = tabs;
    await alice.click('.call [data-action=select]');
    await waitIn(alice, 'inbound packets show', () => Number(document.querySelector('#stats').dataset.inboundPackets) > 0, undefined, 10_000);
    const first = Number(await alice.$eval('#stats', (el) => el.dataset.inboundPackets));
    await waitIn(alice, 'inbound packets rise', (n) => Number(document.querySelector('#stats').dataset.inboundPackets) > n, first, 10_000);
    assert.notEqual(await alice.textContent('#d-local'), '–', 'the selected pair is shown');
    await shot(alice, '4-alice-diagnostics');
  });

  test('hold and mute show on both sides; DTMF sends', { timeout: 30_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    await alice.click('.call [data-action=hold]');
    await waitIn(alice, 'alice shows on hold', () => document.querySelector('.call .flags').textContent.includes('on hold'));
    await waitIn(bob, 'bob shows held by remote', () => document.querySelector('.call .flags').textContent.includes('held by remote'));
    await shot(bob, '5-bob-held');
    await alice.click('.call [data-action=hold]'); // Resume
    await waitIn(alice, 'alice resumes', () => !document.querySelector('.call .flags').textContent.includes('on hold'));
    await waitIn(bob, 'bob is no longer held', () => !document.querySelector('.call .flags').textContent.includes('held'));
    await alice.click('.call [data-action=mute]');
    await waitIn(alice, 'alice shows muted', () => document.querySelector('.call .flags').textContent.includes('muted'));
    await alice.click('.call [data-action=mute]');
    await waitIn(alice, 'alice unmuted', () => !document.querySelector('.call .flags').textContent.includes('muted'));
    await alice.click('#dialpad >> text=5');
    await waitIn(alice, 'DTMF is sent', () => document.querySelector('#log').innerText.includes('DTMF sent: 5'));
  });

  test('alice hangs up; both show the call ended', { timeout: 30_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    await alice.click('.call [data-action=hangup]');
    for (const [user, page] of Object.entries(tabs)) {
      await waitIn(page, `${user}'s call ends`, () => document.querySelector('.call')?.dataset.state === 'ended' || !document.querySelector('.call'));
    }
    assert.match(await bob.textContent('#log'), /ended: remoteHangup/);
    assert.match(await alice.textContent('#log'), /ended: localHangup/);
    await shot(bob, '6-bob-ended');
    assert.ok(['ended', null].includes(await callState(alice)));
  });

  test('bob rejects the next call from the banner; alice sees busy', { timeout: 30_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    // The ended calls leave the list after a few seconds.
    for (const page of [alice, bob]) {
      await waitIn(page, 'the last call leaves the list', () => !document.querySelector('.call'), undefined, 10_000);
    }
    await alice.fill('#target', 'bob');
    await alice.click('#call');
    await waitIn(bob, 'the banner shows again', () => !document.querySelector('#incoming').hidden);
    await bob.click('#reject-incoming');
    await waitIn(alice, 'alice sees the call end busy', () => document.querySelector('#log').innerText.includes('ended: busy'));
    await waitIn(bob, 'the banner goes away', () => document.querySelector('#incoming').hidden);
    await shot(alice, '7-alice-busy');
  });

  test('bob transfers alice to carol; alice accepts and carol answers', { timeout: 60_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    const carol = await context.newPage();
    carol.on('console', (m) => consoleLines.push(`carol: ${m.text()}`));
    tabs.carol = carol;
    await carol.goto(`${site.url}?user=carol`);
    await waitIn(carol, 'carol loads /config.json', () => document.querySelector('#preset').options.length > 1);
    await carol.click('#connect');
    await waitIn(carol, 'carol registers', () => document.querySelector('#reg').textContent === 'registered');
    for (const page of [alice, bob]) {
      await waitIn(page, 'the last call leaves the list', () => !document.querySelector('.call'), undefined, 10_000);
    }
    await alice.fill('#target', 'bob');
    await alice.click('#call');
    await waitIn(bob, 'the banner shows', () => !document.querySelector('#incoming').hidden);
    await bob.click('#answer-incoming');
    await waitIn(bob, 'bob is connected', () => document.querySelector('.call')?.dataset.state === 'connected');
    await bob.fill('.call .call-transfer input', 'carol');
    await bob.click('.call .call-transfer button');
    await waitIn(alice, 'alice is asked to transfer', () => !document.querySelector('.call .call-refer').hidden);
    assert.match(await alice.textContent('.call .refer-target'), /carol/);
    await shot(alice, '8-alice-transfer-requested');
    await alice.click('.call [data-action=acceptTransfer]');
    await waitIn(carol, 'carol is called', () => !document.querySelector('#incoming').hidden);
    assert.match(await carol.textContent('#incoming-from'), /alice/);
    await carol.click('#answer-incoming');
    await waitIn(alice, 'alice is connected to carol', () =>
      [...document.querySelectorAll('.call')].some((el) => el.dataset.state === 'connected' && el.querySelector('.remote').textContent.includes('carol')));
    await waitIn(bob, "bob's call ends", () => ![...document.querySelectorAll('.call')].some((el) => el.dataset.state === 'connected'));
    await shot(alice, '9-alice-with-carol');
    await carol.click('.call [data-action=hangup]');
    await waitIn(alice, "alice's call with carol ends", () =>
      ![...document.querySelectorAll('.call')].some((el) => el.dataset.state === 'connected'));
  });

  test('no secret is shown or logged', async () => {
    for (const page of Object.values(tabs)) {
      const text = await page.$eval('body', (el) => el.innerText);
      for (const s of SECRETS) assert.ok(!text.includes(s), 'a secret is on the page');
    }
    for (const line of consoleLines) {
      for (const s of SECRETS) assert.ok(!line.includes(s), `a secret leaked: ${line.slice(0, 80)}`);
    }
  });
});
