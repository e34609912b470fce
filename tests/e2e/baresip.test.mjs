// A call from the browser to baresip, a native SIP phone (Debian's baresip 1.0.0), through
// Kamailio: baresip registers over UDP as erin with DTLS-SRTP, ICE and rtcp-mux and answers by
// itself (tests/servers/baresip/). Audio flows both ways (the browser receives baresip's
// 440 Hz sine; baresip's RTCP receiver reports count the browser's packets), and the call
// ends by BYE from either side (baresip hangs up through its ctrl_tcp interface).
// Starts and stops baresip itself (scripts/servers.sh start|stop baresip); Kamailio must run.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { ROOT, account, launchChromium, readEnv, startKamailio, startStaticServer } from './lib/servers.mjs';

const run = promisify(execFile);
const env = readEnv();
const CTRL_PORT = Number(process.env.BARESIP_CTRL_PORT ?? 14444);
const BARESIP_USER = 'erin';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;
let site;
let page;
let ctrl;

/** scripts/servers.sh ACTION baresip, with this process's port variables. */
async function baresip(action) {
  try {
    await run('bash', [path.join(ROOT, 'scripts', 'servers.sh'), action, 'baresip'], { cwd: ROOT, timeout: 30_000 });
  } catch (e) {
    throw new Error(`servers.sh ${action} baresip failed: ${e.stderr || e.message}`);
  }
}

/**
 * A client of baresip's ctrl_tcp module: netstring-framed JSON. Commands are
 * `{command, params, token}`; replies carry `response: true` and the token; events carry
 * `event: true` and a `type` (CALL_ESTABLISHED, CALL_CLOSED ...).
 */
class Ctrl {
  static connect(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Ctrl(socket)));
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.messages = [];
    this.buffer = Buffer.alloc(0);
    this.next = 1;
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const colon = this.buffer.indexOf(':');
        if (colon < 0) break;
        const len = Number(this.buffer.subarray(0, colon).toString());
        if (this.buffer.length < colon + 1 + len + 1) break;
        const body = this.buffer.subarray(colon + 1, colon + 1 + len).toString();
        this.buffer = this.buffer.subarray(colon + 1 + len + 1);
        try {
          this.messages.push({ at: Date.now(), ...JSON.parse(body) });
        } catch {
          this.messages.push({ at: Date.now(), raw: body });
        }
      }
    });
  }

  /** Sends a command and waits for its reply. */
  async command(command, params = '') {
    const token = String(this.next++);
    const body = JSON.stringify({ command, params, token });
    this.socket.write(`${Buffer.byteLength(body)}:${body},`);
    return this.wait((m) => m.response && m.token === token, `reply to ${command}`);
  }

  /** Waits for a message matching `pred` (received after `since`, Date.now() ms). */
  async wait(pred, what, { timeout = 10_000, since = 0 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.messages.find((m) => m.at >= since && pred(m));
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.messages.map((m) => m.type ?? (m.response ? `reply ${m.token}` : m.raw)).join(', ');
        assert.fail(`baresip: no ${what} within ${timeout} ms; saw: ${seen}`);
      }
      await sleep(50);
    }
  }

  close() {
    this.socket.destroy();
  }
}

const h = (fn, ...args) => page.evaluate(fn, args);
const RUN_DIR = process.env.SOFTPHONE_RUN_DIR ?? path.join(ROOT, '.run');

/** The packet counts of the last call baresip ended ("packets: TX RX" in its log). */
async function lastRtpStats() {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = await readFile(path.join(RUN_DIR, 'baresip.log'), 'utf8');
    const blocks = text.split(/audio\s+Transmit:\s+Receive:/).slice(1);
    const m = blocks.at(-1)?.match(/packets:\s+(\d+)\s+(\d+)/);
    if (m && blocks.length > seenBlocks) {
      seenBlocks = blocks.length;
      return { txPackets: Number(m[1]), rxPackets: Number(m[2]) };
    }
    if (Date.now() > deadline) assert.fail('baresip printed no RTP statistics for the call');
    await sleep(100);
  }
}
let seenBlocks = 0;

async function waitEvent(name, want, { timeout = 15_000 } = {}) {
  const match = ([n, w]) =>
    window.harness.events.find(
      (e) => e.phone === n && e.type === 'call' && Object.entries(w).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v)),
    ) ?? null;
  try {
    await page.waitForFunction(match, [name, want], { timeout, polling: 50 });
  } catch {
    const seen = (await h(([n]) => window.harness.callEvents(n), name)).map((e) => `#${e.callId} ${e.event}${e.cause ? ' ' + JSON.stringify(e.cause) : ''}`);
    assert.fail(`${name}: no call event ${JSON.stringify(want)} within ${timeout} ms; saw: ${seen.join(', ')}`);
  }
  return page.evaluate(match, [name, want]);
}

