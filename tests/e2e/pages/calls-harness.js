// The call harness over the published entry (/pkg/index.js): several phones in one page,
// every event recorded with a timestamp, call methods run by id, and media facts read
// from the peer connections (media-tracker.js).
//
//   await harness.create('alice', config); harness.start('alice')
//   harness.call('alice', 'bob') -> {id} | {error: {name, code, message}}
//   harness.act('bob', id, 'answer') -> {ok: true} | {error}
//   await harness.stats('alice', id) -> SoftphoneCallStats
//   harness.media('alice', id) -> {directions, dtmfTones, hasRemoteStream}
//   harness.events -> [{phone, at, type, ...event}]

import { createSoftphone, initAsync } from '/pkg/index.js';

const phones = new Map();
const errorInfo = (e) => ({ name: e?.name, code: e?.code, message: String(e?.message ?? e) });

const harness = {
  ready: false,
  events: [],
  errors: [],

  async create(name, config) {
    let phone;
    try {
      phone = await createSoftphone(config);
    } catch (e) {
      return { error: errorInfo(e) };
    }
    phones.set(name, phone);
    for (const type of ['connection', 'registration', 'call', 'message', 'subscription', 'mwi']) {
      phone.on(type, (event) => {
        harness.events.push({ phone: name, at: performance.now(), ...event });
      });
    }
    return { instanceId: phone.instanceId };
  },

  start(name) {
    phones.get(name).start();
  },

  /** The phone itself, for tests of APIs the harness has no wrapper for (messages, subscriptions, media). */
  phone(name) {
    return phones.get(name);
  },

  async stop(name) {
    await phones.get(name)?.stop();
  },

  free(name) {
    phones.get(name)?.free();
    phones.delete(name);
  },

  call(name, target, options) {
    try {
      const call = phones.get(name).call(target, options);
      return { id: call.id, state: call.state, direction: call.direction, remoteUri: call.remoteUri };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },

  /** Runs `method` of the call `id` of phone `name`. */
  act(name, id, method, ...args) {
    const call = phones.get(name).getCall(id);
    if (!call) return { error: { code: 'noCallHandle' } };
    try {
      const result = method === 'hold' ? call.hold(...args) : call[method](...args);
      return { ok: true, id: result?.id };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },

  /** Runs `method` of phone `name` (setCredentials, register, unregister). */
  phoneAct(name, method, ...args) {
    try {
      phones.get(name)[method](...args);
      return { ok: true };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },

  /** The phone's state getters. */
  phoneState(name) {
    const phone = phones.get(name);
    return { isRegistered: phone.isRegistered, connectionState: phone.connectionState };
  },

  /** What the call's INVITE said (incoming calls), and its SIP Call-ID. */
  details(name, id) {
    const call = phones.get(name).getCall(id);
    if (!call) return null;
    return {
      sipCallId: call.sipCallId,
      requestHeaders: call.requestHeaders,
      identity: call.identity,
      alertInfo: call.alertInfo,
      callInfo: call.callInfo,
      autoAnswerAfter: call.autoAnswerAfter ?? null,
    };
  },

  /** The call's getters (live calls only). */
  info(name, id) {
    const call = phones.get(name).getCall(id);
    if (!call) return null;
    return {
      id: call.id,
      state: call.state,
      direction: call.direction,
      remoteUri: call.remoteUri,
      hold: { local: call.hold.local, remote: call.hold.remote },
      holdState: call.holdState,
      muted: call.muted,
      connectedAt: call.connectedAt,
      hasRemoteStream: call.remoteStream instanceof MediaStream,
      hasLocalStream: call.localStream instanceof MediaStream,
    };
  },

  /** The kinds of the call's local tracks, sorted. */
  localKinds(name, id) {
    const stream = phones.get(name).getCall(id)?.localStream;
    return stream ? stream.getTracks().map((t) => t.kind).sort() : null;
  },

  callIds(name) {
    return phones.get(name).calls().map((c) => c.id);
  },

  async stats(name, id) {
    const call = phones.get(name).getCall(id);
    if (!call) return { error: { code: 'noCallHandle' } };
    try {
      return await call.getStats();
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },

  /** Media facts of the call's peer connection. */
  media(name, id) {
    const call = phones.get(name).getCall(id);
    const pc = window.mediaTracker.pcOf(call?.remoteStream);
    if (!pc) return null;
    return {
      directions: pc.getTransceivers().map((t) => t.currentDirection),
      dtmfTones: pc.__tones ?? [],
      config: { bundlePolicy: pc.getConfiguration().bundlePolicy, rtcpMuxPolicy: pc.getConfiguration().rtcpMuxPolicy },
    };
  },

  /** Records the tones the call's RTCDTMFSender plays ('' when it is done). */
  watchDtmf(name, id) {
    const call = phones.get(name).getCall(id);
    const pc = window.mediaTracker.pcOf(call?.remoteStream);
    const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio');
    if (!sender?.dtmf) return false;
    pc.__tones = [];
    pc.__toneTimes = [];
    sender.dtmf.addEventListener('tonechange', (e) => {
      pc.__tones.push(e.tone);
      pc.__toneTimes.push(performance.now());
    });
    return true;
  },

  /** When each watched tone started (ms, performance.now()), '' (the end) included. */
  toneTimes(name, id) {
    const call = phones.get(name).getCall(id);
    return window.mediaTracker.pcOf(call?.remoteStream)?.__toneTimes ?? [];
  },

  openPcs: () => window.mediaTracker.openPcs(),
  liveTracks: () => window.mediaTracker.liveTracks(),

  /** The call events of `name` (optionally one call), in order. */
  callEvents(name, id) {
    return harness.events.filter((e) => e.phone === name && e.type === 'call' && (id === undefined || e.callId === id));
  },
};

window.addEventListener('error', (e) => harness.errors.push(String(e.error ?? e.message)));
window.addEventListener('unhandledrejection', (e) => harness.errors.push(String(e.reason)));
window.harness = harness;
initAsync().then(
  () => {
    harness.ready = true;
  },
  (e) => {
    harness.ready = `failed: ${e}`;
  },
);
