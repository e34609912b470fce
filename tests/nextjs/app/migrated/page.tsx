// The page of docs/migrating-from-jssip.md: the dashboard's phone bar on the rewritten
// `useWebRTCPhone` hook (lib/use-webrtc-phone.ts). A server component; the phone lives in the
// client component.
import { PhoneBar } from './phone-bar';

export default function MigratedPage() {
  return (
    <main>
      <h1>Agent dashboard (migrated from JsSIP)</h1>
      <PhoneBar />
    </main>
  );
}