/** Counters of the call's peer connection: audio in/out, and baresip's RTCP reports (remote-*-rtp). */
function counters(id) {
  return h(async ([i]) => {
    const call = window.harness.info('alice', i) && (await window.harness.stats('alice', i));
    const pc = window.mediaTracker.pcs.find((p) => p.signalingState !== 'closed');
    const raw = [];
    if (pc) {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'remote-inbound-rtp' || s.type === 'remote-outbound-rtp') raw.push(s);
      }
    }
    return { inbound: call.inbound, outbound: call.outbound, pair: call.selectedPair, raw };
  }, id);
}

/** alice calls erin (baresip answers by itself); returns alice's call id once connected. */
async function callBaresip() {
  const placed = await h(([t]) => window.harness.call('alice', t), BARESIP_USER);
  assert.ok(placed.id, JSON.stringify(placed.error));
  await waitEvent('alice', { callId: placed.id, event: 'connected' });
  await waitEvent('alice', { callId: placed.id, event: 'remoteStream' });
  return placed.id;
}

before(async () => {
  await startKamailio();
  await baresip('start');
  // Statistics of calls before this run do not count.
  seenBlocks = (await readFile(path.join(RUN_DIR, 'baresip.log'), 'utf8')).split(/audio\s+Transmit:\s+Receive:/).length - 1;
  ctrl = await Ctrl.connect(CTRL_PORT);
  // baresip registered: its `reginfo` lists the account with an OK binding.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await ctrl.command('reginfo');
    if (/200 OK|OK/.test(reply.data ?? '')) break;
    if (Date.now() > deadline) assert.fail(`baresip did not register: ${reply.data}`);
    await sleep(300);
  }
  site = await startStaticServer();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${site.url}tests/calls.html`);
  await page.waitForFunction(() => window.harness?.ready === true, null, { timeout: 20_000 });
  const alice = account('alice');
  const config = { servers: env.wsUri, uri: alice.uri, password: alice.password, logLevel: 'warn' };
  await h(([c]) => window.harness.create('alice', c), config);
  await h(() => window.harness.start('alice'));
  await page.waitForFunction(
    () => window.harness.events.some((e) => e.type === 'registration' && e.state === 'registered'),
    null,
    { timeout: 10_000 },
  );
});

after(async () => {
  ctrl?.close();
  if (page) await Promise.race([h(() => window.harness.stop('alice')).catch(() => {}), sleep(12_000)]);
  await browser?.close();
  await site?.close();
  await baresip('stop');
});

describe('calls to baresip', { concurrency: false }, () => {
  test('audio flows both ways; the browser hangs up', async () => {
    const since = Date.now();
    const id = await callBaresip();
    await ctrl.wait((m) => m.event && m.type === 'CALL_ESTABLISHED', 'CALL_ESTABLISHED', { since });
    const a = await counters(id);
    await sleep(2_000);
    const b = await counters(id);
    assert.ok(b.inbound.packets - a.inbound.packets > 50, `no audio from baresip: ${JSON.stringify([a.inbound, b.inbound])}`);
    assert.ok(b.inbound.bytes - a.inbound.bytes > 1000, `no audio bytes from baresip: ${JSON.stringify([a.inbound, b.inbound])}`);
    assert.ok(b.outbound.packets - a.outbound.packets > 50, `no audio to baresip: ${JSON.stringify([a.outbound, b.outbound])}`);
    // baresip's RTCP receiver reports about our stream: it receives it (they come every ~5 s).
    let c = b;
    for (let i = 0; i < 40 && c.raw.length === 0; i++) {
      await sleep(250);
      c = await counters(id);
    }
    const report = c.raw.find((r) => r.type === 'remote-inbound-rtp' && r.kind === 'audio');
    assert.ok(report, `no RTCP receiver report from baresip: ${JSON.stringify(c.raw)}`);
    assert.ok(report.packetsLost < 10, `baresip lost our packets: ${JSON.stringify(report)}`);

    const t = Date.now();
    assert.ok((await h(([i]) => window.harness.act('alice', i, 'hangup'), id)).ok);
    await waitEvent('alice', { callId: id, event: 'ended', cause: { kind: 'localHangup' } });
    await ctrl.wait((m) => m.event && m.type === 'CALL_CLOSED', 'CALL_CLOSED after our BYE', { since: t });
    assert.equal(await h(() => window.harness.openPcs()), 0, 'peer connection left open');
    // baresip's own count of what it received (rtp_stats, printed when a call ends).
    const stats = await lastRtpStats();
    assert.ok(stats.rxPackets > 100, `baresip received ${stats.rxPackets} packets`);
    assert.ok(stats.txPackets > 100, `baresip sent ${stats.txPackets} packets`);
  });

  test('baresip hangs up: the browser sees remoteHangup', async () => {
    const since = Date.now();
    const id = await callBaresip();
    await ctrl.wait((m) => m.event && m.type === 'CALL_ESTABLISHED', 'CALL_ESTABLISHED', { since });
    const reply = await ctrl.command('hangup');
    assert.equal(reply.ok, true, `hangup: ${JSON.stringify(reply)}`);
    await waitEvent('alice', { callId: id, event: 'ended', cause: { kind: 'remoteHangup' } });
    assert.equal(await h(() => window.harness.openPcs()), 0, 'peer connection left open');
    assert.equal(await h(() => window.harness.liveTracks()), 0, 'microphone left on');
  });
});
