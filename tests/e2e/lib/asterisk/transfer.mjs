// Transfers through the Asterisk-shaped peer, both ways (res_pjsip_refer):
// - In: a browser's REFER (`Refer-To: <sip:600@host>`) gets 202, a NOTIFY `SIP/2.0 100 Trying`,
//   the transferee is connected to the target, then a NOTIFY `SIP/2.0 200 OK` (subscription
//   terminated) and a BYE to the transferor.
// - Out: the dialplan's Transfer() sends the browser a REFER. The browser's NOTIFYs must carry
//   Contact (a target refresh request, RFC 6665): without it the PBX answers
//   `400 Missing Contact header` and never learns the outcome, so the original leg stays up.
//   With a `SIP/2.0 200 OK` sipfrag it hangs up the original leg and the one bridged to it.
//
// Every transfer is recorded in `log`: {dir: 'in'|'out', channel, target, at, referStatus,
// notifies: [{at, status, contact, answered}], outcome: 'success'|'failed'|null}.

import { ALLOW, addrUri, uriUser } from './sip.mjs';
import { withDirection } from './sdp.mjs';

const HOST = '127.0.0.1';
const SIPFRAG = 'message/sipfrag;version=2.0';

/** The status line of a message/sipfrag body: {status, reason} or null. */
function sipfrag(body) {
  const m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m.exec(body ?? '');
  return m ? { status: Number(m[1]), reason: m[2].trim() } : null;
}

/** REFER and NOTIFY handling for both directions, with the `log` of every transfer. */
export class Transfers {
  constructor(calls) {
    this.calls = calls;
    this.pbx = calls.pbx;
    this.log = [];
  }

  /** Transfer(): a REFER to the browser of `leg`. Resolves with the REFER's answer. */
  async transferOut(leg, target) {
    if (!leg || leg.ended || leg.state !== 'confirmed') throw new Error('transfer: no such answered channel');
    const record = { dir: 'out', channel: leg.channel, target, at: Date.now(), referStatus: null, notifies: [], outcome: null };
    this.log.push(record);
    leg.transfer = record;
    const res = await this.calls.inDialog(leg, 'REFER', { headers: [['Refer-To', `<sip:${target}@${HOST}>`]] });
    record.referStatus = res.status;
    return res;
  }

  onNotify(flow, req, leg) {
    const frag = sipfrag(req.body);
    const entry = { at: Date.now(), status: frag?.status ?? null, contact: req.has('contact'), answered: 200, state: req.get('subscription-state') };
    const record = leg.transfer;
    record?.notifies.push(entry);
    if (!entry.contact) {
      entry.answered = 400;
      return this.pbx.respond(flow, req, 400, 'Missing Contact header');
    }
    if (req.contactUri) leg.remoteTarget = req.contactUri;
    this.pbx.respond(flow, req, 200, 'OK');
    if (!record || record.outcome || !frag || frag.status < 200) return;
    if (frag.status < 300) {
      record.outcome = 'success';
      // The transfer is done: the original channel hangs up, and its bridge with it.
      this.pbx.setTimer(() => this.calls.hangupBoth(leg, 'transferred'), 0);
    } else {
      record.outcome = 'failed';
    }
  }

  /** A browser's blind transfer: its partner (the transferee) is connected to Refer-To. */
  onRefer(flow, req, leg) {
    const pbx = this.pbx;
    const referTo = req.get('refer-to');
    if (!referTo) return pbx.respond(flow, req, 400, 'Bad Request');
    const exten = uriUser(addrUri(referTo)) ?? '';
    const dest = pbx.options.routes[exten] ?? exten;
    const record = { dir: 'in', channel: leg.channel, target: exten, at: Date.now(), referStatus: 202, notifies: [], outcome: null };
    this.log.push(record);
    pbx.respond(flow, req, 202, 'Accepted', [['Contact', pbx.contact]]);
    const notify = async (status, reason, final) => {
      const res = await this.calls.inDialog(leg, 'NOTIFY', {
        headers: [
          ['Event', 'refer'],
          ['Subscription-State', final ? 'terminated;reason=noresource' : 'active;expires=180'],
          ['Allow', ALLOW],
        ],
        body: `SIP/2.0 ${status} ${reason}\r\n`,
        contentType: SIPFRAG,
      });
      record.notifies.push({ at: Date.now(), status, answered: res.status });
      return res;
    };
    const transferee = leg.partner;
    notify(100, 'Trying', false);
    if (!transferee || transferee.ended || !pbx.registrar.lookup(dest)) {
      record.outcome = 'failed';
      notify(503, 'Service Unavailable', true);
      return;
    }
    // The transferor leaves the bridge: its BYE must not hang up the transferee.
    leg.partner = null;
    transferee.partner = null;
    const target = this.calls.dial(dest, {
      caller: { user: transferee.user, name: pbx.nameOf(transferee.user) },
      onAnswer: async (res) => {
        const re = await this.calls.reinvite(transferee, res.body);
        if (re.status >= 200 && re.status < 300) {
          target.sdpSent = re.body;
          this.calls.sendAck(target, re.body);
          this.calls.bridge(transferee, target);
          record.outcome = 'success';
          await notify(200, 'OK', true);
          this.calls.hangup(leg, 'transferred');
        } else {
          this.calls.sendAck(target, withDirection(res.body, 'inactive'));
          this.calls.hangup(target);
          this.calls.hangup(transferee);
          record.outcome = 'failed';
          notify(503, 'Service Unavailable', true);
        }
      },
      onFail: (res) => {
        record.outcome = 'failed';
        notify(res.status, res.reason || 'Failed', true);
        this.calls.hangup(transferee);
      },
    });
  }
}
