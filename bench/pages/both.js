// Helpers evaluated in benchmark pages that hold UAs of both stacks (bench/suites/*.mjs).
// Every timestamp is wall-clock ms (performance.timeOrigin + performance.now()), comparable
// with the node side's.
window.wall = () => performance.timeOrigin + performance.now();

window.loadScript = (src) => new Promise((resolve, reject) => {
  if (document.querySelector(`script[src="${src}"]`)) return resolve();
  const s = document.createElement('script');
  s.src = src;
  s.onload = resolve;
  s.onerror = () => reject(new Error(`cannot load ${src}`));
  document.head.appendChild(s);
});

/** A softphone-core UA whose registration events are logged with wall times. */
window.makeSoftphone = async (config) => {
  const { createSoftphone } = await import('/pkg/index.js');
  const phone = await createSoftphone(config);
  const ua = { stack: 'softphoneCore', phone, events: [], registered: false };
  phone.on('registration', (e) => {
    ua.events.push({ t: wall(), kind: 'registration', state: e.state });
    ua.registered = e.state === 'registered';
  });
  phone.on('connection', (e) => ua.events.push({ t: wall(), kind: 'connection', state: e.state }));
  ua.start = () => phone.start();
  ua.stop = async () => { await phone.stop(); phone.free(); };
  return ua;
};

/** A JsSIP UA (default configuration, as an app would make it) with the same event log. */
window.makeJssip = async ({ wsUri, uri, password }) => {
  await loadScript('/bench/dist/jssip.min.js');
  const jua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(wsUri)], uri, password, register: true });
  const ua = { stack: 'jssip', jua, events: [], registered: false };
  const note = (kind, state, extra = {}) => ua.events.push({ t: wall(), kind, state, ...extra });
  jua.on('registered', () => { note('registration', 'registered'); ua.registered = true; });
  jua.on('unregistered', () => { note('registration', 'unregistered'); ua.registered = false; });
  jua.on('registrationFailed', (e) => { note('registration', 'failed', { cause: e.cause }); ua.registered = false; });
  jua.on('connected', () => note('connection', 'connected'));
  jua.on('disconnected', () => { note('connection', 'disconnected'); ua.registered = false; });
  ua.start = () => jua.start();
  ua.stop = () => new Promise((res) => { jua.on('disconnected', res); jua.stop(); setTimeout(res, 3000); });
  return ua;
};

/** Waits until `pred()` is true, polling every `everyMs`; resolves false after timeoutMs. */
window.until = (pred, timeoutMs, everyMs = 5) => new Promise((resolve) => {
  const t0 = performance.now();
  const tick = () => {
    if (pred()) return resolve(true);
    if (performance.now() - t0 > timeoutMs) return resolve(false);
    setTimeout(tick, everyMs);
  };
  tick();
});

/**
 * Places one call with softphone-core and logs its events with wall times:
 * returns {t0, events: [{t, event}], id}. The call API is docs/js-call-api.md.
 */
window.placeSoftphoneCall = (phone, target) => {
  const rec = { t0: 0, events: [], id: null };
  const off = phone.on('call', (e) => {
    if (rec.id !== null && e.callId === rec.id) rec.events.push({ t: wall(), event: e.event, cause: e.cause });
  });
  rec.t0 = wall();
  const call = phone.call(target);
  rec.id = call.id;
  rec.call = call;
  rec.off = off;
  return rec;
};

/** The same with JsSIP (ua.call with its defaults: it sends the INVITE once gathering completes). */
window.placeJssipCall = (jua, target, pcConfig) => {
  const rec = { t0: 0, events: [], id: null };
  rec.t0 = wall();
  const session = jua.call(target, { mediaConstraints: { audio: true, video: false }, pcConfig });
  rec.session = session;
  const note = (event, extra = {}) => rec.events.push({ t: wall(), event, ...extra });
  session.on('sending', () => note('sending'));
  session.on('progress', (e) => note(e.response?.status_code === 180 ? 'ringing' : 'progress'));
  session.on('confirmed', () => note('connected'));
  session.on('ended', (e) => note('ended', { cause: e.cause }));
  session.on('failed', (e) => note('ended', { cause: e.cause }));
  return rec;
};

/** Makes softphone-core answer every incoming call at once. */
window.autoAnswer = (ua) => {
  ua.phone.on('call', (e) => {
    if (e.event === 'incoming') ua.phone.getCall(e.callId)?.answer();
  });
};

/** Makes a JsSIP UA answer every incoming call at once, with `pcConfig`; keeps the sessions. */
window.autoAnswerJssip = (ua, pcConfig) => {
  ua.sessions = [];
  ua.jua.on('newRTCSession', ({ session, originator }) => {
    if (originator !== 'remote') return;
    ua.sessions.push(session);
    session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig });
  });
};

/** Inbound audio packets of a JsSIP session's RTCPeerConnection (0 when none yet). */
window.jssipInboundPackets = async (session) => {
  const pc = session?.connection;
  if (!pc || pc.connectionState === 'closed') return 0;
  let n = 0;
  (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.packetsReceived; });
  return n;
};

/** Inbound audio packets of a softphone-core call (0 when none yet or ended). */
window.softphoneInboundPackets = async (call) => {
  try {
    return (await call.getStats()).inbound.packets;
  } catch {
    return 0;
  }
};

/** Linear memory of the package's wasm instance (every Softphone of the page shares it). */
window.wasmMemoryBytes = async () => {
  const glue = await import('/pkg/softphone_core.js');
  const exports = await glue.default(); // initialised already: returns the same instance's exports
  return exports.memory.buffer.byteLength;
};
