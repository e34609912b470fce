// The public API of 'softphone-core/react', type-checked (never run) by check.sh like
// usage.ts. The hooks are called as a component would; no React types are needed for it.
import {
  CallError,
  SoftphoneError,
  isSoftphoneError,
  type SoftphoneErrorCode,
  configKey,
  formatDuration,
  useCall,
  useSoftphone,
  useBlf,
  useMwi,
  type BlfLamp,
  type UseMwiResult,
  type CallSnapshot,
  type SoftphoneCallError,
  type SoftphoneCallEventOf,
  type SoftphoneConfig,
  type SoftphoneConnectionState,
  type SoftphoneDiagnoseArgs,
  type SoftphoneDiagnoseResult,
  type SoftphoneQualityWarning,
  type SoftphoneRegistrationState,
  type UseCallOptions,
  type UseCallResult,
  type UseSoftphoneOptions,
  type UseSoftphoneResult,
} from 'softphone-core/react';
import type * as core from 'softphone-core';
import type { Equal, Expect, IsAny } from './usage.js';

export type Checks = [
  // One error type and one code union for the core and the hooks.
  Expect<Equal<SoftphoneCallError, core.SoftphoneCallError>>,
  Expect<Equal<SoftphoneCallError['code'], core.SoftphoneCallErrorCode>>,
  // The one code union of every error, imported by both entries.
  Expect<Equal<SoftphoneErrorCode, core.SoftphoneErrorCode>>,
  Expect<Equal<SoftphoneError['code'], core.SoftphoneErrorCode>>,
  Expect<Equal<CallError, core.CallError>>,
  // One formatDuration, exported by both entries.
  Expect<Equal<typeof formatDuration, typeof core.formatDuration>>,
  Expect<Equal<UseSoftphoneResult['unhold'], (id: number) => void>>,
  Expect<Equal<SoftphoneDiagnoseResult, core.SoftphoneDiagnosis>>,
  Expect<Equal<SoftphoneDiagnoseArgs, Parameters<core.Softphone['diagnose']>>>,
  Expect<Equal<SoftphoneCallEventOf<core.Softphone>, core.SoftphoneCallEvent>>,
  Expect<Equal<SoftphoneQualityWarning, core.SoftphoneQualityEvent['warning']>>,
  Expect<Equal<CallSnapshot['call'], core.SoftphoneCall>>,
  Expect<Equal<UseSoftphoneResult['phone'], core.Softphone | null>>,
  Expect<IsAny<UseCallResult['stats']> extends false ? true : false>,
  Expect<Equal<UseCallResult['stats'], core.SoftphoneCallStats | null>>,
  Expect<Equal<Awaited<ReturnType<UseSoftphoneResult['diagnose']>>, core.SoftphoneDiagnosis>>,
];

export function Phone(password: string | null): string {
  const config: SoftphoneConfig | null = password
    ? { servers: 'wss://pbx.example.com/ws', uri: 'sip:1001@pbx.example.com', password, iceServersUrl: '/api/ice' }
    : null;
  const options: UseSoftphoneOptions = {
    key: configKey(config),
    autoStart: false,
    onEvent: (e) => {
      if (e.type === 'call' && e.event === 'incoming') console.log(e.from);
    },
  };
  const sp = useSoftphone(config, options);
  const connection: SoftphoneConnectionState = sp.connection;
  const registration: SoftphoneRegistrationState = sp.registration;
  if (connection.state === 'disconnected') console.log(connection.reason.kind);
  if (registration.state === 'idle' && sp.error) console.log(sp.error.message);
  if (isSoftphoneError(sp.error, 'invalidConfig')) console.log(sp.error.code satisfies SoftphoneErrorCode);
  sp.start();
  void sp.stop();
  sp.unregister();
  sp.register();
  const call = sp.call('1001', { video: false });
  sp.answer(call.id);
  sp.answer(call.id, { video: true });
  sp.reject(call.id);
  sp.reject(call.id, 486);
  sp.hold(call.id);
  sp.resume(call.id);
  sp.unhold(call.id);
  try {
    sp.mute(call.id);
  } catch (e) {
    if (e instanceof CallError) console.log(e.code);
  }
  sp.unmute(call.id);
  sp.sendDtmf(call.id, '1', { mode: 'rfc4733' });
  sp.transfer(call.id, 'sip:carol@example.com');
  sp.transfer(call.id, { replaces: call.id + 1 });
  // @ts-expect-error attended transfer names the other call, not a target
  sp.transfer(call.id, { replaces: 'sip:carol@example.com' });
  sp.hangup(call.id);
  void sp.diagnose({ timeout: 5 }).then((d) => d.verdicts.length);
  const lamps = useBlf(sp.phone, ['1001', '1002']);
  const first: BlfLamp | undefined = lamps['1001'];
  const mwi: UseMwiResult = useMwi(sp.phone);
  useMwi(null, 'sip:1001@pbx.example.com');
  console.log(first?.lamp ?? 'unknown', first?.remoteDisplayName, mwi.newMessages, mwi.waiting, mwi.status);
  const lines = sp.calls.map((c: CallSnapshot) => Line(c));
  return `${sp.phone?.instanceId ?? ''} ${lines.join()}`;
}

function Line(snapshot: CallSnapshot): string {
  const statsOptions: UseCallOptions = { statsIntervalMs: 1000 };
  const c: UseCallResult = useCall(snapshot, statsOptions);
  useCall(snapshot.call);
  useCall(null);
  const warnings: readonly SoftphoneQualityWarning[] = c.warnings;
  const ended = snapshot.endCause?.kind ?? '';
  return `${snapshot.remoteUri} ${c.state ?? '-'} ${formatDuration(c.duration)} ${c.stats?.mos ?? ''} ${c.hold.local} ${c.muted} ${warnings.join()} ${ended} ${snapshot.transferTarget ?? ''} ${snapshot.replaces ?? ''}`;
}

export function misuse(sp: UseSoftphoneResult, c: CallSnapshot): void {
  // @ts-expect-error call ids are numbers
  sp.hangup('1');
  // @ts-expect-error answer options are typed
  sp.answer(1, { vidoe: true });
  // @ts-expect-error snapshots are read-only
  c.state = 'ended';
  // @ts-expect-error the connection state is a union of known states
  if (sp.connection.state === 'open') return;
  // @ts-expect-error 'unsupported' is not a code of the one SoftphoneCallError
  const code: SoftphoneCallError['code'] = 'unsupported';
  // @ts-expect-error useBlf takes the phone first
  useBlf(['1001']);
  // @ts-expect-error useSoftphone takes a configuration, not a URL
  useSoftphone('wss://pbx.example.com/ws');
  console.log(code);
}
