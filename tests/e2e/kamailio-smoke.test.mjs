// Checks the local Kamailio (tests/servers/kamailio) on its own, with no wasm involved: a
// minimal SIP-over-WebSocket client written here talks to ws://127.0.0.1:18080/ws.
// It proves the server the browser tests rely on: the /ws path, digest auth (401/407),
// OPTIONS, the CRLF keep-alive answer, RFC 5626 outbound registrations, routing a call
// between two registered users (INVITE/200/ACK/BYE through Record-Route), a call to a user
// registered over UDP (the baresip far end's path), 404 for a user
// who is not registered. Needs `bash scripts/servers.sh start kamailio` first.

import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { account, readEnv, restartKamailio } from './lib/servers.mjs';

const env = readEnv();
const TIMEOUT = 5000;

const md5 = (s) => createHash('md5').update(s).digest('hex');
const token = () => randomBytes(6).toString('hex');

/** Parses one SIP message: {startLine, status?, method?, headers: Map(lower name -> [values]), body, raw}. */
function parseSip(raw) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const startLine = lines.shift();
  const headers = new Map();
  for (const line of lines) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  const m = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  return {
    startLine,
    status: m ? Number(m[1]) : undefined,
    method: m ? undefined : startLine.split(' ')[0],
    headers,
    header: (n) => headers.get(n.toLowerCase())?.[0],
    all: (n) => headers.get(n.toLowerCase()) ?? [],
    body: rest.join('\r\n\r\n'),
    raw,
  };
}

/** A SIP peer just capable enough to exercise the server; subclasses own the transport. */
class SipPeer {
  constructor() {
    this.queue = [];
    this.waiters = [];
  }

  /** Called by the transport with each message (WebSocket frame or UDP datagram). */
  deliver(text) {
    const waiter = this.waiters.findIndex((w) => w.match(text));
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0].resolve(text);
    else this.queue.push(text);
  }

  /** Resolves with the next raw frame text accepted by `match`. */
  nextRaw(match = () => true, what = 'a message') {
    const i = this.queue.findIndex(match);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const j = this.waiters.indexOf(waiter);
        if (j >= 0) {
          this.waiters.splice(j, 1);
          reject(new Error(`timed out waiting for ${what}`));
        }
      }, TIMEOUT);
    });
  }

  /** The next final (>= 200) response with this Call-ID and CSeq method. Provisional ones are skipped. */
  async response(callId, method) {
    const raw = await this.nextRaw((t) => {
      if (!t.startsWith('SIP/2.0 ')) return false;
      const m = parseSip(t);
      return m.header('call-id') === callId && m.header('cseq').endsWith(` ${method}`) && m.status >= 200;
    }, `a final response to ${method}`);
    return parseSip(raw);
  }

  async requestIn(method) {
    return parseSip(await this.nextRaw((t) => t.startsWith(`${method} `), `an incoming ${method}`));
  }
}

/** SIP over WebSocket (RFC 7118), as the browser user agent speaks it. */
class SipWs extends SipPeer {
  static async connect(url = env.wsUri) {
    const ws = new WebSocket(url, 'sip');
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, 'sip');
    return new SipWs(ws);
  }

  constructor(ws) {
    super();
    this.ws = ws;
    this.host = `${token()}.invalid`;
    this.via = `SIP/2.0/WSS ${this.host}`;
    this.contactParams = ';transport=ws;ob';
    ws.on('message', (data) => this.deliver(data.toString()));
  }

  send(text) {
    this.ws.send(text);
  }

  close() {
    this.ws.close();
  }
}

/** SIP over UDP on loopback, as a non-browser far end (baresip) speaks it. */
class SipUdp extends SipPeer {
  static async open() {
    const socket = createSocket('udp4');
    await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new SipUdp(socket);
  }

  constructor(socket) {
    super();
    this.socket = socket;
    this.host = `127.0.0.1:${socket.address().port}`;
    this.via = `SIP/2.0/UDP ${this.host}`;
    this.contactParams = '';
    const [ip, port] = env.udp.split(':');
    this.server = { ip, port: Number(port) };
    socket.on('message', (data) => this.deliver(data.toString()));
  }

