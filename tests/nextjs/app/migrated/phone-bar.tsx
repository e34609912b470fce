'use client';
// The dashboard's phone bar, unchanged from its JsSIP days except for the import: status, a
// ringing banner, the active call with hold / mute / DTMF / hang-up, and "via TURN".
import { useEffect, useRef, useState } from 'react';
import { formatDuration } from 'softphone-core/react';
import { useWebRTCPhone } from '@/lib/use-webrtc-phone';

const WS_URI = process.env.NEXT_PUBLIC_SIP_WS_URI ?? '';
const SIP_URI = process.env.NEXT_PUBLIC_SIP_URI ?? '';
const ICE_POLICY = process.env.NEXT_PUBLIC_SIP_ICE_TRANSPORT_POLICY === 'relay' ? 'relay' : undefined;

export function PhoneBar() {
  const phone = useWebRTCPhone({ wsUri: WS_URI, sipUri: SIP_URI, iceTransportPolicy: ICE_POLICY });
  const [target, setTarget] = useState('');
  const [callError, setCallError] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const remote = phone.active?.remoteStream ?? null;
  useEffect(() => {
    if (audio.current && audio.current.srcObject !== remote) audio.current.srcObject = remote;
  }, [remote]);

  return (
    <section aria-label="Phone">
      <p>
        Phone: <b data-testid="status">{phone.status}</b>
        {phone.error && (
          <span role="alert" data-testid="phone-error">
            {' '}
            {phone.error}
          </span>
        )}
      </p>

      {phone.incoming && (
        <div role="alertdialog" data-testid="ringing" data-ringtone={phone.ringtone}>
          Incoming call from {phone.incoming.remoteDisplayName ?? phone.incoming.remoteUri}{' '}
          <button type="button" data-testid="answer" onClick={phone.answer}>
            Answer
          </button>{' '}
          <button type="button" data-testid="reject" onClick={phone.reject}>
            Reject
          </button>
        </div>
      )}

      {phone.active ? (
        <div data-testid="active" data-state={phone.active.state}>
          {phone.active.remoteUri} <b data-testid="active-state">{phone.active.state}</b>{' '}
          <span data-testid="duration">{formatDuration(phone.duration)}</span>{' '}
          <span data-testid="relay">{phone.isRelay === null ? 'media: n/a' : phone.isRelay ? 'via TURN' : 'direct'}</span>
          {phone.active.hold.local && <span data-testid="held"> (on hold)</span>}
          {phone.active.muted && <span data-testid="muted"> (muted)</span>}
          <div>
            <button type="button" data-testid="hold" onClick={phone.active.hold.local ? phone.unhold : phone.hold}>
              {phone.active.hold.local ? 'Unhold' : 'Hold'}
            </button>{' '}
            <button type="button" data-testid="mute" onClick={phone.toggleMute}>
              {phone.active.muted ? 'Unmute' : 'Mute'}
            </button>{' '}
            {['1', '2', '3', '#'].map((d) => (
              <button type="button" key={d} data-testid={`dtmf-${d}`} onClick={() => phone.sendDtmf(d)}>
                {d}
              </button>
            ))}{' '}
            <button type="button" data-testid="hangup" onClick={phone.hangup}>
              Hang up
            </button>
          </div>
          <audio ref={audio} autoPlay />
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            try {
              phone.call(target.trim());
            } catch (err) {
              setCallError(String(err));
            }
          }}
        >
          <input data-testid="target" value={target} onChange={(e) => setTarget(e.target.value)} aria-label="Number" />
          {callError && <span data-testid="call-error">{callError} </span>}
          <button type="submit" data-testid="dial" disabled={phone.status !== 'registered' || !target.trim()}>
            Call
          </button>
        </form>
      )}
    </section>
  );
}
