// A minimal SIP-over-WebSocket user agent in node: the neutral far end of the call-setup
// benchmark. It registers one account with Kamailio (digest MD5, qop=auth), and for every
// INVITE routed to it: timestamps the arrival of the bytes (Date-based clock, the same one
// the page's `performance.timeOrigin + performance.now()` uses), keeps the raw request (the
// offer is checked for a relay candidate), answers 180 Ringing at once, then 486 Busy Here
// after `busyAfterMs` (or 487 when a CANCEL comes first). It never answers 200, so the
// caller's media stack never starts: only signalling is timed.
//
//   const ua = await SipWsUa.register({ wsUri, user, password, domain });
//   const invite = await ua.nextInvite(timeoutMs);   // {at, raw, callId}
//   await ua.close();

import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

const md5 = (s) => createHash('md5').update(s).digest('hex');
const rand = (n = 8) => randomBytes(n).toString('hex');
/** Wall-clock ms with sub-ms precision, comparable with a page's timeOrigin + now(). */
export const wallNow = () => performance.timeOrigin + performance.now();

/** Parses a SIP message into {startLine, headers: [[lowercase name, value]], body}. */
export function parseSip(text) {
  const sep = text.indexOf('\r\n\r\n');
  const head = sep < 0 ? text : text.slice(0, sep);
  const body = sep < 0 ? '' : text.slice(sep + 4);
  const lines = head.split('\r\n');
  const headers = [];
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && headers.length) {
      headers[headers.length - 1][1] += ' ' + line.trim();
      continue;
    }
    const i = line.indexOf(':');
    if (i > 0) headers.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
  }
  const compact = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };
  for (const h of headers) h[0] = compact[h[0]] ?? h[0];
  const start = lines[0];
  const res = /^SIP\/2\.0 (\d{3})/.exec(start);
  return {
    startLine: start,
    status: res ? Number(res[1]) : undefined,
    method: res ? undefined : start.split(' ')[0],
    headers,
    body,
    all: (n) => headers.filter(([k]) => k === n).map(([, v]) => v),
    get: (n) => headers.find(([k]) => k === n)?.[1],
  };
}

function digestParams(value) {
  const out = {};
  for (const m of value.replace(/^Digest\s+/i, '').matchAll(/(\w+)=("([^"]*)"|[^,\s]*)/g)) out[m[1].toLowerCase()] = m[3] ?? m[2];
  return out;
}

export class SipWsUa {
  /**
   * Connects and registers; resolves once registered.
   * @param {{wsUri: string, user: string, password: string, domain: string, busyAfterMs?: number}} o
   */
  static async register(o) {
    const ua = new SipWsUa(o);
    await ua.#open();
    await ua.#register();
    return ua;
  }

  constructor({ wsUri, user, password, domain, busyAfterMs = 300 }) {
    Object.assign(this, { wsUri, user, password, domain, busyAfterMs });
    this.host = `${rand(5)}.invalid`;
    this.invites = [];
    this.waiters = [];
    this.pending = new Map(); // Call-ID of our REGISTER -> resolver
    this.cseq = 1;
    this.callId = rand(12);
    this.tag = rand(5);
    this.timers = new Set();
  }

  #open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.wsUri, 'sip');
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
      this.ws.on('message', (data) => this.#onMessage(data.toString(), wallNow()));
    });
  }

  #send(text) {
    this.ws.send(text);
  }

  #registerRequest(auth) {
    const branch = `z9hG4bK${rand(8)}`;
    return [
      `REGISTER sip:${this.domain} SIP/2.0`,
      `Via: SIP/2.0/WS ${this.host};branch=${branch}`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${this.domain}>;tag=${this.tag}`,
      `To: <sip:${this.user}@${this.domain}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq++} REGISTER`,
      `Contact: <sip:${this.user}@${this.host};transport=ws>;expires=600`,
      ...(auth ? [`Authorization: ${auth}`] : []),
      'User-Agent: softphone-core-bench-far-end',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  async #register() {
    let auth;
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('REGISTER: no answer in 5 s')), 5000);
        this.pending.set(this.callId, (m) => { clearTimeout(t); resolve(m); });
        this.#send(this.#registerRequest(auth));
      });
      if (reply.status === 200) return;
      if (reply.status !== 401) throw new Error(`REGISTER: ${reply.startLine}`);
      const c = digestParams(reply.get('www-authenticate'));
      const uri = `sip:${this.domain}`;
      const cnonce = rand(6);
      const nc = '00000001';
      const ha1 = md5(`${this.user}:${c.realm}:${this.password}`);
      const ha2 = md5(`REGISTER:${uri}`);
      const response = md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
      auth = `Digest username="${this.user}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", response="${response}", algorithm=MD5, cnonce="${cnonce}", qop=auth, nc=${nc}`;
    }
    throw new Error('REGISTER: still challenged');
  }

  #reply(req, status, reason, { toTag, extra = [] } = {}) {
    const to = req.get('to');
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...req.all('via').map((v) => `Via: ${v}`),
      ...req.all('record-route').map((v) => `Record-Route: ${v}`),
      `From: ${req.get('from')}`,
      `To: ${toTag && !/;tag=/.test(to) ? `${to};tag=${toTag}` : to}`,
      `Call-ID: ${req.get('call-id')}`,
      `CSeq: ${req.get('cseq')}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ];
    this.#send(lines.join('\r\n'));
  }

  #onMessage(text, at) {
    if (text === '\r\n' || text === '\r\n\r\n') return;
    const m = parseSip(text);
    if (m.status !== undefined) {
      const done = this.pending.get(m.get('call-id'));
      if (done && m.status >= 200) {
        this.pending.delete(m.get('call-id'));
        done(m);
      }
      return;
    }
    switch (m.method) {
      case 'INVITE': {
        const callId = m.get('call-id');
        const cseq = m.get('cseq');
        // A retransmission (same Call-ID and CSeq) is not a new INVITE.
        if (this.invites.some((i) => i.callId === callId && i.cseq === cseq)) return;
        const toTag = rand(5);
        const invite = { at, raw: text, callId, cseq, req: m, toTag, finished: false };
        this.invites.push(invite);
        this.#reply(m, 180, 'Ringing', { toTag, extra: [`Contact: <sip:${this.user}@${this.host};transport=ws>`] });
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!invite.finished) {
            invite.finished = true;
            this.#reply(m, 486, 'Busy Here', { toTag });
          }
        }, this.busyAfterMs);
        this.timers.add(t);
        const w = this.waiters.shift();
        if (w) w(invite);
        break;
      }
      case 'CANCEL': {
        this.#reply(m, 200, 'OK');
        const invite = this.invites.find((i) => i.callId === m.get('call-id'));
        if (invite && !invite.finished) {
          invite.finished = true;
          this.#reply(invite.req, 487, 'Request Terminated', { toTag: invite.toTag });
        }
        break;
      }
      case 'ACK':
        break;
      case 'OPTIONS':
      case 'BYE':
        this.#reply(m, 200, 'OK');
        break;
      default:
        this.#reply(m, 405, 'Method Not Allowed');
    }
  }

  /** The next INVITE not yet taken, or one that arrives within timeoutMs (else null). */
  nextInvite(timeoutMs) {
    const unseen = this.invites.find((i) => !i.taken);
    if (unseen) {
      unseen.taken = true;
      return Promise.resolve(unseen);
    }
    return new Promise((resolve) => {
      const w = (inv) => {
        clearTimeout(t);
        inv.taken = true;
        resolve(inv);
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(null);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async close() {
    for (const t of this.timers) clearTimeout(t);
    this.ws?.close();
  }
}
