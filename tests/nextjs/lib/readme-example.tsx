// The React example of README.md ("React / Next.js usage") and of the package README
// (pkg-template/README.md, "React hooks"), kept here so that the typecheck
// (tsconfig.strict.json) proves it compiles. Keep the three in step.
'use client';
import { formatDuration, useCall, useSoftphone, type CallSnapshot } from 'softphone-core/react';

// password from your own route (e.g. /api/sip-credentials), iceServers from /api/ice
export function Phone({ password, iceServers }: { password: string | null; iceServers: RTCIceServer[] }) {
  // null until the password is known; an equal config on every render keeps the same phone.
  const sp = useSoftphone(
    password
      ? { servers: process.env.NEXT_PUBLIC_SIP_WS_URI!, uri: process.env.NEXT_PUBLIC_SIP_URI!, password, iceServers }
      : null,
  );
  return (
    <>
      <p>{sp.connection.state} / {sp.registration.state}</p>
      <button onClick={() => sp.call('1001')} disabled={sp.registration.state !== 'registered'}>Call</button>
      {sp.calls.map((c) => <Call key={c.id} call={c} hangup={() => sp.hangup(c.id)} />)}
    </>
  );
}

function Call({ call, hangup }: { call: CallSnapshot; hangup: () => void }) {
  const { state, duration, stats } = useCall(call);   // duration ticks; stats polled every 2 s
  return (
    <div>
      {call.remoteUri}: {state} {formatDuration(duration)} RTT {stats?.rttMs ?? '–'} ms
      <audio autoPlay ref={(el) => { if (el) el.srcObject = call.remoteStream; }} />
      <button onClick={hangup}>Hang up</button>
    </div>
  );
}
