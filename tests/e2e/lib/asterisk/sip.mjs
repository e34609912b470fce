// SIP message text for the Asterisk-shaped peer: parsing what browsers send (one message per
// WebSocket frame, RFC 7118) and writing what Asterisk 18.19 writes, byte for byte where
// TESTBED.md records it (`Content-Length:  0` with two spaces when there is no body).

import { randomUUID } from 'node:crypto';

/** Compact header forms (RFC 3261 section 7.3.3 and extensions) -> full names, lower case. */
const COMPACT = {
  v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type',
  k: 'supported', s: 'subject', e: 'content-encoding', o: 'event', r: 'refer-to', b: 'referred-by', x: 'session-expires',
};

/** Headers that may hold several comma-separated values in one line. */
const LIST_HEADERS = new Set(['via', 'supported', 'allow', 'require', 'contact']);

/** Asterisk's identity strings (FreePBX 16 on Asterisk 18.19.0). */
export const SERVER_STRING = 'FPBX-16.0.40(18.19.0)';
export const ALLOW = 'OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, INVITE, ACK, BYE, CANCEL, UPDATE, PRACK, MESSAGE, INFO, REFER';
export const SUPPORTED = '100rel, timer, replaces, norefersub, histinfo';

/**
 * A parsed SIP request or response. Header names are kept as received; lookups are
 * case-insensitive and understand compact forms.
 */
export class SipMessage {
  constructor() {
    /** @type {string|null} */ this.method = null;
    /** @type {string|null} */ this.uri = null;
    /** @type {number|null} */ this.status = null;
    /** @type {string|null} */ this.reason = null;
    /** @type {[string, string][]} */ this.headers = [];
    this.body = '';
  }

  get isRequest() {
    return this.method !== null;
  }

  /** Every value of header `name` (comma-separated lists split for list headers). */
  all(name) {
    const want = normName(name);
    const out = [];
    for (const [n, v] of this.headers) {
      if (normName(n) !== want) continue;
      if (LIST_HEADERS.has(want)) out.push(...splitList(v));
      else out.push(v);
    }
    return out;
  }

  /** The value of the first header line called `name`, as written (lists not split). */
  line(name) {
    const want = normName(name);
    return this.headers.find(([n]) => normName(n) === want)?.[1];
  }

  /** The first value of header `name`, or undefined. */
  get(name) {
    return this.all(name)[0];
  }

  has(name) {
    const want = normName(name);
    return this.headers.some(([n]) => normName(n) === want);
  }

  get callId() {
    return this.get('call-id')?.trim();
  }

  /** `{seq, method}` of the CSeq header. */
  get cseq() {
    const [seq, method] = (this.get('cseq') ?? '').trim().split(/\s+/);
    return { seq: Number(seq), method: (method ?? '').toUpperCase() };
  }

  get fromTag() {
    return tagOf(this.get('from'));
  }

  get toTag() {
    return tagOf(this.get('to'));
  }

  /** The branch of the top Via. */
  get branch() {
    return /;\s*branch=([^;,\s]+)/i.exec(this.get('via') ?? '')?.[1];
  }

  /** The first Contact URI (without brackets), or undefined. */
  get contactUri() {
    const c = this.get('contact');
    return c === undefined ? undefined : addrUri(c);
  }

  /** The whole message as text, for the record. */
  toString() {
    const start = this.isRequest ? `${this.method} ${this.uri} SIP/2.0` : `SIP/2.0 ${this.status} ${this.reason}`;
    return `${start}\r\n${this.headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n${this.body}`;
  }
}

function normName(name) {
  const n = name.trim().toLowerCase();
  return COMPACT[n] ?? n;
}

/** Splits a header value at commas outside quotes and angle brackets. */
export function splitList(value) {
  const out = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v !== '');
}

/** The tag parameter of a From/To value. */
export function tagOf(value) {
  if (!value) return undefined;
  const afterUri = value.includes('>') ? value.slice(value.lastIndexOf('>')) : value;
  return /;\s*tag=([^;\s]+)/i.exec(afterUri)?.[1];
}

/** The URI of a name-addr or addr-spec (`"A" <sip:a@b>;tag=1` -> `sip:a@b`). */
export function addrUri(value) {
  const m = /<([^>]*)>/.exec(value);
  if (m) return m[1].trim();
  return value.split(';')[0].trim();
}

/** The user part of a SIP URI, or undefined. */
export function uriUser(uri) {
  return /^sips?:([^@;>]+)@/i.exec(uri ?? '')?.[1];
}

/**
 * Parses one SIP message. Returns null for text that is not SIP (a keepalive CRLF, garbage):
 * Asterisk drops those silently.
 * @param {string} text
 * @returns {SipMessage|null}
 */
export function parseSip(text) {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const head = text.slice(0, split).split('\r\n');
  const msg = new SipMessage();
  const start = head.shift() ?? '';
  let m;
  if ((m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i.exec(start))) {
    msg.status = Number(m[1]);
    msg.reason = m[2];
  } else if ((m = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0$/i.exec(start))) {
    msg.method = m[1].toUpperCase();
    msg.uri = m[2];
  } else {
    return null;
  }
  for (const line of head) {
    if (/^[ \t]/.test(line) && msg.headers.length) {
      msg.headers[msg.headers.length - 1][1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    msg.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const length = Number(msg.get('content-length') ?? NaN);
  const rest = text.slice(split + 4);
  msg.body = Number.isFinite(length) ? Buffer.from(rest).subarray(0, length).toString() : rest;
  for (const required of ['via', 'from', 'to', 'call-id', 'cseq']) if (!msg.has(required)) return null;
  return msg;
}

/**
 * Writes a message the way Asterisk does: headers in the given order, then Content-Type
 * (when there is a body) and Content-Length; `Content-Length:  0` (two spaces) without a body.
 * @param {string} startLine e.g. `SIP/2.0 200 OK` or `OPTIONS sip:x SIP/2.0`
 * @param {[string, string][]} headers
 * @param {{body?: string, contentType?: string}} [options]
 * @returns {string}
 */
export function writeSip(startLine, headers, { body = '', contentType } = {}) {
  const lines = [startLine, ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (body) {
    if (contentType) lines.push(`Content-Type: ${contentType}`);
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  } else {
    lines.push('Content-Length:  0');
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A pjsip branch: `z9hG4bKPj` + a UUID. */
export const newBranch = () => `z9hG4bKPj${randomUUID()}`;
/** A pjsip tag or Call-ID: a UUID. */
export const newTag = () => randomUUID();

/**
 * The start of a response to `req` as pjsip builds it: its Via, From, To (a tag added when
 * missing: pjsip uses the branch for stateless answers), Call-ID and CSeq.
 * @param {SipMessage} req
 * @param {string} [toTag] the tag to add when the request's To has none
 * @returns {[string, string][]}
 */
export function responseHeaders(req, toTag) {
  const out = [];
  for (const [n, v] of req.headers) if (normName(n) === 'via') out.push(['Via', v]);
  out.push(['Call-ID', req.callId]);
  out.push(['From', req.get('from')]);
  let to = req.get('to');
  if (!tagOf(to)) to = `${to};tag=${toTag ?? req.branch ?? newTag()}`;
  out.push(['To', to]);
  out.push(['CSeq', req.get('cseq')]);
  return out;
}
