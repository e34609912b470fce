// The whole public API of 'softphone-core' as an app uses it, type-checked (never run) by
// check.sh under moduleResolution bundler, node16 and nodenext, lib ES2022 and ESNext,
// strict + exactOptionalPropertyTypes, skipLibCheck false. Every `@ts-expect-error` marks
// a misuse that must not compile: if it ever compiles, tsc fails on the unused directive.
import {
  INSTANCE_ID_STORAGE_KEY,
  createSoftphone,
  diagnose,
  initAsync,
  type InitInput,
  type Softphone,
  type SoftphoneAnswerOptions,
  type SoftphoneCall,
  type SoftphoneCallError,
  type SoftphoneCallErrorCode,
  type SoftphoneCallEvent,
  type SoftphoneCallOptions,
  type SoftphoneCallState,
  type SoftphoneCallStats,
  type SoftphoneCandidate,
  type SoftphoneCandidateType,
  type SoftphoneConfig,
  type SoftphoneConfigError,
  type SoftphoneConnectionEvent,
  type SoftphoneCspViolation,
  type SoftphoneDiagnoseConfig,
  type SoftphoneDiagnosis,
  type SoftphoneDisconnectReason,
  type SoftphoneEndCause,
  type SoftphoneEvent,
  type SoftphoneEventOf,
  type SoftphoneEventType,
  type SoftphoneIceCheck,
  type SoftphoneIceServer,
  type SoftphoneIceServerOutcome,
  type SoftphoneLogEvent,
  type SoftphoneMediaEvidence,
  type SoftphoneMediaFailure,
  type SoftphoneLogLevel,
  type SoftphoneNatCheck,
  type SoftphoneNetworkVerdict,
  type SoftphoneNotSupportedError,
  type SoftphoneOptionsCheck,
  type SoftphoneQualityEvent,
  type SoftphoneRegistrationEvent,
  type SoftphoneServer,
  type SoftphoneWebSocketCheck,
} from 'softphone-core';

export type IsAny<T> = 0 extends 1 & T ? true : false;
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<typeof INSTANCE_ID_STORAGE_KEY, 'softphone-core:instance-id'>>,
  Expect<Equal<SoftphoneEventType, 'connection' | 'registration' | 'log' | 'call' | 'quality'>>,
  Expect<Equal<SoftphoneEventOf<'log'>, SoftphoneLogEvent>>,
  Expect<Equal<SoftphoneCallErrorCode, 'invalidTarget' | 'invalidValue' | 'notConnected' | 'noSuchCall' | 'invalidState'>>,
  Expect<Equal<SoftphoneCallError['code'], SoftphoneCallErrorCode>>,
  Expect<Equal<SoftphoneCallState, SoftphoneCall['state']>>,
  Expect<Equal<Awaited<ReturnType<typeof diagnose>>, SoftphoneDiagnosis>>,
  Expect<Equal<Awaited<ReturnType<Softphone['diagnose']>>, SoftphoneDiagnosis>>,
  Expect<Equal<SoftphoneCandidate['type'], SoftphoneCandidateType>>,
  Expect<IsAny<Softphone> extends false ? true : false>,
  Expect<IsAny<SoftphoneDiagnosis> extends false ? true : false>,
  Expect<IsAny<SoftphoneWebSocketCheck> extends false ? true : false>,
  Expect<IsAny<Parameters<typeof diagnose>[0]> extends false ? true : false>,
  Expect<Equal<SoftphoneConnectionEvent, SoftphoneEventOf<'connection'>>>,
  Expect<Equal<SoftphoneRegistrationEvent, SoftphoneEventOf<'registration'>>>,
  Expect<Equal<SoftphoneCallEvent, SoftphoneEventOf<'call'>>>,
  Expect<Equal<SoftphoneQualityEvent, SoftphoneEventOf<'quality'>>>,
];

