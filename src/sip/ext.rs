//! Typed views of the less central headers: Session-Expires, Reason and Authorization
//! credentials (Replaces is in `header/replaces.rs`).

use std::borrow::Cow;

use super::digest::auth_params;
use super::text::{
    eq_ignore_case, find_param, is_token, is_token_char, parse_u32, skip_while, sub, trim_lws,
    unquote, ParamIter,
};
use super::ParseError;

/// The Session-Expires header (RFC 4028): `delta-seconds *(;param)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionExpires<'a> {
    /// The session interval in seconds.
    pub seconds: u32,
    /// The `refresher` parameter (`uac` or `uas`), if any.
    pub refresher: Option<&'a str>,
}

impl<'a> SessionExpires<'a> {
    /// Parses a Session-Expires (or Min-SE, whose refresher is then `None`) value.
    ///
    /// # Errors
    /// A missing or overlarge number, or malformed parameters.
    pub fn parse(value: &'a str) -> Result<SessionExpires<'a>, ParseError> {
        let err = |why: &str| ParseError::new(0, format!("invalid Session-Expires: {why}"));
        let s = trim_lws(value);
        let d = skip_while(s, 0, |b| b.is_ascii_digit());
        let seconds = parse_u32(sub(s, 0, d)).ok_or_else(|| err("bad delta-seconds"))?;
        let params = sub(s, d, s.len());
        ParamIter::validate(params).map_err(err)?;
        Ok(SessionExpires {
            seconds,
            refresher: find_param(params, "refresher").flatten(),
        })
    }
}

/// One value of the Reason header (RFC 3326): `SIP ;cause=200 ;text="..."`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason<'a> {
    /// The protocol (`SIP`, `Q.850`...).
    pub protocol: &'a str,
    /// The `cause` parameter, if numeric.
    pub cause: Option<u32>,
    /// The `text` parameter, unquoted.
    pub text: Option<Cow<'a, str>>,
}

impl<'a> Reason<'a> {
    /// Parses one Reason value.
    ///
    /// # Errors
    /// A protocol that is not a token, or malformed parameters.
    pub fn parse(value: &'a str) -> Result<Reason<'a>, ParseError> {
        let err = |why: &str| ParseError::new(0, format!("invalid Reason: {why}"));
        let s = trim_lws(value);
        let end = skip_while(s, 0, is_token_char);
        let protocol = sub(s, 0, end);
        if !is_token(protocol) {
            return Err(err("no protocol"));
        }
        let params = sub(s, end, s.len());
        ParamIter::validate(params).map_err(err)?;
        Ok(Reason {
            protocol,
            cause: find_param(params, "cause").flatten().and_then(parse_u32),
            text: find_param(params, "text").flatten().map(unquote),
        })
    }
}

/// Credentials from an Authorization or Proxy-Authorization header, as a view.
///
/// Its `Debug` output hides the parameter values, since they include the response.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials<'a> {
    /// The scheme (`Digest`, or anything else).
    pub scheme: &'a str,
    params: Vec<(&'a str, &'a str)>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("scheme", &self.scheme)
            .field("params", &"***")
            .finish()
    }
}

impl<'a> Credentials<'a> {
    /// Parses `scheme param=value, ...`.
    ///
    /// # Errors
    /// A missing scheme or malformed parameters.
    pub fn parse(value: &'a str) -> Result<Credentials<'a>, ParseError> {
        let s = trim_lws(value);
        let end = skip_while(s, 0, is_token_char);
        let scheme = sub(s, 0, end);
        if scheme.is_empty() {
            return Err(ParseError::new(0, "credentials without a scheme"));
        }
        let params = auth_params(sub(s, end, s.len()))
            .map_err(|why| ParseError::new(0, format!("invalid credentials: {why}")))?;
        Ok(Credentials { scheme, params })
    }
    /// A parameter, unquoted (`username`, `realm`, `nonce`, `uri`, `response`...).
    pub fn param(&self, name: &str) -> Option<Cow<'a, str>> {
        self.params
            .iter()
            .find(|(n, _)| eq_ignore_case(n, name))
            .map(|(_, v)| unquote(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_expires() {
        let s = SessionExpires::parse("1800 ; refresher=uac").unwrap();
        assert_eq!((s.seconds, s.refresher), (1800, Some("uac")));
        assert!(SessionExpires::parse("x").is_err());
    }

    #[test]
    fn reason_and_credentials() {
        let r = Reason::parse("SIP ;cause=200 ;text=\"Call completed elsewhere\"").unwrap();
        assert_eq!(r.protocol, "SIP");
        assert_eq!(r.cause, Some(200));
        assert_eq!(r.text.as_deref(), Some("Call completed elsewhere"));
        let c =
            Credentials::parse("Digest username=\"bob\", response=\"abcd\", nc=00000001").unwrap();
        assert_eq!(c.scheme, "Digest");
        assert_eq!(c.param("username").as_deref(), Some("bob"));
        assert_eq!(c.param("NC").as_deref(), Some("00000001"));
        assert!(!format!("{c:?}").contains("abcd"));
        let c = Credentials::parse("NoOneKnowsThisScheme opaque-data=here").unwrap();
        assert_eq!(c.scheme, "NoOneKnowsThisScheme");
    }
}
