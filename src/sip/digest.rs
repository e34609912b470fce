//! Digest authentication, client side (RFC 2617, RFC 7616, RFC 8760).

use std::fmt;

use super::{ParseError, Secret};

/// Digest hash algorithms, weakest first (so `max` picks the strongest offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// MD5 (the default when a challenge names none).
    Md5,
    /// MD5-sess
    Md5Sess,
    /// SHA-256
    Sha256,
    /// SHA-256-sess
    Sha256Sess,
}

/// Quality of protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// `auth`
    Auth,
    /// `auth-int` (the body is hashed too)
    AuthInt,
}

/// A parsed `Digest` challenge from WWW-Authenticate or Proxy-Authenticate (owned, to be kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `realm`
    pub realm: String,
    /// `nonce`
    pub nonce: String,
    /// `opaque`, echoed back.
    pub opaque: Option<String>,
    /// `algorithm`
    pub algorithm: Algorithm,
    /// `qop` options offered (empty for RFC 2069 style).
    pub qop: Vec<Qop>,
    /// `stale=true`: the nonce expired, the credentials were right.
    pub stale: bool,
}

/// What a response to a challenge is computed from.
#[derive(Debug, Clone, Copy)]
pub struct DigestResponse<'a> {
    /// The digest username.
    pub username: &'a str,
    /// The password.
    pub password: &'a Secret,
    /// The request method.
    pub method: &'a str,
    /// The digest-uri (the Request-URI).
    pub uri: &'a str,
    /// The request body (for `auth-int`).
    pub body: &'a [u8],
    /// The nonce count, starting at 1 for each new nonce.
    pub nc: u32,
    /// The client nonce (from the core's seeded generator).
    pub cnonce: &'a str,
}

/// Why a challenge cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestError {
    /// The challenge names an algorithm this crate does not implement.
    UnsupportedAlgorithm(String),
    /// The challenge is not `Digest`, or lacks realm or nonce.
    Malformed(String),
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestError::UnsupportedAlgorithm(a) => write!(f, "unsupported digest algorithm {a}"),
            DigestError::Malformed(why) => write!(f, "malformed digest challenge: {why}"),
        }
    }
}

impl std::error::Error for DigestError {}

impl Challenge {
    /// Parses a header value such as `Digest realm="a", nonce="b", qop="auth,auth-int"`.
    ///
    /// # Errors
    /// Not `Digest`, a missing realm or nonce, bad quoting, or an unknown algorithm.
    pub fn parse(value: &str) -> Result<Challenge, ParseError> {
        let _ = value;
        unimplemented!("sip contract stub")
    }

    /// Computes the `Authorization` / `Proxy-Authorization` header value. Picks `auth`
    /// when offered, else `auth-int`, else no qop (RFC 2069).
    ///
    /// # Errors
    /// See [`DigestError`].
    pub fn authorize(&self, response: &DigestResponse<'_>) -> Result<String, DigestError> {
        let _ = response;
        unimplemented!("sip contract stub")
    }
}

/// Splits a WWW-Authenticate / Proxy-Authenticate value that may hold several
/// challenges (`Digest a=1, b=2, Digest a=3`) into one text per challenge.
pub(crate) fn split_challenges(value: &str) -> Vec<&str> {
    vec![value]
}
