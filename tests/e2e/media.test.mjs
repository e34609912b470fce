// Media control between two softphones in headless Chromium (fake devices) through the real
// Kamailio: the microphone chosen by deviceId, codec order and the bitrate cap in the offer
// and on the sender, the microphone switched mid-call (replaceTrack: audio keeps flowing to
// the far end, no re-INVITE), the application's own track sent and never stopped, the
// output device (setSinkId), the devices list and `devices` event, a call's own event stream
// (`call.on`) delivered after the method returns, `unhold()`, and the exported error classes.
// Drives tests/e2e/pages/calls.html (window.harness) over the built package in pkg/. Needs
// the local servers (scripts/test.sh starts them).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeHarness, createPhones, openHarness, waitRegistered } from './lib/harness.mjs';
import { account, readEnv, turnCredentials } from './lib/servers.mjs';

const env = readEnv();
let browser;
let site;
let page;
const consoleLines = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const h = (fn, ...args) => page.evaluate(fn, args);

function config(user, extra = {}) {
  const acc = account(user);
  return { servers: env.wsUri, uri: acc.uri, password: acc.password, logLevel: 'info', reconnect: { baseMs: 300, maxMs: 2000 }, ...extra };
}

/** Outbound packets of alice's call and inbound packets of bob's, `ms` apart. */
async function flow(aliceId, bobId, ms = 1500) {
  const read = () =>
    h(async ([a, b]) => {
      const sa = await window.harness.phone('alice').getCall(a).getStats();
      const sb = await window.harness.phone('bob').getCall(b).getStats();
      return { out: sa.outbound.packets, in: sb.inbound.packets };
    }, aliceId, bobId);
  const x = await read();
  await sleep(ms);
  const y = await read();
  return { aliceOut: y.out - x.out, bobIn: y.in - x.in };
}

/** The SDP both peer connections hold now (a re-INVITE would change them). */
const descriptions = (aliceId, bobId) =>
  h(([a, b]) => {
    const pa = window.harness.phone('alice').getCall(a).peerConnection;
    const pb = window.harness.phone('bob').getCall(b).peerConnection;
    return { aliceLocal: pa.localDescription.sdp, bobRemote: pb.remoteDescription.sdp, states: [pa.signalingState, pb.signalingState] };
  }, aliceId, bobId);

before(async () => {
  ({ browser, site, page } = await openHarness({ consoleLines }));
  await createPhones(page, ['alice', 'bob'], (name) => config(name));
  await waitRegistered(page, ['alice', 'bob']);
});

after(() => closeHarness({ page, browser, site }, ['alice', 'bob', 'carol']));

