// @ts-check
// softphone-core: a subscription handle, as the entry's phone.subscribe() returns it.

/**
 * @typedef {import('./softphone_core.js').SoftphoneSubscriptionEvent} SoftphoneSubscriptionEvent
 * @typedef {import('./softphone_core.js').SoftphoneSubscriptionStatus} SoftphoneSubscriptionStatus
 * @typedef {import('./softphone_core.js').SoftphoneNotifyBody} SoftphoneNotifyBody
 */

/**
 * One subscription as the application holds it: the latest status and NOTIFY body the
 * phone reported, and its own event handlers. It decides nothing: pacing, refreshes,
 * retries and the lamp are the core's; this keeps what the events said.
 */
export class Subscription {
  /** @type {Set<(event: SoftphoneSubscriptionEvent) => void>} */
  #handlers = new Set();
  /** @type {SoftphoneSubscriptionStatus} */
  #status = 'subscribing';
  /** @type {SoftphoneNotifyBody | null} */
  #state = null;
  /** @type {(id: number) => void} */
  #unsubscribe;

  /**
   * @param {number} id
   * @param {string} target
   * @param {string} event
   * @param {(id: number) => void} unsubscribe
   */
  constructor(id, target, event, unsubscribe) {
    this.id = id;
    this.target = target;
    this.event = event;
    this.#unsubscribe = unsubscribe;
    Object.freeze(this);
  }

  get status() {
    return this.#status;
  }

  get state() {
    return this.#state;
  }

  /**
   * @param {(event: SoftphoneSubscriptionEvent) => void} handler
   * @returns {() => void}
   */
  on(handler) {
    if (typeof handler !== 'function') throw new TypeError('the handler must be a function');
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  unsubscribe() {
    if (this.#status !== 'ended') this.#unsubscribe(this.id);
  }

  /**
   * Takes one `subscription` event (or the body of an unsolicited `mwi` one).
   * @param {SoftphoneSubscriptionEvent} event
   */
  deliver(event) {
    if (event.event === 'state') this.#status = event.state;
    else if (event.event === 'notify') this.#state = event.body;
    else if (event.event === 'interrupted') this.#status = 'interrupted';
    else if (event.event === 'ended') this.#status = 'ended';
    for (const handler of [...this.#handlers]) {
      try {
        handler(event);
      } catch (e) {
        console.error('[softphone] a subscription handler threw:', e);
      }
    }
  }
}