  send(text) {
    this.socket.send(text, this.server.port, this.server.ip);
  }

  close() {
    this.socket.close();
  }
}

function via(client, branch = `z9hG4bK${token()}`) {
  return `Via: ${client.via};branch=${branch};rport`;
}

/** Builds a request. `extra` is an array of header lines. */
function buildRequest({ method, ruri, client, from, to, callId, cseq, branch, extra = [], body = '' }) {
  return [
    `${method} ${ruri} SIP/2.0`,
    via(client, branch),
    'Max-Forwards: 70',
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The Authorization value answering a 401/407 challenge (RFC 2617 digest, MD5, qop=auth). */
function digest(challenge, { user, password, method, uri }) {
  const param = (n) => new RegExp(`${n}="?([^",]+)"?`).exec(challenge)?.[1];
  const realm = param('realm');
  const nonce = param('nonce');
  const qop = param('qop');
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  let value = `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=MD5`;
  if (qop) {
    const cnonce = token();
    const nc = '00000001';
    value += `, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`;
  } else {
    value += `, response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
  }
  const opaque = param('opaque');
  if (opaque) value += `, opaque="${opaque}"`;
  return value;
}

/**
 * Registers `who` on `client` with RFC 5626 outbound (Supported: outbound, ;ob, reg-id,
 * +sip.instance). Returns {first, final} responses; `password` may be wrong on purpose.
 */
async function register(client, who, { password = who.password, expires = 60, instance = randomUUID() } = {}) {
  const callId = `${token()}@smoke`;
  const fromTag = token();
  const ruri = `sip:${env.domain}`;
  const contact = `Contact: <sip:${who.user}-${token()}@${client.host}${client.contactParams}>;reg-id=1;+sip.instance="<urn:uuid:${instance}>";expires=${expires}`;
  const base = {
    method: 'REGISTER', ruri, client, callId,
    from: `<${who.uri}>;tag=${fromTag}`, to: `<${who.uri}>`,
  };
  const extra = [contact, 'Supported: path, outbound, gruu', `Expires: ${expires}`];
  client.send(buildRequest({ ...base, cseq: 1, extra }));
  const first = await client.response(callId, 'REGISTER');
  if (first.status !== 401) return { first, final: first };
  const auth = digest(first.header('www-authenticate'), { user: who.user, password, method: 'REGISTER', uri: ruri });
  client.send(buildRequest({ ...base, cseq: 2, extra: [...extra, `Authorization: ${auth}`] }));
  const final = await client.response(callId, 'REGISTER');
  return { first, final };
}

/** The status line and Server header of a plain HTTP GET (an upgrade when `upgrade`). */
function httpGet(path, { upgrade = false } = {}) {
  const { hostname, port } = new URL(env.wsUri.replace(/^ws/, 'http'));
  const headers = upgrade
    ? { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': 'sip' }
    : {};
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers, agent: false, timeout: TIMEOUT }, (res) => {
      res.resume();
      resolve({ status: res.statusCode, server: res.headers.server });
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode, server: res.headers.server });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('HTTP timeout')));
    req.end();
  });
}

describe('Kamailio test server', () => {
  const alice = account('alice');
  const bob = account('bob');
  const carol = account('carol');
  let a;
  let b;

  before(async () => {
    a = await SipWs.connect();
    b = await SipWs.connect();
  });
  after(() => {
    a?.close();
    b?.close();
  });

  test('upgrades only on /ws; other paths and plain GETs get 404', async () => {
    assert.equal((await httpGet('/ws', { upgrade: true })).status, 101);
    assert.equal((await httpGet('/wrong', { upgrade: true })).status, 404);
    assert.equal((await httpGet('/', { upgrade: true })).status, 404);
    assert.equal((await httpGet('/ws')).status, 404);
  });

  test('OPTIONS to the server gets 200', async () => {
    const callId = `${token()}@smoke`;
    a.send(buildRequest({
      method: 'OPTIONS', ruri: `sip:${env.domain}`, client: a, callId, cseq: 1,
      from: `<${alice.uri}>;tag=${token()}`, to: `<sip:${env.domain}>`,
    }));
    assert.equal((await a.response(callId, 'OPTIONS')).status, 200);
  });

  test('a double-CRLF ping gets a CRLF pong (RFC 5626 keep-alive over WebSocket)', async () => {
    a.send('\r\n\r\n');
    assert.equal(await a.nextRaw((t) => t === '\r\n', 'a CRLF pong'), '\r\n');
  });

  test('REGISTER: 401, then 200 with the right password; outbound flow accepted', async () => {
    const { first, final } = await register(a, alice);
    assert.equal(first.status, 401);
    assert.match(first.header('www-authenticate'), /realm="softphone\.test"/);
    assert.equal(final.status, 200, final.startLine);
    assert.ok(final.all('contact').some((c) => c.includes('reg-id=1')), 'the binding keeps its reg-id');
    assert.match(final.header('require') ?? '', /outbound/, '200 OK says Require: outbound');
    // RFC 5626 4.4.1: the client sends a keep-alive (CRLF over WebSocket) at 80-100% of this.
    assert.equal(final.header('flow-timer'), '25');
  });

  test('REGISTER with a wrong password gets a fresh 401', async () => {
    const { first, final } = await register(b, bob, { password: 'not-the-password' });
    assert.equal(first.status, 401);
    assert.equal(final.status, 401);
    const nonce = (m) => /nonce="([^"]+)"/.exec(m.header('www-authenticate'))[1];
    assert.notEqual(nonce(final), nonce(first));
  });

  test('a call between two registered users is routed both ways', async () => {
    assert.equal((await register(b, bob)).final.status, 200);
    const callId = `${token()}@smoke`;
    const fromTag = token();
    const invite = {
      method: 'INVITE', ruri: alice.uri, client: b, callId,
      from: `<${bob.uri}>;tag=${fromTag}`, to: `<${alice.uri}>`,
    };
    const contact = `Contact: <sip:bob@${b.host};transport=ws;ob>`;
    b.send(buildRequest({ ...invite, cseq: 1, extra: [contact] }));
    const challenge = await b.response(callId, 'INVITE');
    assert.equal(challenge.status, 407);
    b.send(buildRequest({ ...invite, cseq: 1, branch: /branch=([^;]+)/.exec(challenge.header('via'))[1],
      method: 'ACK', extra: [] }).replace(`To: <${alice.uri}>`, `To: ${challenge.header('to')}`));
    const auth = digest(challenge.header('proxy-authenticate'), { user: 'bob', password: bob.password, method: 'INVITE', uri: alice.uri });
    b.send(buildRequest({ ...invite, cseq: 2, extra: [contact, `Proxy-Authorization: ${auth}`] }));

    // Alice's connection receives the INVITE and answers 200 OK.
    const inv = await a.requestIn('INVITE');
    const rr = inv.all('record-route');
    assert.ok(rr.length > 0, 'the proxy record-routes');
    const aliceTag = token();
    a.send([
      'SIP/2.0 200 OK', ...inv.all('via').map((v) => `Via: ${v}`), ...rr.map((r) => `Record-Route: ${r}`),
      `From: ${inv.header('from')}`, `To: ${inv.header('to')};tag=${aliceTag}`, `Call-ID: ${inv.header('call-id')}`,
      `CSeq: ${inv.header('cseq')}`, `Contact: <sip:alice@${a.host};transport=ws;ob>`, 'Content-Length: 0', '', '',
    ].join('\r\n'));
    const ok = await b.response(callId, 'INVITE');
    assert.equal(ok.status, 200);

    // Bob's ACK and BYE follow the route set (reversed Record-Route) to Alice's Contact.
    const target = /<([^>]+)>/.exec(ok.header('contact'))[1];
    const routes = ok.all('record-route').flatMap((r) => r.split(/,(?=\s*<)/)).map((r) => r.trim()).reverse();
    const dialog = {
      ruri: target, client: b, callId, from: `<${bob.uri}>;tag=${fromTag}`, to: ok.header('to'),
    };
    const routeHeaders = routes.map((r) => `Route: ${r}`);
    b.send(buildRequest({ ...dialog, method: 'ACK', cseq: 2, extra: routeHeaders }));
    await a.requestIn('ACK');
    b.send(buildRequest({ ...dialog, method: 'BYE', cseq: 3, extra: routeHeaders }));
    const bye = await a.requestIn('BYE');
    a.send([
      'SIP/2.0 200 OK', ...bye.all('via').map((v) => `Via: ${v}`), `From: ${bye.header('from')}`,
      `To: ${bye.header('to')}`, `Call-ID: ${bye.header('call-id')}`, `CSeq: ${bye.header('cseq')}`,
      'Content-Length: 0', '', '',
    ].join('\r\n'));
    assert.equal((await b.response(callId, 'BYE')).status, 200);
  });

  test('INVITE to a user who is not registered: 407, then 404', async () => {
    const callId = `${token()}@smoke`;
    const invite = {
      method: 'INVITE', ruri: carol.uri, client: b, callId,
      from: `<${bob.uri}>;tag=${token()}`, to: `<${carol.uri}>`,
    };
    const contact = `Contact: <sip:bob@${b.host};transport=ws;ob>`;
    b.send(buildRequest({ ...invite, cseq: 1, extra: [contact] }));
    const challenge = await b.response(callId, 'INVITE');
    assert.equal(challenge.status, 407);
    const auth = digest(challenge.header('proxy-authenticate'), { user: 'bob', password: bob.password, method: 'INVITE', uri: carol.uri });
    b.send(buildRequest({ ...invite, cseq: 2, extra: [contact, `Proxy-Authorization: ${auth}`] }));
    assert.equal((await b.response(callId, 'INVITE')).status, 404);
  });

  test('a call from a WebSocket user reaches a user registered over UDP', async () => {
    const dave = account('dave');
    const d = await SipUdp.open();
    try {
      assert.equal((await register(d, dave)).final.status, 200);
      const callId = `${token()}@smoke`;
      const invite = {
        method: 'INVITE', ruri: dave.uri, client: b, callId,
        from: `<${bob.uri}>;tag=${token()}`, to: `<${dave.uri}>`,
      };
      const contact = `Contact: <sip:bob@${b.host};transport=ws;ob>`;
      b.send(buildRequest({ ...invite, cseq: 1, extra: [contact] }));
      const challenge = await b.response(callId, 'INVITE');
      assert.equal(challenge.status, 407);
      const auth = digest(challenge.header('proxy-authenticate'), { user: 'bob', password: bob.password, method: 'INVITE', uri: dave.uri });
      b.send(buildRequest({ ...invite, cseq: 2, extra: [contact, `Proxy-Authorization: ${auth}`] }));
      const inv = await d.requestIn('INVITE');
      assert.ok(inv.all('record-route').length > 0, 'the proxy record-routes');
      d.send([
        'SIP/2.0 486 Busy Here', ...inv.all('via').map((v) => `Via: ${v}`), `From: ${inv.header('from')}`,
        `To: ${inv.header('to')};tag=${token()}`, `Call-ID: ${inv.header('call-id')}`, `CSeq: ${inv.header('cseq')}`,
        'Content-Length: 0', '', '',
      ].join('\r\n'));
      assert.equal((await b.response(callId, 'INVITE')).status, 486);
      await register(d, dave, { expires: 0 });
    } finally {
      d.close();
    }
  });

  test('a restart keeps the passwords (and drops the connections)', async () => {
    const closed = new Promise((resolve) => a.ws.once('close', resolve));
    await restartKamailio();
    await closed;
    a = await SipWs.connect();
    assert.equal((await register(a, alice, { expires: 0 })).final.status, 200);
  });
});
