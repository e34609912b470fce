//! Typed views of the headers a user agent reads.

use std::borrow::Cow;

use super::error::fail;
use super::text::{
    all, at, eq_ignore_case, find_param, is_lws, is_token_char, parse_u32, scan_host, scan_port,
    scan_quoted, skip_lws, skip_while, sub, trim_lws, unfold, unquote, ParamIter, LWS, TOKEN,
};
use super::{Method, ParseError, Uri};

/// Header names the parser knows, long and compact forms alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum HeaderName {
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    MaxForwards,
    Route,
    RecordRoute,
    WwwAuthenticate,
    ProxyAuthenticate,
    Authorization,
    ProxyAuthorization,
    ContentType,
    ContentLength,
    Expires,
    MinExpires,
    RetryAfter,
    Allow,
    Supported,
    Require,
    SessionExpires,
    MinSe,
    ReferTo,
    ReferredBy,
    Replaces,
    Reason,
    Event,
    SubscriptionState,
    UserAgent,
    Server,
    Accept,
}

/// How many variants `HeaderName` has.
pub(crate) const KNOWN_COUNT: usize = 32;

/// Each known header: its canonical long form and its compact form, if any.
const NAMES: [(HeaderName, &str, Option<&str>); KNOWN_COUNT] = [
    (HeaderName::Via, "Via", Some("v")),
    (HeaderName::From, "From", Some("f")),
    (HeaderName::To, "To", Some("t")),
    (HeaderName::CallId, "Call-ID", Some("i")),
    (HeaderName::CSeq, "CSeq", None),
    (HeaderName::Contact, "Contact", Some("m")),
    (HeaderName::MaxForwards, "Max-Forwards", None),
    (HeaderName::Route, "Route", None),
    (HeaderName::RecordRoute, "Record-Route", None),
    (HeaderName::WwwAuthenticate, "WWW-Authenticate", None),
    (HeaderName::ProxyAuthenticate, "Proxy-Authenticate", None),
    (HeaderName::Authorization, "Authorization", None),
    (HeaderName::ProxyAuthorization, "Proxy-Authorization", None),
    (HeaderName::ContentType, "Content-Type", Some("c")),
    (HeaderName::ContentLength, "Content-Length", Some("l")),
    (HeaderName::Expires, "Expires", None),
    (HeaderName::MinExpires, "Min-Expires", None),
    (HeaderName::RetryAfter, "Retry-After", None),
    (HeaderName::Allow, "Allow", None),
    (HeaderName::Supported, "Supported", Some("k")),
    (HeaderName::Require, "Require", None),
    (HeaderName::SessionExpires, "Session-Expires", Some("x")),
    (HeaderName::MinSe, "Min-SE", None),
    (HeaderName::ReferTo, "Refer-To", Some("r")),
    (HeaderName::ReferredBy, "Referred-By", Some("b")),
    (HeaderName::Replaces, "Replaces", None),
    (HeaderName::Reason, "Reason", None),
    (HeaderName::Event, "Event", Some("o")),
    (HeaderName::SubscriptionState, "Subscription-State", None),
    (HeaderName::UserAgent, "User-Agent", None),
    (HeaderName::Server, "Server", None),
    (HeaderName::Accept, "Accept", None),
];

/// Compact forms of headers this crate has no variant for (RFC 3261, 3265, 3841,
/// 4474, 3892...), so that [`super::Message::header_by_name`] still finds them.
const OTHER_COMPACT: [(&str, &str); 8] = [
    ("s", "Subject"),
    ("e", "Content-Encoding"),
    ("u", "Allow-Events"),
    ("a", "Accept-Contact"),
    ("j", "Reject-Contact"),
    ("d", "Request-Disposition"),
    ("y", "Identity"),
    ("n", "Identity-Info"),
];

/// Whether `name` is `known` but for the case of letters, where `known` is made of
/// letters and `-` only (a header name of [`NAMES`]).
///
/// Eight (or four) bytes at a time: the bytes may differ in bit 0x20 alone, and only
/// where `known` has a letter (bit 0x40, which `-` lacks). Short names overlap their
/// last word with the first. About a third of a byte loop for the usual names.
fn eq_known(name: &[u8], known: &[u8]) -> bool {
    const L: u64 = 0x4040_4040_4040_4040;
    let n = known.len();
    if name.len() != n {
        return false;
    }
    if n < 4 {
        return name
            .iter()
            .zip(known)
            .all(|(&x, &y)| (x ^ y) & !((y & 0x40) >> 1) == 0);
    }
    let mut diff = 0;
    let mut i = 0;
    while i < n {
        // The word at `i`, or the last whole one; a name of 4 to 7 bytes is read as its
        // first and last four.
        let j = i.min(n.saturating_sub(8));
        let (x, y) = (word(name, j), word(known, j));
        diff |= (x ^ y) & !((y & L) >> 1);
        i += 8;
    }
    diff == 0
}

