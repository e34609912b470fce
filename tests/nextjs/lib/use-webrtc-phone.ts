'use client';
// The dashboard team's `useWebRTCPhone` hook, rewritten on softphone-core's `useSoftphone` and
// `useCall` (docs/migrating-from-jssip.md walks through it). Its return value keeps the shape
// the old JsSIP hook had, so the components that used it did not change:
//
//   const phone = useWebRTCPhone({ wsUri: 'wss://pbx.example.com/ws', sipUri: 'sip:201@pbx.example.com' });
//   phone.status        'disconnected' | 'connecting' | 'connected' | 'registered' | 'failed'
//   phone.incoming      the ringing call (a banner with a ringtone), or null
//   phone.active        the call in progress, or null; phone.duration ticks while it is up
//   phone.isRelay       true when the call's media goes through TURN (from getStats)
//   phone.call(target) / answer() / reject() / hangup() / hold() / unhold() / toggleMute() / sendDtmf(digits)
//
// Differences from the JsSIP version, on purpose:
// - No password or TURN credential in NEXT_PUBLIC_*: the SIP password comes from a route handler
//   (`credentialsUrl`), the TURN credentials from `iceUrl`, which the phone fetches itself and
//   refreshes before their ttl (`iceServersUrl`).
// - No `ua.on('newRTCSession')` bookkeeping: `calls` is a list of immutable snapshots.
// - Calls do not wait for ICE gathering to complete (JsSIP waits up to 40 s for a dead TURN URL).

import { useEffect, useMemo, useRef, useState } from 'react';
import { useCall, useSoftphone } from 'softphone-core/react';
import type { CallSnapshot, SoftphoneConfig, SoftphoneEvent } from 'softphone-core/react';

/** Where the hook connects, and where it fetches what must stay on the server. */
export interface WebRTCPhoneOptions {
  /** `wss://pbx.example.com/ws` (Asterisk serves its WebSocket on `/ws` only). */
  wsUri: string;
  /** `sip:201@pbx.example.com` */
  sipUri: string;
  /** A route answering `{ password, authorizationUser? }` for the signed-in agent. Default `/api/sip-credentials`. */
  credentialsUrl?: string;
  /** A route answering `{ iceServers, ttl }` (TURN REST credentials minted per request). Default `/api/ice`. */
  iceUrl?: string;
  /** `'relay'` forces media through TURN. */
  iceTransportPolicy?: 'all' | 'relay';
  /** Every phone event, e.g. for a log panel. */
  onEvent?: (event: SoftphoneEvent) => void;
}

/** The phone as the old JsSIP hook presented it. */
export type PhoneStatus = 'disconnected' | 'connecting' | 'connected' | 'registered' | 'failed';

/** What the ringtone is doing: `blocked` when the browser's autoplay policy keeps audio off until a click. */
export type RingtoneState = 'off' | 'playing' | 'blocked';

/** What `useWebRTCPhone` returns. */
export interface WebRTCPhone {
  readonly status: PhoneStatus;
  /** Why the phone failed (a refused password, a wrong WebSocket path ...), for the status bar. */
  readonly error: string | null;
  readonly incoming: CallSnapshot | null;
  readonly active: CallSnapshot | null;
  /** Seconds since `active` connected. */
  readonly duration: number;
  readonly isRelay: boolean | null;
  readonly ringtone: RingtoneState;
  call(target: string): void;
  answer(): void;
  reject(): void;
  hangup(): void;
  hold(): void;
  unhold(): void;
  toggleMute(): void;
  sendDtmf(digits: string): void;
}

interface SipCredentials {
  password: string;
  authorizationUser?: string;
}

/** The agent's SIP password, fetched once from the server (never built into the bundle). */
function useSipCredentials(url: string): { credentials: SipCredentials | null; error: string | null } {
  const [state, setState] = useState<{ credentials: SipCredentials | null; error: string | null }>({
    credentials: null,
    error: null,
  });
  useEffect(() => {
    let cancelled = false;
    fetch(url, { cache: 'no-store' })
      .then(async (res) => {
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        return (await res.json()) as SipCredentials;
      })
      .then(
        (credentials) => !cancelled && setState({ credentials, error: null }),
        (e: unknown) => !cancelled && setState({ credentials: null, error: String(e) }),
      );
    return () => {
      cancelled = true;
    };
  }, [url]);
  return state;
}

