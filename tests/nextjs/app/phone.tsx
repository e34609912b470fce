'use client';
// The softphone as a Next.js client component: the WebSocket address and the SIP URI come
// from NEXT_PUBLIC_* (inlined at build time), the password from /api/sip-credentials and
// the TURN credentials from /api/ice (both server-side; /api/ice mints them per request).

import { useEffect, useRef, useState } from 'react';
import { formatDuration, useCall, useSoftphone } from 'softphone-core/react';
import type { CallSnapshot, SoftphoneConfig, SoftphoneEvent } from 'softphone-core/react';

const WS_URI = process.env.NEXT_PUBLIC_SIP_WS_URI ?? '';
const SIP_URI = process.env.NEXT_PUBLIC_SIP_URI ?? '';
/** The route answering `{ iceServers, ttl }`; empty: no ICE servers. */
const ICE_URL = process.env.NEXT_PUBLIC_SIP_ICE_URL ?? '/api/ice';
/** `relay` forces calls through TURN (the test uses it to prove /api/ice works). */
const ICE_POLICY = process.env.NEXT_PUBLIC_SIP_ICE_TRANSPORT_POLICY === 'relay' ? 'relay' : undefined;

interface Credentials {
  password: string;
  authorizationUser?: string;
  iceServers?: RTCIceServer[];
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/**
 * The SIP password and TURN credentials, fetched once. This page passes `iceServers` (valid
 * for the route's ttl) to cover that path; the /migrated page gives the phone
 * `iceServersUrl` instead, which the phone fetches itself and refreshes before the ttl.
 */
function useCredentials(): { credentials: Credentials | null; error: string | null } {
  const [state, setState] = useState<{ credentials: Credentials | null; error: string | null }>({
    credentials: null,
    error: null,
  });
  useEffect(() => {
    let cancelled = false;
    Promise.all([
      getJson<Credentials>('/api/sip-credentials'),
      ICE_URL ? getJson<{ iceServers: RTCIceServer[]; ttl: number }>(ICE_URL) : Promise.resolve(null),
    ]).then(
      ([sip, ice]) => !cancelled && setState({ credentials: { ...sip, iceServers: ice?.iceServers }, error: null }),
      (e: unknown) => !cancelled && setState({ credentials: null, error: String(e) }),
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}

export function Phone() {
  const { credentials, error: credentialsError } = useCredentials();
  const [log, setLog] = useState<string[]>([]);
  const [target, setTarget] = useState('');

  const config: SoftphoneConfig | null =
    credentials && WS_URI && SIP_URI
      ? {
          servers: WS_URI,
          uri: SIP_URI,
          password: credentials.password,
          ...(credentials.authorizationUser ? { authorizationUser: credentials.authorizationUser } : {}),
          ...(credentials.iceServers?.length ? { iceServers: credentials.iceServers } : {}),
          ...(ICE_POLICY ? { iceTransportPolicy: ICE_POLICY } : {}),
          logLevel: 'info',
        }
      : null;

  const sp = useSoftphone(config, {
    onEvent: (e: SoftphoneEvent | { type: string }) => {
      if (e.type === 'log') return;
      setLog((lines) => [...lines.slice(-49), describe(e)]);
    },
  });

  return (
    <section>
      <p>
        Account <code>{SIP_URI || '(NEXT_PUBLIC_SIP_URI is not set)'}</code> on <code>{WS_URI || '(NEXT_PUBLIC_SIP_WS_URI is not set)'}</code>
      </p>
      <p>
        Connection <b data-testid="connection">{sp.connection.state}</b>, registration{' '}
        <b data-testid="registration">{sp.registration.state}</b>
      </p>
      {(sp.error || credentialsError) && (
        <p role="alert" data-testid="error">
          {sp.error ? `${sp.error.name}: ${sp.error.message}` : credentialsError}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          try {
            sp.call(target.trim());
          } catch (err) {
            setLog((lines) => [...lines, `call failed: ${String(err)}`]);
          }
        }}
      >
        <input
          data-testid="target"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          placeholder="bob or sip:bob@example.com"
          aria-label="Call target"
        />
        <button type="submit" data-testid="dial" disabled={sp.registration.state !== 'registered' || !target.trim()}>
          Call
        </button>
      </form>
      <ul data-testid="calls">
        {sp.calls.map((c) => (
          <CallRow key={c.id} call={c} actions={sp} />
        ))}
      </ul>
      <ol data-testid="log" style={{ fontFamily: 'monospace', fontSize: '0.8rem' }}>
        {log.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ol>
    </section>
  );
}

function CallRow({ call, actions }: { call: CallSnapshot; actions: ReturnType<typeof useSoftphone> }) {
  const { state, duration, hold, muted, stats } = useCall(call);
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (audio.current && audio.current.srcObject !== call.remoteStream) audio.current.srcObject = call.remoteStream;
  }, [call.remoteStream]);
  return (
    <li data-testid="call" data-call-id={call.id}>
      {call.direction} {call.remoteUri}: <b data-testid="call-state">{state}</b>{' '}
      <span data-testid="call-duration">{formatDuration(duration)}</span>
      {hold.local || hold.remote ? ' (held)' : ''}
      {muted ? ' (muted)' : ''} inbound packets <span data-testid="inbound-packets">{stats?.inbound.packets ?? 0}</span>
      {stats?.selectedPair && <span data-testid="local-candidate"> via {stats.selectedPair.local.type}</span>}
      <audio ref={audio} autoPlay />{' '}
      {call.state === 'incoming' && (
        <button type="button" data-testid="answer" onClick={() => actions.answer(call.id)}>
          Answer
        </button>
      )}
      <button type="button" data-testid="hangup" onClick={() => actions.hangup(call.id)}>
        Hang up
      </button>
    </li>
  );
}

function describe(e: SoftphoneEvent | { type: string }): string {
  const fields = Object.entries(e)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return `${e.type} ${fields.join(' ')}`;
}
