// A bare SIP-over-WebSocket user agent in Node, for testing the Asterisk-shaped peer itself
// (tests/e2e/asterisk-peer.test.mjs): it writes exactly the requests a test gives it, so a test
// can send what a buggy client sends (an UPDATE or NOTIFY without Contact) and check that the
// peer answers as Asterisk does. It answers digest challenges and keeps every message.

import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { parseDigest } from './digest.mjs';
import { parseSip, responseHeaders, writeSip } from './sip.mjs';

const md5 = (s) => createHash('md5').update(s).digest('hex');
const token = () => randomBytes(6).toString('hex');

/** One bare UA: `await ua.open(); await ua.register(); await ua.request({...})`. */
export class RawUa {
  /**
   * @param {string} wsUri
   * @param {string} user
   * @param {string} password
   */
  constructor(wsUri, user, password) {
    this.wsUri = wsUri;
    this.user = user;
    this.password = password;
    this.contact = `sip:${token()}@${token()}.invalid;transport=ws`;
    this.aor = `sip:${user}@127.0.0.1`;
    /** @type {{dir: 'in'|'out', msg: import('./sip.mjs').SipMessage}[]} */
    this.messages = [];
    this.waiters = new Set();
    this.seq = 1;
    /** The From tag of every request (one dialog per UA is enough for these tests). */
    this.tag = token();
    /** Called with each request received; by default answered 200 (with Contact for INVITE/UPDATE). */
    this.onRequest = (msg) => this.answer(msg, 200, 'OK', msg.method === 'INVITE' || msg.method === 'UPDATE' ? [['Contact', `<${this.contact}>`]] : []);
  }

  open() {
    this.ws = new WebSocket(this.wsUri, 'sip');
    this.ws.on('message', (data) => {
      const msg = parseSip(data.toString());
      if (!msg) return;
      this.messages.push({ dir: 'in', msg });
      if (msg.isRequest && msg.method !== 'ACK') this.onRequest(msg);
      for (const w of [...this.waiters]) if (w.predicate(msg)) (this.waiters.delete(w), clearTimeout(w.timer), w.resolve(msg));
    });
    this.ws.on('error', () => {});
    return new Promise((resolve, reject) => (this.ws.once('open', resolve), this.ws.once('close', reject)));
  }

  close() {
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters.clear();
    this.ws?.terminate();
  }

  /** Resolves with the next received message matching `predicate` (or one already received after `since`). */
  next(predicate, { timeout = 5000 } = {}) {
    return new Promise((resolve, reject) => {
      const w = { predicate, resolve };
      w.timer = setTimeout(() => (this.waiters.delete(w), reject(new Error(`${this.user}: no matching message in ${timeout} ms`))), timeout);
      this.waiters.add(w);
    });
  }

  send(text) {
    this.messages.push({ dir: 'out', msg: parseSip(text) });
    this.ws.send(text);
  }

  /** Answers request `msg`. */
  answer(msg, status, reason, headers = [], options = {}) {
    this.send(writeSip(`SIP/2.0 ${status} ${reason}`, [...responseHeaders(msg, this.tag), ...headers], options));
  }

  /**
   * Sends a request and resolves with its final response, answering one 401 with credentials.
   * @param {{method: string, uri: string, headers?: [string, string][], body?: string, contentType?: string,
   *   callId?: string, from?: string, to?: string, seq?: number}} r
   */
  async request(r) {
    const callId = r.callId ?? token();
    const seq = r.seq ?? (this.seq += 2);
    let auth = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const branch = `z9hG4bK${token()}`;
      const headers = [
        ['Via', `SIP/2.0/WS ${token()}.invalid;branch=${branch}`],
        ['Max-Forwards', '70'],
        ['From', r.from ?? `<${this.aor}>;tag=${this.tag}`],
        ['To', r.to ?? `<${r.uri}>`],
        ['Call-ID', callId],
        ['CSeq', `${seq + attempt} ${r.method}`],
        ...auth,
        ...(r.headers ?? []),
      ];
      const answered = this.next((m) => !m.isRequest && m.branch === branch && m.status >= 200);
      this.send(writeSip(`${r.method} ${r.uri} SIP/2.0`, headers, { body: r.body, contentType: r.contentType }));
      const res = await answered;
      if (r.method === 'INVITE' && res.status >= 300) {
        this.send(writeSip(`ACK ${r.uri} SIP/2.0`, [headers[0], headers[1], headers[2], ['To', res.get('to')], headers[4], ['CSeq', `${seq + attempt} ACK`]]));
      }
      if (res.status !== 401 || attempt === 1) return res;
      const c = parseDigest(res.get('www-authenticate'));
      const cnonce = token();
      const ha1 = md5(`${this.user}:${c.realm}:${this.password}`);
      const ha2 = md5(`${r.method}:${r.uri}`);
      const response = md5(`${ha1}:${c.nonce}:00000001:${cnonce}:auth:${ha2}`);
      auth = [['Authorization', `Digest username="${this.user}",realm="${c.realm}",nonce="${c.nonce}",uri="${r.uri}",response="${response}",algorithm=MD5,cnonce="${cnonce}",opaque="${c.opaque}",qop=auth,nc=00000001`]];
    }
    throw new Error('unreachable');
  }

  /** REGISTERs this UA's contact for `expires` seconds. */
  register(expires = 600) {
    this.regCallId ??= token();
    return this.request({ method: 'REGISTER', uri: 'sip:127.0.0.1', callId: this.regCallId, headers: [['Contact', `<${this.contact}>`], ['Expires', String(expires)]] });
  }
}
