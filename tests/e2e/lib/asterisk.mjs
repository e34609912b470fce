// An Asterisk-shaped peer for the end-to-end tests: an in-process, scripted SIP-over-WebSocket
// server on 127.0.0.1 that behaves on the wire as ../shared/TESTBED.md ("Asterisk 18.19")
// records a real Asterisk 18.19.0 (chan_pjsip, `webrtc=yes` endpoints, FreePBX settings):
// its HTTP answers, its digest challenges, its registrar (max_contacts=1, remove_existing=yes),
// qualify, its request shapes, session timers, hold, transfers both ways, restart and crash.
//
//   import { startAsterisk } from './lib/asterisk.mjs';
//   const pbx = await startAsterisk({ users: { 1001: 'pw1', 1002: 'pw2' }, qualifyFrequency: 60 });
//   pbx.wsUri                       // ws://127.0.0.1:<port>/ws
//   pbx.messages                    // [{dir: 'in'|'out', at, flow, msg: SipMessage, raw}] every SIP message
//   pbx.channels()                  // the live channels (call legs)
//   await pbx.restart({ downMs: 2000 }); await pbx.close();
//
// What it does not do (the deliberate deviations from a real Asterisk) is listed at the top of
// asterisk/calls.mjs: media is not anchored, SDP passes between the browsers unchanged.
//
// Transport and lifecycle live here; the registrar in asterisk/registrar.mjs, calls in
// asterisk/calls.mjs, session timers in asterisk/timers.mjs, transfers in asterisk/transfer.mjs,
// SUBSCRIBE/NOTIFY (BLF, MWI, presence) and MESSAGE in asterisk/notify.mjs (`pbx.notifier`).

import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { WebSocketServer } from 'ws';
import { Calls } from './asterisk/calls.mjs';
import { DigestAuth } from './asterisk/digest.mjs';
import { Notifier } from './asterisk/notify.mjs';
import { Registrar } from './asterisk/registrar.mjs';
import { SERVER_STRING, newBranch, parseSip, responseHeaders, writeSip } from './asterisk/sip.mjs';

export { parseSip, SipMessage } from './asterisk/sip.mjs';

const HOST = '127.0.0.1';
/** Timer F / Timer B (64 * T1): how long the PBX waits for a final answer to its own request. */
const TRANSACTION_TIMEOUT_MS = 32_000;

function htmlError(status, title, text) {
  return (
    `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>${status} ${title}</title>\r\n` +
    `</head><body>\r\n<h1>${title}</h1>\r\n<p>${text}</p>\r\n<hr />\r\n<address>Asterisk Server</address>\r\n</body></html>\r\n`
  );
}