describe('media control through Kamailio', { concurrency: false }, () => {
  let inputs;
  let aliceBob;
  let bobAlice;

  test('the devices are listed, and a devicechange comes as a devices event', async () => {
    const lists = await h(async () => {
      // Labels appear once the page may use the microphone.
      (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks().forEach((t) => t.stop());
      const phone = window.harness.phone('alice');
      window.__devices = [];
      window.__offDevices = phone.on('devices', (e) => window.__devices.push(e));
      const now = await phone.devices();
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
      return now;
    });
    inputs = lists.audioInputs;
    assert.ok(inputs.length >= 2, `Chromium's fake devices give two microphones at least: ${JSON.stringify(lists)}`);
    assert.ok(inputs.every((d) => typeof d.deviceId === 'string' && d.deviceId && typeof d.label === 'string'), JSON.stringify(inputs));
    assert.ok(Array.isArray(lists.audioOutputs) && Array.isArray(lists.videoInputs));
    await page.waitForFunction(() => window.__devices.length === 1, null, { timeout: 5_000 });
    const event = await h(() => window.__devices[0]);
    assert.equal(event.type, 'devices');
    assert.deepEqual(event.audioInputs, inputs);
    await h(() => window.__offDevices());
  });

  test('a call on a chosen microphone with PCMU first (so no opus cap); its own events come after call() returns', async () => {
    const placed = await h(
      ([device]) => {
        const phone = window.harness.phone('alice');
        const call = phone.call('bob', { deviceId: device, codecs: ['PCMU', 'opus'], opusMaxBitrate: 20_000 });
        window.__aliceStates = [];
        window.__aliceEnded = [];
        let returned = false;
        call.on('state', (e) => window.__aliceStates.push([e.event, returned]));
        call.on('ended', (e) => window.__aliceEnded.push(e.cause.kind));
        returned = true;
        return call.id;
      },
      inputs[0].deviceId,
    );
    await page.waitForFunction(() => window.harness.callEvents('bob').some((e) => e.event === 'incoming'), null, { timeout: 10_000 });
    bobAlice = await h(() => window.harness.callEvents('bob').find((e) => e.event === 'incoming').callId);
    aliceBob = placed;
    await h(([id]) => window.harness.phone('bob').getCall(id).answer(), bobAlice);
    try {
      await page.waitForFunction(
        ([a]) => window.__aliceStates.some(([s]) => s === 'connected') && window.harness.phone('alice').getCall(a)?.remoteStream,
        [aliceBob],
        { timeout: 10_000 },
      );
    } catch (e) {
      const seen = await h(() => window.harness.callEvents('alice').map((x) => `${x.event} ${JSON.stringify(x.cause ?? '')}`));
      assert.fail(`alice's call did not connect: ${seen.join('; ')}\n${consoleLines.slice(-5).join('\n')}`);
    }
    const states = await h(() => window.__aliceStates);
    // 'calling' was raised inside call(), yet reached a handler subscribed after it returned.
    assert.deepEqual(states[0], ['calling', true]);
    assert.ok(states.every(([, r]) => r), JSON.stringify(states));

    const facts = await h(([a, b]) => {
      const pa = window.harness.phone('alice').getCall(a).peerConnection;
      const pb = window.harness.phone('bob').getCall(b).peerConnection;
      const sender = pa.getSenders().find((s) => s.track?.kind === 'audio');
      const mline = pb.remoteDescription.sdp.split('\r\n').find((l) => l.startsWith('m=audio'));
      const answered = pa.remoteDescription.sdp.split('\r\n').find((l) => l.startsWith('m=audio'));
      return {
        mline,
        answered,
        device: sender.track.getSettings().deviceId,
        maxBitrate: sender.getParameters().encodings[0]?.maxBitrate,
        isPc: pa instanceof RTCPeerConnection,
      };
    }, aliceBob, bobAlice);
    assert.ok(facts.isPc, 'call.peerConnection is the RTCPeerConnection');
    // The offer bob received lists PCMU (0) first, then opus.
    const pts = facts.mline.split(' ').slice(3);
    assert.equal(pts[0], '0', facts.mline);
    assert.equal(facts.device, inputs[0].deviceId);
    // bob answered PCMU first: a fixed 64 kb/s codec, so opusMaxBitrate is not applied (a
    // cap below its rate would make Chrome refuse the answer; the opus cap is checked in
    // src/web/media/tests_control.rs in Chrome and Firefox).
    assert.equal(facts.answered.split(' ')[3], '0', facts.answered);
    assert.equal(facts.maxBitrate, undefined);
    const f = await flow(aliceBob, bobAlice);
    assert.ok(f.aliceOut > 20 && f.bobIn > 20, `audio flows: ${JSON.stringify(f)}`);
  });

  test('the microphone is switched mid-call: audio keeps reaching bob, with no re-INVITE', async () => {
    const before = await descriptions(aliceBob, bobAlice);
    const eventsBefore = await h(() => window.harness.events.length);
    const switched = await h(
      async ([a, device]) => {
        const call = window.harness.phone('alice').getCall(a);
        const old = call.peerConnection.getSenders().find((s) => s.track?.kind === 'audio').track;
        await call.setInputDevice(device);
        const now = call.peerConnection.getSenders().find((s) => s.track?.kind === 'audio').track;
        return {
          oldState: old.readyState,
          device: now.getSettings().deviceId,
          local: call.localStream.getAudioTracks().map((t) => t.id),
          nowId: now.id,
        };
      },
      aliceBob,
      inputs[1].deviceId,
    );
    assert.equal(switched.device, inputs[1].deviceId);
    assert.equal(switched.oldState, 'ended', 'the replaced microphone is released');
    assert.deepEqual(switched.local, [switched.nowId], 'localStream shows the new track');
    const f = await flow(aliceBob, bobAlice);
    assert.ok(f.aliceOut > 20 && f.bobIn > 20, `audio after the switch: ${JSON.stringify(f)}`);
    const later = await descriptions(aliceBob, bobAlice);
    assert.deepEqual(later, before, 'no offer or answer was exchanged');
    assert.deepEqual(before.states, ['stable', 'stable']);
    const newEvents = await h(([n]) => window.harness.events.slice(n).filter((e) => e.type === 'call'), eventsBefore);
    assert.deepEqual(newEvents, [], 'no call event from a switch');

    // An unknown device: a DeviceError (instanceof the exported class), the call untouched.
    const bad = await h(async ([a]) => {
      const { DeviceError, SoftphoneError } = await import('/pkg/index.js');
      try {
        await window.harness.phone('alice').getCall(a).setInputDevice('no-such-microphone');
        return { resolved: true };
      } catch (e) {
        return { device: e instanceof DeviceError, base: e instanceof SoftphoneError, code: e.code, browserError: e.browserError };
      }
    }, aliceBob);
    assert.deepEqual(bad, { device: true, base: true, code: 'deviceFailed', browserError: 'OverconstrainedError' });
    const still = await flow(aliceBob, bobAlice, 1000);
    assert.ok(still.bobIn > 10, `a failed switch keeps the old microphone: ${JSON.stringify(still)}`);
  });

  test("the application's own track is sent and never stopped by the call", async () => {
    await h(async ([a]) => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      window.__appTrack = stream.getAudioTracks()[0];
      await window.harness.phone('alice').getCall(a).replaceAudioTrack(window.__appTrack);
    }, aliceBob);
    const f = await flow(aliceBob, bobAlice);
    assert.ok(f.bobIn > 20, `audio from the app's track: ${JSON.stringify(f)}`);
    const sent = await h(([a]) => window.harness.phone('alice').getCall(a).peerConnection.getSenders()[0].track === window.__appTrack, aliceBob);
    assert.ok(sent);
  });

  test('a call that adopts the pre-warmed peer connection captures the chosen microphone; answer() takes media options too', async () => {
    // carol has TURN, so her registered phone keeps a warm peer connection (no tracks).
    const iceServers = [{ ...turnCredentials(env.turn, { id: 'carol-media', ttlSeconds: 3600 }), urls: env.turn.urls }];
    const made = await h(([c]) => window.harness.create('carol', c), config('carol', { iceServers }));
    assert.ok(made.instanceId, JSON.stringify(made));
    await h(() => window.harness.start('carol'));
    await page.waitForFunction(() => window.mediaTracker.warmPcs().length === 1, null, { timeout: 15_000 });
    const carolBob = await h(([device]) => window.harness.phone('carol').call('bob', { deviceId: device }).id, inputs[1].deviceId);
    await page.waitForFunction(
      () => window.harness.callEvents('bob').filter((e) => e.event === 'incoming').length === 2,
      null,
      { timeout: 10_000 },
    );
    const bobCarol = await h(() => window.harness.callEvents('bob').filter((e) => e.event === 'incoming')[1].callId);
    // bob answers with media options of his own: a microphone and G.722 first.
    await h(([id, device]) => window.harness.phone('bob').getCall(id).answer({ deviceId: device, codecs: ['G722', 'opus'] }), bobCarol, inputs[0].deviceId);
    await page.waitForFunction(
      ([id]) => window.harness.callEvents('carol', id).some((e) => e.event === 'connected'),
      [carolBob],
      { timeout: 15_000 },
    );
    // `connected` comes with the 200; the driver applies the answer (setRemoteDescription)
    // on its own queue, which a loaded machine may not have run yet.
    await page.waitForFunction(
      ([id]) => window.harness.phone('carol').getCall(id)?.peerConnection?.remoteDescription != null,
      [carolBob],
      { timeout: 10_000 },
    );
    const facts = await h(([id, b]) => {
      const pc = window.harness.phone('carol').getCall(id).peerConnection;
      const bobPc = window.harness.phone('bob').getCall(b).peerConnection;
      const answered = pc.remoteDescription.sdp.split('\r\n').find((l) => l.startsWith('m=audio'));
      return {
        adopted: pc.__config.iceCandidatePoolSize === 1,
        device: pc.getSenders().find((x) => x.track?.kind === 'audio')?.track.getSettings().deviceId,
        bobDevice: bobPc.getSenders().find((x) => x.track?.kind === 'audio')?.track.getSettings().deviceId,
        firstAnswered: answered.split(' ')[3],
      };
    }, carolBob, bobCarol);
    // PT 9 is G.722 (RFC 3551).
    assert.deepEqual(facts, { adopted: true, device: inputs[1].deviceId, bobDevice: inputs[0].deviceId, firstAnswered: '9' });
    await h(([id]) => window.harness.phone('carol').getCall(id).hangup(), carolBob);
    await page.waitForFunction(
      ([id]) => window.harness.callEvents('carol', id).some((e) => e.event === 'ended'),
      [carolBob],
      { timeout: 10_000 },
    );
  });

  test('hold() and unhold(), seen on the call\'s own hold stream', async () => {
    await h(([a]) => {
      const call = window.harness.phone('alice').getCall(a);
      window.__holds = [];
      window.__offHold = call.on('hold', (e) => window.__holds.push([e.local, e.remote]));
      call.hold();
    }, aliceBob);
    await page.waitForFunction(() => window.__holds.length === 1, null, { timeout: 10_000 });
    await h(([a]) => window.harness.phone('alice').getCall(a).unhold(), aliceBob);
    await page.waitForFunction(() => window.__holds.length === 2, null, { timeout: 10_000 });
    assert.deepEqual(await h(() => window.__holds), [[true, false], [false, false]]);
    await h(() => window.__offHold());
  });

  test('the output device is set on the app\'s audio element', async () => {
    const r = await h(async ([b]) => {
      const { DeviceError } = await import('/pkg/index.js');
      const phone = window.harness.phone('bob');
      const audio = document.createElement('audio');
      audio.srcObject = phone.getCall(b).remoteStream;
      const outputs = (await phone.devices()).audioOutputs;
      const out = { hasSinkId: typeof audio.setSinkId === 'function', outputs: outputs.length };
      const target = outputs.find((d) => d.deviceId !== 'default')?.deviceId ?? '';
      await phone.setOutputDevice(audio, target);
      out.sinkId = audio.sinkId === target;
      try {
        await phone.setOutputDevice(audio, 'no-such-speaker');
      } catch (e) {
        out.bad = { device: e instanceof DeviceError, code: e.code };
      }
      try {
        await phone.setOutputDevice({}, '');
      } catch (e) {
        out.unsupported = { name: e.name, code: e.code, feature: e.feature };
      }
      return out;
    }, bobAlice);
    assert.ok(r.hasSinkId, "Chromium has setSinkId");
    assert.ok(r.sinkId, JSON.stringify(r));
    assert.deepEqual(r.bad, { device: true, code: 'deviceFailed' });
    assert.deepEqual(r.unsupported, { name: 'NotSupportedError', code: 'unsupported', feature: 'HTMLMediaElement.setSinkId' });
  });

  test('hangup: the ended stream fires once; the app track stays live; errors are instances of the classes', async () => {
    await h(([a]) => window.harness.phone('alice').getCall(a).hangup(), aliceBob);
    await page.waitForFunction(() => window.__aliceEnded.length === 1, null, { timeout: 10_000 });
    assert.deepEqual(await h(() => window.__aliceEnded), ['localHangup']);
    assert.equal(await h(() => window.__appTrack.readyState), 'live', "the app's track is the app's");
    await h(() => window.__appTrack.stop());
    // The captured microphones went with the call.
    await page.waitForFunction(() => window.harness.liveTracks() === 0 && window.harness.openPcs() === 0, null, { timeout: 10_000 });

    const errors = await h(async () => {
      const { CallError, ConfigError, SoftphoneError, createSoftphone } = await import('/pkg/index.js');
      const out = {};
      try {
        window.harness.phone('alice').call('');
      } catch (e) {
        out.call = { cls: e instanceof CallError, base: e instanceof SoftphoneError, name: e.name, code: e.code };
      }
      try {
        await createSoftphone({ servers: 'wss://pbx.example.com/ws' });
      } catch (e) {
        out.config = { cls: e instanceof ConfigError, name: e.name, code: e.code, field: e.field };
      }
      try {
        window.harness.phone('alice').call('bob', { codecs: ['iLBC'] });
      } catch (e) {
        out.codec = { cls: e instanceof CallError, code: e.code };
      }
      return out;
    });
    assert.deepEqual(errors.call, { cls: true, base: true, name: 'SoftphoneCallError', code: 'invalidTarget' });
    assert.deepEqual(errors.config, { cls: true, name: 'SoftphoneConfigError', code: 'invalidConfig', field: 'uri' });
    assert.deepEqual(errors.codec, { cls: true, code: 'invalidValue' });
    assert.deepEqual(consoleLines.filter((l) => /panicked/.test(l)), []);
  });
});
