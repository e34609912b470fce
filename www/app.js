// @ts-check
// softphone-core demo: account, registration, a dial pad, calls (answer, hold, mute, DTMF,
// blind and attended transfer) with an incoming-call ringtone, live call quality (plots, level meters, the
// relay badge, MOS n/a when nothing was measured, quality warnings, the media watchdog's give-up
// with its evidence), microphone and speaker selection through the package (phone.devices(),
// deviceId, call.setInputDevice(), phone.setOutputDevice()), the diagnose() report as a table, and a
// filterable event log. Plain ES modules over the published entry (/pkg/index.js); the
// parts are in js/.
//
// Secrets: the password is read from its field when connecting and goes nowhere else; the
// configuration object (with the password and TURN credentials) is never logged or shown,
// and the library's own log lines are redacted by the library.

import { createSoftphone } from '/pkg/index.js';
import { badge, makeCalls } from './js/calls.js';
import { describeConnection, describeRegistration } from './js/describe.js';
import { makeDevices } from './js/devices.js';
import { renderDiagnosis } from './js/diagnosis.js';
import { $, button, byId, errorOf, input, select } from './js/dom.js';
import { makeLog } from './js/log.js';
import { unlockMeters } from './js/meters.js';
import { makeRingtone } from './js/ringtone.js';

/**
 * @typedef {import('/pkg/index.js').SoftphoneConfig} SoftphoneConfig
 * @typedef {import('/pkg/index.js').SoftphoneIceServer} SoftphoneIceServer
 * @typedef {import('/pkg/index.js').SoftphoneLogLevel} SoftphoneLogLevel
 * @typedef {{ uri: string, user?: string, password?: string, authUser?: string }} Account
 *   one of /config.json's local accounts
 */

const fields = {
  preset: select('preset'),
  server: input('server'),
  uri: input('uri'),
  authUser: input('authUser'),
  password: input('password'),
  logLevel: select('logLevel'),
  relayOnly: input('relayOnly'),
};

const logView = makeLog({ list: byId('log', HTMLOListElement), text: input('log-filter'), level: select('log-level'), count: $('log-count') });
/** @type {(text: string, level?: string) => void} */
const log = (text, level) => logView.add(text, level);
const ringtone = makeRingtone();
const devices = makeDevices({ mic: select('mic'), speaker: select('speaker'), speakerRow: $('speaker-row'), log });

/** @type {import('/pkg/index.js').Softphone | null} */
let phone = null;
/** @type {Account[]} */
let accounts = [];
/** ICE servers from /config.json (TURN REST credentials: never logged or shown). */
/** @type {SoftphoneIceServer[]} */
let iceServers = [];
let registered = false;

const calls = makeCalls({ log, ringtone, devices, isRegistered: () => registered });

/** @param {boolean} running */
function setRunning(running) {
  button('connect').disabled = running;
  button('disconnect').disabled = !running;
  button('diagnose').disabled = !running;
  for (const el of Object.values(fields)) el.disabled = running;
  $('who').textContent = running ? fields.uri.value.trim() : 'not connected';
}

async function connect() {
  // The click is the gesture that lets the page play the ringtone and read audio levels later.
  ringtone.unlock();
  unlockMeters();
  /** @type {SoftphoneConfig} */
  const config = {
    servers: fields.server.value.trim(),
    uri: fields.uri.value.trim(),
    logLevel: /** @type {SoftphoneLogLevel} */ (fields.logLevel.value),
  };
  if (fields.password.value) config.password = fields.password.value;
  if (fields.authUser.value.trim()) config.authorizationUser = fields.authUser.value.trim();
  if (iceServers.length) config.iceServers = iceServers;
  if (fields.relayOnly.checked) config.iceTransportPolicy = 'relay';
  setRunning(true);
  try {
    phone = await createSoftphone(config);
  } catch (thrown) {
    // A SoftphoneConfigError names the field; it never contains the password.
    const e = errorOf(thrown);
    log(`${e.name}: ${e.message}`, 'error');
    setRunning(false);
    return;
  }
  calls.setPhone(phone);
  phone.on('connection', (e) => {
    const [text, tone] = describeConnection(e);
    badge($('conn'), e.state, tone);
    log(`connection: ${text}`, tone === 'bad' ? 'warn' : 'info');
  });
  phone.on('registration', (e) => {
    const [text, tone] = describeRegistration(e);
    badge($('reg'), e.state, tone);
    registered = e.state === 'registered';
    log(`registration: ${text}`, tone === 'bad' ? 'error' : 'info');
    calls.renderAll();
  });
  phone.on('log', (e) => log(`[${e.level}] ${e.message}`, e.level));
  phone.on('call', (e) => calls.onEvent(e));
  phone.on('quality', (e) => calls.onQuality(e));
  devices.setPhone(phone);
  log(`starting as ${config.uri} (instance ${phone.instanceId}${config.iceServers ? `, ${config.iceServers.length} ICE server(s)` : ''}${config.iceTransportPolicy === 'relay' ? ', relay only' : ''})`);
  phone.start();
  byId('account-panel', HTMLDetailsElement).open = false;
}

