'use client';
// A phone whose password changes while it runs: first a wrong one (the registrar refuses
// it), then the right one from /api/sip-credentials when the button is pressed.

import { useState } from 'react';
import { useSoftphone } from 'softphone-core/react';
import type { SoftphoneConfig, SoftphoneEvent } from 'softphone-core/react';

const WS_URI = process.env.NEXT_PUBLIC_SIP_WS_URI ?? '';
const SIP_URI = process.env.NEXT_PUBLIC_SIP_URI ?? '';

export function RotatingPhone() {
  const [password, setPassword] = useState('not-the-password');
  const [connects, setConnects] = useState(0);
  const config: SoftphoneConfig = { servers: WS_URI, uri: SIP_URI, password, logLevel: 'info' };
  const sp = useSoftphone(config, {
    onEvent: (e: SoftphoneEvent) => {
      if (e.type === 'connection' && e.state === 'connecting') setConnects((n) => n + 1);
    },
  });
  const fix = async () => {
    const res = await fetch('/api/sip-credentials', { cache: 'no-store' });
    const body = (await res.json()) as { password: string };
    setPassword(body.password);
  };
  return (
    <section>
      <p>
        registration <b data-testid="registration">{sp.registration.state}</b>, WebSockets opened{' '}
        <b data-testid="connects">{connects}</b>, instance <b data-testid="instance">{sp.phone?.instanceId ?? ''}</b>
      </p>
      <button type="button" data-testid="fix" onClick={() => void fix()}>
        Use the right password
      </button>
    </section>
  );
}
