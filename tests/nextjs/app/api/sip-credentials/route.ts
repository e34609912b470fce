// GET /api/sip-credentials: the SIP password of this app's account, from the server's
// environment, so that no password is ever built into the client bundle (NEXT_PUBLIC_*).
// A real app checks its own session here (cookie, auth provider) before answering.
import { sipCredentials } from '@/lib/server-env';

export const dynamic = 'force-dynamic';

export function GET() {
  const creds = sipCredentials();
  if (!creds) {
    return Response.json({ error: 'no SIP credentials configured' }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
  }
  return Response.json(creds, { headers: { 'Cache-Control': 'no-store' } });
}
