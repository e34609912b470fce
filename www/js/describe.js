// @ts-check
// Words for a person: what each event of the package means, and a tone for its badge
// ('ok', 'busy', 'bad', 'idle'). Pure functions of the events (tests/e2e/demo-describe.test.mjs
// runs them in Node: this module imports nothing). Durations: the package's formatDuration.

/**
 * @typedef {import('/pkg/index.js').SoftphoneConnectionEvent} SoftphoneConnectionEvent
 * @typedef {import('/pkg/index.js').SoftphoneRegistrationEvent} SoftphoneRegistrationEvent
 * @typedef {import('/pkg/index.js').SoftphoneEndCause} SoftphoneEndCause
 * @typedef {import('/pkg/index.js').SoftphoneMediaFailure} SoftphoneMediaFailure
 * @typedef {import('/pkg/index.js').SoftphoneQualityEvent} SoftphoneQualityEvent
 * @typedef {import('/pkg/index.js').SoftphoneCallEvent} SoftphoneCallEvent
 * @typedef {import('/pkg/index.js').SoftphoneCallStats} SoftphoneCallStats
 * @typedef {import('/pkg/index.js').SoftphoneCandidate} SoftphoneCandidate
 */

/**
 * @param {SoftphoneConnectionEvent} e
 * @returns {[string, string]} the log text and the badge tone of a `connection` event
 */
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
      const hint = 'hint' in r ? r.hint : '';
      return [`disconnected: ${why}${hint ? ` — ${hint}` : ''}`, 'bad'];
    }
    case 'reconnecting':
      return [`reconnecting in ${(e.delayMs / 1000).toFixed(1)} s`, 'busy'];
    default:
      return [/** @type {{ state: string }} */ (e).state, 'idle'];
  }
}

/**
 * @param {SoftphoneRegistrationEvent} e
 * @returns {[string, string]} the log text and the badge tone of a `registration` event
 */
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
      return [/** @type {{ state: string }} */ (e).state, 'idle'];
  }
}

/** @type {Partial<Record<string, string>>} short words for a call's badge once it has ended, by cause */
export const END_BADGE = {
  localHangup: 'ended', remoteHangup: 'hung up by remote', busy: 'busy', declined: 'declined',
  cancelled: 'cancelled', noAnswer: 'no answer', sessionExpired: 'session expired',
  sessionRefreshFailed: 'session refresh refused', transferred: 'transferred',
  replaced: 'replaced by a transferred call',
};

/**
 * A call's end in a few words.
 * @param {SoftphoneEndCause | undefined} cause
 * @returns {string}
 */
export function describeEnd(cause) {
  if (!cause) return 'ended';
  switch (cause.kind) {
    case 'rejected':
      return `rejected (${cause.status})`;
    case 'failed':
      return `failed (${cause.status} ${cause.reason})`;
    case 'mediaFailure':
      return cause.why ? `media failure: ${WATCHDOG_WHY[cause.why] ?? cause.why}` : `media failure (${cause.reason})`;
    default:
      return cause.kind;
  }
}

/** @type {Partial<Record<string, string>>} what the media watchdog found when it gave up (`mediaFailure` `why`) */
export const WATCHDOG_WHY = {
  turnUnreachable: 'the TURN server could not be reached',
  turnAuthFailed: 'the TURN server refused the credentials',
  dtlsFailed: 'the encryption handshake (DTLS) failed',
  iceFailed: 'no network path to the far end (ICE failed)',
  noInboundPackets: 'no audio arrived from the far end',
};

/**
 * The whole story of a `mediaFailure` end for the log: why, for how long and how hard the
 * phone tried, and the evidence (ICE/DTLS states, packets, each TURN server's answer).
 * @param {SoftphoneMediaFailure} cause
 * @returns {string}
 */
export function describeMediaFailure(cause) {
  const parts = [describeEnd(cause)];
  const tried = [
    cause.media === 'neverStarted' ? 'media never started' : cause.media === 'lost' ? 'media was lost' : null,
    cause.triedMs !== undefined ? `tried ${(cause.triedMs / 1000).toFixed(1)} s` : null,
    cause.restarts !== undefined ? `${cause.restarts} ICE restart${cause.restarts === 1 ? '' : 's'}` : null,
    cause.relayOnly ? 'switched to relay only' : null,
  ].filter(Boolean);
  if (tried.length) parts.push(`(${tried.join(', ')})`);
  const ev = cause.evidence;
  if (ev) {
    const facts = [
      ev.ice ? `ICE ${ev.ice}` : null,
      ev.dtls ? `DTLS ${ev.dtls}` : null,
      `packets ${ev.packetsReceived} in / ${ev.packetsSent} out`,
      ev.selectedPair ? `pair ${ev.selectedPair.local} -> ${ev.selectedPair.remote}` : 'no candidate pair',
      ...(ev.servers ?? []).map((sv) => `${sv.url}: ${sv.status}${sv.errorCode !== undefined ? ` ${sv.errorCode}` : ''}`),
    ].filter(Boolean);
    parts.push(`— evidence: ${facts.join('; ')}`);
  }
  return parts.join(' ');
}

/** @type {Partial<Record<string, string>>} words for the quality warnings of `quality` events */
export const QUALITY_WORDS = {
  highRtt: 'high delay',
  highLoss: 'packet loss',
  highJitter: 'jitter',
  noInboundAudio: 'no audio arriving',
  silentMicrophone: 'your microphone is silent',
  farEndSilent: 'the far end is silent',
  lowMos: 'poor call quality (low MOS)',
};

/**
 * The log text of a `quality` event.
 * @param {SoftphoneQualityEvent} e
 * @returns {string}
 */
export function describeQuality(e) {
  const words = QUALITY_WORDS[e.warning] ?? e.warning;
  const value = e.value === undefined ? '' : ` (${e.warning === 'lowMos' ? Number(e.value).toFixed(2) : e.value})`;
  return `quality: ${words}${value} ${e.active ? 'raised' : 'cleared'}`;
}

/**
 * The MOS line of a stats sample: the value, or "MOS n/a" with why when nothing was measured.
 * @param {Pick<SoftphoneCallStats, 'mos' | 'mosUnavailable'>} stats
 * @returns {string}
 */
export function describeMos(stats) {
  if (typeof stats.mos === 'number') return stats.mos.toFixed(2);
  const reasons = { noInboundPackets: 'no packets received', noRoundTripTime: 'no round-trip time yet' };
  const why = stats.mosUnavailable === undefined ? undefined : reasons[stats.mosUnavailable];
  return why ? `MOS n/a (${why})` : 'MOS n/a';
}

/**
 * The log text of a `call` event.
 * @param {SoftphoneCallEvent} e
 * @returns {string}
 */
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
      return `ended: ${e.cause?.kind === 'mediaFailure' ? describeMediaFailure(e.cause) : describeEnd(e.cause)}`;
    default:
      return e.event;
  }
}

/** @type {Partial<Record<string, string>>} badge tones of call states */
export const CALL_TONE = {
  incoming: 'busy', calling: 'busy', ringing: 'busy', earlyMedia: 'busy',
  connected: 'ok', reconnecting: 'busy', ended: 'idle',
};

/**
 * One end of the selected candidate pair, e.g. "relay udp (relay over tcp) 192.0.2.1".
 * @param {Partial<SoftphoneCandidate> & Pick<SoftphoneCandidate, 'type' | 'protocol'> | undefined} c
 * @returns {string}
 */
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
 * @param {SoftphoneCallStats['selectedPair']} pair
 * @returns {[string, string, string]}
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
