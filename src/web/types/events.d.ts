/** Every event a `Softphone` delivers. */
export type SoftphoneEvent =
  | SoftphoneConnectionEvent
  | SoftphoneRegistrationEvent
  | SoftphoneLogEvent
  | SoftphoneCallEvent
  | SoftphoneQualityEvent
  | SoftphoneMessageEvent
  | SoftphoneSubscriptionEvent
  | SoftphoneMwiEvent
  | SoftphoneDevicesEvent;

/** The names accepted by `Softphone.on`. */
export type SoftphoneEventType = SoftphoneEvent['type'];

/** The events delivered for one type. */
export type SoftphoneEventOf<K extends SoftphoneEventType> = Extract<SoftphoneEvent, { type: K }>;

/** The names accepted by `call.on` (see `SoftphoneCallEventFor`). */
export type SoftphoneCallEventType =
  | 'state' | 'ended' | 'hold' | 'muted' | 'dtmf' | 'remoteStream'
  | 'transferRequested' | 'transferProgress' | 'quality' | 'event';

/**
 * The events `call.on(type)` delivers: `'state'` every change of `call.state` (`event` is
 * the new state), `'quality'` the call's quality warnings, `'event'` every call event,
 * and the others the call event of that name.
 */
export type SoftphoneCallEventFor<K extends SoftphoneCallEventType> =
  K extends 'state' ? Extract<SoftphoneCallEvent, { event: SoftphoneCallState }>
  : K extends 'quality' ? SoftphoneQualityEvent
  : K extends 'event' ? SoftphoneCallEvent
  : Extract<SoftphoneCallEvent, { event: K }>;

export interface SoftphoneCall {
  /**
   * Subscribes `handler` to this call's events of `type` and returns a function that
   * unsubscribes it. Handlers run after the call that caused the event has returned,
   * and are dropped after the call's `ended` event.
   */
  on<K extends SoftphoneCallEventType>(type: K, handler: (event: SoftphoneCallEventFor<K>) => void): () => void;
}

export interface Softphone {
  /**
   * Subscribes `handler` to events of `type` and returns a function that unsubscribes it.
   * Handlers run after the call that caused the event has returned.
   */
  on<K extends SoftphoneEventType>(type: K, handler: (event: SoftphoneEventOf<K>) => void): () => void;
  /**
   * Sends a MESSAGE (RFC 3428) to a SIP URI, user or number; resolves with its outcome.
   * Throws a `SoftphoneRequestError` for a bad target, type or header, or no connection.
   */
  sendMessage(target: string, body: string, options?: SoftphoneMessageOptions): Promise<SoftphoneMessageResult>;
  /**
   * Subscribes to an event package of `target`. Starts are paced (`subscribeRate`),
   * refreshed, and renewed after a reconnect by the phone itself.
   */
  subscribe(target: string, event: string, options?: SoftphoneSubscribeOptions): SoftphoneSubscription;
  /** A BLF lamp (the `dialog` package) for an extension. */
  blf(target: string): SoftphoneSubscription<SoftphoneBlfState>;
  /** BLF lamps for many extensions, started at the paced rate, in order. */
  watchBlf(targets: string[]): Array<SoftphoneSubscription<SoftphoneBlfState>>;
  /**
   * Voicemail (message-summary) of `target`, by default the phone's own address; also
   * fed by the summaries the PBX sends without a subscription.
   */
  mwi(target?: string): SoftphoneSubscription<SoftphoneMwiState>;
  /** Presence (PIDF) of `target`. */
  presence(target: string): SoftphoneSubscription<SoftphonePresenceState>;
  /** The live subscriptions made through this phone, oldest first. */
  subscriptions(): SoftphoneSubscription[];
}
