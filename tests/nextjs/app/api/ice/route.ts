// GET /api/ice -> { iceServers, ttl }: TURN REST credentials minted for coturn's
// `use-auth-secret`: username "<unix expiry>:<id>", credential
// base64(HMAC-SHA1(static-auth-secret, username)). The secret never leaves the server; the
// softphone fetches this URL (`iceServersUrl`) and fetches it again before `ttl` runs out.
import { createHmac, randomUUID } from 'node:crypto';
import { turnConfig } from '@/lib/server-env';

export const dynamic = 'force-dynamic';

const TTL_SECONDS = 3600;

export function GET() {
  const turn = turnConfig();
  if (!turn) {
    return Response.json({ iceServers: [], ttl: TTL_SECONDS }, { headers: { 'Cache-Control': 'no-store' } });
  }
  const username = `${Math.floor(Date.now() / 1000) + TTL_SECONDS}:${randomUUID()}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return Response.json(
    { iceServers: [{ urls: turn.urls, username, credential }], ttl: TTL_SECONDS },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
