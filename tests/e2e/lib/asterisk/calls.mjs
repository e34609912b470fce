// Calls through the Asterisk-shaped peer: a B2BUA between registered browser contacts, with
// chan_pjsip's request shapes (Supported list, Session-Expires, Min-SE, P-Asserted-Identity),
// its challenges (every INVITE from an endpoint first gets 401), its checks (`400 Missing
// Contact header` for a re-INVITE or UPDATE without Contact, `481` for a dialog it does not
// know, e.g. after a restart) and hold answered by the PBX itself.
//
// Deviations from a real Asterisk, on purpose:
// - Media is not anchored. Asterisk terminates RTP on each leg (its own SDP, ICE and DTLS) and
//   bridges the audio; this peer has no media engine, so it passes each browser's SDP to the
//   other leg unchanged and the audio flows browser to browser. The signalling (who sends what,
//   when, with which headers) is Asterisk's; the SDP bodies are the browsers'.
// - Because of that, a hold re-INVITE is answered with the SDP the held leg last got from the
//   PBX (the other browser's), direction changed to recvonly and o= version bumped, as Asterisk
//   answers it with its own SDP; music on hold is not played. A re-offer that restarts ICE
//   (new ufrag) is passed to the other leg as a re-INVITE, as Asterisk with direct_media would.
// - A blind transfer (REFER from a browser) connects the transferee to the target by third
//   party call control (an offerless INVITE to the target, its offer re-INVITEd to the
//   transferee), where Asterisk keeps the transferee's media on itself and re-INVITEs nobody.
//   The transferor sees exactly Asterisk's messages; the transferee gets a re-INVITE Asterisk
//   would not send, and no audio flows after it (Chromium keeps its DTLS association with the
//   first far end), so tests check the signalling of that call, not its media.
// - originate() needs a registered browser to bridge to (`extension`), since the PBX cannot
//   play anything: `channel originate PJSIP/<target> extension <extension>`, offerless.

import { ALLOW, SUPPORTED, addrUri, newTag, uriUser } from './sip.mjs';
import { answeringDirection, bumpVersion, direction, iceUfrag, withDirection } from './sdp.mjs';
import { SessionTimers } from './timers.mjs';
import { Transfers } from './transfer.mjs';

const HOST = '127.0.0.1';
const withoutTag = (value) => value.replace(/;\s*tag=[^;]*/i, '');
const SDP = 'application/sdp';

/** One call leg: a dialog between the PBX and a browser (a channel `PJSIP/<user>-<n>`). */
export class Leg {
  constructor(fields) {
    Object.assign(this, {
      role: 'uas',
      state: 'early',
      partner: null,
      sdpSent: '',
      sdpReceived: '',
      held: false,
      session: null,
      localSeq: Math.floor(Math.random() * 20000) + 1,
      peerAllowsUpdate: false,
      endedBy: null,
      ...fields,
    });
  }

  get ended() {
    return this.state === 'ended';
  }
}

/**
 * Every channel of the PBX: out-of-dialog requests other than REGISTER, the B2BUA, in-dialog
 * requests, hangups, originate. Made by the Pbx; `history` keeps ended legs for assertions.
 */
export class Calls {
  constructor(pbx) {
    this.pbx = pbx;
    /** @type {Leg[]} live legs */
    this.legs = [];
    /** Every leg ever made (ended ones too), for assertions. */
    this.history = [];
    this.channelSeq = 0;
    this.timers = new SessionTimers(this);
    this.transfers = new Transfers(this);
  }

  channels() {
    return this.legs.filter((l) => !l.ended);
  }

  newLeg(fields) {
    this.channelSeq += 1;
    const leg = new Leg({ channel: `PJSIP/${fields.user}-${String(this.channelSeq).padStart(8, '0')}`, ...fields });
    this.legs.push(leg);
    this.history.push(leg);
    return leg;
  }

  /** The flow to reach a leg's browser: the one its last request came on, else its registration. */
  flowOf(leg) {
    if (leg.flow?.open) return leg.flow;
    return this.pbx.registrar.lookup(leg.user)?.flow ?? leg.flow;
  }

  resolveLeg(leg) {
    if (typeof leg === 'string') return this.channels().find((l) => l.channel === leg || l.user === leg);
    return leg;
  }

