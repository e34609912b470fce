// The whole public API of 'softphone-core' as an app uses it, type-checked (never run) by
// check.sh under moduleResolution bundler, node16 and nodenext, lib ES2022 and ESNext,
// strict + exactOptionalPropertyTypes, skipLibCheck false. Every `@ts-expect-error` marks
// a misuse that must not compile: if it ever compiles, tsc fails on the unused directive.
import {
  INSTANCE_ID_STORAGE_KEY,
  CallError,
  ConfigError,
  RequestError,
  DeviceError,
  SoftphoneError,
  UnsupportedError,
  createSoftphone,
  diagnose,
  formatDuration,
  initAsync,
  type InitInput,
  type Softphone,
  type SoftphoneAnswerOptions,
  type SoftphoneCall,
  type SoftphoneCallError,
  type SoftphoneCallErrorCode,
  type SoftphoneCallEvent,
  type SoftphoneCallEventFor,
  type SoftphoneCallEventType,
  type SoftphoneCodec,
  type SoftphoneDevice,
  type SoftphoneDevices,
  type SoftphoneDevicesEvent,
  type SoftphoneErrorCode,
  type SoftphoneMediaOptions,
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
  type SoftphoneTransferOptions,
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
  type SoftphoneBlfState,
  type SoftphoneLamp,
  type SoftphoneMessageEvent,
  type SoftphoneMessageOptions,
  type SoftphoneMessageResult,
  type SoftphoneMwiEvent,
  type SoftphoneMwiState,
  type SoftphoneNotifyBody,
  type SoftphonePresenceState,
  type SoftphoneRequestError,
  type SoftphoneRequestErrorCode,
  type SoftphoneSubscribeOptions,
  type SoftphoneSubscription,
  type SoftphoneSubscriptionEvent,
  type SoftphoneHeaders,
  type SoftphoneRequestOptions,
  type SoftphoneReason,
  type SoftphoneEndOptions,
  type SoftphoneDtmfOptions,
  type SoftphoneCredentials,
  type SoftphoneConnectionStatus,
  type SoftphoneIdentity,
} from 'softphone-core';

export type IsAny<T> = 0 extends 1 & T ? true : false;
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<typeof INSTANCE_ID_STORAGE_KEY, 'softphone-core:instance-id'>>,
  Expect<
    Equal<
      SoftphoneEventType,
      'connection' | 'registration' | 'log' | 'call' | 'quality' | 'message' | 'subscription' | 'mwi' | 'devices'
    >
  >,
  Expect<Equal<SoftphoneMessageEvent, SoftphoneEventOf<'message'>>>,
  Expect<Equal<SoftphoneSubscriptionEvent, SoftphoneEventOf<'subscription'>>>,
  Expect<Equal<SoftphoneMwiEvent, SoftphoneEventOf<'mwi'>>>,
  Expect<Equal<SoftphoneRequestError['code'], SoftphoneRequestErrorCode>>,
  Expect<Equal<RequestError['code'], SoftphoneRequestErrorCode>>,
  Expect<Equal<Awaited<ReturnType<Softphone['sendMessage']>>, SoftphoneMessageResult>>,
  Expect<Equal<ReturnType<Softphone['blf']>['state'], SoftphoneBlfState | null>>,
  Expect<Equal<SoftphoneBlfState['lamp'], SoftphoneLamp>>,
  Expect<Equal<SoftphoneEventOf<'devices'>, SoftphoneDevicesEvent>>,
  Expect<Equal<SoftphoneErrorCode, SoftphoneCallErrorCode | SoftphoneRequestErrorCode | 'invalidConfig' | 'unsupported' | 'deviceFailed'>>,
  Expect<Equal<SoftphoneError['code'], SoftphoneErrorCode>>,
  Expect<Equal<CallError['code'], SoftphoneCallErrorCode>>,
  Expect<Equal<ConfigError['code'], 'invalidConfig'>>,
  Expect<Equal<UnsupportedError['code'], 'unsupported'>>,
  Expect<Equal<DeviceError['code'], 'deviceFailed'>>,
  Expect<Equal<SoftphoneCallEventFor<'ended'>, Extract<SoftphoneCallEvent, { event: 'ended' }>>>,
  Expect<Equal<SoftphoneCallEventFor<'quality'>, SoftphoneQualityEvent>>,
  Expect<Equal<SoftphoneCallEventFor<'event'>, SoftphoneCallEvent>>,
  Expect<Equal<SoftphoneCallEventFor<'state'>['event'], SoftphoneCallState>>,
  Expect<Equal<SoftphoneCodec, 'opus' | 'G722' | 'PCMU' | 'PCMA'>>,
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
  Expect<Equal<Softphone['connectionState'], SoftphoneConnectionStatus>>,
  Expect<Equal<SoftphoneCall['identity'], SoftphoneIdentity | null>>,
  Expect<Equal<SoftphoneCall['autoAnswerAfter'], number | undefined>>,
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
  messageAccept: ['text/plain', 'application/json'],
  messageMaxBytes: 4096,
  subscribeRate: 5,
  subscribeExpires: 300,
  registerHeaders: [['X-Tenant', 'acme'], ['X-Tenant', 'beta']],
  infoContentTypes: ['application/x-crm+json'],
};

