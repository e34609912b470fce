'use client';
// BLF lamps and a voicemail indicator on `useBlf` and `useMwi`. The PBX is given at run time,
// not at build time, so that one `next build` serves both the Kamailio pages and this one,
// which tests/e2e/nextjs.test.mjs points at the Asterisk-shaped scripted notifier (Kamailio
// serves no dialog or message-summary events):
//
//   /panel?ws=ws://127.0.0.1:5066/ws&uri=sip:1001@127.0.0.1&blf=1002,1003#<password>
//
// The password rides in the fragment, which the browser never sends to the server, and is
// dropped from the address bar as soon as it is read. A real dashboard would fetch it from a
// route handler as the / page does.

import { useEffect, useState } from 'react';
import { useBlf, useMwi, useSoftphone } from 'softphone-core/react';
import type { Softphone, SoftphoneConfig } from 'softphone-core/react';

interface PanelSetup {
  config: SoftphoneConfig;
  targets: string[];
}

/** The phone's configuration and the lamps' targets from the address, or null when incomplete. */
function readSetup(): PanelSetup | null {
  const query = new URLSearchParams(window.location.search);
  const servers = query.get('ws');
  const uri = query.get('uri');
  const password = decodeURIComponent(window.location.hash.slice(1));
  if (window.location.hash) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  if (!servers || !uri || !password) return null;
  const targets = (query.get('blf') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return { config: { servers, uri, password, logLevel: 'info' }, targets };
}

export function LampPanel() {
  const [setup, setSetup] = useState<PanelSetup | null>(null);
  const [missing, setMissing] = useState(false);
  const [shown, setShown] = useState(true);
  useEffect(() => {
    const s = readSetup();
    setSetup(s);
    setMissing(s === null);
  }, []);
  const { phone, registration } = useSoftphone(setup?.config ?? null);

  if (missing) return <p role="alert">Give ?ws=…&uri=…&blf=…#password in the address.</p>;
  return (
    <section aria-label="Lamp panel">
      <p>
        Registration: <b data-testid="registration">{registration.state}</b>{' '}
        <button type="button" data-testid="toggle-lamps" onClick={() => setShown((v) => !v)}>
          {shown ? 'Hide lamps' : 'Show lamps'}
        </button>
      </p>
      {shown && setup && <Lamps phone={phone} targets={setup.targets} />}
    </section>
  );
}

const COLOURS = { idle: 'green', ringing: 'orange', busy: 'red' } as const;

/** Mounted while shown: its hooks subscribe on mount and unsubscribe on unmount. */
function Lamps({ phone, targets }: { phone: Softphone | null; targets: readonly string[] }) {
  const lamps = useBlf(phone, targets);
  const mwi = useMwi(phone);
  return (
    <>
      <ul>
        {targets.map((t) => {
          const lamp = lamps[t];
          const state = lamp?.lamp ?? 'unknown';
          return (
            <li key={t} data-testid={`lamp-${t}`} data-lamp={state} data-status={lamp?.status ?? 'none'}>
              <span style={{ color: state === 'unknown' ? 'grey' : COLOURS[state] }}>●</span> {t} {state}
              {lamp?.remoteDisplayName || lamp?.remoteIdentity ? ` with ${lamp.remoteDisplayName ?? lamp.remoteIdentity}` : ''}
            </li>
          );
        })}
      </ul>
      <p data-testid="mwi" data-status={mwi.status} data-waiting={String(mwi.waiting)} data-new={mwi.newMessages} data-old={mwi.oldMessages}>
        Voicemail: {mwi.waiting ? `${mwi.newMessages} new` : 'none new'}, {mwi.oldMessages} old
      </p>
    </>
  );
}
