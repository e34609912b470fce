/** The state of a call. */
export type SoftphoneCallState =
  | 'incoming' | 'calling' | 'ringing' | 'earlyMedia'
  | 'connected' | 'reconnecting' | 'ended';

/** One end of the selected ICE candidate pair. */
export interface SoftphoneCandidate {
  type: 'host' | 'srflx' | 'prflx' | 'relay';
  protocol: 'udp' | 'tcp';
  relayProtocol?: 'udp' | 'tcp' | 'tls';
  address?: string;
}

/** What `call.getStats()` resolves to. */
export interface SoftphoneCallStats {
  selectedPair?: { local: SoftphoneCandidate; remote: Omit<SoftphoneCandidate, 'relayProtocol'> };
  rttMs?: number;
  jitterMs?: number;
  /** Inbound audio, over the last interval. */
  packetLossPercent?: number;
  /**
   * E-model estimate, 1.0-4.5; `null` when nothing was measured (no inbound packet over
   * the interval, or no round-trip time yet), with the reason in `mosUnavailable`.
   */
  mos: number | null;
  mosUnavailable?: 'noInboundPackets' | 'noRoundTripTime';
  /**
   * Audio received: RTP packets and payload bytes since the call began, and the far end's
   * level over the last interval (linear, 0-1) when the browser reports it.
   */
  inbound: { packets: number; bytes: number; audioLevel?: number };
  /** Audio sent, and the microphone's level over the last interval. */
  outbound: { packets: number; bytes: number; audioLevel?: number };
}

/** What the browser knows of one STUN/TURN URL when a call gives up on its media. */
export interface SoftphoneIceServerOutcome {
  url: string;
  /** `refused`: unreachable other than by a timeout; `error`: another STUN error (`errorCode`). */
  status: 'pending' | 'allocated' | 'timedOut' | 'refused' | 'authFailed' | 'error';
  errorCode?: number;
}

/** The media watchdog's evidence in a `mediaFailure` end cause. */
export interface SoftphoneMediaEvidence {
  ice?: 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
  dtls?: 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
  selectedPair?: { local: SoftphoneCandidate['type']; remote: SoftphoneCandidate['type'] };
  packetsReceived: number;
  packetsSent: number;
  servers: SoftphoneIceServerOutcome[];
}

/**
 * A call's media could not be had. `reason` is always there; the watchdog's fields are
 * there when it ended the call (absent for a media action the browser refused, such as a
 * denied microphone).
 */
export interface SoftphoneMediaFailure {
  kind: 'mediaFailure';
  reason: string;
  media?: 'neverStarted' | 'lost';
  /**
   * `turnUnreachable`: no TURN URL answered and no direct path worked ("your network
   * blocks TURN on every port"); `turnAuthFailed`; `dtlsFailed`: ICE connected, DTLS
   * never did (symmetric NAT); `iceFailed`; `noInboundPackets`: the path is up, the far
   * end sends nothing.
   */
  why?: 'turnUnreachable' | 'turnAuthFailed' | 'dtlsFailed' | 'iceFailed' | 'noInboundPackets';
  /** How long recovery was tried, ms. */
  triedMs?: number;
  restarts?: number;
  /** One of the restarts was relay-only. */
  relayOnly?: boolean;
  evidence?: SoftphoneMediaEvidence;
}

/** Why a call ended. */
export type SoftphoneEndCause =
  | { kind: 'localHangup' } | { kind: 'remoteHangup' } | { kind: 'busy' }
  | { kind: 'declined' } | { kind: 'cancelled' } | { kind: 'noAnswer' }
  | { kind: 'rejected'; status: number }
  | { kind: 'failed'; status: number; reason: string }
  | SoftphoneMediaFailure
  | { kind: 'sessionExpired' }
  /** Our session refresh (RFC 4028) was refused (or got no answer) until the session was about to expire. */
  | { kind: 'sessionRefreshFailed'; status: number; reason: string }
  /** Ours, in an attended transfer too: both the transferred and the consultation call. */
  | { kind: 'transferred' }
  /** An incoming INVITE with Replaces took its place (the new call's `incoming` has `replaces`). */
  | { kind: 'replaced' };

/** Something that happened to a call; `callId` is `call.id`. */
export type SoftphoneCallEvent = { type: 'call'; callId: number } & (
  /**
   * `identity`: P-Asserted-Identity or Remote-Party-ID. `autoAnswerAfter`: seconds, when
   * Alert-Info or Call-Info ask to answer by itself. The rest: `call.requestHeaders`.
   * `replaces`: this call takes the place of that call (an INVITE with Replaces, the end of
   * an attended transfer): it is answered already, and that call ends as `replaced` once
   * this one is connected.
   */
  | { event: 'incoming'; from: string; displayName?: string; to: string; sipCallId: string; identity?: SoftphoneIdentity; autoAnswerAfter?: number; replaces?: number }
  | { event: 'calling'; target: string; sipCallId: string }
  | { event: 'ringing' }
  | { event: 'earlyMedia' }
  /** Also after 'reconnecting'. */
  | { event: 'connected' }
  /** Media lost, ICE restarting. */
  | { event: 'reconnecting' }
  | { event: 'hold'; local: boolean; remote: boolean }
  | { event: 'muted'; muted: boolean }
  /** `call.remoteStream` is now set. */
  | { event: 'remoteStream' }
  /** Received by SIP INFO. */
  | { event: 'dtmf'; tone: string }
  /** A SIP INFO that is not DTMF (answered 200); `headers` in order. */
  | { event: 'info'; contentType: string; body: string; headers: Array<[string, string]> }
  /** The answer to `call.sendInfo()`. */
  | { event: 'infoResponse'; status: number; reason: string }
  | { event: 'transferRequested'; target: string }
  /**
   * The REFER's answer (202), then each NOTIFY's status. 2xx: done (the call, and in an
   * attended transfer the consultation call, end as `transferred`). 300 or more, or 408
   * when no outcome came within 60 s: failed, every call stays as it was.
   */
  | { event: 'transferProgress'; status: number; reason: string }
  | { event: 'ended'; cause: SoftphoneEndCause }
);

/** A call quality warning raised (`active: true`) or cleared. */
export interface SoftphoneQualityEvent {
  type: 'quality';
  callId: number;
  /**
   * `noInboundAudio`: the call is up (not held) and no audio packet came for 3 s;
   * `silentMicrophone`: our microphone sent silence for 3 s while not muted;
   * `farEndSilent`: packets arrive but carry silence for 5 s; `lowMos`: MOS below 3.0.
   */
  warning:
    | 'highRtt' | 'highLoss' | 'highJitter' | 'noInboundAudio'
    | 'silentMicrophone' | 'farEndSilent' | 'lowMos';
  active: boolean;
  value?: number;
}