/** An HA1 instead of the password. */
export const withHa1: SoftphoneConfig = {
  servers: 'wss://pbx.example.com/ws',
  uri: 'sip:1001@pbx.example.com',
  ha1: '0123456789abcdef0123456789abcdef',
  registerHeaders: { 'X-Tenant': 'acme' },
};

/** MESSAGE, BLF, MWI and presence as a dashboard uses them. */
export async function presenceAndMessaging(phone: Softphone): Promise<string> {
  const options: SoftphoneMessageOptions = { contentType: 'text/plain', headers: { 'X-Ticket': '42' } };
  const result = await phone.sendMessage('1002', 'hello', options);
  const outcome = result.delivered ? `delivered ${result.status}` : `failed ${result.status} ${result.reason}`;
  try {
    phone.blf('');
  } catch (e) {
    if (e instanceof RequestError) console.log(e.code satisfies SoftphoneRequestErrorCode, e instanceof SoftphoneError);
  }
  phone.on('message', (e) => {
    if (e.event === 'received') console.log(e.from, e.contentType, e.body, e.headers[0]?.[0]);
  });
  const lamps = phone.watchBlf(['1001', '1002']);
  for (const lamp of lamps) {
    lamp.on((e) => {
      if (e.event === 'notify' && e.body.kind === 'dialog') console.log(e.body.lamp, e.body.remoteIdentity);
      if (e.event === 'interrupted') console.log(e.retryInMs ?? 'on reconnect');
    });
    const lit: SoftphoneLamp | undefined = lamp.state?.lamp;
    console.log(lamp.id, lamp.target, lamp.status, lit);
  }
  const mwi = phone.mwi();
  const state: SoftphoneMwiState | null = mwi.state;
  console.log(state?.newMessages ?? 0, state?.waiting);
  phone.on('mwi', (e) => console.log(e.newMessages, e.oldMessages));
  const presence = phone.presence('sip:1003@pbx.example.com');
  const p: SoftphonePresenceState | null = presence.state;
  console.log(p?.open, p?.activities.join());
  const subOptions: SoftphoneSubscribeOptions = { accept: ['application/pidf+xml'], expires: 600, headers: {} };
  const generic: SoftphoneSubscription = phone.subscribe('1004', 'presence', subOptions);
  const body: SoftphoneNotifyBody | null = generic.state;
  if (body?.kind === 'malformed') console.log(body.reason);
  const off = phone.on('subscription', (e) => {
    if (e.event === 'ended') console.log(e.subscriptionId, e.reason, e.status);
  });
  off();
  generic.unsubscribe();
  console.log(phone.subscriptions().length);
  // @ts-expect-error watchBlf takes an array
  phone.watchBlf('1001');
  // @ts-expect-error a message result is a promise, not a boolean
  const sync: boolean = phone.sendMessage('1', 'x');
  // @ts-expect-error lamps are idle, ringing or busy
  const wrong: SoftphoneLamp = 'onhold';
  // @ts-expect-error expires is a number
  phone.subscribe('1', 'dialog', { expires: '60' });
  console.log(sync, wrong);
  return outcome;
}

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
    case 'transferred':
    case 'replaced':
      return `handed over (${cause.kind})`;
    default:
      return cause.kind;
  }
}

