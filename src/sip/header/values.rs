//! CSeq and Retry-After.

use crate::sip::text::{at, find_param, parse_u32, skip_lws, skip_while, sub, trim_lws, ParamIter};
use crate::sip::{Method, ParseError};

/// The CSeq header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CSeq<'a> {
    /// The sequence number (below 2^31, as RFC 3261 requires).
    pub seq: u32,
    /// The method.
    pub method: Method<'a>,
}

impl<'a> CSeq<'a> {
    /// Parses `1*DIGIT LWS Method`.
    ///
    /// # Errors
    /// A missing or overlarge (2^31 or more) number, or a method that is not a token.
    pub fn parse(value: &'a str) -> Result<CSeq<'a>, ParseError> {
        let s = trim_lws(value);
        let d = skip_while(s, 0, |b| b.is_ascii_digit());
        let seq = parse_u32(sub(s, 0, d))
            .filter(|n| *n < 1 << 31)
            .ok_or_else(|| ParseError::new(0, "CSeq number missing or not below 2^31"))?;
        let m = skip_lws(s, d);
        let method = sub(s, m, s.len());
        if m == d || !crate::sip::text::is_token(method) {
            return Err(ParseError::new(0, "CSeq method missing or not a token"));
        }
        Ok(CSeq {
            seq,
            method: Method::parse(method),
        })
    }
}

/// The Retry-After header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    /// Seconds to wait.
    pub seconds: u32,
    /// The `duration` parameter, if any.
    pub duration: Option<u32>,
}

impl RetryAfter {
    /// Parses `delta-seconds [ comment ] *( ";" param )`.
    ///
    /// # Errors
    /// A missing or overlarge number, an unbalanced comment or bad parameters.
    pub fn parse(value: &str) -> Result<RetryAfter, ParseError> {
        let err = |why: &str| ParseError::new(0, format!("invalid Retry-After: {why}"));
        let s = trim_lws(value);
        let d = skip_while(s, 0, |b| b.is_ascii_digit());
        let seconds = parse_u32(sub(s, 0, d)).ok_or_else(|| err("bad delta-seconds"))?;
        let mut i = skip_lws(s, d);
        if at(s, i) == b'(' {
            // A comment, possibly nested, with quoted pairs.
            let mut depth = 0usize;
            loop {
                match at(s, i) {
                    0 if i >= s.len() => return Err(err("unterminated comment")),
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    b'\\' => i += 1,
                    _ => {}
                }
                i += 1;
            }
        }
        let params = sub(s, i, s.len());
        ParamIter::validate(params).map_err(err)?;
        let duration = match find_param(params, "duration") {
            None => None,
            Some(v) => Some(v.and_then(parse_u32).ok_or_else(|| err("bad duration"))?),
        };
        Ok(RetryAfter { seconds, duration })
    }
}
