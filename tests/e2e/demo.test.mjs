// The demo page (www/) end to end, as a person uses it on a phone-sized screen (390x844),
// with a look at desktop size (1280x860) too: two tabs, alice (relay only) and bob, register
// to the local Kamailio; alice dials bob, bob's banner rings (a WebAudio ringtone) and he
// answers, both show the call connected with the duration ticking; the quality panel plots
// MOS, RTT, jitter and loss, the level meters move, the path badge says "relay (TURN/...)";
// microphones and speakers are listed (phone.devices()) and a speaker can be chosen
// (phone.setOutputDevice()); alice switches her microphone mid-call from the demo's list
// (call.setInputDevice()): audio keeps reaching bob and no offer/answer is exchanged (no
// re-INVITE); hold and mute show on both sides, DTMF from the dial pad; diagnose() is shown
// as a table of verdicts; the log filters; alice hangs up; then bob rejects a call from the
// banner, bob transfers alice to carol (a third tab, blind), and alice, with bob held and carol
// on a second call, transfers bob to carol (attended, `transfer({ replaces })`): bob and carol
// end connected, alice's two calls end as transferred, carol's as replaced; dave, relay only
// with a TURN server that never answers, calls bob: "MOS n/a", the no-audio warning on the card,
// and once the media watchdog gives up, the ended call says why and the log has the tries and
// the evidence. No console errors,
// no secret on screen or in the console. Then the page in Firefox ESR (geckodriver): it
// registers and shows diagnose()'s tables.
// Screenshots go to artifacts/demo/ (gitignored); with DEMO_SCREENSHOTS=docs/img the few that
// the README shows are written there too (small PNGs, 1x).
//
// Needs pkg/ (bash scripts/build.sh) and the local servers (scripts/test.sh starts them).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  SHOTS, assertFits, callState, descriptions, docShot, duration, hasCall, recordPeerConnections, sendingDevice, shot, waitIn,
} from './lib/demo-page.mjs';
import { firefoxMissing, launchFirefox } from './lib/firefox.mjs';
import { ROOT, launchChromium, readEnv, startKamailio, startStaticServer } from './lib/servers.mjs';

const env = readEnv();
const SECRETS = [...env.accounts.map((a) => a.password), env.turn?.secret, 'demo-turn-cred-x9'].filter(Boolean);
const HAS_CALLS = readFileSync(path.join(ROOT, 'pkg', 'softphone_core.d.ts'), 'utf8').includes('SoftphoneCall');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

let browser;
let site;
let context;
const tabs = {};
const consoleLines = [];

/** Console errors and uncaught exceptions of every tab. */
const errors = [];

