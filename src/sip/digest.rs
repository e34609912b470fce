//! Digest authentication, client side (RFC 2617, RFC 7616, RFC 8760).

use std::fmt;

use md5::{Digest, Md5};
use sha2::Sha256;

use super::text::{
    at, eq_ignore_case, is_lws, is_token_char, scan_quoted, skip_lws, skip_while, sub, trim_lws,
    unquote,
};
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

/// The secret a digest response is computed from.
#[derive(Debug, Clone, Copy)]
pub enum DigestSecret<'a> {
    /// The password: HA1 = H(username:realm:password).
    Password(&'a Secret),
    /// A precomputed HA1 = MD5(username:realm:password), as 32 hex digits: answers MD5
    /// and MD5-sess challenges of that realm without the password.
    Ha1(&'a Secret),
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

impl Algorithm {
    /// The token as written in challenges and credentials (`MD5`, `SHA-256-sess`...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    /// Reads an algorithm token, case-insensitively; `None` for one this crate does
    /// not implement (such as `SHA-512-256`).
    pub fn parse(token: &str) -> Option<Algorithm> {
        [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| eq_ignore_case(a.as_str(), token))
    }

    fn is_sess(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// The lower-case hex digest of `parts` joined by `:`.
    fn hash(self, parts: &[&[u8]]) -> String {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => hex_digest::<Md5>(parts),
            Algorithm::Sha256 | Algorithm::Sha256Sess => hex_digest::<Sha256>(parts),
        }
    }
}

impl Qop {
    /// The token (`auth`, `auth-int`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }
}

fn hex_digest<D: Digest>(parts: &[&[u8]]) -> String {
    let mut d = D::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            d.update(b":");
        }
        d.update(p);
    }
    let out = d.finalize();
    let mut s = String::with_capacity(out.len() * 2);
    for b in out.iter() {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

/// Reads the `auth-param`s of a challenge: `name = (token / quoted-string)`
/// separated by commas, with any whitespace, empty list elements tolerated.
pub(crate) fn auth_params(s: &str) -> Result<Vec<(&str, &str)>, &'static str> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        i = skip_while(s, i, |b| is_lws(b) || b == b',');
        if i >= s.len() {
            return Ok(out);
        }
        let n = i;
        i = skip_while(s, i, is_token_char);
        if i == n {
            return Err("expected a parameter name");
        }
        let name = sub(s, n, i);
        i = skip_lws(s, i);
        if at(s, i) != b'=' {
            return Err("expected '=' after a parameter name");
        }
        i = skip_lws(s, i + 1);
        let v = i;
        if at(s, i) == b'"' {
            i = scan_quoted(s, i).ok_or("unterminated quoted string")?;
        } else {
            i = skip_while(s, i, |b| !is_lws(b) && b != b',' && b != b'"');
            if i == v {
                return Err("empty parameter value");
            }
        }
        out.push((name, sub(s, v, i)));
        i = skip_lws(s, i);
        if i < s.len() && at(s, i) != b',' {
            return Err("expected ',' between parameters");
        }
    }
}

