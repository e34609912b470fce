// The notifier and MESSAGE handling of the Asterisk-shaped peer (res_pjsip_pubsub with
// res_pjsip_exten_state, res_pjsip_mwi and res_pjsip_messaging), for BLF, MWI, presence and
// MESSAGE tests.
//
// Facts used, and where they come from:
// - Every request from an endpoint outside a dialog is challenged with 401 (TESTBED.md,
//   "OPTIONS to Asterisk ... challenged like any request"); SUBSCRIBE and MESSAGE included.
// - A SUBSCRIBE is answered 200 with Expires (the granted lifetime, between
//   `sub_min_expiry` 60 and the requested value) and Contact, then at once a NOTIFY with the
//   full state; NOTIFYs carry `Subscription-State: active;expires=<left>`, `Event`, Contact,
//   `Allow-Events` (RFC 6665 section 4.2; pjsip's evsub, which res_pjsip_pubsub drives).
// - dialog-info+xml bodies (asterisk/asterisk res/res_pjsip_dialog_info_body_generator.c,
//   read through the search tool): `version` counting up per subscription from 0,
//   `state="full"`, `entity` the watched AOR, one `<dialog id="<exten>">` whose `<state>` is
//   `terminated` (idle), `early` (ringing) or `confirmed` (in use / busy); on hold a
//   `<local><target uri=..><param pname="+sip.rendering" pvalue="no"/>`.
// - pidf+xml (res/res_pjsip_pidf_body_generator.c): a `<note>` (Ready, Ringing, On the phone,
//   On hold, Unavailable), one `<tuple id="<exten>">` with `<contact priority="1">` and
//   `<status><basic>open|closed</basic>`. The `dm:person` / `rpid:activities` element is added
//   by res_pjsip_pidf_eyebeam_body_supplement.c (`<rpid:on-the-phone/>` while in use, `away`
//   when unavailable): written here from that module's description, not read in full.
// - simple-message-summary (res_pjsip_mwi_body_generator.c and RFC 3842): `Messages-Waiting:
//   yes|no`, `Message-Account: <uri>`, `Voice-Message: new/old (urgent-new/urgent-old)`.
// - Unsolicited MWI (res_pjsip_mwi.c, an endpoint with `mailboxes=` and no subscription):
//   a NOTIFY out of any dialog (no To tag) to the registered contact, `Event: message-summary`,
//   `Subscription-State: active`. Not verified against a real Asterisk 18 here.
// - MESSAGE (res_pjsip_messaging.c): an authenticated MESSAGE to a registered extension is
//   answered `202 Accepted` and relayed to that extension's contact as a new MESSAGE (From the
//   sender, no authentication); unknown extensions get 404.
// - An unsubscribe (Expires: 0) gets 200 and a final NOTIFY `terminated` (pjsip's evsub; the
//   reason is left out here, as we could not confirm which one Asterisk writes); `shutdown()`
//   sends `terminated;reason=deactivated` (assumed for `core stop`).

import { addrUri, newTag, uriUser } from './sip.mjs';

const withoutTag = (value) => value.replace(/;\s*tag=[^;]*/i, '');

const MIN_EXPIRES = 60;
const STATES = {
  idle: { dialog: 'terminated', note: 'Ready', open: true, activity: null },
  ringing: { dialog: 'early', note: 'Ringing', open: true, activity: null },
  inuse: { dialog: 'confirmed', note: 'On the phone', open: true, activity: 'on-the-phone' },
  onhold: { dialog: 'confirmed', note: 'On hold', open: true, activity: 'on-the-phone', hold: true },
  unavailable: { dialog: 'terminated', note: 'Unavailable', open: false, activity: 'away' },
};
const CONTENT_TYPES = {
  dialog: 'application/dialog-info+xml',
  presence: 'application/pidf+xml',
  'message-summary': 'application/simple-message-summary',
};

/** The subscriptions and mailboxes of the Pbx; made by it. */
export class Notifier {
  constructor(pbx) {
    this.pbx = pbx;
    /** callId -> subscription */
    this.subs = new Map();
    /** extension -> state name (STATES) */
    this.extensions = new Map();
    /** user -> {new, old} */
    this.mailboxes = new Map();
    /** Every MESSAGE relayed: [{from, to, body, contentType, status}] */
    this.relayed = [];
  }

