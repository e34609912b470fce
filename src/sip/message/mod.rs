//! The parsed message: a zero-copy view of the bytes.

use std::borrow::Cow;

use super::header::same_header_name;
use super::text::{parse_u32, trim_lws, unfold, CommaIter};
use super::{
    CSeq, Challenge, Contact, HeaderName, Method, NameAddr, ParseError, RetryAfter, Uri, Via,
};

mod accessors;
mod parse;
mod redact;

pub(crate) use redact::redact;

/// The first line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `METHOD uri SIP/2.0`
    Request {
        /// The method.
        method: Method<'a>,
        /// The Request-URI.
        uri: Uri<'a>,
    },
    /// `SIP/2.0 code reason`
    Response {
        /// The status code (100-699).
        code: u16,
        /// The reason phrase, as sent (may be empty or UTF-8).
        reason: &'a str,
    },
}

/// One header line as received: its name as written and its raw value (folding kept).
///
/// `Debug` shows the value of Authorization and Proxy-Authorization as `***`.
/// Two headers are equal when their names and raw values are.
#[derive(Clone)]
pub struct Header<'a> {
    /// The name, as written (`Call-ID`, `i`, `call-id`...).
    pub name: &'a str,
    /// The raw value between the colon and the line end, folding included.
    pub raw_value: &'a str,
    /// `HeaderName::parse(name)`, computed once by `parse`.
    known: Option<HeaderName>,
    /// Where the line (folding included, final line break excluded) lies in the buffer.
    start: usize,
    end: usize,
}

impl PartialEq for Header<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.raw_value == other.raw_value
    }
}

impl Eq for Header<'_> {}

impl std::fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret = matches!(
            self.known(),
            Some(HeaderName::Authorization | HeaderName::ProxyAuthorization)
        );
        f.debug_struct("Header")
            .field("name", &self.name)
            .field("raw_value", if secret { &"***" } else { &self.raw_value })
            .finish()
    }
}

impl<'a> Header<'a> {
    /// A header line at `start..end` of the buffer whose name and value are not read yet.
    fn at(start: usize, end: usize) -> Header<'a> {
        Header {
            name: "",
            raw_value: "",
            known: None,
            start,
            end,
        }
    }
    /// The known header this is, if any.
    pub fn known(&self) -> Option<HeaderName> {
        self.known
    }
    /// The value with folding replaced by single spaces and outer whitespace trimmed.
    pub fn value(&self) -> Cow<'a, str> {
        unfold(self.raw_value)
    }
}

/// A parsed SIP message borrowing the buffer it was parsed from.
///
/// `parse` has checked the start line, every header line, the framing, and the
/// headers a user agent cannot do without (Via, From, To, Call-ID, CSeq, plus
/// Contact, Content-Length and Max-Forwards when present), so their accessors do not
/// fail. Other typed accessors parse on demand and report `None` or an error.
///
/// `Debug` shows the start line, the headers (credentials as `***`) and the body's
/// length, never the raw bytes.
#[derive(Clone)]
pub struct Message<'a> {
    /// The buffer up to the end of the body (empty lines before the start line included).
    raw: &'a [u8],
    /// How many bytes of empty lines precede the start line.
    lead: usize,
    start: StartLine<'a>,
    start_text: &'a str,
    headers: Vec<Header<'a>>,
    body: &'a [u8],
    /// Every Via value, parsed and checked by `parse`.
    vias: Vec<Via<'a>>,
    /// Every Contact value, parsed and checked by `parse`.
    contacts: Vec<Contact<'a>>,
    from: NameAddr<'a>,
    to: NameAddr<'a>,
    call_id: &'a str,
    cseq: CSeq<'a>,
}

