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