function onCallEvent(phone: Softphone, e: SoftphoneCallEvent, audio: HTMLAudioElement): void {
  const call: SoftphoneCall | undefined = phone.getCall(e.callId);
  switch (e.event) {
    case 'incoming': {
      const who: string = e.identity?.displayName ?? e.displayName ?? e.from;
      // An INVITE with Replaces: already being answered, in place of call `e.replaces`.
      const replaced: number | undefined = e.replaces;
      if (replaced !== undefined) break;
      const after: number | undefined = e.autoAnswerAfter;
      const sip: string = e.sipCallId;
      if (who && call && after === 0) call.answer({ video: false, headers: { 'X-Agent': sip } } satisfies SoftphoneAnswerOptions);
      break;
    }
    case 'calling':
      console.log(e.target.toUpperCase(), e.sipCallId);
      break;
    case 'info':
      console.log(e.contentType, e.body, e.headers.map(([n, v]) => `${n}: ${v}`));
      break;
    case 'infoResponse':
      console.log(e.status, e.reason);
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
  const req: SoftphoneRequestOptions = { headers: [['X-Hold', 'music']] };
  call.hold(req);
  call.resume();
  call.resume({ headers: { 'X-Resume': '1' } });
  call.unhold();
  // One call's own events; each on() returns its unsubscribe.
  const offCall: Array<() => void> = [
    call.on('state', (e) => console.log(e.event satisfies SoftphoneCallState)),
    call.on('ended', (e) => console.log(describeEnd(e.cause))),
    call.on('hold', (e) => console.log(e.local, e.remote)),
    call.on('quality', (e) => console.log(e.warning, e.active)),
    call.on('dtmf', (e) => console.log(e.tone)),
    call.on('event', (e) => console.log(e.event)),
  ];
  offCall.forEach((off) => off());
  const types: SoftphoneCallEventType[] = ['state', 'remoteStream', 'transferRequested', 'transferProgress', 'muted'];
  // Media controls: switch the microphone mid-call (no renegotiation), the camera, the peer connection.
  await call.setInputDevice('mic-2');
  await call.setInputDevice('mic-2', { echoCancellation: false });
  const [track] = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks();
  if (track) await call.replaceAudioTrack(track);
  call.muteVideo();
  call.unmuteVideo();
  const videoMuted: boolean = call.videoMuted;
  const pc: RTCPeerConnection | null = call.peerConnection;
  const senders = pc?.getSenders().length ?? 0;
  try {
    await call.setInputDevice('gone');
  } catch (e) {
    if (e instanceof DeviceError) console.log(e.browserError, e.code);
    else if (e instanceof CallError) console.log(e.code satisfies SoftphoneCallErrorCode);
  }
  call.mute();
  call.unmute();
  call.sendDtmf('123#');
  call.sendDtmf('5', { mode: 'info' });
  const dtmf: SoftphoneDtmfOptions = { mode: 'rfc4733', duration: 200, interToneGap: 100 };
  call.sendDtmf('5', dtmf);
  call.sendInfo('application/json', '{"a":1}', { headers: { 'X-Info': '1' } });
  call.sendInfo('text/plain', 'hi');
  call.transfer('sip:carol@example.com');
  call.transfer({ replaces: call } satisfies SoftphoneTransferOptions);
  call.transfer({ replaces: id }, req);
  // @ts-expect-error attended transfer needs the other call (or its id)
  call.transfer({ replaces: 'sip:carol@example.com' });
  // @ts-expect-error nor is a bare call a target
  call.transfer(call);
  call.transfer('carol', req);
  call.declineTransfer();
  call.reject();
  call.reject(603);
  const reason: SoftphoneReason = { protocol: 'Q.850', cause: 21, text: 'Call rejected' };
  const end: SoftphoneEndOptions = { status: 603, reasonPhrase: 'Agent away', reason, headers: { 'X-Why': 'break' } };
  call.reject(end);
  call.answer();
  const sipCallId: string = call.sipCallId;
  const headers: ReadonlyArray<readonly [string, string]> = call.requestHeaders;
  const identity: SoftphoneIdentity | null = call.identity;
  const hints: readonly string[] = [...call.alertInfo, ...call.callInfo];
  const after: number | undefined = call.autoAnswerAfter;
  console.log(sipCallId, headers.length, identity?.uri, identity?.source, hints, after);
  const stats: SoftphoneCallStats = await call.getStats();
  const rtt: number | undefined = stats.rttMs;
  const mos: number | null = stats.mos;
  const noMos: 'noInboundPackets' | 'noRoundTripTime' | undefined = stats.mosUnavailable;
  const levels: number = (stats.inbound.audioLevel ?? 0) + (stats.outbound.audioLevel ?? 0);
  // @ts-expect-error the MOS is null when nothing was measured
  const mosAlways: number = stats.mos;
  const relay = stats.selectedPair?.local.type === 'relay' ? stats.selectedPair.local.relayProtocol : undefined;
  call.hangup();
  call.hangup({ reason: { cause: 200, text: 'Call completed elsewhere' }, headers: { 'X-Bye': '1' } });
  call.free();
  return types.length + senders + Number(videoMuted) + id + stats.inbound.packets + stats.outbound.bytes + (rtt ?? 0) + (since ?? 0) + streams.length +
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
    // The same, with the classes.
    if (e instanceof ConfigError) console.log(e.field, e.code satisfies 'invalidConfig');
    if (e instanceof UnsupportedError) console.log(e.feature);
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
  const extra: SoftphoneHeaders = { 'X-Account': id };
  const options: SoftphoneCallOptions = { video: false, headers: extra, displayName: 'Desk 7' };
  phone.call('bob', { anonymous: true });
  const creds: SoftphoneCredentials[] = [{ password: 'n3w' }, { ha1: '0123456789abcdef0123456789abcdef', authUser: '1001' }];
  for (const c of creds) phone.setCredentials(c);
  phone.unregister();
  phone.register();
  const registered: boolean = phone.isRegistered;
  const conn: SoftphoneConnectionStatus = phone.connectionState;
  console.log(registered, conn);
  const call = phone.call('bob', options);
  // Audio source and codec preferences, for call() and answer() alike.
  const media: SoftphoneMediaOptions = { deviceId: 'mic-1', codecs: ['PCMU', 'opus'], opusMaxBitrate: 24_000 };
  phone.call('carol', { ...media, video: false });
  phone.call('carol', { audio: { echoCancellation: true, deviceId: 'mic-1' } });
  phone.call('dave', { stream: await navigator.mediaDevices.getUserMedia({ audio: true }) });
  const answerWith: SoftphoneAnswerOptions = { audio: true, codecs: ['G722'] };
  phone.getCall(1)?.answer(answerWith);
  // Devices, their changes, and the output device of the app's own <audio>.
  const devices: SoftphoneDevices = await phone.devices();
  const mic: SoftphoneDevice | undefined = devices.audioInputs[0];
  offs.push(phone.on('devices', (e) => console.log(e.audioInputs.length, e.audioOutputs.map((d) => d.label))));
  try {
    await phone.setOutputDevice(audio, devices.audioOutputs[0]?.deviceId ?? '');
  } catch (e) {
    if (e instanceof UnsupportedError) console.log(e.feature);
    else if (e instanceof SoftphoneError) console.log(e.code satisfies SoftphoneErrorCode);
  }
  console.log(mic?.deviceId, mic?.groupId);
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
  phone.registerNow();
  // @ts-expect-error credentials are a password or an HA1, not both
  phone.setCredentials({ password: 'a', ha1: 'b' });
  // @ts-expect-error the Reason protocol is SIP or Q.850
  call.hangup({ reason: { protocol: 'ISUP', cause: 16 } });
  // @ts-expect-error header values are strings
  call.hold({ headers: { 'X-Count': 1 } });
  // @ts-expect-error request headers are read-only
  call.requestHeaders.push(['X-A', 'b']);
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
  // @ts-expect-error an unknown call event type
  call.on('connected', () => {});
  // @ts-expect-error a call's 'ended' handler gets ended events only
  call.on('ended', (e: SoftphoneQualityEvent) => e.warning);
  // @ts-expect-error an unknown codec
  phone.call('bob', { codecs: ['iLBC'] });
  // @ts-expect-error audio: false makes no call
  phone.call('bob', { audio: false });
  // @ts-expect-error the device id is a string
  await call.setInputDevice(1);
  // @ts-expect-error peerConnection is read-only
  call.peerConnection = null;
  // @ts-expect-error a code that is not in the union
  const other: SoftphoneErrorCode = 'timeout';
  console.log(other);
  // @ts-expect-error diagnose() options are typed
  await phone.diagnose({ timeOut: 3 });
  const shown: string = formatDuration(3725);
  console.log(shown);
  // @ts-expect-error formatDuration takes seconds as a number
  formatDuration('1:02:05');
  console.log(code);
}