/// Quotes a value for a credential, escaping `"` and `\`.
fn quoted(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl Challenge {
    /// Parses a header value such as `Digest realm="a", nonce="b", qop="auth,auth-int"`.
    ///
    /// Parameters may come in any order, with any whitespace; unknown parameters are
    /// ignored, and so are unknown qop options (but a qop list with no known option
    /// is an error, since no answer would be accepted).
    ///
    /// # Errors
    /// Not `Digest`, a missing realm or nonce, bad quoting, or an unknown algorithm.
    pub fn parse(value: &str) -> Result<Challenge, ParseError> {
        let err = |why: &str| ParseError::new(0, format!("digest challenge: {why}"));
        let s = trim_lws(value);
        let scheme_end = skip_while(s, 0, is_token_char);
        if !eq_ignore_case(sub(s, 0, scheme_end), "Digest") {
            return Err(err("scheme is not Digest"));
        }
        let rest = sub(s, scheme_end, s.len());
        if !rest.is_empty() && !is_lws(at(rest, 0)) {
            return Err(err("expected whitespace after Digest"));
        }
        let params = auth_params(rest).map_err(err)?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| eq_ignore_case(n, name))
                .map(|(_, v)| unquote(v))
        };
        let realm = get("realm").ok_or_else(|| err("no realm"))?.into_owned();
        let nonce = get("nonce").ok_or_else(|| err("no nonce"))?.into_owned();
        let algorithm = match get("algorithm") {
            None => Algorithm::Md5,
            Some(a) => Algorithm::parse(trim_lws(&a))
                .ok_or_else(|| err(&format!("unsupported algorithm {a}")))?,
        };
        let qop = match get("qop") {
            None => Vec::new(),
            Some(list) => {
                let mut q = Vec::new();
                for opt in list.split(',').map(trim_lws) {
                    let o = if eq_ignore_case(opt, "auth") {
                        Qop::Auth
                    } else if eq_ignore_case(opt, "auth-int") {
                        Qop::AuthInt
                    } else {
                        continue;
                    };
                    if !q.contains(&o) {
                        q.push(o);
                    }
                }
                if q.is_empty() {
                    return Err(err("no supported qop offered"));
                }
                q
            }
        };
        Ok(Challenge {
            realm,
            nonce,
            opaque: get("opaque").map(|o| o.into_owned()),
            algorithm,
            qop,
            stale: get("stale").is_some_and(|v| eq_ignore_case(&v, "true")),
        })
    }

    /// Computes the `Authorization` / `Proxy-Authorization` header value. Picks `auth`
    /// when offered, else `auth-int`, else no qop (RFC 2069).
    ///
    /// The value names `algorithm` always, echoes `opaque` when the challenge had one,
    /// writes `nc` as 8 hex digits and leaves `qop`, `nc` and `algorithm` unquoted.
    ///
    /// # Errors
    /// See [`DigestError`]: `Malformed` when a value (username, URI, cnonce, or a
    /// challenge field) holds CR, LF or NUL, or the cnonce is empty where one is needed.
    pub fn authorize(&self, response: &DigestResponse<'_>) -> Result<String, DigestError> {
        self.authorize_with(response, DigestSecret::Password(response.password))
    }

    /// Computes the credentials from `secret` instead of `response.password` (which is
    /// not read): a password, or a precomputed MD5 HA1.
    ///
    /// # Errors
    /// As [`Challenge::authorize`], and `UnsupportedAlgorithm` for an HA1 with a
    /// SHA-256 challenge (an MD5 HA1 cannot answer it).
    pub fn authorize_with(
        &self,
        response: &DigestResponse<'_>,
        secret: DigestSecret<'_>,
    ) -> Result<String, DigestError> {
        let r = response;
        let qop = if self.qop.contains(&Qop::Auth) {
            Some(Qop::Auth)
        } else if self.qop.contains(&Qop::AuthInt) {
            Some(Qop::AuthInt)
        } else {
            None
        };
        let fields = [
            r.username,
            r.uri,
            r.cnonce,
            r.method,
            &self.realm,
            &self.nonce,
        ];
        if fields
            .iter()
            .chain(self.opaque.as_deref().iter())
            .any(|v| v.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)))
        {
            return Err(DigestError::Malformed(
                "a value holds CR, LF or NUL".to_string(),
            ));
        }
        let alg = self.algorithm;
        let with_cnonce = qop.is_some() || alg.is_sess();
        if with_cnonce && r.cnonce.is_empty() {
            return Err(DigestError::Malformed("empty cnonce".to_string()));
        }
        let mut ha1 = match secret {
            DigestSecret::Password(password) => alg.hash(&[
                r.username.as_bytes(),
                self.realm.as_bytes(),
                password.expose().as_bytes(),
            ]),
            DigestSecret::Ha1(ha1) => {
                if !matches!(alg, Algorithm::Md5 | Algorithm::Md5Sess) {
                    return Err(DigestError::UnsupportedAlgorithm(format!(
                        "{} with an MD5 HA1",
                        alg.as_str()
                    )));
                }
                ha1.expose().to_ascii_lowercase()
            }
        };
        if alg.is_sess() {
            ha1 = alg.hash(&[ha1.as_bytes(), self.nonce.as_bytes(), r.cnonce.as_bytes()]);
        }
        let ha2 = match qop {
            Some(Qop::AuthInt) => {
                let hbody = alg.hash(&[r.body]);
                alg.hash(&[r.method.as_bytes(), r.uri.as_bytes(), hbody.as_bytes()])
            }
            _ => alg.hash(&[r.method.as_bytes(), r.uri.as_bytes()]),
        };
        let nc = format!("{:08x}", r.nc);
        let digest = match qop {
            Some(q) => alg.hash(&[
                ha1.as_bytes(),
                self.nonce.as_bytes(),
                nc.as_bytes(),
                r.cnonce.as_bytes(),
                q.as_str().as_bytes(),
                ha2.as_bytes(),
            ]),
            None => alg.hash(&[ha1.as_bytes(), self.nonce.as_bytes(), ha2.as_bytes()]),
        };
        let mut out = format!(
            "Digest username={}, realm={}, nonce={}, uri={}, response=\"{digest}\", algorithm={}",
            quoted(r.username),
            quoted(&self.realm),
            quoted(&self.nonce),
            quoted(r.uri),
            alg.as_str(),
        );
        if with_cnonce {
            out.push_str(", cnonce=");
            out.push_str(&quoted(r.cnonce));
        }
        if let Some(o) = &self.opaque {
            out.push_str(", opaque=");
            out.push_str(&quoted(o));
        }
        if let Some(q) = qop {
            out.push_str(", qop=");
            out.push_str(q.as_str());
            out.push_str(", nc=");
            out.push_str(&nc);
        }
        Ok(out)
    }
}

/// Whether the comma-separated element starting at `i` opens a new challenge
/// (`Scheme param=...` or a lone `Scheme`), rather than being an `auth-param`.
fn opens_challenge(s: &str, i: usize) -> bool {
    let e = skip_while(s, i, is_token_char);
    if e == i {
        return false;
    }
    let next = skip_lws(s, e);
    at(s, next) != b'='
}

/// Splits a WWW-Authenticate / Proxy-Authenticate value that may hold several
/// challenges (`Digest a=1, b=2, Digest a=3`) into one text per challenge.
pub(crate) fn split_challenges(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = value.as_bytes();
    let mut start = skip_lws(value, 0);
    let mut i = start;
    while i < b.len() {
        match b.get(i) {
            Some(b'"') => match scan_quoted(value, i) {
                Some(j) => i = j,
                None => break,
            },
            Some(b',') => {
                let next = skip_while(value, i + 1, |c| is_lws(c) || c == b',');
                if next < b.len() && opens_challenge(value, next) {
                    out.push(trim_lws(sub(value, start, i)));
                    start = next;
                }
                i = next;
            }
            _ => i += 1,
        }
    }
    let last = trim_lws(sub(value, start, value.len()));
    if !last.is_empty() {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests;
