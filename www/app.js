// softphone-core demo: account, registration, calls, DTMF, transfer, diagnostics and an
// event log. Plain ES modules, no framework, over the published entry (/pkg/index.js).
//
// Secrets: the password is read from its field when connecting and goes nowhere else; the
// configuration object (with the password and TURN credentials) is never logged, and the
// library's own log lines are redacted by the library.

import { createSoftphone } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const form = $('account');
const fields = {
  preset: $('preset'),
  server: $('server'),
  uri: $('uri'),
  authUser: $('authUser'),
  password: $('password'),
  logLevel: $('logLevel'),
  relayOnly: $('relayOnly'),
};
const connectButton = $('connect');
const disconnectButton = $('disconnect');
const callButton = $('call');
const targetInput = $('target');

/** @type {import('/pkg/index.js').Softphone | null} */
let phone = null;
let accounts = [];
/** ICE servers from /config.json (TURN REST credentials: never logged). */
let iceServers = [];
let registered = false;

/** Live and just-ended calls: id -> { call, el, endedAt? } */
const calls = new Map();
/** The call shown in the diagnostics panel. */
let selectedId = null;

const MAX_LINES = 500;

function log(text, level = 'info') {
  const li = document.createElement('li');
  li.className = level;
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  const list = $('log');
  list.append(li);
  while (list.children.length > MAX_LINES) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

function badge(el, text, tone) {
  el.textContent = text;
  el.className = `${el.classList.contains('state') ? 'state ' : ''}badge ${tone}`;
}

function describeConnection(e) {
  switch (e.state) {
    case 'connecting':
      return [`connecting to ${e.url}${e.attempt ? ` (attempt ${e.attempt + 1})` : ''}`, 'busy'];
    case 'connected':
      return [`connected to ${e.url}`, 'ok'];
    case 'disconnected': {
      const r = e.reason;
      const why = r.kind === 'closed' ? `closed ${r.code}${r.reason ? ` ${r.reason}` : ''}`
        : r.kind === 'openFailed' ? `could not open (${r.code}: wrong URL or path, TLS, or server down)`
          : r.kind;
      return [`disconnected: ${why}`, 'bad'];
    }
    case 'reconnecting':
      return [`reconnecting in ${(e.delayMs / 1000).toFixed(1)} s`, 'busy'];
    default:
      return [e.state, 'idle'];
  }
}

function describeRegistration(e) {
  switch (e.state) {
    case 'registering':
      return ['registering', 'busy'];
    case 'registered':
      return [`registered (${e.expires} s)`, 'ok'];
    case 'unregistered':
      return ['unregistered', 'idle'];
    case 'failed':
      return [`failed: ${e.status} ${e.reason}${e.retryInMs !== undefined ? `, retry in ${Math.round(e.retryInMs / 1000)} s` : ''}`, 'bad'];
    default:
      return [e.state, 'idle'];
  }
}

/** Short words for the call's badge once it has ended. */
const END_BADGE = {
  localHangup: 'ended', remoteHangup: 'hung up by remote', busy: 'busy', declined: 'declined',
  cancelled: 'cancelled', noAnswer: 'no answer', sessionExpired: 'session expired', sessionRefreshFailed: 'session refresh refused', transferred: 'transferred',
  replaced: 'replaced by a transferred call',
};

function describeEnd(cause) {
  if (!cause) return 'ended';
  switch (cause.kind) {
    case 'rejected':
      return `rejected (${cause.status})`;
    case 'failed':
      return `failed (${cause.status} ${cause.reason})`;
    case 'mediaFailure':
      return `media failure (${cause.reason})`;
    default:
      return cause.kind;
  }
}

function describeCall(e) {
  switch (e.event) {
    case 'incoming':
      return `incoming from ${e.displayName ? `${e.displayName} ` : ''}${e.from}${e.replaces !== undefined ? ` (replacing #${e.replaces})` : ''}`;
    case 'calling':
      return `calling ${e.target}`;
    case 'hold':
      return `hold local=${e.local} remote=${e.remote}`;
    case 'muted':
      return e.muted ? 'muted' : 'unmuted';
    case 'dtmf':
      return `DTMF received: ${e.tone}`;
    case 'transferRequested':
      return `transfer requested to ${e.target}`;
    case 'transferProgress':
      return `transfer: ${e.status} ${e.reason}`;
    case 'ended':
      return `ended: ${describeEnd(e.cause)}`;
    default:
      return e.event;
  }
}

const TONE = {
  incoming: 'busy', calling: 'busy', ringing: 'busy', earlyMedia: 'busy',
  connected: 'ok', reconnecting: 'busy', ended: 'idle',
};

function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

// ---- Calls ------------------------------------------------------------------------------

/** Runs an action; returns its result (true for none), or undefined after logging its error. */
function safe(what, fn) {
  try {
    return fn() ?? true;
  } catch (e) {
    log(`${what}: ${e.name === 'SoftphoneCallError' ? `${e.code}: ` : ''}${e.message}`, 'error');
    return undefined;
  }
}

function addCall(call) {
  if (calls.has(call.id)) return calls.get(call.id);
  const el = $('call-template').content.firstElementChild.cloneNode(true);
  el.dataset.callId = String(call.id);
  el.querySelector('.direction').textContent = call.direction === 'incoming' ? '↙ from' : '↗ to';
  el.querySelector('.remote').textContent = call.remoteDisplayName ? `${call.remoteDisplayName} <${call.remoteUri}>` : call.remoteUri;
  el.addEventListener('click', (e) => {
    const action = e.target.closest('button[data-action]')?.dataset.action;
    if (action) callAction(call.id, action);
  });
  el.querySelector('.call-transfer').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = e.target.elements.target;
    const to = input.value.trim();
    if (!to) return;
    const entry = calls.get(call.id);
    if (entry && safe('transfer', () => entry.call.transfer(to)) !== undefined) {
      log(`call #${call.id}: transferring to ${to}`);
      input.value = '';
    }
  });
  const entry = { call, el };
  calls.set(call.id, entry);
  $('calls').append(el);
  if (selectedId === null) select(call.id);
  renderCall(entry);
  return entry;
}

