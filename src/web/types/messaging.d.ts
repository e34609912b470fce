/** Options of `phone.sendMessage()`. */
export interface SoftphoneMessageOptions {
  /** The body's media type. Default `'text/plain'`. */
  contentType?: string;
  /** Extra headers; no CR, LF or NUL, and none the stack writes (Call-ID, Content-Type...; Expires is allowed). */
  headers?: Record<string, string>;
}

/** What `phone.sendMessage()` resolves to: any 2xx is delivered (Asterisk answers 202). */
export type SoftphoneMessageResult =
  | { delivered: true; messageId: number; status: number }
  /** Refused, timed out (408) or lost with the connection (503). */
  | { delivered: false; messageId: number; status: number; reason: string };

/** An outgoing MESSAGE's outcome, or a MESSAGE received (already answered 200). */
export type SoftphoneMessageEvent =
  | { type: 'message'; event: 'delivered'; messageId: number; status: number }
  | { type: 'message'; event: 'failed'; messageId: number; status: number; reason: string }
  | {
      type: 'message';
      event: 'received';
      from: string;
      displayName?: string;
      to: string;
      contentType: string;
      body: string;
      /** Every header of the request, in order, as `[name, value]`. */
      headers: Array<[string, string]>;
    };

/** One `<dialog>` of a dialog-info (BLF) NOTIFY. */
export interface SoftphoneBlfDialog {
  id: string;
  /** `trying`, `proceeding`, `early`, `confirmed` or `terminated`. */
  state: string;
  /** `initiator` (the watched party called) or `recipient` (it is being called). */
  direction?: string;
  remoteIdentity?: string;
  remoteDisplayName?: string;
  onHold: boolean;
}

/** A BLF lamp: idle, ringing (a dialog is early) or busy (a dialog is confirmed). */
export type SoftphoneLamp = 'idle' | 'ringing' | 'busy';

/** A dialog-info document (RFC 4235), merged with the earlier partial ones. */
export interface SoftphoneBlfState {
  kind: 'dialog';
  lamp: SoftphoneLamp;
  entity: string;
  version: number;
  full: boolean;
  dialogs: SoftphoneBlfDialog[];
  /** The other party of the dialog that lights the lamp, when the PBX says. */
  remoteIdentity?: string;
  remoteDisplayName?: string;
  onHold?: boolean;
}

/** A message summary (RFC 3842): voicemail counts. */
export interface SoftphoneMwiState {
  kind: 'messageSummary';
  waiting: boolean;
  account?: string;
  newMessages: number;
  oldMessages: number;
  newUrgent: number;
  oldUrgent: number;
}

/** A presence document (RFC 3863) with the RPID activities Asterisk sends. */
export interface SoftphonePresenceState {
  kind: 'presence';
  entity: string;
  /** Any tuple's basic status is `open`. */
  open: boolean;
  notes: string[];
  /** `on-the-phone`, `away`, `busy`... */
  activities: string[];
}

/** The body of a NOTIFY. */
export type SoftphoneNotifyBody =
  | SoftphoneBlfState
  | SoftphoneMwiState
  | SoftphonePresenceState
  | { kind: 'other'; contentType: string; body: string }
  /** A body of a known type that did not parse (the NOTIFY was still answered 200). */
  | { kind: 'malformed'; contentType: string; reason: string };

/** Something that happened to a subscription; `subscriptionId` is `subscription.id`. */
export type SoftphoneSubscriptionEvent = { type: 'subscription'; subscriptionId: number } & (
  | { event: 'state'; state: 'pending' | 'active'; expires: number }
  | { event: 'notify'; body: SoftphoneNotifyBody }
  /** Down for now; the phone subscribes again by itself (after `retryInMs`, or once reconnected). */
  | { event: 'interrupted'; status?: number; reason: string; retryInMs?: number }
  /** Over for good: unsubscribed, stopped, or refused. */
  | { event: 'ended'; status?: number; reason: string }
);

/** A message summary the PBX sent with no subscription (Asterisk does, for a mailbox). */
export type SoftphoneMwiEvent = { type: 'mwi' } & SoftphoneMwiState;

/** Options of `phone.subscribe()`. */
export interface SoftphoneSubscribeOptions {
  /** Media types for `Accept`; default the package's usual one. */
  accept?: string | string[];
  /** Requested lifetime in seconds. Default `subscribeExpires`. */
  expires?: number;
  /** Extra headers; no CR, LF or NUL, and none the stack writes (Event, Expires, Accept, Call-ID...). */
  headers?: Record<string, string>;
}

/** A subscription's status. */
export type SoftphoneSubscriptionStatus = 'subscribing' | 'pending' | 'active' | 'interrupted' | 'ended';

/** A live subscription, with the latest state it was told. */
export interface SoftphoneSubscription<B extends SoftphoneNotifyBody = SoftphoneNotifyBody> {
  readonly id: number;
  readonly target: string;
  /** The event package: `dialog`, `message-summary`, `presence`... */
  readonly event: string;
  readonly status: SoftphoneSubscriptionStatus;
  /** The latest NOTIFY body, `null` before the first. */
  readonly state: B | null;
  /** Calls `handler` with this subscription's events; returns a function that stops it. */
  on(handler: (event: SoftphoneSubscriptionEvent) => void): () => void;
  /** Unsubscribes (`Expires: 0`); an `ended` event follows. */
  unsubscribe(): void;
}

/** The `code` of a `SoftphoneRequestError`. */
export type SoftphoneRequestErrorCode =
  | 'invalidTarget' | 'invalidValue' | 'notConnected' | 'noSuchSubscription';
