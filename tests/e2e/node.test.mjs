// The package entry in Node.js, with no browser: importing it is safe (server-side
// rendering imports it), making a phone or a diagnosis fails at once with an error that
// says a browser is needed (not the `TypeError: fetch failed` of the .wasm fetch it would
// otherwise meet), and initAsync() still instantiates the module from its bytes; and the
// formatDuration() both entries export.
//
// Needs pkg/ (bash scripts/build.sh); no servers.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { ROOT } from './lib/servers.mjs';

const PKG = path.join(ROOT, 'pkg');
const entry = () => import(pathToFileURL(path.join(PKG, 'index.js')).href);
const config = { servers: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', password: 'x' };

test('importing the entry in Node touches nothing', async () => {
  const m = await entry();
  assert.equal(m.INSTANCE_ID_STORAGE_KEY, 'softphone-core:instance-id');
  for (const name of ['createSoftphone', 'diagnose', 'initAsync', 'formatDuration']) assert.equal(typeof m[name], 'function');
});

test('createSoftphone() and diagnose() reject with a NotSupportedError naming what is missing', async () => {
  assert.equal(typeof globalThis.RTCPeerConnection, 'undefined', 'this Node has no RTCPeerConnection');
  const m = await entry();
  for (const [what, call] of [
    ['createSoftphone()', () => m.createSoftphone(config)],
    ['diagnose()', () => m.diagnose({ servers: config.servers })],
  ]) {
    await assert.rejects(call, (e) => {
      assert.equal(e.name, 'NotSupportedError');
      assert.ok(e.message.includes(`${what} needs a browser (WebSocket and RTCPeerConnection)`), e.message);
      assert.match(e.message, /no RTCPeerConnection/);
      assert.doesNotMatch(e.message, /fetch/);
      return true;
    });
  }
});

test('initAsync() instantiates the module from its bytes in Node', async () => {
  const m = await entry();
  await m.initAsync(readFileSync(path.join(PKG, 'softphone_core_bg.wasm')));
  // Loaded now, but a phone still needs the browser.
  await assert.rejects(m.createSoftphone(config), { name: 'NotSupportedError' });
});

test('formatDuration() shows whole seconds as m:ss or h:mm:ss', async () => {
  // The one copy in the package (softphone-core/react re-exports it for useCall().duration).
  const { formatDuration } = await entry();
  for (const [seconds, shown] of [
    [0, '0:00'],
    [59.9, '0:59'],
    [75, '1:15'],
    [600, '10:00'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [36000, '10:00:00'],
    [-5, '0:00'],
  ]) {
    assert.equal(formatDuration(seconds), shown, `formatDuration(${seconds})`);
  }
});