function callAction(id, action) {
  const entry = calls.get(id);
  if (!entry || entry.endedAt) return;
  const { call } = entry;
  switch (action) {
    case 'answer':
      safe('answer', () => call.answer());
      break;
    case 'reject':
      safe('reject', () => call.reject());
      break;
    case 'hangup':
      safe('hang up', () => call.hangup());
      break;
    case 'hold':
      safe('hold', () => (call.hold.local ? call.resume() : call.hold()));
      break;
    case 'mute':
      safe('mute', () => (call.muted ? call.unmute() : call.mute()));
      break;
    case 'acceptTransfer': {
      const next = safe('accept transfer', () => call.acceptTransfer());
      entry.referTarget = undefined;
      if (next && next !== true) {
        select(next.id);
        addCall(next);
      }
      break;
    }
    case 'declineTransfer':
      safe('decline transfer', () => call.declineTransfer());
      entry.referTarget = undefined;
      break;
    case 'select':
      select(id);
      $('diagnostics').open = true;
      pollStats();
      break;
    default:
  }
  renderAll();
}

function read(call, name, fallback) {
  try {
    return call[name];
  } catch {
    return fallback;
  }
}

function renderCall(entry) {
  const { call, el } = entry;
  const state = entry.endedAt ? 'ended' : read(call, 'state', 'ended');
  const hold = entry.endedAt ? { local: false, remote: false } : read(call, 'hold', { local: false, remote: false });
  const muted = !entry.endedAt && read(call, 'muted', false);
  const stateEl = el.querySelector('.state');
  badge(stateEl, entry.endedAt ? entry.endText : state, TONE[state] ?? 'idle');
  el.dataset.state = state;
  const connectedAt = entry.connectedAt ?? read(call, 'connectedAt', undefined);
  if (connectedAt !== undefined) entry.connectedAt = connectedAt;
  const end = entry.endedAt ?? Date.now();
  el.querySelector('.duration').textContent = connectedAt === undefined ? '' : formatDuration((end - connectedAt) / 1000);
  const flags = [];
  if (hold.local) flags.push('on hold');
  if (hold.remote) flags.push('held by remote');
  if (muted) flags.push('muted');
  el.querySelector('.flags').textContent = flags.join(', ');
  const show = (action, visible) => {
    el.querySelector(`[data-action=${action}]`).hidden = !visible;
  };
  const incoming = state === 'incoming' && entry.replaces === undefined;
  const live = state === 'connected' || state === 'reconnecting';
  show('answer', incoming);
  show('reject', incoming);
  show('hangup', !entry.endedAt && !incoming);
  show('hold', live);
  show('mute', live);
  show('select', !entry.endedAt);
  el.querySelector('[data-action=hold]').textContent = hold.local ? 'Resume' : 'Hold';
  el.querySelector('[data-action=mute]').textContent = muted ? 'Unmute' : 'Mute';
  el.querySelector('.call-transfer').hidden = !live;
  el.querySelector('.call-refer').hidden = !entry.referTarget || Boolean(entry.endedAt);
  el.querySelector('.refer-target').textContent = entry.referTarget ?? '';
  el.classList.toggle('selected', selectedId === call.id);
  const audio = el.querySelector('audio');
  const stream = entry.endedAt ? null : read(call, 'remoteStream', null);
  if (audio.srcObject !== stream) audio.srcObject = stream;
}

