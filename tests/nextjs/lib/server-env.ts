// Server-side configuration of the route handlers. Never imported by client code: nothing
// here may reach the browser bundle, and no secret is in a NEXT_PUBLIC_* variable.
//
// A real deployment sets SIP_PASSWORD (and SIP_AUTH_USER), TURN_SECRET and TURN_URLS in the
// server's environment. The end-to-end test points SOFTPHONE_ENV_JSON at .run/env.json (the
// local Kamailio accounts and coturn secret) instead.
import 'server-only';
import { readFileSync } from 'node:fs';

interface LocalEnv {
  accounts: { user: string; uri: string; password: string }[];
  turn?: { urls: string[]; secret: string; realm: string };
}

function localEnv(): LocalEnv | null {
  const file = process.env.SOFTPHONE_ENV_JSON;
  if (!file) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as LocalEnv;
}

/** The SIP digest credentials of the account in NEXT_PUBLIC_SIP_URI. */
export function sipCredentials(): { password: string; authorizationUser?: string } | null {
  const uri = process.env.NEXT_PUBLIC_SIP_URI;
  if (!uri) return null;
  if (process.env.SIP_PASSWORD) {
    return { password: process.env.SIP_PASSWORD, authorizationUser: process.env.SIP_AUTH_USER || undefined };
  }
  const found = localEnv()?.accounts.find((a) => a.uri === uri);
  return found ? { password: found.password } : null;
}

/** The coturn `static-auth-secret` and TURN URLs (`use-auth-secret`). */
export function turnConfig(): { urls: string[]; secret: string } | null {
  if (process.env.TURN_SECRET && process.env.TURN_URLS) {
    return { secret: process.env.TURN_SECRET, urls: process.env.TURN_URLS.split(',').map((u) => u.trim()).filter(Boolean) };
  }
  const turn = localEnv()?.turn;
  return turn ? { secret: turn.secret, urls: turn.urls } : null;
}