/// The eight bytes at `j` of `s`, or for `s` of 4 to 7 bytes its first and last four.
#[inline(always)]
fn word(s: &[u8], j: usize) -> u64 {
    match s.get(j..).and_then(<[u8]>::first_chunk::<8>) {
        Some(w) => u64::from_le_bytes(*w),
        None => half(s, 0) | half(s, s.len().saturating_sub(4)) << 32,
    }
}

/// The four bytes at `i` of `s` (0 past the end).
#[inline(always)]
fn half(s: &[u8], i: usize) -> u64 {
    s.get(i..)
        .and_then(<[u8]>::first_chunk::<4>)
        .map_or(0, |w| u64::from(u32::from_le_bytes(*w)))
}

impl HeaderName {
    /// Recognises a header name, case-insensitively, including compact forms (`v`, `i`, `m`...).
    pub fn parse(name: &str) -> Option<HeaderName> {
        use HeaderName as H;
        let b = name.as_bytes();
        let first = b.first()? | 0x20;
        let last = b.last()? | 0x20;
        // Length, first and last letter pick the one candidate; one comparison confirms it.
        let candidate = match (b.len(), first, last) {
            (1, ..) => {
                return match first {
                    b'v' => Some(H::Via),
                    b'f' => Some(H::From),
                    b't' => Some(H::To),
                    b'i' => Some(H::CallId),
                    b'm' => Some(H::Contact),
                    b'c' => Some(H::ContentType),
                    b'l' => Some(H::ContentLength),
                    b'k' => Some(H::Supported),
                    b'x' => Some(H::SessionExpires),
                    b'r' => Some(H::ReferTo),
                    b'b' => Some(H::ReferredBy),
                    b'o' => Some(H::Event),
                    _ => None,
                }
            }
            (2, b't', _) => H::To,
            (3, b'v', _) => H::Via,
            (4, b'f', _) => H::From,
            (4, b'c', _) => H::CSeq,
            (5, b'r', _) => H::Route,
            (5, b'a', _) => H::Allow,
            (5, b'e', _) => H::Event,
            (6, b'm', _) => H::MinSe,
            (6, b'r', _) => H::Reason,
            (6, b's', _) => H::Server,
            (6, b'a', _) => H::Accept,
            (7, b'c', b'd') => H::CallId,
            (7, b'c', _) => H::Contact,
            (7, b'e', _) => H::Expires,
            (7, b'r', _) => H::Require,
            (8, b'r', b'o') => H::ReferTo,
            (8, b'r', _) => H::Replaces,
            (9, b's', _) => H::Supported,
            (10, b'u', _) => H::UserAgent,
            (11, b'm', _) => H::MinExpires,
            (11, b'r', b'r') => H::RetryAfter,
            (11, b'r', _) => H::ReferredBy,
            (12, b'm', _) => H::MaxForwards,
            (12, b'r', _) => H::RecordRoute,
            (12, b'c', _) => H::ContentType,
            (13, b'a', _) => H::Authorization,
            (14, b'c', _) => H::ContentLength,
            (15, b's', _) => H::SessionExpires,
            (16, b'w', _) => H::WwwAuthenticate,
            (18, b'p', _) => H::ProxyAuthenticate,
            (18, b's', _) => H::SubscriptionState,
            (19, b'p', _) => H::ProxyAuthorization,
            _ => return None,
        };
        eq_known(b, candidate.as_str().as_bytes()).then_some(candidate)
    }
    /// The canonical long form, as this crate writes it (`Call-ID`, `CSeq`, `WWW-Authenticate`).
    pub fn as_str(&self) -> &'static str {
        // NAMES is in declaration order (a test checks it).
        NAMES.get(*self as usize).map_or("", |(_, long, _)| long)
    }
    /// Whether RFC 3261 (or the header's RFC) allows only one value of it in a message,
    /// so that a second one makes the message malformed.
    pub fn is_single(&self) -> bool {
        matches!(
            self,
            HeaderName::From
                | HeaderName::To
                | HeaderName::CallId
                | HeaderName::CSeq
                | HeaderName::MaxForwards
                | HeaderName::ContentType
                | HeaderName::ContentLength
                | HeaderName::Expires
                | HeaderName::MinExpires
                | HeaderName::RetryAfter
                | HeaderName::SessionExpires
                | HeaderName::MinSe
                | HeaderName::ReferTo
                | HeaderName::Replaces
        )
    }
}