function renderBanner() {
  const ringing = [...calls.values()].find(
    (e) => !e.endedAt && e.replaces === undefined && read(e.call, 'state', 'ended') === 'incoming',
  );
  const banner = $('incoming');
  banner.hidden = !ringing;
  banner.dataset.callId = ringing ? String(ringing.call.id) : '';
  if (ringing) {
    const c = ringing.call;
    $('incoming-from').textContent = c.remoteDisplayName ? `${c.remoteDisplayName} <${c.remoteUri}>` : c.remoteUri;
  }
}

function renderAll() {
  for (const entry of calls.values()) renderCall(entry);
  renderBanner();
  $('no-calls').hidden = calls.size > 0;
  callButton.disabled = !registered || !targetInput.value.trim();
}

function onCallEvent(e) {
  let entry = calls.get(e.callId);
  if (!entry && e.event !== 'ended') {
    const call = phone?.getCall(e.callId);
    if (call) entry = addCall(call);
  }
  log(`call #${e.callId}: ${describeCall(e)}`, e.event === 'ended' && e.cause?.kind === 'failed' ? 'warn' : 'info');
  if (!entry) return;
  if (e.event === 'transferRequested') entry.referTarget = e.target;
  // A call that replaces another (the end of an attended transfer) is answered already.
  if (e.event === 'incoming' && e.replaces !== undefined) entry.replaces = e.replaces;
  if (e.event === 'ended') {
    entry.endedAt = Date.now();
    entry.endText = END_BADGE[e.cause?.kind] ?? describeEnd(e.cause);
    if (selectedId === e.callId) clearStats();
    // Keep the ended call on screen for a moment, then remove it.
    setTimeout(() => {
      entry.el.remove();
      calls.delete(e.callId);
      if (selectedId === e.callId) select(calls.keys().next().value ?? null);
      renderAll();
    }, 4000);
  }
  renderAll();
}

function placeCall(target) {
  if (!phone || !target) return;
  const call = safe('call', () => phone.call(target));
  if (call) {
    select(call.id);
    addCall(call);
    renderAll();
  }
}

function pressKey(key) {
  const live = [...calls.values()].find((e) => !e.endedAt && read(e.call, 'state', '') === 'connected' && (selectedId === null || e.call.id === selectedId))
    ?? [...calls.values()].find((e) => !e.endedAt && read(e.call, 'state', '') === 'connected');
  if (live) {
    if (safe('DTMF', () => live.call.sendDtmf(key))) log(`call #${live.call.id}: DTMF sent: ${key}`);
    return;
  }
  targetInput.value += key;
  renderAll();
}

// ---- Diagnostics ------------------------------------------------------------------------

function candidate(c) {
  if (!c) return '–';
  const relay = c.relayProtocol ? ` (relay over ${c.relayProtocol})` : '';
  return `${c.type} ${c.protocol}${relay}${c.address ? ` ${c.address}` : ''}`;
}

const STAT_FIELDS = ['d-call', 'd-local', 'd-remote', 'd-rtt', 'd-jitter', 'd-loss', 'd-mos', 'd-packets'];

/** Empties the stats panel (its call ended, or another call is selected). */
function clearStats() {
  for (const id of STAT_FIELDS) $(id).textContent = '–';
  delete $('stats').dataset.inboundPackets;
}

/** Shows `id`'s stats from now on. */
function select(id) {
  if (selectedId !== id) clearStats();
  selectedId = id;
}

async function pollStats() {
  const entry = selectedId === null ? undefined : calls.get(selectedId);
  const state = entry && !entry.endedAt ? read(entry.call, 'state', '') : '';
  if (!entry || (state !== 'connected' && state !== 'reconnecting') || typeof entry.call.getStats !== 'function') return;
  let s;
  try {
    s = await entry.call.getStats();
  } catch {
    return; // ended meanwhile
  }
  if (entry.endedAt || selectedId !== entry.call.id) return;
  const fmt = (v, unit, digits = 0) => (v === undefined || v === null ? '–' : `${Number(v).toFixed(digits)}${unit}`);
  $('d-call').textContent = `#${entry.call.id} ${entry.call.remoteUri}`;
  $('d-local').textContent = candidate(s.selectedPair?.local);
  $('d-remote').textContent = candidate(s.selectedPair?.remote);
  $('d-rtt').textContent = fmt(s.rttMs, ' ms');
  $('d-jitter').textContent = fmt(s.jitterMs, ' ms', 1);
  $('d-loss').textContent = fmt(s.packetLossPercent, ' %', 1);
  $('d-mos').textContent = fmt(s.mos, '', 2);
  $('d-packets').textContent = `${s.inbound.packets} / ${s.outbound.packets}`;
  $('stats').dataset.inboundPackets = String(s.inbound.packets);
}