/** A raw HTTP error on an upgrade socket, as Asterisk's HTTP server writes it. */
function rawHttpError(socket, status, title, text) {
  const body = htmlError(status, title, text);
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nServer: Asterisk/18.19.0\r\nDate: ${new Date().toUTCString()}\r\n` +
      `Connection: close\r\nCache-Control: no-cache, no-store\r\nContent-Type: text/html\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The scripted PBX. Made by startAsterisk(); emits 'message' ({dir, at, flow, msg}) for every
 * SIP message in or out, 'registered' / 'unregistered' ({user, contact}), 'listening' ({at}).
 */
export class Pbx extends EventEmitter {
  constructor(options) {
    super();
    this.options = {
      users: {},
      routes: {},
      realm: 'asterisk',
      qualifyFrequency: 0,
      sessionExpires: 1800,
      minSe: 90,
      hostname: hostname(),
      port: 0,
      ...options,
    };
    /** @type {{dir: 'in'|'out', at: number, flow: number, msg: import('./asterisk/sip.mjs').SipMessage, raw: string}[]} */
    this.messages = [];
    /** Frames that were not SIP (keepalive CRLFs, garbage): [{at, flow, text}] */
    this.unparsed = [];
    /** HTTP requests seen: [{at, method, path, protocol, status}] */
    this.http = [];
    /** Every time the server started listening: [{at}] (Date.now()). */
    this.listens = [];
    this.flows = new Map();
    this.nextFlow = 1;
    this.timers = new Set();
    this.pending = new Map();
    /** Armed faults (refuseRefreshes). */
    this.faults = [];
    this.epoch = 0;
    this.closed = false;
    this.auth = new DigestAuth({ realm: this.options.realm, passwordOf: (u) => this.passwordOf(u) });
    this.registrar = new Registrar(this);
    this.calls = new Calls(this);
    this.notifier = new Notifier(this);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
  }

  /** ws://127.0.0.1:<port>/ws */
  get wsUri() {
    return `ws://${HOST}:${this.port}/ws`;
  }

  /** The Contact of requests and responses the PBX sends over WS. */
  get contact() {
    return `<sip:asterisk@${this.options.hostname}:5060;transport=ws>`;
  }

  /** The Via of requests the PBX sends over WS (Asterisk writes its HTTP port, 8088 by default). */
  via() {
    return `SIP/2.0/WS ${HOST}:8088;rport;branch=${newBranch()};alias`;
  }

  /** The password of endpoint `user` (a users entry is a password or {password, name}). */
  passwordOf(user) {
    const u = this.options.users[user];
    return typeof u === 'string' ? u : u?.password;
  }

  /** The caller id name of endpoint `user` (FreePBX's default: the extension number). */
  nameOf(user) {
    const u = this.options.users[user];
    return (typeof u === 'object' && u?.name) || user;
  }

  async listen() {
    this.server = createServer((req, res) => this.onHttp(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.sockets = new Set();
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port ?? this.options.port, HOST, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = this.server.address().port;
    const at = Date.now();
    this.listens.push({ at });
    this.emit('listening', { at });
  }

  onHttp(req, res) {
    const path = new URL(req.url, 'http://x').pathname;
    const status = path === '/ws' ? 426 : 404;
    this.http.push({ at: Date.now(), method: req.method, path, protocol: null, status });
    const title = status === 426 ? 'Upgrade Required' : 'Not Found';
    const body = htmlError(status, title, status === 426 ? 'Upgrade Required' : 'The requested URL was not found on this server.');
    res.writeHead(status, title, {
      Server: 'Asterisk/18.19.0',
      'Cache-Control': 'no-cache, no-store',
      'Content-Type': 'text/html',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  onUpgrade(req, socket, head) {
    const path = new URL(req.url, 'http://x').pathname;
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const record = { at: Date.now(), method: req.method, path, protocol: protocols.join(','), status: 101 };
    this.http.push(record);
    if (path !== '/ws') {
      record.status = 404;
      return rawHttpError(socket, 404, 'Not Found', 'The requested URL was not found on this server.');
    }
    if (!protocols.includes('sip')) {
      record.status = 400;
      return rawHttpError(socket, 400, 'Bad Request', 'No protocol was requested');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(ws, socket));
  }

  onOpen(ws, socket) {
    const flow = { id: this.nextFlow++, ws, socket, open: true, remote: `${socket.remoteAddress}:${socket.remotePort}` };
    this.flows.set(flow.id, flow);
    // Text and binary frames both carry SIP (RFC 7118); Asterisk reads either.
    ws.on('message', (data) => {
      if (!flow.open) return;
      const text = data.toString();
      const msg = parseSip(text);
      if (!msg) {
        this.unparsed.push({ at: Date.now(), flow: flow.id, text });
        return;
      }
      this.record('in', flow, msg, text);
      try {
        this.dispatch(flow, msg);
      } catch (e) {
        this.emit('error', e);
      }
    });
    ws.on('close', () => this.onFlowClosed(flow));
    ws.on('error', () => {});
  }

  onFlowClosed(flow) {
    if (!flow.open) return;
    flow.open = false;
    this.flows.delete(flow.id);
    this.registrar.flowClosed(flow);
    // Requests still waiting on this socket fail with a transport error, as in pjsip.
    for (const [branch, entry] of this.pending) if (entry.flow === flow) this.finish(branch, { status: 503, reason: 'Transport Error' });
  }

  record(dir, flow, msg, raw) {
    const entry = { dir, at: Date.now(), flow: flow.id, msg, raw };
    this.messages.push(entry);
    this.emit('message', entry);
  }

  dispatch(flow, msg) {
    if (!msg.isRequest) return this.onResponse(flow, msg);
    if (msg.method === 'REGISTER') return this.registrar.onRegister(flow, msg);
    if (msg.method === 'SUBSCRIBE') return this.notifier.onSubscribe(flow, msg);
    if (msg.method === 'MESSAGE' && !msg.toTag) return this.notifier.onMessage(flow, msg);
    return this.calls.onRequest(flow, msg);
  }

  /** Sends SIP text on `flow`; false when the flow is gone. */
  send(flow, text) {
    if (!flow?.open) return false;
    this.record('out', flow, parseSip(text), text);
    flow.ws.send(text);
    return true;
  }

  /**
   * Answers request `req` on `flow`. `headers` follow Via/Call-ID/From/To/CSeq; Server is added.
   * @param {{body?: string, contentType?: string, toTag?: string}} [options]
   */
  respond(flow, req, status, reason, headers = [], options = {}) {
    const all = [...responseHeaders(req, options.toTag), ...headers, ['Server', SERVER_STRING]];
    return this.send(flow, writeSip(`SIP/2.0 ${status} ${reason}`, all, options));
  }

  /**
   * Sends a request and resolves with its final response (a SipMessage), or with
   * `{status: 408}` after Timer F/B, or `{status: 0}` when the PBX restarted meanwhile.
   * Non-2xx answers to an INVITE are ACKed here (RFC 3261 17.1.1.3); a 2xx is the caller's.
   * @param {object} flow
   * @param {{method: string, uri: string, headers: [string, string][], body?: string,
   *   contentType?: string, onProvisional?: (msg) => void}} request `headers`: all after Via (added here)
   * @returns {{branch: string, done: Promise<any>}}
   */
  request(flow, { method, uri, headers, body, contentType, onProvisional }) {
    const branch = newBranch();
    const all = [['Via', this.via().replace(/branch=[^;]+/, `branch=${branch}`)], ...headers, ['User-Agent', SERVER_STRING]];
    const text = writeSip(`${method} ${uri} SIP/2.0`, all, { body, contentType });
    const done = new Promise((resolve) => {
      const entry = { method, uri, headers: all, resolve, onProvisional, flow };
      entry.timer = this.setTimer(() => this.finish(branch, { status: 408, reason: 'Request Timeout' }), TRANSACTION_TIMEOUT_MS);
      this.pending.set(branch, entry);
      if (!this.send(flow, text)) this.finish(branch, { status: 503, reason: 'Service Unavailable' });
    });
    return { branch, done };
  }

  /** Sends CANCEL for the pending INVITE `branch`. */
  cancel(branch) {
    const entry = this.pending.get(branch);
    if (!entry || entry.method !== 'INVITE') return;
    const keep = entry.headers.filter(([n]) => ['Via', 'From', 'To', 'Call-ID'].includes(n));
    const seq = entry.headers.find(([n]) => n === 'CSeq')[1].split(' ')[0];
    const text = writeSip(`CANCEL ${entry.uri} SIP/2.0`, [...keep, ['Max-Forwards', '70'], ['CSeq', `${seq} CANCEL`], ['User-Agent', SERVER_STRING]]);
    this.send(entry.flow, text);
  }

  finish(branch, result) {
    const entry = this.pending.get(branch);
    if (!entry) return;
    this.pending.delete(branch);
    this.clearTimer(entry.timer);
    entry.resolve(result);
  }

  onResponse(flow, msg) {
    const entry = this.pending.get(msg.branch);
    if (!entry || msg.cseq.method !== entry.method) return;
    if (msg.status < 200) {
      // Timer B stops at the first provisional: a ringing INVITE waits for the browser's answer
      // (bounded by its own no-answer timeout, by the flow closing, and by close()).
      if (entry.method === 'INVITE') this.clearTimer(entry.timer);
      return entry.onProvisional?.(msg);
    }
    if (entry.method === 'INVITE' && msg.status >= 300) {
      const keep = entry.headers.filter(([n]) => ['Via', 'From', 'Call-ID'].includes(n));
      const seq = msg.cseq.seq;
      this.send(flow, writeSip(`ACK ${entry.uri} SIP/2.0`, [...keep, ['To', msg.get('to')], ['Max-Forwards', '70'], ['CSeq', `${seq} ACK`]]));
    }
    this.finish(msg.branch, msg);
  }

  /** A timeout that restart(), crash() and close() clear. */
  setTimer(fn, ms) {
    const epoch = this.epoch;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (epoch === this.epoch && !this.closed) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  clearTimer(t) {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** The live channels (one per call leg). */
  channels() {
    return this.calls.channels();
  }

  /** The current registrations: [{user, contact, expiresAt, flow}]. */
  registrations() {
    return this.registrar.list();
  }

  /** Messages of the record filtered: `find({dir: 'in', method: 'UPDATE'})`, `{status: 401}`. */
  find({ dir, method, status, cseqMethod, user } = {}) {
    return this.messages.filter(
      (m) =>
        (dir === undefined || m.dir === dir) &&
        (method === undefined || m.msg.method === method) &&
        (status === undefined || m.msg.status === status) &&
        (cseqMethod === undefined || m.msg.cseq.method === cseqMethod) &&
        (user === undefined || m.msg.get('from')?.includes(`sip:${user}@`) || m.msg.get('to')?.includes(`sip:${user}@`)),
    );
  }

  /**
   * Sends the browser of `leg` (a channel name or leg object) a REFER to `target`, as the
   * dialplan's Transfer() does. Resolves with the REFER's final answer.
   */
  transfer(leg, target) {
    return this.calls.transferOut(leg, target);
  }

  /**
   * Calls `target` from the CLI (`channel originate PJSIP/<target> extension <extension>`) and
   * bridges it to the registered browser `extension`. See Calls.originate.
   */
  originate(target, options = {}) {
    return this.calls.originate(target, options);
  }

  /**
   * Fault injection (not Asterisk behaviour, for testing a client's recovery): the next `times`
   * re-INVITEs or UPDATEs (by `methods`) from `user`'s browser in a dialog are answered
   * `status reason` instead of being accepted.
   */
  refuseRefreshes({ user, methods = ['UPDATE', 'INVITE'], status = 500, reason = 'Server Internal Error', times = Infinity }) {
    this.faults.push({ user, methods, status, reason, times });
  }

  /** The fault for a refresh from `user` by `method`, if one is armed (and uses it up). */
  takeFault(user, method) {
    const f = this.faults.find((x) => x.user === user && x.methods.includes(method) && x.times > 0);
    if (f) f.times -= 1;
    return f;
  }

  /** Hangs up every channel (`channel request hangup all`). */
  hangupAll() {
    this.calls.hangupAll();
  }

  /** Drops all state and stops listening, then listens again after `downMs`. */
  async goDown({ downMs, abrupt }) {
    const downAt = Date.now();
    this.epoch++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const [branch] of this.pending) this.finish(branch, { status: 0, reason: 'restarted' });
    this.calls.forget();
    this.registrar.forget();
    this.notifier.forget();
    const closing = new Promise((r) => this.server.close(r));
    for (const flow of this.flows.values()) flow.open = false;
    this.flows.clear();
    for (const socket of this.sockets) {
      // No close frame either way: the browser sees 1006. A crash resets the TCP connection.
      if (abrupt && socket.resetAndDestroy) socket.resetAndDestroy();
      else socket.destroy();
    }
    await closing;
    await new Promise((r) => {
      this.downTimer = setTimeout(r, downMs);
      this.wakeUp = r;
    });
    this.downTimer = null;
    this.wakeUp = null;
    if (this.closed) return { downAt, listeningAt: null };
    await this.listen();
    return { downAt, listeningAt: this.listens.at(-1).at };
  }

  /**
   * `core restart now`: closes every WebSocket (1006 at the browser), drops every channel and
   * registration, listens again on the same port `downMs` later.
   * @returns {Promise<{downAt: number, listeningAt: number}>} Date.now() times
   */
  restart({ downMs = 2000 } = {}) {
    return this.goDown({ downMs, abrupt: false });
  }

  /** A crash: like restart() but every TCP connection is reset. */
  crash({ downMs = 4000 } = {}) {
    return this.goDown({ downMs, abrupt: true });
  }

  /** Stops everything: sockets, timers, the HTTP server. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    this.epoch++;
    clearTimeout(this.downTimer);
    this.wakeUp?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const [branch] of this.pending) this.finish(branch, { status: 0, reason: 'closed' });
    for (const socket of this.sockets ?? []) socket.destroy();
    await new Promise((r) => (this.server?.listening ? this.server.close(r) : r()));
    this.wss.close();
  }
}

/**
 * Starts the Asterisk-shaped PBX on 127.0.0.1.
 * @param {{users?: Record<string, string|{password: string, name?: string}>, routes?: Record<string, string>,
 *   port?: number, realm?: string, qualifyFrequency?: number, sessionExpires?: number, minSe?: number,
 *   hostname?: string}} [options] `routes` maps an extension to a user (`{600: '1003'}`);
 *   `qualifyFrequency` in seconds (0: no qualify); `sessionExpires` is what the PBX offers in
 *   its own INVITEs (Asterisk's timers_sess_expires, 1800 by default)
 * @returns {Promise<Pbx>}
 */
export async function startAsterisk(options = {}) {
  const pbx = new Pbx(options);
  pbx.port = options.port ?? 0;
  await pbx.listen();
  return pbx;
}
