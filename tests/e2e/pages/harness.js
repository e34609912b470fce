// A small harness over the published entry (/pkg/index.js) for the end-to-end tests.
// The tests drive it with page.evaluate(); it records every event with a timestamp.
//
//   await harness.create('alice', config)   // -> instanceId; throws {name, field, message} on a bad config
//   harness.start('alice'); await harness.stop('alice'); harness.free('alice')
//   harness.events                           // [{phone, at, type, state, ...}] in delivery order
//   harness.errors                       // errors thrown by calls made from inside handlers
//   await harness.diagnose(config)           // the package's diagnose(), from this page's module

import { createSoftphone, diagnose, initAsync } from '/pkg/index.js';

const phones = new Map();

const harness = {
  ready: false,
  /** Every event of every phone: the event's own fields plus `phone` and `at` (performance.now()). */
  events: [],
  /** Errors thrown by calls made from handlers, uncaught errors and unhandled rejections. */
  errors: [],

  async create(name, config, { stopFromHandlerOn } = {}) {
    let phone;
    try {
      phone = await createSoftphone(config);
    } catch (e) {
      throw new Error(JSON.stringify({ name: e.name, field: e.field, message: e.message }));
    }
    phones.set(name, phone);
    for (const type of ['connection', 'registration', 'log']) {
      phone.on(type, (event) => {
        harness.events.push({ phone: name, at: performance.now(), ...event });
        // Calling back into the phone from a handler must work (no re-entrancy panic).
        if (stopFromHandlerOn && event.type === 'registration' && event.state === stopFromHandlerOn) {
          phone.stop().catch((err) => harness.errors.push(String(err)));
        }
      });
    }
    return phone.instanceId;
  },

  start(name) {
    phones.get(name).start();
  },

  async stop(name) {
    const t0 = performance.now();
    await phones.get(name).stop();
    return performance.now() - t0;
  },

  free(name) {
    phones.get(name)?.free();
    phones.delete(name);
  },

  /** The package's diagnose() (from the page's own module instance: a WebDriver script's import() may get another). */
  diagnose(config) {
    return diagnose(config);
  },

  /** The events of one phone and type, e.g. eventsOf('alice', 'registration'). */
  eventsOf(name, type) {
    return harness.events.filter((e) => e.phone === name && e.type === type);
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