impl std::fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("start", &self.start)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Message<'a> {
    /// Parses one message, framed by Content-Length (which may be absent only when the
    /// body is everything after the blank line).
    ///
    /// Empty lines before the start line are skipped (RFC 3261 section 7.5), and bytes
    /// after the Content-Length body are ignored (RFC 4475 section 3.1.1.8).
    /// Line ends may be CRLF or a lone LF.
    ///
    /// # Errors
    /// A [`ParseError`] naming the line and the reason (see the RFC 4475 tests).
    pub fn parse(buf: &'a [u8]) -> Result<Message<'a>, ParseError> {
        parse::parse(buf)
    }
    /// The first line.
    pub fn start_line(&self) -> &StartLine<'a> {
        &self.start
    }
    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }
    /// The request's method, or for a response the method of its CSeq.
    pub fn method(&self) -> Method<'a> {
        match &self.start {
            StartLine::Request { method, .. } => *method,
            StartLine::Response { .. } => self.cseq.method,
        }
    }
    /// The Request-URI of a request.
    pub fn request_uri(&self) -> Option<&Uri<'a>> {
        match &self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }
    /// The status code of a response.
    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }
    /// The reason phrase of a response.
    pub fn reason(&self) -> Option<&'a str> {
        match &self.start {
            StartLine::Response { reason, .. } => Some(reason),
            StartLine::Request { .. } => None,
        }
    }
    /// Every header line, in order.
    pub fn headers(&self) -> &[Header<'a>] {
        &self.headers
    }
    /// Every header line that is `name`, in order.
    pub fn headers_named(&self, name: HeaderName) -> impl Iterator<Item = &Header<'a>> + '_ {
        self.headers.iter().filter(move |h| h.known == Some(name))
    }
    /// The unfolded value of the first header called `name`.
    pub fn header(&self, name: HeaderName) -> Option<Cow<'a, str>> {
        self.headers_named(name).next().map(Header::value)
    }
    /// The unfolded value of the first header with this name (any name; compact forms understood).
    pub fn header_by_name(&self, name: &str) -> Option<Cow<'a, str>> {
        self.headers
            .iter()
            .find(|h| same_header_name(h.name, name))
            .map(Header::value)
    }
    /// The body bytes (exactly Content-Length of them).
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
    /// The bytes the message was parsed from, start line to end of body (without
    /// empty lines before it or bytes after the body).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw.get(self.lead..).unwrap_or_default()
    }
    /// Serializes the message; parse-then-serialize gives back the same header order and body bytes.
    ///
    /// Header lines are written as received (name spelling, spacing, folding); line
    /// ends become CRLF. A CRLF message therefore comes back byte for byte.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.raw.len() + 8);
        out.extend_from_slice(self.start_text.as_bytes());
        out.extend_from_slice(b"\r\n");
        for h in &self.headers {
            let line = self.raw.get(h.start..h.end).unwrap_or_default();
            let mut prev = 0u8;
            for &b in line {
                if b == b'\n' && prev != b'\r' {
                    out.push(b'\r');
                }
                out.push(b);
                prev = b;
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(self.body);
        out
    }
    /// Every Via value, top first (comma-separated values split; checked by `parse`).
    pub fn vias(&self) -> &[Via<'a>] {
        &self.vias
    }
    /// The topmost Via (always present: checked by `parse`).
    pub fn top_via(&self) -> Via<'a> {
        // `parse` checked that there is one; the first Via is not kept twice.
        self.vias.first().unwrap_or(&Via::NONE).clone()
    }
    /// The From header (checked by `parse`).
    pub fn from(&self) -> NameAddr<'a> {
        self.from.clone()
    }
    /// The To header (checked by `parse`).
    pub fn to(&self) -> NameAddr<'a> {
        self.to.clone()
    }
    /// The Call-ID (checked by `parse`).
    pub fn call_id(&self) -> &'a str {
        self.call_id
    }
    /// The CSeq (checked by `parse`).
    pub fn cseq(&self) -> CSeq<'a> {
        self.cseq
    }
    /// Every Contact value, in order (comma-separated values split; checked by `parse`).
    pub fn contacts(&self) -> &[Contact<'a>] {
        &self.contacts
    }
    /// Every Record-Route value, in order.
    ///
    /// # Errors
    /// A malformed value.
    pub fn record_route(&self) -> Result<Vec<NameAddr<'a>>, ParseError> {
        self.list(HeaderName::RecordRoute, NameAddr::parse)
    }
    /// The Expires header.
    pub fn expires(&self) -> Option<u32> {
        self.header(HeaderName::Expires).and_then(|v| parse_u32(&v))
    }
    /// The Min-Expires header.
    pub fn min_expires(&self) -> Option<u32> {
        self.header(HeaderName::MinExpires)
            .and_then(|v| parse_u32(&v))
    }
    /// The Retry-After header.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        let h = self.headers_named(HeaderName::RetryAfter).next()?;
        RetryAfter::parse(h.raw_value).ok()
    }
    /// Every WWW-Authenticate challenge that parses, in order.
    pub fn www_authenticate(&self) -> Vec<Challenge> {
        self.challenges(HeaderName::WwwAuthenticate)
    }
    /// Every Proxy-Authenticate challenge that parses, in order.
    pub fn proxy_authenticate(&self) -> Vec<Challenge> {
        self.challenges(HeaderName::ProxyAuthenticate)
    }

    /// Every comma-separated value of every `name` header, parsed by `f`; errors carry
    /// the header's line.
    fn list<T>(
        &self,
        name: HeaderName,
        f: impl Fn(&'a str) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let mut out = Vec::new();
        for h in self.headers_named(name) {
            for item in CommaIter::new(h.raw_value) {
                // `match`, not `map_err` and `and_then`: at opt-level "z" each of those is
                // a call that copies the parsed value once more.
                let e = match item {
                    Ok(v) => match f(v) {
                        Ok(parsed) => {
                            out.push(parsed);
                            continue;
                        }
                        Err(e) => e,
                    },
                    Err(why) => ParseError::new(0, why),
                };
                return Err(e.at_line(self.header_line(h)));
            }
        }
        Ok(out)
    }

    fn challenges(&self, name: HeaderName) -> Vec<Challenge> {
        self.headers_named(name)
            .flat_map(|h| super::digest::split_challenges(h.raw_value))
            .filter_map(|c| Challenge::parse(c).ok())
            .collect()
    }

    /// The 1-based line of header `h` in the message.
    fn header_line(&self, h: &Header<'_>) -> usize {
        1 + self
            .raw
            .get(..h.start)
            .unwrap_or_default()
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    }
}

