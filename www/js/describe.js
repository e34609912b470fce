// Words for a person: what each event of the package means, and a tone for its badge
// ('ok', 'busy', 'bad', 'idle'). Pure functions of the events.

/** @returns {[string, string]} the log text and the badge tone of a `connection` event */
export function describeConnection(e) {
  switch (e.state) {
    case 'connecting':
      return [`connecting to ${e.url}${e.attempt ? ` (attempt ${e.attempt + 1})` : ''}`, 'busy'];
    case 'connected':
      return [`connected to ${e.url}`, 'ok'];
    case 'disconnected': {
      const r = e.reason;
      const why = r.kind === 'closed' ? `closed ${r.code}${r.reason ? ` ${r.reason}` : ''}`
        : r.kind === 'openFailed' ? `could not open (${r.code})` : r.kind;
      return [`disconnected: ${why}${r.hint ? ` — ${r.hint}` : ''}`, 'bad'];
    }
    case 'reconnecting':
      return [`reconnecting in ${(e.delayMs / 1000).toFixed(1)} s`, 'busy'];
    default:
      return [e.state, 'idle'];
  }
}

/** @returns {[string, string]} the log text and the badge tone of a `registration` event */
export function describeRegistration(e) {
  switch (e.state) {
    case 'registering':
      return ['registering', 'busy'];
    case 'registered':
      return [`registered (${e.expires} s)`, 'ok'];
    case 'unregistered':
      return ['unregistered', 'idle'];
    case 'failed':
      return [`failed: ${e.status} ${e.reason}${e.retryInMs !== undefined ? `, retry in ${Math.round(e.retryInMs / 1000)} s` : ''}`, 'bad'];
    default:
      return [e.state, 'idle'];
  }
}

/** Short words for a call's badge once it has ended, by cause. */
export const END_BADGE = {
  localHangup: 'ended', remoteHangup: 'hung up by remote', busy: 'busy', declined: 'declined',
  cancelled: 'cancelled', noAnswer: 'no answer', sessionExpired: 'session expired',
  sessionRefreshFailed: 'session refresh refused', transferred: 'transferred',
  replaced: 'replaced by a transferred call',
};

export function describeEnd(cause) {
  if (!cause) return 'ended';
  switch (cause.kind) {
    case 'rejected':
      return `rejected (${cause.status})`;
    case 'failed':
      return `failed (${cause.status} ${cause.reason})`;
    case 'mediaFailure':
      return `media failure (${cause.reason})`;
    default:
      return cause.kind;
  }
}

/** The log text of a `call` event. */
export function describeCall(e) {
  switch (e.event) {
    case 'incoming':
      return `incoming from ${e.displayName ? `${e.displayName} ` : ''}${e.from}${e.replaces !== undefined ? ` (replacing #${e.replaces})` : ''}`;
    case 'calling':
      return `calling ${e.target}`;
    case 'hold':
      return `hold local=${e.local} remote=${e.remote}`;
    case 'muted':
      return e.muted ? 'muted' : 'unmuted';
    case 'dtmf':
      return `DTMF received: ${e.tone}`;
    case 'transferRequested':
      return `transfer requested to ${e.target}`;
    case 'transferProgress':
      return `transfer: ${e.status} ${e.reason}`;
    case 'ended':
      return `ended: ${describeEnd(e.cause)}`;
    default:
      return e.event;
  }
}

/** Badge tones of call states. */
export const CALL_TONE = {
  incoming: 'busy', calling: 'busy', ringing: 'busy', earlyMedia: 'busy',
  connected: 'ok', reconnecting: 'busy', ended: 'idle',
};

export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One end of the selected candidate pair, e.g. "relay udp (relay over tcp) 192.0.2.1". */
export function describeCandidate(c) {
  if (!c) return '–';
  const relay = c.relayProtocol ? ` (relay over ${c.relayProtocol})` : '';
  return `${c.type} ${c.protocol}${relay}${c.address ? ` ${c.address}` : ''}`;
}

/**
 * The path badge of a call's selected pair: [text, tone, kind]. Through our TURN server:
 * "relay (TURN/TCP)" (how we reach it); through the far end's: "relay (the far end's TURN)";
 * both of kind 'relay'. Else "direct (host/UDP)", "direct (srflx/UDP)" (our end), of kind
 * 'direct'.
 */
export function describePath(pair) {
  if (!pair) return ['no path yet', 'idle', 'none'];
  const { local, remote } = pair;
  if (local.type === 'relay') {
    return [`relay (TURN/${String(local.relayProtocol ?? local.protocol).toUpperCase()})`, 'busy', 'relay'];
  }
  if (remote.type === 'relay') return ["relay (the far end's TURN)", 'busy', 'relay'];
  // A remote prflx candidate may still be the far end's relay, learnt from its checks: this
  // side cannot tell, and says only what it knows about its own end.
  return [`direct (${local.type}/${local.protocol.toUpperCase()})`, 'ok', 'direct'];
}