  onRequest(flow, req) {
    const pbx = this.pbx;
    if (req.method === 'ACK') return this.onAck(flow, req);
    if (req.toTag) return this.onInDialog(flow, req);
    if (req.method === 'CANCEL') return this.onCancel(flow, req);
    // Every request from an endpoint outside a dialog is challenged.
    const user = uriUser(addrUri(req.get('from') ?? ''));
    const verdict = pbx.auth.check(req, user);
    if (verdict !== 'ok') {
      return pbx.respond(flow, req, 401, 'Unauthorized', [['WWW-Authenticate', pbx.auth.challenge({ stale: verdict === 'stale' })]]);
    }
    if (req.method === 'OPTIONS') {
      return pbx.respond(flow, req, 200, 'OK', [
        ['Contact', pbx.contact],
        ['Allow', ALLOW],
        ['Supported', SUPPORTED],
        ['Accept', 'application/sdp, application/dialog-info+xml, application/simple-message-summary, message/sipfrag;version=2.0'],
        ['Accept-Encoding', 'text/plain'],
        ['Accept-Language', 'en'],
      ]);
    }
    if (req.method === 'INVITE') return this.onInvite(flow, req, user);
    return pbx.respond(flow, req, 405, 'Method Not Allowed', [['Allow', ALLOW]]);
  }

  onInvite(flow, req, user) {
    const pbx = this.pbx;
    const se = this.timers.parse(req.get('session-expires'));
    if (se && se.interval < pbx.options.minSe) {
      return pbx.respond(flow, req, 422, 'Session Interval Too Small', [['Min-SE', String(pbx.options.minSe)]]);
    }
    pbx.respond(flow, req, 100, 'Trying');
    const a = this.newLeg({
      user,
      flow,
      role: 'uas',
      invite: req,
      callId: req.callId,
      localTag: newTag(),
      remoteTag: req.fromTag,
      localAddr: withoutTag(req.get('to')),
      remoteAddr: withoutTag(req.get('from')),
      remoteTarget: req.contactUri,
      remoteSeq: req.cseq.seq,
      sdpReceived: req.body,
      peerAllowsUpdate: req.all('allow').some((m) => m.toUpperCase() === 'UPDATE'),
    });
    const exten = uriUser(req.uri) ?? '';
    const dest = pbx.options.routes[exten] ?? exten;
    if (pbx.passwordOf(dest) === undefined) return this.failUas(a, 404, 'Not Found');
    if (!pbx.registrar.lookup(dest)) return this.failUas(a, 480, 'Temporarily Unavailable');
    const b = this.dial(dest, {
      caller: { user, name: pbx.nameOf(user) },
      sdp: req.body,
      onRinging: () => a.state === 'early' && this.respondUas(a, 180, 'Ringing'),
      onAnswer: (res) => {
        if (a.ended) return this.hangup(b);
        b.sdpSent = req.body;
        if (req.body) {
          this.sendAck(b);
        } else {
          // An offerless INVITE: the callee's offer goes to the caller, whose ACK carries the answer.
          a.onAck = (ack) => {
            b.sdpSent = ack.body;
            this.sendAck(b, ack.body);
          };
        }
        this.answerUas(a, res.body, se);
      },
      onFail: (res) => !a.ended && this.failUas(a, res.status, res.reason),
    });
    this.bridge(a, b);
  }

  bridge(x, y) {
    x.partner = y;
    y.partner = x;
  }

  /** Sends a provisional or final answer to the leg's INVITE. */
  respondUas(leg, status, reason, headers = [], options = {}) {
    return this.pbx.respond(this.flowOf(leg), leg.invite, status, reason, [['Contact', this.pbx.contact], ['Allow', ALLOW], ...headers], {
      toTag: leg.localTag,
      ...options,
    });
  }

  failUas(leg, status, reason) {
    this.pbx.respond(this.flowOf(leg), leg.invite, status, reason || 'Failed', [], { toTag: leg.localTag });
    this.end(leg, 'failed');
  }

  /** The 200 to a browser's INVITE, with `sdp` and the session timer the INVITE asked for. */
  answerUas(leg, sdp, se) {
    const headers = [['Supported', SUPPORTED]];
    const supportsTimer = leg.invite.all('supported').some((t) => t.toLowerCase() === 'timer');
    const session = se ?? (supportsTimer ? { interval: this.pbx.options.sessionExpires, refresher: null } : null);
    if (session) {
      // refresher=uac unless the browser asked the PBX to refresh (refresher=uas).
      const pbxRefreshes = session.refresher === 'uas';
      headers.push(['Session-Expires', `${session.interval};refresher=${pbxRefreshes ? 'uas' : 'uac'}`], ['Require', 'timer']);
      this.timers.start(leg, session.interval, pbxRefreshes);
    }
    leg.sdpSent = sdp;
    leg.state = 'confirmed';
    this.respondUas(leg, 200, 'OK', headers, { body: sdp, contentType: SDP });
  }