/// Trims and checks a single-token value such as a Call-ID.
fn single_word(v: &str) -> Option<&str> {
    let t = trim_lws(v);
    (!t.is_empty() && !t.bytes().any(super::text::is_lws)).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;rport\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@example.com>\r\n\
From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000000000001>\", <sip:alice@192.0.2.4>;expires=30\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\r\nv=0\r";

    #[test]
    fn parses_an_invite() {
        let m = Message::parse(INVITE).unwrap();
        assert!(m.is_request());
        assert_eq!(m.method(), Method::Invite);
        assert_eq!(m.request_uri().unwrap().user(), Some("bob"));
        assert_eq!(m.status(), None);
        let v = m.top_via();
        assert_eq!(v.transport(), "WSS");
        assert_eq!(v.branch(), Some("z9hG4bKnashds7"));
        assert_eq!(v.param("rport"), Some(None));
        assert_eq!(m.from().tag(), Some("1928301774"));
        assert_eq!(m.from().display_name().unwrap(), "Alice");
        assert_eq!(m.to().tag(), None);
        assert_eq!(m.to().display_name().unwrap(), "Bob");
        assert_eq!(m.call_id(), "a84b4c76e66710@pc33.example.com");
        assert_eq!(m.cseq().seq, 314159);
        assert_eq!(m.header(HeaderName::MaxForwards).unwrap(), "70");
        assert_eq!(m.header_by_name("content-type").unwrap(), "application/sdp");
        assert_eq!(m.header_by_name("c").unwrap(), "application/sdp");
        assert_eq!(m.body(), b"v=0\r");
        let c = m.contacts();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].expires(), Some(30));
        assert_eq!(c[0].expires(), None);
        assert_eq!(m.to_bytes(), INVITE.to_vec());
        assert_eq!(m.headers().len(), 9);
    }

    #[test]
    fn debug_hides_credentials() {
        let raw = std::str::from_utf8(INVITE).unwrap().replace(
            "Max-Forwards: 70\r\n",
            "Max-Forwards: 70\r\nProxy-Authorization: Digest response=\"s3cr3t\"\r\n",
        );
        let m = Message::parse(raw.as_bytes()).unwrap();
        let d = format!("{m:?}");
        assert!(!d.contains("s3cr3t"), "{d}");
        assert!(d.contains("Proxy-Authorization") && d.contains("a84b4c76e66710"));
    }

    #[test]
    fn parses_a_response_with_lf_only_and_folding() {
        let raw = b"\r\nSIP/2.0 401 Unauthorized\n\
v: SIP/2.0/WSS h.invalid;branch=z9hG4bK1,\n SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK2\n\
f: <sip:a@example.com>;tag=x\nt: <sip:a@example.com>;tag=y\ni: cid\nCSeq: 2\n REGISTER\n\
l: 0\n\n";
        let m = Message::parse(raw).unwrap();
        assert_eq!(m.status(), Some(401));
        assert_eq!(m.reason(), Some("Unauthorized"));
        assert_eq!(m.method(), Method::Register);
        let vias = m.vias();
        assert_eq!(vias.len(), 2);
        assert_eq!(vias[1].host(), "[2001:db8::1]");
        assert_eq!(vias[1].port(), Some(5060));
        assert_eq!(m.header(HeaderName::CSeq).unwrap(), "2 REGISTER");
        let out = m.to_bytes();
        assert!(out.starts_with(b"SIP/2.0 401 Unauthorized\r\nv: SIP/2.0/WSS h.invalid;branch=z9hG4bK1,\r\n SIP/2.0/UDP"));
        let again = Message::parse(&out).unwrap();
        assert_eq!(again.to_bytes(), out);
    }

    #[test]
    fn rejects_broken_messages() {
        let base = std::str::from_utf8(INVITE).unwrap();
        let cases = [
            (
                base.replace("CSeq: 314159 INVITE", "CSeq: 314159 BYE"),
                "does not match",
            ),
            (base.replace("CSeq: 314159", "CSeq: 2147483648"), "2^31"),
            (base.replace("SIP/2.0\r\nVia", "SIP/3.0\r\nVia"), "version"),
            (
                base.replace("Content-Length: 4", "Content-Length: 5"),
                "Content-Length",
            ),
            (
                base.replace("Content-Length: 4", "Content-Length: -4"),
                "Content-Length",
            ),
            (
                base.replace("Call-ID: a84", "Call-ID: a84\r\ni: b"),
                "more than one",
            ),
            (base.replace("From", "X-From"), "missing From"),
        ];
        for (msg, why) in &cases {
            let e = Message::parse(msg.as_bytes()).unwrap_err();
            assert!(e.reason().contains(why), "{e} / {why}");
        }
        let e = Message::parse(base.replace("SIP/2.0\r\nVia", "SIP/3.0\r\nVia").as_bytes())
            .unwrap_err();
        assert_eq!(e.kind(), crate::sip::ParseErrorKind::Version);
        assert_eq!(e.line(), 1);
        assert!(Message::parse(b"").is_err());
        assert!(Message::parse(b"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n").is_err());
    }
}
