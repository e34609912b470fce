// A FreePBX-style dashboard's lamp panel: BLF lamps on `useBlf` and the voicemail indicator
// on `useMwi` (softphone-core/react). A server component; the phone lives in the client one.
import { LampPanel } from './lamp-panel';

export default function PanelPage() {
  return (
    <main>
      <h1>Lamp panel</h1>
      <LampPanel />
    </main>
  );
}