async function disconnect() {
  if (!phone) return;
  const current = phone;
  phone = null;
  registered = false;
  button('disconnect').disabled = true;
  log('stopping');
  await current.stop();
  calls.setPhone(null);
  devices.setPhone(null);
  current.free();
  log('stopped');
  badge($('conn'), 'idle', 'idle');
  badge($('reg'), 'idle', 'idle');
  setRunning(false);
}

async function runDiagnose() {
  if (!phone) return;
  const out = $('diagnose-report');
  out.hidden = false;
  out.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Checking the SIP and STUN/TURN servers…', className: 'muted' }));
  button('diagnose').disabled = true;
  try {
    const report = await phone.diagnose();
    renderDiagnosis(out, report);
    log(`diagnose: ${report.ok ? 'ready for calls' : 'problems found'} (${Math.round(report.durationMs)} ms)`, report.ok ? 'info' : 'warn');
  } catch (thrown) {
    const e = errorOf(thrown);
    out.textContent = `${e.name}: ${e.message}`;
    log(`diagnose failed: ${e.message}`, 'error');
  } finally {
    button('diagnose').disabled = !phone;
  }
}

/** @param {number | string} index an index into `accounts` */
function applyPreset(index) {
  const a = accounts[Number(index)];
  if (!a) return;
  fields.uri.value = a.uri;
  fields.password.value = a.password ?? '';
  fields.authUser.value = a.authUser ?? '';
}

async function loadConfig() {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const cfg = await res.json();
    fields.server.value = cfg.wsUri ?? '';
    iceServers = Array.isArray(cfg.iceServers) ? cfg.iceServers : [];
    accounts = Array.isArray(cfg.accounts) ? cfg.accounts : [];
    accounts.forEach((a, i) => fields.preset.add(new Option(a.uri, String(i))));
    if (accounts.length) {
      // ?user=bob picks an account (handy for a second tab).
      const wanted = new URLSearchParams(location.search).get('user');
      const index = Math.max(0, accounts.findIndex((a) => a.user === wanted));
      fields.preset.value = String(index);
      applyPreset(index);
    }
    log(`loaded /config.json (${accounts.length} account${accounts.length === 1 ? '' : 's'}, ${iceServers.length} ICE server${iceServers.length === 1 ? '' : 's'})`);
  } catch (e) {
    log(`no /config.json (${errorOf(e).message}): fill in the form`, 'warn');
  }
}

$('account').addEventListener('submit', (e) => {
  e.preventDefault();
  connect();
});
$('disconnect').addEventListener('click', () => disconnect());
fields.preset.addEventListener('change', () => applyPreset(fields.preset.value));
$('clear').addEventListener('click', () => logView.clear());
$('dial-form').addEventListener('submit', (e) => {
  e.preventDefault();
  calls.place(input('target').value.trim());
});
input('target').addEventListener('input', () => calls.renderAll());
$('dialpad').addEventListener('click', (e) => {
  const key = e.target instanceof Element ? e.target.closest('button')?.dataset.key : undefined;
  if (!key || calls.dtmf(key)) return;
  input('target').value += key;
  calls.renderAll();
});
$('backspace').addEventListener('click', () => {
  input('target').value = input('target').value.slice(0, -1);
  calls.renderAll();
});
$('answer-incoming').addEventListener('click', () => calls.act(Number($('incoming').dataset.callId), 'answer'));
$('reject-incoming').addEventListener('click', () => calls.act(Number($('incoming').dataset.callId), 'reject'));
$('diagnose').addEventListener('click', () => runDiagnose());
window.addEventListener('pagehide', () => {
  phone?.stop();
});

setRunning(false);
calls.renderAll();
loadConfig();