/**
 * A ringtone made with WebAudio (no audio file): the 440 + 480 Hz North American ring, 2 s on
 * and 4 s off, while `ringing`. Browsers keep an AudioContext suspended until the user has
 * interacted with the page; the state says so instead of failing silently.
 */
function useRingtone(ringing: boolean): RingtoneState {
  const [state, setState] = useState<RingtoneState>('off');
  const ctxRef = useRef<AudioContext | null>(null);
  useEffect(() => {
    if (!ringing) {
      setState('off');
      return;
    }
    const ctx = ctxRef.current ?? new AudioContext();
    ctxRef.current = ctx;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const tones = [440, 480].map((frequency) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start();
      return osc;
    });
    // The cadence, scheduled on the audio clock a minute ahead (an unanswered call rings 60 s).
    const t0 = ctx.currentTime;
    for (let s = 0; s < 60; s += 6) {
      gain.gain.setValueAtTime(0.15, t0 + s);
      gain.gain.setValueAtTime(0, t0 + s + 2);
    }
    const report = () => setState(ctx.state === 'running' ? 'playing' : 'blocked');
    ctx.resume().then(report, report);
    ctx.addEventListener('statechange', report);
    return () => {
      ctx.removeEventListener('statechange', report);
      for (const osc of tones) osc.stop();
      gain.disconnect();
    };
  }, [ringing]);
  useEffect(() => () => void ctxRef.current?.close(), []);
  return state;
}

/** The dashboard's phone: one registered softphone, at most one active and one ringing call. */
export function useWebRTCPhone(options: WebRTCPhoneOptions): WebRTCPhone {
  const { wsUri, sipUri, credentialsUrl = '/api/sip-credentials', iceUrl = '/api/ice', iceTransportPolicy } = options;
  const { credentials, error: credentialsError } = useSipCredentials(credentialsUrl);

  // A new object each render is fine: useSoftphone keys the phone on the configuration's
  // content, so the phone is created once and re-created only when a value changes.
  const config: SoftphoneConfig | null = credentials
    ? {
        servers: wsUri,
        uri: sipUri,
        password: credentials.password,
        ...(credentials.authorizationUser ? { authorizationUser: credentials.authorizationUser } : {}),
        iceServersUrl: iceUrl,
        ...(iceTransportPolicy ? { iceTransportPolicy } : {}),
        logLevel: 'info',
      }
    : null;
  const sp = useSoftphone(config, { onEvent: options.onEvent });

  const incoming = sp.calls.find((c) => c.state === 'incoming') ?? null;
  const active = sp.calls.find((c) => c.state !== 'incoming' && c.state !== 'ended') ?? null;
  const { duration, stats } = useCall(active, { statsIntervalMs: 2000 });
  const ringtone = useRingtone(incoming !== null);

  const status: PhoneStatus = useMemo(() => {
    if (sp.registration.state === 'registered') return 'registered';
    if (sp.registration.state === 'failed' || sp.error) return 'failed';
    if (sp.connection.state === 'connected') return 'connected';
    if (sp.connection.state === 'connecting' || sp.connection.state === 'reconnecting') return 'connecting';
    return 'disconnected';
  }, [sp.registration.state, sp.connection.state, sp.error]);

  const error =
    credentialsError ??
    (sp.error ? `${sp.error.name}: ${sp.error.message}` : null) ??
    (sp.registration.state === 'failed' ? `registration failed: ${sp.registration.status} ${sp.registration.reason}` : null);

  const pair = stats?.selectedPair;
  return {
    status,
    error,
    incoming,
    active,
    duration,
    isRelay: pair ? pair.local.type === 'relay' || pair.remote.type === 'relay' : null,
    ringtone,
    call: (target) => void sp.call(target),
    answer: () => incoming && sp.answer(incoming.id),
    reject: () => incoming && sp.reject(incoming.id, 486),
    hangup: () => active && sp.hangup(active.id),
    hold: () => active && sp.hold(active.id),
    unhold: () => active && sp.unhold(active.id),
    toggleMute: () => active && (active.muted ? sp.unmute(active.id) : sp.mute(active.id)),
    sendDtmf: (digits) => active && sp.sendDtmf(active.id, digits, { mode: 'info' }),
  };
}
