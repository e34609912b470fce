// The registrar of the Asterisk-shaped peer (res_pjsip_registrar with FreePBX's AOR settings:
// max_contacts=1, remove_existing=yes, minimum_expiration=60, maximum_expiration=7200) and its
// qualify (the AOR's `qualify_frequency`: OPTIONS to each registered contact).
//
// Every REGISTER is challenged, the unregister (`Expires: 0`) too. The 200 lists the binding as
// Asterisk does: the contact URI with its transport parameter written as the transport's type
// name (`transport=WS`, upper case, for a ws contact), `;expires=` the seconds left (599 right
// after a 600 s binding), and `Expires:` the granted interval. A WebSocket contact is removed
// when its socket closes.

import { addrUri, newTag, uriUser } from './sip.mjs';

const MIN_EXPIRES = 60;
const MAX_EXPIRES = 7200;
const DEFAULT_EXPIRES = 3600;

/** Writes a contact URI's transport parameter the way Asterisk lists it: `transport=WS`. */
function asteriskContactUri(uri) {
  return uri.replace(/;transport=ws(?=;|$)/i, ';transport=WS');
}

/** The PBX's AORs: one binding per user, with qualify; made by the Pbx. */
export class Registrar {
  constructor(pbx) {
    this.pbx = pbx;
    /** user -> {user, contact, flow, expiresAt, timer, qualify} */
    this.bindings = new Map();
    /** Every qualify OPTIONS and its answer: [{user, at, status, rttMs, contact}] */
    this.qualifies = [];
  }

  list() {
    return [...this.bindings.values()].map(({ user, contact, expiresAt, flow }) => ({ user, contact, expiresAt, flow: flow.id }));
  }

  /** The binding of `user`, if registered and its flow is open. */
  lookup(user) {
    const b = this.bindings.get(user);
    return b && b.flow.open ? b : undefined;
  }

  onRegister(flow, req) {
    const pbx = this.pbx;
    const user = uriUser(addrUri(req.get('from') ?? '')) ?? uriUser(addrUri(req.get('to') ?? ''));
    const verdict = pbx.auth.check(req, user);
    if (verdict !== 'ok') {
      return pbx.respond(flow, req, 401, 'Unauthorized', [['WWW-Authenticate', pbx.auth.challenge({ stale: verdict === 'stale' })]]);
    }
    const contacts = req.all('contact');
    const headerExpires = req.get('expires');
    if (contacts.length === 1 && contacts[0].trim() === '*') {
      if (headerExpires?.trim() !== '0') return pbx.respond(flow, req, 400, 'Bad Request');
      this.remove(user, 'unregistered');
      return pbx.respond(flow, req, 200, 'OK', [['Date', new Date().toUTCString()]]);
    }
    for (const c of contacts) {
      const uri = addrUri(c);
      const param = /;\s*expires=(\d+)/i.exec(c.slice(c.lastIndexOf('>') + 1))?.[1];
      const asked = Number(param ?? headerExpires ?? DEFAULT_EXPIRES);
      if (asked === 0) {
        const b = this.bindings.get(user);
        if (b && b.contact === uri) this.remove(user, 'unregistered');
        continue;
      }
      if (asked < MIN_EXPIRES) {
        return pbx.respond(flow, req, 423, 'Interval Too Brief', [['Min-Expires', String(MIN_EXPIRES)]]);
      }
      const granted = Math.min(asked, MAX_EXPIRES);
      // max_contacts=1, remove_existing=yes: a new contact replaces the old one.
      const old = this.bindings.get(user);
      if (old) pbx.clearTimer(old.timer), pbx.clearTimer(old.qualify);
      const binding = { user, contact: uri, flow, granted, expiresAt: Date.now() + granted * 1000 };
      binding.timer = pbx.setTimer(() => this.remove(user, 'expired'), granted * 1000);
      this.bindings.set(user, binding);
      pbx.emit('registered', { user, contact: uri });
    }
    const headers = [['Date', new Date().toUTCString()]];
    const b = this.bindings.get(user);
    if (b) {
      const left = Math.max(0, Math.ceil((b.expiresAt - Date.now()) / 1000) - 1);
      headers.push(['Contact', `<${asteriskContactUri(b.contact)}>;expires=${left}`], ['Expires', String(b.granted)]);
    }
    pbx.respond(flow, req, 200, 'OK', headers);
    if (b && b.flow === flow && pbx.options.qualifyFrequency > 0) this.qualify(b);
  }

  /** Sends a qualify OPTIONS to the binding now and again every qualifyFrequency seconds. */
  qualify(b) {
    const pbx = this.pbx;
    pbx.clearTimer(b.qualify);
    const sentAt = Date.now();
    const { done } = pbx.request(b.flow, {
      method: 'OPTIONS',
      uri: b.contact,
      headers: [
        ['From', `<sip:asterisk@${pbx.options.hostname}>;tag=${newTag()}`],
        ['To', `<${b.contact}>`],
        ['Contact', pbx.contact],
        ['Call-ID', newTag()],
        ['CSeq', `${Math.floor(Math.random() * 60000) + 1000} OPTIONS`],
        ['Max-Forwards', '70'],
      ],
    });
    const epoch = pbx.epoch;
    done.then((res) => {
      if (epoch !== pbx.epoch) return;
      this.qualifies.push({ user: b.user, at: sentAt, status: res.status, rttMs: Date.now() - sentAt, contact: b.contact });
    });
    b.qualify = pbx.setTimer(() => {
      if (this.bindings.get(b.user) === b) this.qualify(b);
    }, pbx.options.qualifyFrequency * 1000);
  }

  remove(user, why) {
    const b = this.bindings.get(user);
    if (!b) return;
    this.pbx.clearTimer(b.timer);
    this.pbx.clearTimer(b.qualify);
    this.bindings.delete(user);
    this.pbx.emit('unregistered', { user, contact: b.contact, why });
  }

  /** A WebSocket closed: its contacts go. */
  flowClosed(flow) {
    for (const b of [...this.bindings.values()]) if (b.flow === flow) this.remove(b.user, 'flow closed');
  }

  /** Restart: every binding is forgotten (no timers: the PBX cleared them). */
  forget() {
    this.bindings.clear();
  }
}

