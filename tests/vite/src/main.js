// A plain Vite app (no framework, no vite.config): the package is imported by its name, and
// Vite's build must find the WebAssembly on its own through the glue's
// `new URL('softphone_core_bg.wasm', import.meta.url)`. The account comes from /config.json
// at run time (the test's server makes it), never from the bundle: `?user=alice` picks one.
// One call at a time; `getStats()` every second shows that audio flows.

import { createSoftphone } from 'softphone-core';

const $ = (id) => document.querySelector(`[data-testid=${id}]`);
const callBox = document.getElementById('call');

/** @type {import('softphone-core').SoftphoneCall | null} */
let current = null;

function fail(e) {
  const el = $('error');
  el.hidden = false;
  el.textContent = `${e.name}: ${e.message}`;
}

function show(call) {
  current = call;
  callBox.hidden = !call;
  if (!call) return;
  $('call-remote').textContent = call.remoteUri;
  $('call-state').textContent = call.state;
  $('answer').hidden = call.state !== 'incoming';
  callBox.querySelector('audio').srcObject = call.remoteStream ?? null;
}

async function main() {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/config.json: HTTP ${res.status}`);
  const cfg = await res.json();
  const user = new URLSearchParams(location.search).get('user') ?? 'alice';
  const account = cfg.accounts.find((a) => a.user === user);
  if (!account) throw new Error(`no account ${user} in /config.json`);
  const phone = await createSoftphone({
    servers: cfg.wsUri,
    uri: account.uri,
    password: account.password,
    iceServers: cfg.iceServers,
  });
  phone.on('connection', (e) => ($('connection').textContent = e.state));
  phone.on('registration', (e) => ($('registration').textContent = e.state));
  phone.on('call', (e) => {
    if (e.event === 'ended') {
      if (current?.id === e.callId) show(null);
      return;
    }
    const call = phone.getCall(e.callId);
    if (call && (!current || current.id === call.id)) show(call);
  });
  document.getElementById('dial').addEventListener('submit', (e) => {
    e.preventDefault();
    try {
      show(phone.call($('target').value.trim()));
    } catch (err) {
      fail(err);
    }
  });
  $('answer').addEventListener('click', () => current?.answer());
  $('hangup').addEventListener('click', () => current?.hangup());
  setInterval(async () => {
    if (!current || current.state !== 'connected') return;
    const stats = await current.getStats().catch(() => null);
    if (!stats) return;
    $('inbound-packets').textContent = String(stats.inbound.packets);
    $('outbound-packets').textContent = String(stats.outbound.packets);
    $('local-candidate').textContent = stats.selectedPair?.local.type ?? '';
  }, 1000);
  window.addEventListener('pagehide', () => phone.stop());
  phone.start();
}

main().catch(fail);
