// /rotate: the phone starts with a wrong password and gets the right one later, as an app
// whose short-lived SIP password rotates. The hook must apply it to the running phone
// (setCredentials), not make a new one.
import { RotatingPhone } from './rotating';

export default function Page() {
  return (
    <main>
      <h1>Credential rotation</h1>
      <RotatingPhone />
    </main>
  );
}
