// Session timers (RFC 4028) as chan_pjsip runs them (pjsip's timer module, `timers=yes`):
// per leg, the refresher re-offers every interval/2; when the PBX is the refresher it sends
// UPDATE (re-INVITE when the browser does not allow UPDATE); when the browser is, the PBX
// waits interval - min(32, interval/3) for a refresh and then hangs up both legs with BYE.
// A refresh that is not answered 2xx ends the call as well.
//
// Each leg keeps a record in `leg.session`: {interval, pbxRefreshes, sent: [...], received: [...],
// expiredAt}: `sent` are the PBX's refreshes and their answers, `received` the browser's.

/** The session timer of every leg (see the top of this file). */
export class SessionTimers {
  constructor(calls) {
    this.calls = calls;
    this.pbx = calls.pbx;
  }

  /** Parses a Session-Expires value: {interval, refresher: 'uac'|'uas'|null}, or null. */
  parse(value) {
    if (value === undefined) return null;
    const m = /^\s*(\d+)\s*(.*)$/.exec(value);
    if (!m) return null;
    const refresher = /;\s*refresher\s*=\s*(uac|uas)/i.exec(m[2])?.[1]?.toLowerCase() ?? null;
    return { interval: Number(m[1]), refresher };
  }

  /** Starts (or restarts) the leg's session timer. */
  start(leg, interval, pbxRefreshes) {
    const old = leg.session;
    if (old) this.pbx.clearTimer(old.timer);
    leg.session = { interval, pbxRefreshes, sent: old?.sent ?? [], received: old?.received ?? [], startedAt: old?.startedAt ?? Date.now() };
    this.arm(leg);
  }

  stop(leg) {
    if (leg.session) this.pbx.clearTimer(leg.session.timer);
  }

  arm(leg) {
    const s = leg.session;
    this.pbx.clearTimer(s.timer);
    if (s.pbxRefreshes) {
      s.timer = this.pbx.setTimer(() => this.refresh(leg), (s.interval * 1000) / 2);
    } else {
      const margin = Math.min(32, s.interval / 3);
      s.timer = this.pbx.setTimer(() => this.expire(leg), (s.interval - margin) * 1000);
    }
  }

  /** Session-Expires and Min-SE for a request the PBX sends in the leg's dialog. */
  requestHeaders(leg) {
    if (!leg.session) return [];
    return [
      ['Session-Expires', `${leg.session.interval};refresher=${leg.session.pbxRefreshes ? 'uac' : 'uas'}`],
      ['Min-SE', String(this.pbx.options.minSe)],
    ];
  }

  /**
   * The browser refreshed the session (re-INVITE or UPDATE that the PBX accepts): re-arms the
   * timer and returns the session headers of the 200.
   */
  refreshedByPeer(leg, se, method) {
    if (!leg.session && !se) return [];
    const interval = se?.interval ?? leg.session.interval;
    // refresher names a side of this request: uac is the browser that sent it.
    const peerRefreshes = se ? se.refresher !== 'uas' : !leg.session.pbxRefreshes;
    this.start(leg, interval, !peerRefreshes);
    leg.session.received.push({ at: Date.now(), method, sessionExpires: se ? `${se.interval}` : null });
    this.pbx.emit('sessionRefresh', { channel: leg.channel, by: 'browser', method });
    return [['Session-Expires', `${interval};refresher=${peerRefreshes ? 'uac' : 'uas'}`], ['Require', 'timer']];
  }

  /** The PBX's turn to refresh: UPDATE without a body, or a re-INVITE with the last SDP. */
  async refresh(leg) {
    if (leg.ended) return;
    const s = leg.session;
    const method = leg.peerAllowsUpdate ? 'UPDATE' : 'INVITE';
    const at = Date.now();
    const epoch = this.pbx.epoch;
    let res;
    if (method === 'UPDATE') {
      res = await this.calls.inDialog(leg, 'UPDATE', { headers: [['Supported', 'timer'], ...this.requestHeaders(leg)] });
    } else {
      res = await this.calls.reinvite(leg, leg.sdpSent);
    }
    if (epoch !== this.pbx.epoch || leg.ended) return;
    s.sent.push({ at, method, status: res.status, reason: res.reason, contact: Boolean(res.has?.('contact')), sessionExpires: res.get?.('session-expires') });
    this.pbx.emit('sessionRefresh', { channel: leg.channel, by: 'pbx', method, status: res.status });
    if (res.status >= 200 && res.status < 300) {
      if (res.contactUri) leg.remoteTarget = res.contactUri;
      const se = this.parse(res.get('session-expires'));
      this.start(leg, se?.interval ?? s.interval, !se || se.refresher !== 'uas');
    } else if (res.status === 491) {
      s.timer = this.pbx.setTimer(() => this.refresh(leg), 2000 + Math.random() * 2000);
    } else {
      this.calls.hangupBoth(leg, `session refresh refused ${res.status}`);
    }
  }

  /** No refresh came in time: BYE to both legs. */
  expire(leg) {
    if (leg.ended) return;
    leg.session.expiredAt = Date.now();
    this.pbx.emit('sessionExpired', { channel: leg.channel });
    this.calls.hangupBoth(leg, 'session expired');
  }
}