  /**
   * Calls registered user `dest` (a UAC leg) and reports its answers.
   * @param {string} dest
   * @param {{caller?: {user: string, name: string}, anonymous?: boolean, sdp?: string,
   *   onRinging?: Function, onAnswer?: Function, onFail?: Function}} options no sdp: an offerless INVITE
   * @returns {Leg}
   */
  dial(dest, { caller, anonymous = false, sdp = '', onRinging, onAnswer, onFail }) {
    const pbx = this.pbx;
    const binding = pbx.registrar.lookup(dest);
    const from = anonymous ? '"Anonymous" <sip:anonymous@anonymous.invalid>' : `"${caller.name}" <sip:${caller.user}@${HOST}>`;
    const leg = this.newLeg({
      user: dest,
      flow: binding.flow,
      role: 'uac',
      callId: newTag(),
      localTag: newTag(),
      localAddr: from,
      remoteAddr: `<${binding.contact}>`,
      remoteTarget: binding.contact,
    });
    const headers = [
      ['From', `${from};tag=${leg.localTag}`],
      ['To', leg.remoteAddr],
      ['Contact', pbx.contact],
      ['Call-ID', leg.callId],
      ['CSeq', `${leg.localSeq} INVITE`],
      ['Allow', ALLOW],
      ['Supported', SUPPORTED],
      ['Session-Expires', String(pbx.options.sessionExpires)],
      ['Min-SE', String(pbx.options.minSe)],
    ];
    if (caller && !anonymous) headers.push(['P-Asserted-Identity', `"${caller.name}" <sip:${caller.user}@${HOST}>`]);
    headers.push(['Max-Forwards', '70']);
    leg.inviteSeq = leg.localSeq;
    const epoch = pbx.epoch;
    const tx = pbx.request(binding.flow, {
      method: 'INVITE',
      uri: binding.contact,
      headers,
      body: sdp,
      contentType: sdp ? SDP : undefined,
      onProvisional: (res) => res.status >= 180 && onRinging?.(res),
    });
    leg.inviteBranch = tx.branch;
    tx.done.then((res) => {
      if (epoch !== pbx.epoch || res.status === 0) return;
      if (res.status >= 200 && res.status < 300) {
        leg.remoteTag = res.toTag;
        leg.remoteAddr = withoutTag(res.get('to'));
        leg.remoteTarget = res.contactUri ?? leg.remoteTarget;
        leg.sdpReceived = res.body;
        leg.peerAllowsUpdate = res.all('allow').some((m) => m.toUpperCase() === 'UPDATE');
        leg.state = 'confirmed';
        const se = this.timers.parse(res.get('session-expires'));
        // The browser chose: refresher=uac names the PBX (the UAC of this INVITE).
        this.timers.start(leg, se?.interval ?? pbx.options.sessionExpires, !se || se.refresher !== 'uas');
        if (leg.cancelled) {
          this.sendAck(leg);
          return this.hangup(leg);
        }
        onAnswer?.(res);
      } else {
        this.end(leg, 'failed');
        onFail?.(res);
      }
    });
    return leg;
  }

  /** The ACK for the 2xx of the leg's (re-)INVITE, with `sdp` when the 2xx carried an offer. */
  sendAck(leg, sdp = '', seq = leg.inviteSeq) {
    const pbx = this.pbx;
    const headers = [
      ['Via', pbx.via()],
      ['From', `${leg.localAddr};tag=${leg.localTag}`],
      ['To', `${leg.remoteAddr};tag=${leg.remoteTag}`],
      ['Call-ID', leg.callId],
      ['CSeq', `${seq} ACK`],
      ['Max-Forwards', '70'],
    ];
    const lines = [`ACK ${leg.remoteTarget} SIP/2.0`, ...headers.map(([n, v]) => `${n}: ${v}`)];
    if (sdp) lines.push(`Content-Type: ${SDP}`, `Content-Length: ${Buffer.byteLength(sdp)}`);
    else lines.push('Content-Length:  0');
    pbx.send(this.flowOf(leg), `${lines.join('\r\n')}\r\n\r\n${sdp}`);
  }