  /** A SUBSCRIBE from `flow`. */
  onSubscribe(flow, req) {
    const pbx = this.pbx;
    if (req.toTag) {
      const sub = this.subs.get(req.callId);
      if (!sub || sub.localTag !== req.toTag) return pbx.respond(flow, req, 481, 'Call/Transaction Does Not Exist');
      return this.accept(flow, req, sub);
    }
    const user = uriUser(addrUri(req.get('from') ?? ''));
    const verdict = pbx.auth.check(req, user);
    if (verdict !== 'ok') {
      return pbx.respond(flow, req, 401, 'Unauthorized', [['WWW-Authenticate', pbx.auth.challenge({ stale: verdict === 'stale' })]]);
    }
    const event = (req.get('event') ?? '').split(';')[0].trim().toLowerCase();
    if (!CONTENT_TYPES[event]) return pbx.respond(flow, req, 489, 'Bad Event', [['Allow-Events', Object.keys(CONTENT_TYPES).join(', ')]]);
    const resource = uriUser(req.uri) ?? '';
    const sub = {
      event,
      resource,
      user,
      flow,
      callId: req.callId,
      localTag: newTag(),
      remoteTag: req.fromTag,
      remote: req.get('from'),
      local: withoutTag(req.get('to')),
      target: req.contactUri,
      cseq: Math.floor(Math.random() * 10_000) + 1,
      version: 0,
      expiresAt: 0,
      timer: null,
    };
    this.subs.set(sub.callId, sub);
    return this.accept(flow, req, sub);
  }

  /** 200 to a SUBSCRIBE (initial, refresh or unsubscribe), then the NOTIFY it calls for. */
  accept(flow, req, sub) {
    const pbx = this.pbx;
    const asked = Number(req.get('expires') ?? 3600);
    if (asked > 0 && asked < MIN_EXPIRES) return pbx.respond(flow, req, 423, 'Interval Too Brief', [['Min-Expires', String(MIN_EXPIRES)]]);
    const expires = Math.max(0, asked);
    sub.flow = flow;
    pbx.respond(flow, req, 200, 'OK', [['Contact', pbx.contact], ['Expires', String(expires)]], { toTag: sub.localTag });
    pbx.clearTimer(sub.timer);
    if (expires === 0) {
      this.subs.delete(sub.callId);
      return this.notify(sub, 'terminated');
    }
    sub.expiresAt = Date.now() + expires * 1000;
    sub.timer = pbx.setTimer(() => {
      this.subs.delete(sub.callId);
      this.notify(sub, 'terminated;reason=timeout');
    }, expires * 1000);
    return this.notify(sub);
  }

  /** Sends the subscription's NOTIFY with the current state; resolves with its answer. */
  notify(sub, state) {
    const pbx = this.pbx;
    const left = Math.max(0, Math.round((sub.expiresAt - Date.now()) / 1000));
    const subState = state ?? `active;expires=${left}`;
    const body = subState.startsWith('terminated') ? '' : this.body(sub);
    sub.cseq += 1;
    return pbx.request(sub.flow, {
      method: 'NOTIFY',
      uri: sub.target,
      headers: [
        ['From', `${sub.local};tag=${sub.localTag}`],
        ['To', sub.remote],
        ['Contact', pbx.contact],
        ['Call-ID', sub.callId],
        ['CSeq', `${sub.cseq} NOTIFY`],
        ['Event', sub.event],
        ['Subscription-State', subState],
        ['Allow-Events', 'presence, dialog, message-summary, refer'],
        ['Max-Forwards', '70'],
      ],
      body,
      contentType: CONTENT_TYPES[sub.event],
    }).done;
  }

  /** The body of a NOTIFY for `sub`, its version counting up for dialog-info. */
  body(sub) {
    const host = '127.0.0.1';
    const entity = `sip:${sub.resource}@${host}`;
    const state = STATES[this.extensions.get(sub.resource) ?? 'idle'];
    if (sub.event === 'dialog') {
      const hold = state.hold
        ? `  <local>\n   <target uri="${entity}">\n    <param pname="+sip.rendering" pvalue="no"/>\n   </target>\n  </local>\n`
        : '';
      return (
        `<?xml version="1.0" encoding="UTF-8"?>\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${sub.version++}" ` +
        `state="full" entity="${entity}">\n <dialog id="${sub.resource}">\n  <state>${state.dialog}</state>\n${hold} </dialog>\n</dialog-info>\n`
      );
    }
    if (sub.event === 'presence') {
      const person = state.activity ? ` <dm:person>\n  <rpid:activities>\n   <rpid:${state.activity}/>\n  </rpid:activities>\n </dm:person>\n` : '';
      return (
        `<?xml version="1.0" encoding="UTF-8"?>\n<presence entity="${entity}" xmlns="urn:ietf:params:xml:ns:pidf" ` +
        `xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">\n <note>${state.note}</note>\n` +
        ` <tuple id="${sub.resource}">\n  <status>\n   <basic>${state.open ? 'open' : 'closed'}</basic>\n  </status>\n` +
        `  <contact priority="1">${entity}</contact>\n </tuple>\n${person}</presence>\n`
      );
    }
    return summary(this.mailboxes.get(sub.resource) ?? { new: 0, old: 0 }, sub.resource);
  }

