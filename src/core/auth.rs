//! Digest credentials: answers 401/407 challenges and reuses the last challenge
//! of each realm for later requests, with the nonce count going up (RFC 7616).

use super::rng::Rng;
use crate::sip::{Algorithm, Challenge, DigestResponse, DigestSecret, Message, Secret};

/// What a challenge was answered for. Credentials are reused only in their own
/// scope: the registrar's challenge must not ride on INVITEs, where a proxy would
/// pass the Authorization header on to the callee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// REGISTER to the registrar.
    Register,
    /// Requests that set up or run calls.
    Call,
}

#[derive(Debug, Clone)]
struct Cached {
    scope: Scope,
    proxy: bool,
    challenge: Challenge,
    nc: u32,
}

/// Why a challenge cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    /// No password is configured.
    NoPassword,
    /// The challenge has no algorithm or form this crate supports.
    Unsupported,
}

/// What digest responses are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The password.
    Password(Secret),
    /// A precomputed HA1 = MD5(user:realm:password), 32 hex digits (MD5 challenges only).
    Ha1(Secret),
}

/// The digest state of the user agent.
#[derive(Debug, Clone)]
pub(crate) struct Authenticator {
    username: String,
    key: Option<Credential>,
    cache: Vec<Cached>,
}

impl Authenticator {
    pub(crate) fn new(username: String, key: Option<Credential>) -> Self {
        Authenticator {
            username,
            key,
            cache: Vec::new(),
        }
    }

    /// Takes new credentials. Every cached challenge is forgotten, so no request is
    /// signed again with a nonce answered by the old secret: the next request goes
    /// without credentials and the server's next challenge is answered with these.
    pub(crate) fn rotate(&mut self, username: Option<String>, key: Credential) {
        if let Some(user) = username {
            self.username = user;
        }
        self.key = Some(key);
        self.cache.clear();
    }

    /// Takes the challenges of a 401 or 407. Returns whether any of them is `stale`.
    ///
    /// For each realm challenged, the strongest algorithm offered replaces what was cached.
    pub(crate) fn challenged(
        &mut self,
        scope: Scope,
        response: &Message<'_>,
    ) -> Result<bool, AuthFailure> {
        let Some(key) = &self.key else {
            return Err(AuthFailure::NoPassword);
        };
        // An MD5 HA1 answers only the MD5 family.
        let usable = |a: Algorithm| {
            !matches!(key, Credential::Ha1(_)) || matches!(a, Algorithm::Md5 | Algorithm::Md5Sess)
        };
        let proxy = response.status() == Some(407);
        let challenges = if proxy {
            response.proxy_authenticate()
        } else {
            response.www_authenticate()
        };
        let mut stale = false;
        let mut any = false;
        let mut realms: Vec<String> = challenges.iter().map(|c| c.realm.clone()).collect();
        realms.dedup();
        for realm in realms {
            let Some(best) = challenges
                .iter()
                .filter(|c| c.realm == realm && usable(c.algorithm))
                .max_by_key(|c| c.algorithm)
            else {
                continue;
            };
            any = true;
            stale |= best.stale;
            self.cache
                .retain(|c| !(c.scope == scope && c.proxy == proxy && c.challenge.realm == realm));
            self.cache.push(Cached {
                scope,
                proxy,
                challenge: best.clone(),
                nc: 0,
            });
        }
        if any {
            Ok(stale)
        } else {
            Err(AuthFailure::Unsupported)
        }
    }

    /// The `(header name, value)` pairs to add to a request, one per cached realm.
    pub(crate) fn headers(
        &mut self,
        scope: Scope,
        method: &str,
        uri: &str,
        body: &[u8],
        rng: &mut Rng,
    ) -> Vec<(&'static str, String)> {
        let Some(key) = &self.key else {
            return Vec::new();
        };
        let (password, secret) = match key {
            Credential::Password(p) => (p, DigestSecret::Password(p)),
            Credential::Ha1(h) => (h, DigestSecret::Ha1(h)),
        };
        let mut headers = Vec::new();
        for cached in self.cache.iter_mut().filter(|c| c.scope == scope) {
            cached.nc = cached.nc.saturating_add(1);
            let cnonce = rng.hex(16);
            let response = DigestResponse {
                username: &self.username,
                password,
                method,
                uri,
                body,
                nc: cached.nc,
                cnonce: &cnonce,
            };
            if let Ok(value) = cached.challenge.authorize_with(&response, secret) {
                let name = if cached.proxy {
                    "Proxy-Authorization"
                } else {
                    "Authorization"
                };
                headers.push((name, value));
            }
        }
        headers
    }
}