const servers: SoftphoneServer[] = [{ uri: 'wss://a.example.com/ws', weight: 2 }, { uri: 'wss://b.example.com/ws' }];
const ice: SoftphoneIceServer[] = [
  { urls: 'stun:stun.example.com:3478' },
  { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp'], username: 'u', credential: 'c' },
];
const level: SoftphoneLogLevel = 'debug';

/** Every configuration field. */
export const full: SoftphoneConfig = {
  servers,
  uri: 'sip:alice@example.com',
  password: 'secret',
  authorizationUser: 'alice',
  displayName: 'Alice',
  register: true,
  registerExpires: 600,
  instanceId: '0f9c8d2e-1b2a-4c3d-8e4f-5a6b7c8d9e0f',
  keepaliveInterval: 25,
  keepaliveTimeout: 10,
  connectTimeout: 10,
  reconnect: { baseMs: 1000, maxMs: 30_000 },
  logLevel: level,
  userAgent: 'my-app/1.0',
  iceServers: ice,
  iceServersUrl: '/api/ice',
  iceTransportPolicy: 'relay',
  iceGatheringTimeout: 2,
  iceDisconnectedGrace: 2,
  iceRecoveryLimit: 30,
  mediaWatchdog: { enabled: true, startTimeout: 3, stallTimeout: 3, restartWait: 4, restarts: 3 },
  sessionExpires: 1800,
  noAnswerTimeout: 60,
  prewarm: true,
};

/** The DOM's own RTCIceServer[] is accepted as it is. */
export function fromDom(iceServers: RTCIceServer[]): SoftphoneConfig {
  return { servers: 'wss://pbx.example.com/ws', uri: 'sip:1001@pbx.example.com', iceServers, logLevel: 'off' };
}

function describeReason(r: SoftphoneDisconnectReason): string {
  switch (r.kind) {
    case 'openFailed':
      return `open failed (${r.code}): ${r.csp ? `blocked by ${r.csp.directive}: ${r.csp.blockedUri}` : r.hint}`;
    case 'connectTimeout': {
      const csp: SoftphoneCspViolation | undefined = r.csp;
      return `${r.hint}${csp ? ` (${csp.blockedUri})` : ''}`;
    }
    case 'closed':
      return `closed ${r.code} ${r.reason}`;
    case 'keepaliveTimeout':
    case 'networkChange':
    case 'stopped':
      return r.kind;
  }
}

function describeEnd(cause: SoftphoneEndCause): string {
  switch (cause.kind) {
    case 'rejected':
      return `rejected ${cause.status}`;
    case 'failed':
      return `failed ${cause.status} ${cause.reason}`;
    case 'mediaFailure': {
      const failure: SoftphoneMediaFailure = cause;
      const evidence: SoftphoneMediaEvidence | undefined = failure.evidence;
      const blocked = (evidence?.servers ?? [])
        .filter((s: SoftphoneIceServerOutcome) => s.status !== 'allocated' && s.status !== 'pending')
        .map((s) => `${s.url}: ${s.status}${s.errorCode === undefined ? '' : ` ${s.errorCode}`}`);
      const pair = evidence?.selectedPair ? `${evidence.selectedPair.local}->${evidence.selectedPair.remote}` : '-';
      const advice = failure.why === 'turnUnreachable' ? 'your network blocks TURN on every port' : '';
      return `${failure.media ?? ''} ${failure.why ?? ''} ${cause.reason} ${failure.triedMs ?? 0} ms ` +
        `${failure.restarts ?? 0} ${failure.relayOnly === true} ${evidence?.dtls ?? '-'} ${pair} ${blocked.join()} ${advice}`;
    }
    default:
      return cause.kind;
  }
}

function onCallEvent(phone: Softphone, e: SoftphoneCallEvent, audio: HTMLAudioElement): void {
  const call: SoftphoneCall | undefined = phone.getCall(e.callId);
  switch (e.event) {
    case 'incoming': {
      const who: string = e.displayName ?? e.from;
      if (who && call) call.answer({ video: false } satisfies SoftphoneAnswerOptions);
      break;
    }
    case 'calling':
      console.log(e.target.toUpperCase());
      break;
    case 'hold':
      console.log(e.local, e.remote);
      break;
    case 'muted':
      console.log(e.muted);
      break;
    case 'dtmf':
      console.log(e.tone);
      break;
    case 'transferRequested':
      if (call) call.acceptTransfer().hangup();
      break;
    case 'transferProgress':
      console.log(e.status, e.reason);
      break;
    case 'remoteStream':
      audio.srcObject = call?.remoteStream ?? null;
      break;
    case 'ended':
      console.log(describeEnd(e.cause));
      break;
    default:
      console.log(e.event);
  }
}

async function useCall(call: SoftphoneCall): Promise<number> {
  const id: number = call.id;
  const direction: 'outgoing' | 'incoming' = call.direction;
  const who: string = call.remoteDisplayName ?? call.remoteUri;
  const state: SoftphoneCallState = call.state;
  const { local, remote } = call.holdState;
  const held: boolean = call.hold.local || call.hold.remote || local || remote;
  const since: number | undefined = call.connectedAt;
  const streams: (MediaStream | null)[] = [call.localStream, call.remoteStream];
  call.hold();
  call.resume();
  call.mute();
  call.unmute();
  call.sendDtmf('123#');
  call.sendDtmf('5', { mode: 'info' });
  call.transfer('sip:carol@example.com');
  call.declineTransfer();
  call.reject();
  call.reject(603);
  call.answer();
  const stats: SoftphoneCallStats = await call.getStats();
  const rtt: number | undefined = stats.rttMs;
  const mos: number | null = stats.mos;
  const noMos: 'noInboundPackets' | 'noRoundTripTime' | undefined = stats.mosUnavailable;
  const levels: number = (stats.inbound.audioLevel ?? 0) + (stats.outbound.audioLevel ?? 0);
  // @ts-expect-error the MOS is null when nothing was measured
  const mosAlways: number = stats.mos;
  const relay = stats.selectedPair?.local.type === 'relay' ? stats.selectedPair.local.relayProtocol : undefined;
  call.hangup();
  call.free();
  return id + stats.inbound.packets + stats.outbound.bytes + (rtt ?? 0) + (since ?? 0) + streams.length +
    (mos ?? 0) + (noMos?.length ?? 0) + levels + mosAlways +
    Number(held) + direction.length + who.length + state.length + (relay?.length ?? 0);
}

function describeDiagnosis(d: SoftphoneDiagnosis): string[] {
  const lines: string[] = [`${d.ok} in ${d.durationMs} ms`];
  for (const ws of d.websocket) {
    switch (ws.status) {
      case 'open': {
        const options: SoftphoneOptionsCheck | undefined = ws.options;
        lines.push(`${ws.url} ${ws.openMs} ${ws.protocol} ${options?.status ?? '-'} ${options?.rttMs ?? ''}`);
        // A 401 without credentials: reachable, asks for authentication.
        const challenged: boolean | undefined = options?.challenged;
        const authenticated: boolean | undefined = options?.authenticated;
        lines.push(`${challenged} ${authenticated}`);
        break;
      }
      case 'closedBeforeOpen':
        lines.push(`${ws.closeCode} after ${ws.closedAfterMs}`, ...ws.hints);
        break;
      case 'timeout':
        lines.push(...ws.hints);
        break;
      case 'refused':
        lines.push(ws.error);
        break;
    }
  }
  for (const c of d.ice satisfies SoftphoneIceCheck[]) {
    lines.push(`${c.kind} ${c.transport} ${c.host}:${c.port} ${c.status} ${c.candidateTypes.join()} ${c.hint ?? ''}`);
    for (const e of c.errors) lines.push(`${e.code} ${e.text}`);
  }
  lines.push(`${d.iceServers.configured} + ${d.iceServers.fetched} ${d.iceServers.fetchError ?? ''}`);
  const nat: SoftphoneNatCheck = d.nat;
  if (nat.mapping === 'symmetric') lines.push(`symmetric NAT: ${nat.mapped.map((m) => `${m.address}:${m.port} ${m.server ?? ''}`).join(', ')}`);
  else if (nat.mapping === 'unknown') lines.push(nat.reason ?? '');
  // @ts-expect-error the mapping is one of four names
  const wrong: SoftphoneNatCheck['mapping'] = 'fullCone';
  lines.push(String(wrong));
  for (const v of d.verdicts satisfies SoftphoneNetworkVerdict[]) lines.push(`${v.network} ${v.ok} ${v.message}`);
  return lines;
}

export async function app(audio: HTMLAudioElement, wasmBytes: ArrayBuffer): Promise<void> {
  const inputs: InitInput[] = [new URL('https://cdn.example.com/softphone_core_bg.wasm'), '/softphone_core_bg.wasm', wasmBytes];
  await initAsync(inputs[0]);
  await initAsync(Promise.resolve(new Response(wasmBytes)));
  await initAsync();

  const check: SoftphoneDiagnoseConfig = { servers: ['wss://pbx.example.com/ws', { uri: 'wss://b.example.com/ws' }], timeout: 5, iceTimeout: 3 };
  describeDiagnosis(await diagnose(check));
  // With credentials, a challenged OPTIONS is answered.
  const withAuth: SoftphoneDiagnoseConfig = { ...check, uri: 'sip:1001@pbx.example.com', password: 'secret', authorizationUser: '1001' };
  describeDiagnosis(await diagnose(withAuth));
  // A SoftphoneConfig works as a diagnose() argument as it is.
  describeDiagnosis(await diagnose(full));

  let phone: Softphone;
  try {
    phone = await createSoftphone(full);
  } catch (e) {
    const err = e as SoftphoneConfigError | SoftphoneNotSupportedError;
    if (err.name === 'SoftphoneConfigError') console.log(err.field);
    throw e;
  }
  const offs: Array<() => void> = [
    phone.on('connection', (e) => {
      if (e.state === 'connecting') console.log(e.url, e.attempt);
      if (e.state === 'disconnected') console.log(describeReason(e.reason));
      if (e.state === 'reconnecting') console.log(e.delayMs, e.attempt);
    }),
    phone.on('registration', (e) => {
      if (e.state === 'registered') console.log(e.expires);
      if (e.state === 'failed') console.log(e.status, e.reason, e.retryInMs ?? 'no retry');
    }),
    phone.on('log', (e) => console.log(e.level, e.message)),
    phone.on('call', (e) => onCallEvent(phone, e, audio)),
    phone.on('quality', (e) => console.log(e.callId, e.warning, e.active, e.value ?? 0)),
  ];
  const all = (e: SoftphoneEvent) => e.type;
  phone.on('log', all);
  const id: string = phone.instanceId;
  phone.start();
  const options: SoftphoneCallOptions = { video: false, headers: { 'X-Account': id } };
  const call = phone.call('bob', options);
  phone.call('sip:bob@example.com');
  for (const c of phone.calls()) await useCall(c);
  await useCall(call);
  describeDiagnosis(await phone.diagnose());
  describeDiagnosis(await phone.diagnose({ timeout: 3 }));
  try {
    phone.call('');
  } catch (e) {
    const err = e as SoftphoneCallError;
    const code: SoftphoneCallErrorCode = err.code;
    console.log(err.name === 'SoftphoneCallError', code);
  }
  await phone.stop();
  offs.forEach((off) => off());
  phone.free();
}

// ---- misuse: none of these may compile ------------------------------------------------

export async function misuse(phone: Softphone, call: SoftphoneCall): Promise<void> {
  // @ts-expect-error an unknown event name
  phone.on('registered', () => {});
  // @ts-expect-error the handler gets the events of its type only
  phone.on('log', (e: SoftphoneRegistrationEvent) => e.state);
  // @ts-expect-error a wrong type of a configuration field
  await createSoftphone({ servers: 'wss://pbx.example.com/ws', uri: 'sip:a@b', registerExpires: '600' });
  // @ts-expect-error a misspelt configuration key
  await createSoftphone({ servers: 'wss://pbx.example.com/ws', uri: 'sip:a@b', regiserExpires: 600 });
  // @ts-expect-error a required field missing
  await createSoftphone({ servers: 'wss://pbx.example.com/ws' });
  // @ts-expect-error exactOptionalPropertyTypes: an optional field is absent or a string, never undefined
  await createSoftphone({ servers: 'wss://pbx.example.com/ws', uri: 'sip:a@b', password: undefined });
  // @ts-expect-error an unknown method
  phone.register();
  // @ts-expect-error Softphone is exported as a type: the way in is createSoftphone()
  new Softphone(full);
  // @ts-expect-error call ids are numbers
  phone.getCall('1');
  // @ts-expect-error call state is read-only
  call.state = 'ended';
  // @ts-expect-error a DTMF mode that does not exist
  call.sendDtmf('1', { mode: 'inband' });
  // @ts-expect-error 'unsupported' is no SoftphoneCallError code
  const code: SoftphoneCallErrorCode = 'unsupported';
  // @ts-expect-error diagnose() options are typed
  await phone.diagnose({ timeOut: 3 });
  console.log(code);
}
