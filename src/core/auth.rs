//! Digest credentials: answers 401/407 challenges and reuses the last challenge
//! of each realm for later requests, with the nonce count going up (RFC 7616).

use super::rng::Rng;
use crate::sip::{Challenge, DigestResponse, Message, Secret};

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

/// The digest state of the user agent.
#[derive(Debug, Clone)]
pub(crate) struct Authenticator {
    username: String,
    password: Option<Secret>,
    cache: Vec<Cached>,
}

impl Authenticator {
    pub(crate) fn new(username: String, password: Option<Secret>) -> Self {
        Authenticator {
            username,
            password,
            cache: Vec::new(),
        }
    }

    /// Takes the challenges of a 401 or 407. Returns whether any of them is `stale`.
    ///
    /// For each realm challenged, the strongest algorithm offered replaces what was cached.
    pub(crate) fn challenged(
        &mut self,
        scope: Scope,
        response: &Message<'_>,
    ) -> Result<bool, AuthFailure> {
        if self.password.is_none() {
            return Err(AuthFailure::NoPassword);
        }
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
                .filter(|c| c.realm == realm)
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
        let Some(password) = &self.password else {
            return Vec::new();
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
            if let Ok(value) = cached.challenge.authorize(&response) {
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
