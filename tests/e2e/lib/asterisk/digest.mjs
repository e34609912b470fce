// Digest authentication as chan_pjsip does it (res_pjsip_authenticator_digest): every request
// from an endpoint that is not inside a dialog is challenged with 401; the nonce is
// `<unix-ts>/<md5-hex>`, a hash of the time stamp and a secret of this process, so the PBX keeps
// no state per challenge; a nonce older than its lifetime (32 s in Asterisk) is answered with a
// fresh challenge and `stale=true`. A wrong password is answered 401 again, never 403.

import { createHash, randomBytes } from 'node:crypto';

const md5 = (s) => createHash('md5').update(s).digest('hex');

/** Asterisk's default `nonce_lifetime` (seconds). */
export const NONCE_LIFETIME_S = 32;

/** Parses the parameters of a `Digest ...` credentials value into an object (lower-case keys). */
export function parseDigest(value) {
  const m = /^\s*Digest\s+(.*)$/is.exec(value ?? '');
  if (!m) return null;
  const params = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?/g;
  let p;
  while ((p = re.exec(m[1]))) params[p[1].toLowerCase()] = p[3] !== undefined ? p[3].replace(/\\(.)/g, '$1') : p[2];
  return params;
}

/** Challenges and checks digest credentials against a users table, realm `asterisk` by default. */
export class DigestAuth {
  /**
   * @param {{realm?: string, passwordOf: (user: string) => string|undefined, now?: () => number}} options
   */
  constructor({ realm = 'asterisk', passwordOf, now = () => Date.now() }) {
    this.realm = realm;
    this.passwordOf = passwordOf;
    this.now = now;
    this.secret = randomBytes(16).toString('hex');
    this.opaque = md5(randomBytes(16).toString('hex'));
  }

  nonce(ts = Math.floor(this.now() / 1000)) {
    return `${ts}/${md5(`${ts}:${this.realm}:${this.secret}`)}`;
  }

  /** The WWW-Authenticate value of a 401. */
  challenge({ stale = false } = {}) {
    return (
      `Digest realm="${this.realm}",nonce="${this.nonce()}",opaque="${this.opaque}",algorithm=MD5,qop="auth"` +
      (stale ? ',stale=true' : '')
    );
  }

  /**
   * Checks the Authorization of `req` for endpoint `user`.
   * @param {import('./sip.mjs').SipMessage} req
   * @param {string} user the endpoint the request comes from (From user)
   * @returns {'ok'|'missing'|'stale'|'wrong'}
   */
  check(req, user) {
    const creds = parseDigest(req.get('authorization') ?? req.get('proxy-authorization'));
    if (!creds) return 'missing';
    const password = this.passwordOf(user);
    if (password === undefined || creds.username !== user || creds.realm !== this.realm) return 'wrong';
    const [ts, hash] = (creds.nonce ?? '').split('/');
    if (!hash || this.nonce(Number(ts)) !== creds.nonce) return 'wrong';
    if ((creds.algorithm ?? 'MD5').toUpperCase() !== 'MD5') return 'wrong';
    const ha1 = md5(`${user}:${this.realm}:${password}`);
    const ha2 = md5(`${req.method}:${creds.uri}`);
    let expected;
    if (creds.qop) {
      if (creds.qop !== 'auth' || !creds.nc || !creds.cnonce) return 'wrong';
      expected = md5(`${ha1}:${creds.nonce}:${creds.nc}:${creds.cnonce}:auth:${ha2}`);
    } else {
      expected = md5(`${ha1}:${creds.nonce}:${ha2}`);
    }
    if (expected !== (creds.response ?? '').toLowerCase()) return 'wrong';
    if (Math.floor(this.now() / 1000) - Number(ts) > NONCE_LIFETIME_S) return 'stale';
    return 'ok';
  }
}
