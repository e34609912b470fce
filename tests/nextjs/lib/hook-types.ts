// Compile-time checks of softphone-core/react's types (npm run typecheck; never imported by
// the app): nothing the hooks return is `any`, and misuse does not compile.
import type {
  CallSnapshot,
  Softphone,
  SoftphoneCall,
  SoftphoneCallState,
  SoftphoneCallStats,
  SoftphoneEndCause,
  UseCallResult,
  UseSoftphoneOptions,
  UseSoftphoneResult,
} from 'softphone-core/react';

type OnEvent = Parameters<NonNullable<UseSoftphoneOptions['onEvent']>>[0];

type IsAny<T> = 0 extends 1 & T ? true : false;
type Expect<T extends true> = T;
type NotAny<T> = IsAny<T> extends true ? false : true;

export type Checks = [
  Expect<NotAny<UseSoftphoneResult['phone']>>,
  Expect<NotAny<Softphone>>,
  Expect<NotAny<SoftphoneCall>>,
  Expect<NotAny<UseSoftphoneResult['connection']>>,
  Expect<NotAny<UseSoftphoneResult['registration']>>,
  Expect<NotAny<UseSoftphoneResult['calls'][number]>>,
  Expect<NotAny<CallSnapshot['call']>>,
  Expect<NotAny<CallSnapshot['state']>>,
  Expect<NotAny<CallSnapshot['endCause']>>,
  Expect<NotAny<SoftphoneEndCause>>,
  Expect<NotAny<UseCallResult['stats']>>,
  Expect<NotAny<SoftphoneCallStats>>,
  Expect<NotAny<ReturnType<UseSoftphoneResult['call']>>>,
  Expect<NotAny<Awaited<ReturnType<UseSoftphoneResult['diagnose']>>>>,
  Expect<UseCallResult['state'] extends SoftphoneCallState | null ? true : false>,
  Expect<NotAny<OnEvent>>,
  // onEvent sees call events too.
  Expect<[Extract<OnEvent, { type: 'call' }>] extends [never] ? false : true>,
];

export function misuse(sp: UseSoftphoneResult, c: CallSnapshot): void {
  // @ts-expect-error call ids are numbers
  sp.hangup('1');
  sp.answer(1, { video: true });
  // @ts-expect-error answer options are typed
  sp.answer(1, { vidoe: true });
  // @ts-expect-error snapshots are read-only
  c.state = 'ended';
  // @ts-expect-error the connection state is a union of known states
  if (sp.connection.state === 'open') return;
}
