// The connectivity harness: diagnose(), and phones with calls whose every event (quality and
// log included) is recorded with a timestamp. Driven by tests/e2e/diagnose.test.mjs and
// tests/e2e/connectivity.test.mjs through window.connectivity.
//
//   await connectivity.diagnose(config)            // the package-level diagnose()
//   await connectivity.create('alice', config); connectivity.start('alice')
//   connectivity.call('alice', 'bob') -> {id, at} | {error}
//   connectivity.act('bob', id, 'answer') -> {ok} | {error}
//   await connectivity.stats('alice', id); await connectivity.phoneDiagnose('alice')
//   connectivity.events -> [{phone, at, type, ...}]

import { createSoftphone, initAsync } from '/pkg/index.js';

const phones = new Map();
const errorInfo = (e) => ({ name: e?.name, code: e?.code, message: String(e?.message ?? e) });

const connectivity = {
  ready: false,
  events: [],
  errors: [],

  async create(name, config) {
    try {
      const phone = await createSoftphone(config);
      phones.set(name, phone);
      for (const type of ['connection', 'registration', 'call', 'quality', 'log']) {
        phone.on(type, (event) => connectivity.events.push({ phone: name, at: performance.now(), ...event }));
      }
      return { ok: true };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },
  start: (name) => phones.get(name).start(),
  async stop(name) {
    await phones.get(name)?.stop();
  },
  free(name) {
    phones.get(name)?.free();
    phones.delete(name);
  },
  call(name, target, options) {
    const at = performance.now();
    try {
      const call = phones.get(name).call(target, options);
      return { id: call.id, at };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },
  act(name, id, method, ...args) {
    const call = phones.get(name)?.getCall(id);
    if (!call) return { error: { code: 'noCallHandle' } };
    try {
      call[method](...args);
      return { ok: true };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },
  state(name, id) {
    return phones.get(name)?.getCall(id)?.state ?? 'gone';
  },
  async stats(name, id) {
    const call = phones.get(name)?.getCall(id);
    if (!call) return { error: { code: 'noCallHandle' } };
    try {
      return await call.getStats();
    } catch (e) {
      return { error: errorInfo(e) };
    }
  },
  phoneDiagnose: (name, options) => phones.get(name).diagnose(options),
  eventsOf: (name, type) => connectivity.events.filter((e) => e.phone === name && e.type === type),
};

window.addEventListener('error', (e) => connectivity.errors.push(String(e.error ?? e.message)));
window.addEventListener('unhandledrejection', (e) => connectivity.errors.push(String(e.reason)));
window.connectivity = connectivity;
initAsync()
  .then(() => import('/pkg/softphone_core.js'))
  .then((glue) => {
    connectivity.diagnose = (config) => glue.diagnose(config);
    connectivity.ready = true;
  })
  .catch((e) => {
    connectivity.ready = `failed: ${e}`;
  });