  /** Sets extension `ext` to a state of STATES and notifies its dialog and presence watchers. */
  setState(ext, state) {
    this.extensions.set(ext, state);
    return Promise.all([...this.subs.values()].filter((s) => s.resource === ext && s.event !== 'message-summary').map((s) => this.notify(s)));
  }

  /** Sets `user`'s mailbox and notifies its message-summary watchers. */
  setMailbox(user, counts) {
    this.mailboxes.set(user, counts);
    return Promise.all([...this.subs.values()].filter((s) => s.resource === user && s.event === 'message-summary').map((s) => this.notify(s)));
  }

  /** An MWI NOTIFY out of any dialog to `user`'s registered contact (no subscription). */
  unsolicitedMwi(user, counts) {
    const pbx = this.pbx;
    const binding = pbx.registrar.lookup(user);
    if (!binding) throw new Error(`${user} is not registered`);
    const aor = `sip:${user}@127.0.0.1`;
    return pbx.request(binding.flow, {
      method: 'NOTIFY',
      uri: binding.contact,
      headers: [
        ['From', `<sip:asterisk@127.0.0.1>;tag=${newTag()}`],
        ['To', `<${aor}>`],
        ['Contact', pbx.contact],
        ['Call-ID', newTag()],
        ['CSeq', '1 NOTIFY'],
        ['Event', 'message-summary'],
        ['Subscription-State', 'active'],
        ['Max-Forwards', '70'],
      ],
      body: summary(counts, user),
      contentType: CONTENT_TYPES['message-summary'],
    }).done;
  }

  /** `core stop`: every subscription ends with `reason`. */
  shutdown(reason = 'deactivated') {
    const all = [...this.subs.values()];
    this.subs.clear();
    return Promise.all(all.map((s) => (this.pbx.clearTimer(s.timer), this.notify(s, `terminated;reason=${reason}`))));
  }

  /** A MESSAGE from an endpoint: challenged, then 202 and relayed to the target's contact. */
  onMessage(flow, req) {
    const pbx = this.pbx;
    const user = uriUser(addrUri(req.get('from') ?? ''));
    const verdict = pbx.auth.check(req, user);
    if (verdict !== 'ok') {
      return pbx.respond(flow, req, 401, 'Unauthorized', [['WWW-Authenticate', pbx.auth.challenge({ stale: verdict === 'stale' })]]);
    }
    const target = uriUser(req.uri);
    const binding = target && pbx.registrar.lookup(target);
    if (!binding) return pbx.respond(flow, req, 404, 'Not Found');
    pbx.respond(flow, req, 202, 'Accepted');
    const record = { from: user, to: target, body: req.body, contentType: req.get('content-type'), status: null };
    this.relayed.push(record);
    pbx
      .request(binding.flow, {
        method: 'MESSAGE',
        uri: binding.contact,
        headers: [
          ['From', `"${pbx.nameOf(user)}" <sip:${user}@127.0.0.1>;tag=${newTag()}`],
          ['To', `<sip:${target}@127.0.0.1>`],
          ['Call-ID', newTag()],
          ['CSeq', '1 MESSAGE'],
          ['Max-Forwards', '70'],
        ],
        body: req.body,
        contentType: req.get('content-type'),
      })
      .done.then((answer) => (record.status = answer.status));
  }

  /** The live subscriptions: [{event, resource, user, expiresAt}]. */
  list() {
    return [...this.subs.values()].map(({ event, resource, user, expiresAt }) => ({ event, resource, user, expiresAt }));
  }

  /** Restart: all subscriptions are forgotten (timers were cleared by the Pbx). */
  forget() {
    this.subs.clear();
  }
}

function summary(counts, user) {
  return (
    `Messages-Waiting: ${counts.new > 0 ? 'yes' : 'no'}\r\nMessage-Account: sip:${user}@127.0.0.1\r\n` +
    `Voice-Message: ${counts.new}/${counts.old} (${counts.newUrgent ?? 0}/${counts.oldUrgent ?? 0})\r\n`
  );
}
