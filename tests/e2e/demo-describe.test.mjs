// The demo's words for the package's events (www/js/describe.js, pure functions): the media
// watchdog's give-up with its evidence, MOS n/a, the quality warnings, the transfer endings.
// No servers, no browser: the shapes are those of docs/js-call-api.md.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  END_BADGE, describeCall, describeEnd, describeMediaFailure, describeMos, describeQuality,
} from '../../www/js/describe.js';

describe("the demo's descriptions", () => {
  test("a watchdog give-up says why, how long and how hard it tried, and the evidence", () => {
    const cause = {
      kind: 'mediaFailure',
      reason: 'media watchdog gave up',
      media: 'neverStarted',
      why: 'turnUnreachable',
      triedMs: 12_500,
      restarts: 2,
      relayOnly: true,
      evidence: {
        ice: 'failed',
        dtls: 'new',
        packetsReceived: 0,
        packetsSent: 0,
        servers: [
          { url: 'turn:192.0.2.1:3478?transport=udp', status: 'timedOut' },
          { url: 'turns:192.0.2.1:443?transport=tcp', status: 'error', errorCode: 701 },
        ],
      },
    };
    assert.equal(describeEnd(cause), 'media failure: the TURN server could not be reached');
    const text = describeMediaFailure(cause);
    assert.equal(
      text,
      'media failure: the TURN server could not be reached (media never started, tried 12.5 s, 2 ICE restarts, switched to relay only)'
        + ' — evidence: ICE failed; DTLS new; packets 0 in / 0 out; no candidate pair;'
        + ' turn:192.0.2.1:3478?transport=udp: timedOut; turns:192.0.2.1:443?transport=tcp: error 701',
    );
    assert.match(describeCall({ event: 'ended', cause }), /^ended: media failure: the TURN server .* evidence: ICE failed/);
  });

  test('a media failure without the watchdog fields keeps its reason', () => {
    const cause = { kind: 'mediaFailure', reason: 'getUserMedia failed: NotAllowedError' };
    assert.equal(describeEnd(cause), 'media failure (getUserMedia failed: NotAllowedError)');
    assert.equal(describeMediaFailure(cause), 'media failure (getUserMedia failed: NotAllowedError)');
  });

  test('a lost call names its selected pair and packet counts', () => {
    const text = describeMediaFailure({
      kind: 'mediaFailure', reason: 'x', media: 'lost', why: 'noInboundPackets', triedMs: 8000, restarts: 1,
      evidence: { ice: 'connected', dtls: 'connected', packetsReceived: 412, packetsSent: 900, selectedPair: { local: 'host udp', remote: 'relay udp' }, servers: [] },
    });
    assert.match(text, /^media failure: no audio arrived from the far end \(media was lost, tried 8\.0 s, 1 ICE restart\)/);
    assert.match(text, /packets 412 in \/ 900 out; pair host udp -> relay udp$/);
  });

  test('MOS: the value, or n/a with the reason', () => {
    assert.equal(describeMos({ mos: 4.1234 }), '4.12');
    assert.equal(describeMos({ mos: null, mosUnavailable: 'noInboundPackets' }), 'MOS n/a (no packets received)');
    assert.equal(describeMos({ mos: null, mosUnavailable: 'noRoundTripTime' }), 'MOS n/a (no round-trip time yet)');
    assert.equal(describeMos({ mos: null }), 'MOS n/a');
  });

  test('the new quality warnings have words', () => {
    assert.equal(describeQuality({ warning: 'lowMos', active: true, value: 2.71828 }), 'quality: poor call quality (low MOS) (2.72) raised');
    assert.equal(describeQuality({ warning: 'silentMicrophone', active: true }), 'quality: your microphone is silent raised');
    assert.equal(describeQuality({ warning: 'farEndSilent', active: false }), 'quality: the far end is silent cleared');
    assert.equal(describeQuality({ warning: 'someFutureWarning', active: true }), 'quality: someFutureWarning raised');
  });

  test('transfer progress and the transfer endings', () => {
    assert.equal(describeCall({ event: 'transferProgress', status: 202, reason: 'Accepted' }), 'transfer: 202 Accepted');
    assert.equal(describeCall({ event: 'incoming', from: 'sip:bob@x', replaces: 3 }), 'incoming from sip:bob@x (replacing #3)');
    assert.equal(END_BADGE.transferred, 'transferred');
    assert.equal(END_BADGE.replaced, 'replaced by a transferred call');
  });
});
