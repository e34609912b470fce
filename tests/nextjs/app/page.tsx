// A server component: rendered on the server without touching the softphone; the client
// component below creates the phone in an effect.
import { PhoneToggle } from './toggle';

export default function Page() {
  return (
    <main>
      <h1>softphone-core in Next.js</h1>
      <PhoneToggle />
    </main>
  );
}