  /**
   * Sends a request in the leg's dialog; resolves with the final answer (see Pbx.request).
   * @param {{headers?: [string, string][], body?: string, contentType?: string, contact?: boolean}} [options]
   */
  inDialog(leg, method, { headers = [], body, contentType, contact = true } = {}) {
    leg.localSeq += 1;
    if (method === 'INVITE') leg.inviteSeq = leg.localSeq;
    const all = [
      ['From', `${leg.localAddr};tag=${leg.localTag}`],
      ['To', `${leg.remoteAddr};tag=${leg.remoteTag}`],
      ...(contact ? [['Contact', this.pbx.contact]] : []),
      ['Call-ID', leg.callId],
      ['CSeq', `${leg.localSeq} ${method}`],
      ...headers,
      ['Max-Forwards', '70'],
    ];
    return this.pbx.request(this.flowOf(leg), { method, uri: leg.remoteTarget, headers: all, body, contentType }).done;
  }

  /** A re-INVITE to the leg with `sdp`; resolves with the answer after ACKing a 2xx. */
  async reinvite(leg, sdp) {
    const epoch = this.pbx.epoch;
    const res = await this.inDialog(leg, 'INVITE', {
      headers: [['Allow', ALLOW], ['Supported', SUPPORTED], ...this.timers.requestHeaders(leg)],
      body: sdp,
      contentType: SDP,
    });
    if (epoch !== this.pbx.epoch) return { status: 0 };
    if (res.status >= 200 && res.status < 300) {
      leg.sdpSent = sdp;
      leg.sdpReceived = res.body || leg.sdpReceived;
      if (res.contactUri) leg.remoteTarget = res.contactUri;
      this.sendAck(leg);
    }
    return res;
  }

  findLeg(req) {
    return this.legs.find((l) => !l.ended && l.callId === req.callId && l.localTag === req.toTag && l.remoteTag === req.fromTag);
  }

  onInDialog(flow, req) {
    const pbx = this.pbx;
    const leg = this.findLeg(req);
    if (!leg) return pbx.respond(flow, req, 481, 'Call/Transaction Does Not Exist');
    leg.flow = flow;
    leg.remoteSeq = req.cseq.seq;
    switch (req.method) {
      case 'BYE':
        pbx.respond(flow, req, 200, 'OK');
        this.end(leg, 'remote');
        if (leg.partner && !leg.partner.ended) this.hangup(leg.partner);
        return;
      case 'INVITE':
      case 'UPDATE':
        return this.onRefresh(flow, req, leg);
      case 'REFER':
        return this.transfers.onRefer(flow, req, leg);
      case 'NOTIFY':
        return this.transfers.onNotify(flow, req, leg);
      case 'INFO':
      case 'OPTIONS':
        return pbx.respond(flow, req, 200, 'OK');
      default:
        return pbx.respond(flow, req, 405, 'Method Not Allowed', [['Allow', ALLOW]]);
    }
  }

  /** A re-INVITE or UPDATE from a browser: a target refresh, maybe a session refresh, maybe an offer. */
  async onRefresh(flow, req, leg) {
    const pbx = this.pbx;
    if (!req.has('contact')) return pbx.respond(flow, req, 400, 'Missing Contact header');
    const fault = pbx.takeFault(leg.user, req.method);
    if (fault) return pbx.respond(flow, req, fault.status, fault.reason);
    const se = this.timers.parse(req.get('session-expires'));
    if (se && se.interval < pbx.options.minSe) {
      return pbx.respond(flow, req, 422, 'Session Interval Too Small', [['Min-SE', String(pbx.options.minSe)]]);
    }
    leg.remoteTarget = req.contactUri;
    const sessionHeaders = this.timers.refreshedByPeer(leg, se, req.method);
    const headers = [['Contact', pbx.contact], ['Allow', ALLOW], ['Supported', SUPPORTED], ...sessionHeaders];
    if (!req.body) {
      if (req.method === 'UPDATE') return pbx.respond(flow, req, 200, 'OK', headers);
      // An offerless re-INVITE: our offer in the 200, the answer in the ACK.
      leg.awaitingAckSdp = true;
      return pbx.respond(flow, req, 200, 'OK', headers, { body: leg.sdpSent, contentType: SDP });
    }
    const offered = direction(req.body);
    const restartsIce = iceUfrag(req.body) !== iceUfrag(leg.sdpReceived) && leg.partner && !leg.partner.ended;
    let answer;
    if (restartsIce && offered === 'sendrecv') {
      const res = await this.reinvite(leg.partner, req.body);
      if (leg.ended) return;
      if (res.status < 200 || res.status >= 300) return pbx.respond(flow, req, res.status || 500, res.reason || 'Server Error');
      answer = res.body;
    } else {
      // Answered by the PBX itself with what this leg last got, in the answering direction
      // (recvonly to a hold); a changed SDP gets the next o= version (RFC 3264 section 8).
      const wanted = answeringDirection(offered);
      answer = wanted === direction(leg.sdpSent) ? leg.sdpSent : bumpVersion(withDirection(leg.sdpSent, wanted));
    }
    leg.sdpReceived = req.body;
    leg.sdpSent = answer;
    const held = offered === 'sendonly' || offered === 'inactive';
    if (held !== leg.held) {
      leg.held = held;
      pbx.emit('hold', { channel: leg.channel, held });
    }
    pbx.respond(flow, req, 200, 'OK', headers, { body: answer, contentType: SDP });
  }