function watch(page, user) {
  page.on('console', (m) => {
    consoleLines.push(`${user}: ${m.text()}`);
    if (m.type() === 'error') errors.push(`${user}: console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    consoleLines.push(`${user}: pageerror: ${e.message}`);
    errors.push(`${user}: pageerror: ${e.message}`);
  });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await startKamailio();
  site = await startStaticServer();
  browser = await launchChromium();
  // Two tabs of one browser profile, phone-sized.
  context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
  await recordPeerConnections(context);
  for (const user of ['alice', 'bob']) {
    const page = await context.newPage();
    watch(page, user);
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
      // alice sends media through TURN only: her path badge must say relay.
      if (user === 'alice') await page.check('#relayOnly');
      await page.click('#connect');
    }
    for (const [user, page] of Object.entries(tabs)) {
      await waitIn(page, `${user} registers`, () => document.querySelector('#reg').textContent === 'registered');
      assert.equal(await page.textContent('#conn'), 'connected');
      assert.match(await page.textContent('#who'), new RegExp(`sip:${user}@`));
      await assertFits(page, `${user} registered`);
    }
    await shot(tabs.alice, '1-alice-registered');
  });

  test('alice calls bob; bob answers from the banner; both connect and the duration ticks', { timeout: 60_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    await alice.fill('#target', 'bob');
    await alice.click('#call');
    await waitIn(bob, 'the incoming-call banner shows', () => !document.querySelector('#incoming').hidden);
    assert.match(await bob.textContent('#incoming-from'), /alice/);
    await waitIn(bob, 'the ringtone plays', () => document.querySelector('#incoming').dataset.ringtone === 'playing', undefined, 5_000);
    await shot(bob, '2-bob-incoming-banner');
    await docShot(bob, 'demo-phone-incoming');
    await shot(alice, '2-alice-calling');
    await bob.click('#answer-incoming');
    for (const [user, page] of Object.entries(tabs)) {
      await waitIn(page, `${user}'s call connects`, () => document.querySelector('.call')?.dataset.state === 'connected');
    }
    assert.ok(await bob.$eval('#incoming', (el) => el.hidden), 'the banner is gone once answered');
    assert.equal(await bob.$eval('#incoming', (el) => el.dataset.ringtone), 'stopped', 'the ringtone stops once answered');
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

  test('the quality panel: live plots, level meters, the relay badge', { timeout: 40_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    await alice.click('.call [data-action=select]');
    await waitIn(alice, 'inbound packets show', () => Number(document.querySelector('#stats').dataset.inboundPackets) > 0, undefined, 10_000);
    const first = Number(await alice.$eval('#stats', (el) => el.dataset.inboundPackets));
    await waitIn(alice, 'inbound packets rise', (n) => Number(document.querySelector('#stats').dataset.inboundPackets) > n, first, 10_000);
    assert.notEqual(await alice.textContent('#d-local'), '–', 'the selected pair is shown');
    // alice is relay only: the badge says so, and how she reaches the TURN server.
    assert.equal(await alice.$eval('#path', (el) => el.dataset.kind), 'relay');
    assert.match(await alice.textContent('#path'), /^relay \(TURN\/(UDP|TCP|TLS)\)$/);
    assert.match(await alice.textContent('#d-local'), /^relay /);
    // bob's pair ends at alice's relay, which bob often learns as peer-reflexive (from her
    // checks, before or instead of her SDP's candidate): his badge says what his side knows.
    await waitIn(bob, "bob's path badge", () => ['relay', 'direct'].includes(document.querySelector('#path').dataset.kind), undefined, 10_000);
    assert.notEqual(await bob.textContent('#d-remote'), '–');
    // Each plot gathers a sample a second. MOS and RTT always have values; the package leaves
    // jitter and loss out of a report that lacks them (loss needs two reports with inbound
    // packets), so those two plots may show gaps ('–').
    for (const id of ['plot-mos', 'plot-rtt']) {
      await waitIn(alice, `${id} has samples`, (i) => Number(document.getElementById(i).dataset.samples) >= 3, id, 15_000);
      assert.ok((await alice.$$(`#${id} polyline`)).length >= 1, `${id} draws a line`);
    }
    for (const id of ['plot-jitter', 'plot-loss']) {
      assert.match(await alice.textContent(`#${id} .value`), /^(–|\d+\.\d (ms|%))$/, `${id} shows a value or a gap`);
    }
    assert.match(await alice.textContent('#plot-mos .value'), /^[1-4]\.\d\d$/);
    assert.match(await alice.textContent('#plot-rtt .value'), /^\d+ ms$/);
    // Chromium's fake microphone beeps: both meters move (alice's beep, bob's beep coming back).
    for (const id of ['meter-in', 'meter-out']) {
      await waitIn(alice, `${id} moves`, (i) => Number(document.getElementById(i).dataset.level) > 0.2, id, 10_000);
    }
    await shot(alice, '4-alice-quality');
    // The same page at desktop size: two columns, nothing overflows.
    await alice.setViewportSize(DESKTOP);
    await alice.waitForTimeout(300);
    await assertFits(alice, 'desktop');
    const [left, right] = await alice.$$eval('.layout > .column', (cols) => cols.map((c) => c.getBoundingClientRect().left));
    assert.ok(right > left + 300, `two columns side by side at desktop size (${left}, ${right})`);
    await shot(alice, '4-alice-quality-desktop');
    await docShot(alice, 'demo-desktop-call');
    await alice.setViewportSize(PHONE);
    await assertFits(alice, 'phone, in a call');
  });

  test('microphones and speakers are listed; a speaker choice reaches the call audio', { timeout: 20_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice } = tabs;
    // With permission granted (the call captured the microphone) the fake devices have labels.
    await waitIn(alice, 'microphones are listed', () => document.querySelector('#mic').options.length > 1, undefined, 10_000);
    assert.notEqual(await alice.$eval('#mic', (el) => el.options[1].text), '');
    assert.equal(await alice.$eval('#speaker-row', (el) => el.hidden), false, 'Chromium has setSinkId: the speaker choice shows');
    const speakers = await alice.$$eval('#speaker option', (os) => os.map((o) => o.value));
    const chosen = speakers.find((v) => v !== '') ?? '';
    await alice.selectOption('#speaker', chosen);
    await waitIn(alice, 'the call audio plays on the chosen speaker', (v) => document.querySelector('.call audio').sinkId === v, chosen, 5_000);
  });

  test('a microphone switch mid-call from the demo keeps audio flowing to bob, with no re-INVITE', { timeout: 30_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob } = tabs;
    const before = { alice: await descriptions(alice), bob: await descriptions(bob) };
    assert.equal(before.alice.length, 1, 'alice has one connected peer connection');
    assert.equal(before.bob.length, 1, 'bob has one connected peer connection');
    const inUse = await sendingDevice(alice);
    const mics = (await alice.$$eval('#mic option', (os) => os.map((o) => o.value))).filter((v) => v !== '');
    const next = mics.find((v) => v !== inUse);
    assert.ok(next, `another microphone to switch to (in use ${inUse}, listed ${mics.join(', ')})`);
    await alice.selectOption('#mic', next);
    await waitIn(alice, 'the switch is logged', () => document.querySelector('#log').innerText.includes('microphone switched to'), undefined, 10_000);
    await waitIn(alice, 'the call sends from the chosen microphone', (v) => {
      const pc = window.__pcs.find((p) => p.connectionState === 'connected');
      return pc?.getSenders().find((s) => s.track?.kind === 'audio')?.track.getSettings().deviceId === v;
    }, next, 5_000);
    // Audio keeps reaching bob: his inbound packet count goes on rising after the switch.
    const atSwitch = Number(await bob.$eval('#stats', (el) => el.dataset.inboundPackets ?? 0));
    await waitIn(bob, "bob's inbound packets keep rising", (n) => Number(document.querySelector('#stats').dataset.inboundPackets) > n + 50, atSwitch, 10_000);
    // No re-INVITE: neither side's offer or answer changed, both stable; no hold on bob's side.
    assert.deepEqual(await descriptions(alice), before.alice, "alice's descriptions are unchanged");
    assert.deepEqual(await descriptions(bob), before.bob, "bob's descriptions are unchanged");
    assert.deepEqual([before.alice[0].state, before.bob[0].state], ['stable', 'stable']);
    assert.equal(await bob.$eval('.call .flags', (el) => el.textContent), '');
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
    await alice.click('#dialpad [data-key="5"]');
    await waitIn(alice, 'DTMF is sent', () => document.querySelector('#log').innerText.includes('DTMF sent: 5'));
  });

  test('diagnose() shows as a table of verdicts with hints, not JSON', { timeout: 40_000 }, async () => {
    const { alice } = tabs;
    await alice.click('#diagnose');
    await waitIn(alice, 'the report shows', () => document.querySelectorAll('#diagnose-report table.verdicts').length >= 2, undefined, 30_000);
    const report = await alice.$eval('#diagnose-report', (el) => ({
      text: el.innerText,
      captions: [...el.querySelectorAll('caption')].map((c) => c.textContent),
      rows: [...el.querySelectorAll('table.verdicts')].map((t) => [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.dataset.verdict ?? c.textContent))),
    }));
    assert.deepEqual(report.captions, ['SIP servers (WebSocket)', 'STUN / TURN servers', 'Will calls work on…']);
    const [ws, ice, nets] = report.rows;
    assert.equal(ws[0][0], env.wsUri);
    assert.equal(ws[0][1], 'ok', 'the SIP server is open');
    assert.match(ws[0][3], /^200 OK/, 'OPTIONS answered');
    assert.equal(ice.length, env.turn.urls.length, 'one row per TURN URL');
    for (const row of ice) assert.equal(row[1], 'ok', `${row[0]} works`);
    // coturn on loopback relays over UDP and TCP, not on port 443: that verdict is "no", with why.
    const net = Object.fromEntries(nets.map(([name, verdict, why]) => [name, { verdict, why }]));
    assert.equal(net['Home / office NAT (UDP open)']?.verdict, 'ok', JSON.stringify(nets));
    assert.equal(net['Only TCP to port 443']?.verdict, 'bad', JSON.stringify(nets));
    assert.match(net['Only TCP to port 443'].why, /443/);
    assert.ok(!/[{}]/.test(report.text), 'no raw JSON');
    await shot(alice, '5-alice-diagnose');
    await alice.setViewportSize(DESKTOP);
    await alice.$eval('#diagnostics', (el) => el.scrollIntoView());
    await docShot(alice, 'demo-desktop-diagnose');
    await alice.setViewportSize(PHONE);
  });

  test('the event log filters by text and by level', async () => {
    const { alice } = tabs;
    const total = await alice.$$eval('#log li', (ls) => ls.length);
    await alice.fill('#log-filter', 'dtmf sent');
    const shown = await alice.$$eval('#log li:not([hidden])', (ls) => ls.map((l) => l.textContent));
    assert.ok(shown.length >= 1 && shown.length < total, `${shown.length} of ${total} lines`);
    assert.ok(shown.every((l) => /DTMF sent/.test(l)), shown.join('\n'));
    assert.equal(await alice.textContent('#log-count'), `${shown.length} of ${total} lines`);
    await alice.fill('#log-filter', '');
    await alice.selectOption('#log-level', 'error');
    const levels = await alice.$$eval('#log li:not([hidden])', (ls) => ls.map((l) => l.dataset.level));
    assert.ok(levels.every((l) => l === 'error'), levels.join(','));
    await alice.selectOption('#log-level', 'info');
    assert.ok((await alice.$$eval('#log li:not([hidden])', (ls) => ls.length)) > levels.length);
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
    watch(carol, 'carol');
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

  test('attended transfer: alice holds bob, calls carol, transfers bob to carol; bob and carol end connected', { timeout: 90_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { alice, bob, carol } = tabs;
    for (const page of [alice, bob, carol]) {
      await waitIn(page, 'the last call leaves the list', () => !document.querySelector('.call'), undefined, 10_000);
    }
    await alice.fill('#target', 'bob');
    await alice.click('#call');
    await waitIn(bob, 'the banner shows', () => !document.querySelector('#incoming').hidden);
    await bob.click('#answer-incoming');
    await waitIn(alice, 'alice is connected to bob', () => document.querySelector('.call')?.dataset.state === 'connected');
    await alice.click('.call [data-action=hold]');
    await waitIn(alice, 'alice holds bob', () => document.querySelector('.call .flags').textContent.includes('on hold'));
    assert.ok(await alice.$eval('.call [data-action=attendedTransfer]', (b) => b.hidden), 'no transfer to another call with one call');
    // The consultation call.
    await alice.fill('#target', 'carol');
    await alice.click('#call');
    await waitIn(carol, "carol's banner shows", () => !document.querySelector('#incoming').hidden);
    await carol.click('#answer-incoming');
    await waitIn(alice, 'alice is connected to carol', () =>
      [...document.querySelectorAll('.call')].some((el) => el.dataset.state === 'connected' && el.querySelector('.remote').textContent.includes('carol')));
    // The held call (bob's) offers the transfer to the other call.
    await waitIn(alice, 'the held call offers "transfer to the other call"', () =>
      [...document.querySelectorAll('.call [data-action=attendedTransfer]')].some((b) => !b.hidden && b.textContent.includes('carol')));
    await shot(alice, '10-alice-two-calls');
    await alice.click('.call [data-action=attendedTransfer]:not([hidden])');
    // bob is asked (the REFER carries Replaces: he calls carol in place of alice's call).
    await waitIn(bob, 'bob is asked to transfer', () => !document.querySelector('.call .call-refer').hidden);
    assert.match(await bob.textContent('.call .refer-target'), /carol/);
    await bob.click('.call [data-action=acceptTransfer]');
    // carol's phone answers bob's INVITE with Replaces itself: no banner, no answer().
    await waitIn(carol, 'carol is connected to bob', () =>
      [...document.querySelectorAll('.call')].some((el) => el.dataset.state === 'connected' && el.querySelector('.remote').textContent.includes('bob')), undefined, 20_000);
    await waitIn(bob, 'bob is connected to carol', () =>
      [...document.querySelectorAll('.call')].some((el) => el.dataset.state === 'connected' && el.querySelector('.remote').textContent.includes('carol')));
    assert.ok(await carol.$eval('#incoming', (el) => el.hidden), 'the replacing call does not ring');
    // Alice saw the progress, and both her calls end as transferred; carol's call with alice as replaced.
    await waitIn(alice, 'both of alice\'s calls end as transferred', () =>
      document.querySelector('#log').innerText.split('\n').filter((l) => l.includes('ended: transferred')).length >= 2, undefined, 20_000);
    assert.match(await alice.textContent('#log'), /transfer: 202 /);
    assert.match(await alice.textContent('#log'), /transfer: 200 /);
    assert.ok(!(await hasCall(alice, 'connected', '')), 'alice has no call left');
    await waitIn(carol, "carol's call with alice ends as replaced", () => document.querySelector('#log').innerText.includes('ended: replaced'));
    assert.ok(await hasCall(bob, 'connected', 'carol'));
    // Media flows on the new call: bob's selected call is it.
    await waitIn(bob, "audio from carol reaches bob", () => Number(document.querySelector('#stats').dataset.inboundPackets) > 20, undefined, 15_000);
    await shot(bob, '11-bob-with-carol');
    await bob.click('.call:not([data-state=ended]) [data-action=hangup]');
    for (const page of [bob, carol]) {
      await waitIn(page, 'the call ends', () => ![...document.querySelectorAll('.call')].some((el) => el.dataset.state === 'connected'));
    }
  });

  test("the watchdog's give-up: dave (relay only, TURN unreachable) sees MOS n/a, the warning, and why the call ended", { timeout: 90_000, skip: !HAS_CALLS && 'this build has no calls yet' }, async () => {
    const { bob } = tabs;
    const dave = await context.newPage();
    watch(dave, 'dave');
    tabs.dave = dave;
    // dave's /config.json names a TURN server nobody answers at (port 9 on loopback).
    const real = await (await fetch(new URL('/config.json', site.url))).json();
    const nowhere = [{ urls: ['turn:127.0.0.1:9?transport=udp', 'turn:127.0.0.1:9?transport=tcp'], username: 'nobody', credential: 'demo-turn-cred-x9' }];
    await dave.route('**/config.json', (route) => route.fulfill({ json: { ...real, iceServers: nowhere } }));
    await dave.goto(`${site.url}?user=dave`);
    await waitIn(dave, 'dave loads /config.json', () => document.querySelector('#preset').options.length > 1);
    await dave.check('#relayOnly');
    await dave.click('#connect');
    await waitIn(dave, 'dave registers', () => document.querySelector('#reg').textContent === 'registered');
    await waitIn(bob, 'the last call leaves the list', () => !document.querySelector('.call'), undefined, 10_000);
    await dave.fill('#target', 'bob');
    await dave.click('#call');
    await waitIn(bob, 'the banner shows', () => !document.querySelector('#incoming').hidden);
    await bob.click('#answer-incoming');
    // No path at all: no packets, so no MOS; the warning shows on the card.
    await waitIn(dave, 'MOS n/a with the reason', () => /^MOS n\/a \(no packets received\)$/.test(document.querySelector('#plot-mos .value').textContent), undefined, 15_000);
    await waitIn(dave, 'the no-audio warning shows on the card', () => document.querySelector('.call .warnings').textContent.includes('no audio arriving'), undefined, 10_000);
    await shot(dave, '12-dave-no-media');
    // With the default watchdog the call ends about 31 s after the answer. bob's side gets no
    // media either: whichever watchdog gives up first ends the call (BYE), and that page says why.
    await waitIn(dave, 'the call ends', () => document.querySelector('.call')?.dataset.state === 'ended', undefined, 50_000);
    await waitIn(bob, "bob's call ends too", () => !document.querySelector('.call') || document.querySelector('.call').dataset.state === 'ended', undefined, 10_000);
    const failed = [];
    for (const [who, page] of [['dave', dave], ['bob', bob]]) {
      const badge = await page.$eval('.call[data-state=ended] .state', (el) => el.textContent).catch(() => null);
      const line = (await page.$eval('#log', (el) => el.innerText)).split('\n').find((l) => l.includes('ended: media failure'));
      if (line) failed.push({ who, badge, line });
    }
    assert.ok(failed.length >= 1, 'one side ended the call for its media');
    for (const { who, badge, line } of failed) {
      if (badge !== null) {
        assert.match(badge, /^media failure: (the TURN server could not be reached|no network path to the far end \(ICE failed\))$/, `${who}: ${badge}`);
      }
      assert.match(line, /\(media never started, tried \d+\.\d s, \d ICE restarts?(, switched to relay only)?\) — evidence: /, `${who}: ${line}`);
      assert.match(line, /packets 0 in \/ \d+ out; (no candidate pair|pair .+)(; turns?:\S+: \w+( \d+)?)+$/, `${who}: ${line}`);
      assert.ok(!line.includes('demo-turn-cred-x9'), 'no TURN credential in the log');
    }
    assert.ok(failed.some((f) => f.badge !== null), 'the ended card says media failure');
    await shot(dave, '12-dave-ended');
  });

  test('no console errors in any tab', () => {
    assert.deepEqual(errors, []);
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

// The page in Firefox ESR (geckodriver, tests/e2e/lib/firefox.mjs): it loads, registers and
// shows diagnose() as tables. Calls between tabs are tested in Chromium above.
describe('demo page in Firefox', { concurrency: false, skip: firefoxMissing() }, () => {
  let firefox;
  let page;
  after(async () => {
    await page?.evaluate(() => document.querySelector('#disconnect').click()).catch(() => {});
    await page?.waitForFunction(() => document.querySelector('#log').textContent.includes('stopped'), null, { timeout: 10_000 }).catch(() => {});
    await firefox?.close();
  });

  test('frank registers and runs diagnose()', { timeout: 60_000 }, async () => {
    firefox = await launchFirefox();
    page = await firefox.newPage(`${site.url}?user=frank`);
    await page.waitForFunction(() => document.querySelector('#preset').options.length > 1, null, { timeout: 10_000 });
    await page.evaluate(() => document.querySelector('#connect').click());
    await page.waitForFunction(() => document.querySelector('#reg').textContent === 'registered', null, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => document.querySelector('#conn').textContent), 'connected');
    // Firefox has setSinkId from 116 on: the speaker choice shows.
    assert.equal(await page.evaluate(() => document.querySelector('#speaker-row').hidden), false);
    await page.evaluate(() => document.querySelector('#diagnose').click());
    await page.waitForFunction(() => document.querySelectorAll('#diagnose-report table.verdicts').length === 3, null, { timeout: 30_000 });
    const verdicts = await page.evaluate(() => [...document.querySelectorAll('#diagnose-report tbody td[data-verdict]')].map((td) => td.dataset.verdict));
    assert.equal(verdicts[0], 'ok', 'the SIP server is open');
    const text = await page.evaluate(() => document.body.innerText);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), 'a secret is on the page');
  });
});
