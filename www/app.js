// softphone-core demo: connect, register, watch the events. No framework.
// The password is read from its field when connecting and never written anywhere else:
// the configuration object is not logged, and the library's own log lines are redacted.

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
};
const connectButton = $('connect');
const disconnectButton = $('disconnect');

/** @type {import('/pkg/index.js').Softphone | null} */
let phone = null;
let accounts = [];

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

function badge(id, text, tone) {
  const el = $(id);
  el.textContent = text;
  el.className = `badge ${tone}`;
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

function setRunning(running) {
  connectButton.disabled = running;
  disconnectButton.disabled = !running;
  for (const el of Object.values(fields)) el.disabled = running;
}

async function connect() {
  const config = {
    servers: fields.server.value.trim(),
    uri: fields.uri.value.trim(),
    logLevel: fields.logLevel.value,
  };
  if (fields.password.value) config.password = fields.password.value;
  if (fields.authUser.value.trim()) config.authorizationUser = fields.authUser.value.trim();
  setRunning(true);
  try {
    phone = await createSoftphone(config);
  } catch (e) {
    // A SoftphoneConfigError names the field; it never contains the password.
    log(`${e.name}: ${e.message}`, 'error');
    setRunning(false);
    return;
  }
  phone.on('connection', (e) => {
    const [text, tone] = describeConnection(e);
    badge('conn', e.state, tone);
    log(`connection: ${text}`, tone === 'bad' ? 'warn' : 'info');
  });
  phone.on('registration', (e) => {
    const [text, tone] = describeRegistration(e);
    badge('reg', e.state, tone);
    log(`registration: ${text}`, tone === 'bad' ? 'error' : 'info');
  });
  phone.on('log', (e) => log(`[${e.level}] ${e.message}`, e.level));
  log(`starting as ${config.uri} (instance ${phone.instanceId})`);
  phone.start();
}

async function disconnect() {
  if (!phone) return;
  const current = phone;
  phone = null;
  disconnectButton.disabled = true;
  log('stopping');
  await current.stop();
  current.free();
  log('stopped');
  badge('conn', 'idle', 'idle');
  badge('reg', 'idle', 'idle');
  setRunning(false);
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
    accounts = Array.isArray(cfg.accounts) ? cfg.accounts : [];
    accounts.forEach((a, i) => fields.preset.add(new Option(a.uri, String(i))));
    if (accounts.length) {
      fields.preset.value = '0';
      applyPreset(0);
    }
    log(`loaded /config.json (${accounts.length} account${accounts.length === 1 ? '' : 's'})`);
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
window.addEventListener('pagehide', () => {
  phone?.stop();
});

loadConfig();