  onAck(flow, req) {
    const leg = this.findLeg(req);
    if (!leg) return;
    leg.flow = flow;
    if (leg.awaitingAckSdp) {
      leg.awaitingAckSdp = false;
      leg.sdpReceived = req.body || leg.sdpReceived;
    }
    leg.onAck?.(req);
    leg.onAck = null;
  }

  onCancel(flow, req) {
    const leg = this.legs.find((l) => l.role === 'uas' && l.state === 'early' && l.callId === req.callId && l.invite.branch === req.branch);
    if (!leg) return this.pbx.respond(flow, req, 481, 'Call/Transaction Does Not Exist');
    this.pbx.respond(flow, req, 200, 'OK');
    this.failUas(leg, 487, 'Request Terminated');
    if (leg.partner) this.hangup(leg.partner);
  }

  /** Hangs up one leg: BYE when answered, CANCEL (or 487) before. Its partner is not touched. */
  hangup(legOrName, why = 'pbx') {
    const leg = this.resolveLeg(legOrName);
    if (!leg || leg.ended) return;
    if (leg.state === 'confirmed') {
      this.inDialog(leg, 'BYE', { contact: false });
    } else if (leg.role === 'uac') {
      leg.cancelled = true;
      this.pbx.cancel(leg.inviteBranch);
    } else {
      return this.failUas(leg, 487, 'Request Terminated');
    }
    this.end(leg, why);
  }

  /** Hangs up a channel and the one bridged to it. */
  hangupBoth(leg, why = 'pbx') {
    const partner = leg.partner;
    this.hangup(leg, why);
    if (partner) this.hangup(partner, why);
  }

  hangupAll() {
    for (const leg of this.channels()) this.hangup(leg, 'hangup all');
  }

  end(leg, why) {
    if (leg.ended) return;
    leg.state = 'ended';
    leg.endedBy = why;
    leg.endedAt = Date.now();
    this.timers.stop(leg);
    this.legs = this.legs.filter((l) => l !== leg);
    this.pbx.emit('hangup', { channel: leg.channel, why });
  }

  /** Restart: every channel is dropped without a word (their timers are already cleared). */
  forget() {
    for (const leg of this.legs) {
      leg.state = 'ended';
      leg.endedBy = 'restart';
    }
    this.legs = [];
  }

  transferOut(leg, target) {
    return this.transfers.transferOut(this.resolveLeg(leg), target);
  }

  /**
   * `channel originate PJSIP/<target> extension <extension>`: an offerless INVITE to `target`
   * (anonymous From by default, as from the CLI); its offer goes to `extension` (a registered
   * browser), whose answer goes back in the ACK.
   * @param {string} target
   * @param {{extension: string, anonymous?: boolean}} options
   * @returns {Leg} the leg to `target`
   */
  originate(target, { extension, anonymous = true } = {}) {
    if (!extension) throw new Error('originate needs an extension to bridge to: the peer plays no media');
    const first = this.dial(target, {
      anonymous,
      caller: { user: 'asterisk', name: 'asterisk' },
      onAnswer: (res) => {
        const dest = this.pbx.options.routes[extension] ?? extension;
        if (!this.pbx.registrar.lookup(dest)) return this.sendAck(first, withDirection(res.body, 'inactive')), this.hangup(first);
        const second = this.dial(dest, {
          caller: { user: target, name: this.pbx.nameOf(target) },
          sdp: res.body,
          onAnswer: (res2) => {
            second.sdpSent = res.body;
            first.sdpSent = res2.body;
            this.sendAck(second);
            this.sendAck(first, res2.body);
          },
          onFail: () => {
            this.sendAck(first, withDirection(res.body, 'inactive'));
            this.hangup(first);
          },
        });
        this.bridge(first, second);
      },
    });
    return first;
  }
}