/** Drops credential-looking fields from a report before it is shown. */
function redact(value) {
  return JSON.stringify(
    value,
    (k, v) => (/^(password|credential|secret|authorization|username)$/i.test(k) ? '***' : v),
    2,
  );
}

async function runDiagnose() {
  if (!phone || typeof phone.diagnose !== 'function') {
    log('diagnose() is not in this build of softphone-core', 'warn');
    return;
  }
  const out = $('diagnose-report');
  out.hidden = false;
  out.textContent = 'running…';
  try {
    const report = await phone.diagnose();
    out.textContent = redact(report);
    log('diagnose: done');
  } catch (e) {
    out.textContent = `${e.name}: ${e.message}`;
    log(`diagnose failed: ${e.message}`, 'error');
  }
}

// ---- Account ------------------------------------------------------------------------------

function setRunning(running) {
  connectButton.disabled = running;
  disconnectButton.disabled = !running;
  $('diagnose').disabled = !running || typeof phone?.diagnose !== 'function';
  $('diagnose').title = phone && typeof phone.diagnose !== 'function' ? 'diagnose() is not in this build yet' : '';
  for (const el of Object.values(fields)) el.disabled = running;
}

async function make(config) {
  try {
    return await createSoftphone(config);
  } catch (e) {
    // A build without calls does not know the ICE fields yet: go on without them.
    if (e.name === 'SoftphoneConfigError' && /^ice/.test(e.field ?? '')) {
      log(`this build has no ${e.field}: continuing without ICE servers`, 'warn');
      delete config.iceServers;
      delete config.iceTransportPolicy;
      return createSoftphone(config);
    }
    throw e;
  }
}

async function connect() {
  const config = {
    servers: fields.server.value.trim(),
    uri: fields.uri.value.trim(),
    logLevel: fields.logLevel.value,
  };
  if (fields.password.value) config.password = fields.password.value;
  if (fields.authUser.value.trim()) config.authorizationUser = fields.authUser.value.trim();
  if (iceServers.length) config.iceServers = iceServers;
  if (fields.relayOnly.checked) config.iceTransportPolicy = 'relay';
  setRunning(true);
  try {
    phone = await make(config);
  } catch (e) {
    // A SoftphoneConfigError names the field; it never contains the password.
    log(`${e.name}: ${e.message}`, 'error');
    setRunning(false);
    return;
  }
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
    renderAll();
  });
  phone.on('log', (e) => log(`[${e.level}] ${e.message}`, e.level));
  try {
    phone.on('call', onCallEvent);
    phone.on('quality', (e) =>
      log(`call #${e.callId}: quality ${e.warning} ${e.active ? 'raised' : 'cleared'}${e.value !== undefined ? ` (${e.value})` : ''}`, e.active ? 'warn' : 'info'));
  } catch {
    log('this build of softphone-core has no calls', 'warn');
  }
  setRunning(true);
  log(`starting as ${config.uri} (instance ${phone.instanceId}${config.iceServers ? `, ${config.iceServers.length} ICE server(s)` : ''}${config.iceTransportPolicy === 'relay' ? ', relay only' : ''})`);
  phone.start();
  $('account-panel').open = false;
}

async function disconnect() {
  if (!phone) return;
  const current = phone;
  phone = null;
  registered = false;
  disconnectButton.disabled = true;
  log('stopping');
  await current.stop();
  for (const entry of calls.values()) entry.el.remove();
  calls.clear();
  select(null);
  current.free();
  log('stopped');
  badge($('conn'), 'idle', 'idle');
  badge($('reg'), 'idle', 'idle');
  setRunning(false);
  renderAll();
}

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
    log(`no /config.json (${e.message}): fill in the form`, 'warn');
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  connect();
});
disconnectButton.addEventListener('click', () => disconnect());
fields.preset.addEventListener('change', () => applyPreset(fields.preset.value));
$('clear').addEventListener('click', () => $('log').replaceChildren());
$('dial-form').addEventListener('submit', (e) => {
  e.preventDefault();
  placeCall(targetInput.value.trim());
});
targetInput.addEventListener('input', () => renderAll());
$('dialpad').addEventListener('click', (e) => {
  const key = e.target.closest('button')?.textContent;
  if (key) pressKey(key);
});
$('answer-incoming').addEventListener('click', () => callAction(Number($('incoming').dataset.callId), 'answer'));
$('reject-incoming').addEventListener('click', () => callAction(Number($('incoming').dataset.callId), 'reject'));
$('diagnose').addEventListener('click', () => runDiagnose());
window.addEventListener('pagehide', () => {
  phone?.stop();
});

// Durations tick every second; stats of the selected call every 2 s.
setInterval(() => {
  for (const entry of calls.values()) renderCall(entry);
}, 1000);
setInterval(pollStats, 2000);

renderAll();
loadConfig();