/// Whether two header names designate the same header: case-insensitive, with
/// compact forms understood.
pub(crate) fn same_header_name(a: &str, b: &str) -> bool {
    if eq_ignore_case(a, b) {
        return true;
    }
    if let (Some(x), Some(y)) = (HeaderName::parse(a), HeaderName::parse(b)) {
        return x == y;
    }
    let long = |n: &str| {
        OTHER_COMPACT
            .iter()
            .find(|(s, _)| eq_ignore_case(n, s))
            .map_or("", |(_, l)| *l)
    };
    eq_ignore_case(long(a), b) || eq_ignore_case(long(b), a)
}

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

/// One Via value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via<'a> {
    text: &'a str,
    transport: &'a str,
    host: &'a str,
    port: Option<u16>,
    params: &'a str,
}

impl<'a> Via<'a> {
    /// An empty value, for `Message::top_via` on a message that has none (which `parse`
    /// does not let through).
    pub(crate) const NONE: Via<'static> = Via {
        text: "",
        transport: "",
        host: "",
        port: None,
        params: "",
    };

    /// Parses one value, such as `SIP/2.0/WSS a.invalid;branch=z9hG4bK1`.
    ///
    /// # Errors
    /// A bad protocol, transport or sent-by.
    pub fn parse(value: &'a str) -> Result<Via<'a>, ParseError> {
        let err = |why: &str| ParseError::new(0, format!("invalid Via: {why}"));
        let s = value;
        let mut parts = [""; 3];
        let start = skip_lws(s, 0);
        let mut i = start;
        for (n, part) in parts.iter_mut().enumerate() {
            if n > 0 {
                i = skip_lws(s, i);
                if at(s, i) != b'/' {
                    return Err(err("expected '/' in the protocol"));
                }
                i = skip_lws(s, i + 1);
            }
            let start = i;
            i = skip_while(s, i, is_token_char);
            if i == start {
                return Err(err("empty protocol field"));
            }
            *part = sub(s, start, i);
        }
        if !eq_ignore_case(parts[0], "SIP") || parts[1] != "2.0" {
            return Err(err("protocol is not SIP/2.0"));
        }
        let h = skip_lws(s, i);
        if h == i {
            return Err(err("no space before sent-by"));
        }
        let host_end = match scan_host(s, h) {
            Ok(v) => v,
            Err(why) => return Err(err(why)),
        };
        let mut j = skip_lws(s, host_end);
        let mut port = None;
        let mut end = host_end;
        if at(s, j) == b':' {
            j = skip_lws(s, j + 1);
            let (p, e) = match scan_port(s, j) {
                Ok(v) => v,
                Err(why) => return Err(err(why)),
            };
            port = Some(p);
            end = e;
        }
        let rest = sub(s, end, s.len());
        let (p, q) = match ParamIter::validate(rest) {
            Ok(v) => v,
            Err(why) => return Err(err(why)),
        };
        // As in `NameAddr::parse`: the value trimmed ends at the parameters' end, or at
        // the end of the sent-by without any.
        Ok(Via {
            text: sub(s, start, end + q),
            transport: parts[2],
            host: sub(s, h, host_end),
            port,
            params: sub(rest, p, q),
        })
    }
    /// The transport (`UDP`, `TCP`, `WS`, `WSS`...), as written.
    pub fn transport(&self) -> &'a str {
        self.transport
    }
    /// The sent-by host (IPv6 with brackets).
    pub fn host(&self) -> &'a str {
        self.host
    }
    /// The sent-by port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
    /// The `branch` parameter.
    pub fn branch(&self) -> Option<&'a str> {
        self.param("branch").flatten()
    }
    /// Any parameter: `Some(None)` for a flag such as `rport`.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        find_param(self.params, name)
    }
    /// The whole value as written (outer whitespace trimmed).
    pub fn as_str(&self) -> &'a str {
        self.text
    }
}

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
        if m == d || !super::text::is_token(method) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_long_and_compact() {
        assert_eq!(HeaderName::parse("v"), Some(HeaderName::Via));
        assert_eq!(HeaderName::parse("CALL-id"), Some(HeaderName::CallId));
        assert_eq!(HeaderName::parse("i"), Some(HeaderName::CallId));
        assert_eq!(HeaderName::parse("M"), Some(HeaderName::Contact));
        assert_eq!(
            HeaderName::parse("www-authenticate"),
            Some(HeaderName::WwwAuthenticate)
        );
        assert_eq!(HeaderName::parse("X-Foo"), None);
        assert_eq!(HeaderName::parse("C%6Fntact"), None);
        for (i, (h, long, short)) in NAMES.into_iter().enumerate() {
            assert_eq!(h as usize, i, "NAMES is in declaration order");
            assert_eq!(HeaderName::parse(long), Some(h));
            assert_eq!(HeaderName::parse(&long.to_uppercase()), Some(h));
            assert_eq!(HeaderName::parse(&long.to_lowercase()), Some(h));
            assert_eq!(HeaderName::parse(&format!("{long}x")), None);
            assert_eq!(h.as_str(), long);
            if let Some(c) = short {
                assert_eq!(HeaderName::parse(c), Some(h));
                assert_eq!(HeaderName::parse(&c.to_uppercase()), Some(h));
            }
        }
        assert!(same_header_name("s", "subject"));
        assert!(same_header_name("l", "Content-Length"));
        assert!(!same_header_name("s", "To"));
    }

    #[test]
    fn known_names_compare_as_eq_ignore_case() {
        for (_, long, _) in NAMES {
            let long = long.as_bytes();
            let mut variants = vec![
                long.to_vec(),
                long.to_ascii_lowercase(),
                long.to_ascii_uppercase(),
                long[1..].to_vec(),
                [long, b"x"].concat(),
            ];
            for i in 0..long.len() {
                for c in [
                    0u8, b'-', b'\r', b'\x0d', b'_', b'@', b'`', b'[', b'{', 0x80, 0xc0, 0xe0,
                ] {
                    let mut v = long.to_vec();
                    v[i] = c;
                    variants.push(v.clone());
                    v[i] = long[i] ^ 0x20;
                    variants.push(v.clone());
                    v[i] = long[i] ^ 0x60;
                    variants.push(v);
                }
            }
            for v in variants {
                let want = v.eq_ignore_ascii_case(long);
                assert_eq!(eq_known(&v, long), want, "{v:?} {long:?}");
            }
        }
    }

    #[test]
    fn name_addr_forms() {
        let a =
            NameAddr::parse(r#" "Alice \"A\"" <sip:alice@example.com;transport=ws>;tag=abc ;x"#)
                .unwrap();
        assert_eq!(a.display_name().unwrap(), r#"Alice "A""#);
        assert_eq!(a.uri().host(), "example.com");
        assert_eq!(a.uri().param("transport"), Some(Some("ws")));
        assert_eq!(a.tag(), Some("abc"));
        assert_eq!(a.param("x"), Some(None));
        assert!(a.as_str().starts_with("\"Alice") && a.as_str().ends_with(";x"));

        let b = NameAddr::parse("sip:bob@example.com;tag=1").unwrap();
        assert_eq!(b.display_name(), None);
        assert_eq!(b.tag(), Some("1"));
        assert_eq!(b.uri().as_str(), "sip:bob@example.com");

        let c = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(c.display_name().unwrap(), "caller");

        let d = NameAddr::parse(
            "<sip:a@192.0.2.1;transport=ws>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";expires=600",
        )
        .unwrap();
        assert_eq!(
            d.param("+sip.instance"),
            Some(Some("\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""))
        );
        assert_eq!(Contact::Addr(d).expires(), Some(600));
    }

    #[test]
    fn name_addr_rejects() {
        for bad in [
            "\"Mr. J. User <sip:j.user@example.com>",
            "Bell, Alexander <sip:a.g.bell@bell-tel.com>;tag=43",
            "\"Watson\" < sip:t.watson@example.org >",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            "<sip:a@b",
            "\"Joe\" <sip:joe@example.org>;;;;",
            "",
        ] {
            assert!(NameAddr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn via_forms() {
        let v = Via::parse("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!(v.transport(), "UDP");
        assert_eq!(v.host(), "192.0.2.2");
        assert_eq!(v.branch(), Some("390skdjuw"));
        let v =
            Via::parse("SIP/2.0/WSS [2001:db8::9]:443;rport;branch=z9hG4bK1;received=2001:db8::1")
                .unwrap();
        assert_eq!(v.host(), "[2001:db8::9]");
        assert_eq!(v.port(), Some(443));
        assert_eq!(v.param("rport"), Some(None));
        assert_eq!(v.param("received"), Some(Some("2001:db8::1")));
        assert!(Via::parse("SIP/2.0/UDP 192.0.2.15;;").is_err());
        assert!(Via::parse("SIP/3.0/UDP h").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0/UDP h:70000").is_err());
    }

    #[test]
    fn cseq_and_retry_after() {
        let c = CSeq::parse(" 0009\r\n  INVITE").unwrap();
        assert_eq!((c.seq, c.method), (9, Method::Invite));
        assert!(CSeq::parse("2147483648 INVITE").is_err());
        assert_eq!(CSeq::parse("2147483647 X").unwrap().seq, 2_147_483_647);
        assert!(CSeq::parse("1").is_err());
        assert!(CSeq::parse("INVITE").is_err());
        let r = RetryAfter::parse("18000;duration=3600").unwrap();
        assert_eq!((r.seconds, r.duration), (18000, Some(3600)));
        let r = RetryAfter::parse("120 (I'm in a (meeting))").unwrap();
        assert_eq!((r.seconds, r.duration), (120, None));
        assert!(RetryAfter::parse("949302838503028349304023988").is_err());
        assert!(RetryAfter::parse("5 (open").is_err());
    }
}
