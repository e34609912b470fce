//! `name-addr` values (From, To, Contact, Route, Record-Route, Refer-To) and Contact.

use std::borrow::Cow;

use crate::sip::error::fail;
use crate::sip::text::{
    all, at, find_param, is_lws, parse_u32, scan_quoted, skip_lws, skip_while, sub, trim_lws,
    unfold, unquote, ParamIter, LWS, TOKEN,
};
use crate::sip::{ParseError, Uri};

/// A `name-addr` or `addr-spec` with parameters: From, To, Contact, Route, Record-Route, Refer-To.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// The whole value, outer whitespace trimmed.
    text: &'a str,
    uri: Uri<'a>,
    /// The display name as written: with its quotes, or the tokens trimmed.
    display: Option<&'a str>,
    /// The header parameters after the address, starting with `;` (or empty).
    params: &'a str,
}

impl<'a> NameAddr<'a> {
    /// Parses one value.
    ///
    /// # Errors
    /// Unbalanced quotes or angle brackets, or a bad URI.
    pub fn parse(value: &'a str) -> Result<NameAddr<'a>, ParseError> {
        let s = value;
        let start = skip_lws(s, 0);
        if start >= s.len() {
            return Err(fail("empty address"));
        }
        // Where the `<` is, for a name-addr, and the display name before it.
        let mut display = None;
        let mut lt = None;
        if at(s, start) == b'"' {
            let Some(end) = scan_quoted(s, start) else {
                return Err(fail("unterminated quoted display name"));
            };
            let l = skip_lws(s, end);
            if at(s, l) != b'<' {
                return Err(fail("expected '<' after the display name"));
            }
            display = Some(sub(s, start, end));
            lt = Some(l);
        } else {
            // name-addr with a token display name, or addr-spec.
            let mark = skip_while(s, start, |b| !matches!(b, b'<' | b';' | b'"'));
            if at(s, mark) == b'<' {
                let name = trim_lws(sub(s, start, mark));
                if !all(name, TOKEN | LWS) {
                    return Err(fail("display name is neither a token list nor quoted"));
                }
                if !name.is_empty() {
                    display = Some(name);
                }
                lt = Some(mark);
            }
        }
        // One call of `Uri::parse` for both forms: the URI is built in place once.
        let (text, after) = match lt {
            Some(lt) => {
                let gt = skip_while(s, lt + 1, |b| b != b'>');
                if gt >= s.len() {
                    return Err(fail("unterminated '<'"));
                }
                (sub(s, lt + 1, gt), gt + 1)
            }
            None => {
                let end = skip_while(s, start, |b| !is_lws(b) && b != b';');
                (sub(s, start, end), end)
            }
        };
        let uri = Uri::parse(text)?;
        if lt.is_none() && (uri.headers().is_some() || text.contains(',')) {
            return Err(fail("a URI with '?' or ',' must be enclosed in <>"));
        }
        let rest = sub(s, after, s.len());
        let (p, q) = match ParamIter::validate(rest) {
            Ok(range) => range,
            Err(why) => return Err(fail(why)),
        };
        // `after` follows the URI or its `>`, and only whitespace follows the parameters:
        // the value trimmed ends at the parameters' end, or at `after` without any.
        Ok(NameAddr {
            text: sub(s, start, after + q),
            uri,
            display,
            params: sub(rest, p, q),
        })
    }

    /// The URI.
    pub fn uri(&self) -> &Uri<'a> {
        &self.uri
    }
    /// The display name, unquoted and unescaped, if any.
    pub fn display_name(&self) -> Option<Cow<'a, str>> {
        let d = self.display?;
        if d.starts_with('"') {
            Some(unquote(d))
        } else {
            Some(unfold(d))
        }
    }
    /// The `tag` parameter.
    pub fn tag(&self) -> Option<&'a str> {
        self.param("tag").flatten()
    }
    /// A header parameter (after the `>`): `Some(None)` for a flag; quoted values keep their quotes.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        find_param(self.params, name)
    }
    /// The raw header-parameter section, starting with `;` (empty when there are none).
    pub fn params(&self) -> &'a str {
        self.params
    }
    /// The whole value as written (outer whitespace trimmed; folding kept), for
    /// copying into another message, as a Record-Route value into a Route.
    pub fn as_str(&self) -> &'a str {
        self.text
    }
}

/// One Contact value: an address, or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact<'a> {
    /// `Contact: *`
    Star,
    /// An address with parameters.
    Addr(NameAddr<'a>),
}

impl<'a> Contact<'a> {
    /// Parses one Contact value (`*` or an address).
    ///
    /// # Errors
    /// As [`NameAddr::parse`].
    pub fn parse(value: &'a str) -> Result<Contact<'a>, ParseError> {
        let i = skip_lws(value, 0);
        if at(value, i) == b'*' && skip_lws(value, i + 1) >= value.len() {
            Ok(Contact::Star)
        } else {
            NameAddr::parse(value).map(Contact::Addr)
        }
    }
    /// The `expires` parameter, if present and numeric.
    pub fn expires(&self) -> Option<u32> {
        match self {
            Contact::Star => None,
            Contact::Addr(a) => a.param("expires").flatten().and_then(parse_u32),
        }
    }
    /// The address, unless this is `*`.
    pub fn addr(&self) -> Option<&NameAddr<'a>> {
        match self {
            Contact::Star => None,
            Contact::Addr(a) => Some(a),
        }
    }
}
