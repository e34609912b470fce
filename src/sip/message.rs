//! The parsed message: a zero-copy view of the bytes.

use std::borrow::Cow;

use super::{
    CSeq, Challenge, Contact, HeaderName, Method, NameAddr, ParseError, RetryAfter, Uri, Via,
};

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// The name, as written (`Call-ID`, `i`, `call-id`...).
    pub name: &'a str,
    /// The raw value between the colon and the line end, folding included.
    pub raw_value: &'a str,
}

impl<'a> Header<'a> {
    /// The known header this is, if any.
    pub fn known(&self) -> Option<HeaderName> {
        HeaderName::parse(self.name)
    }
    /// The value with folding replaced by single spaces and outer whitespace trimmed.
    pub fn value(&self) -> Cow<'a, str> {
        unimplemented!("sip contract stub")
    }
}

/// A parsed SIP message borrowing the buffer it was parsed from.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    raw: &'a [u8],
}

impl<'a> Message<'a> {
    /// Parses one message, framed by Content-Length (which may be absent only when the
    /// body is everything after the blank line).
    ///
    /// # Errors
    /// A [`ParseError`] naming the line and the reason (see the RFC 4475 tests).
    pub fn parse(buf: &'a [u8]) -> Result<Message<'a>, ParseError> {
        let _ = buf;
        unimplemented!("sip contract stub")
    }
    /// The first line.
    pub fn start_line(&self) -> &StartLine<'a> {
        unimplemented!("sip contract stub")
    }
    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        unimplemented!("sip contract stub")
    }
    /// The request's method, or for a response the method of its CSeq.
    pub fn method(&self) -> Method<'a> {
        unimplemented!("sip contract stub")
    }
    /// The Request-URI of a request.
    pub fn request_uri(&self) -> Option<&Uri<'a>> {
        unimplemented!("sip contract stub")
    }
    /// The status code of a response.
    pub fn status(&self) -> Option<u16> {
        unimplemented!("sip contract stub")
    }
    /// The reason phrase of a response.
    pub fn reason(&self) -> Option<&'a str> {
        unimplemented!("sip contract stub")
    }
    /// Every header line, in order.
    pub fn headers(&self) -> &[Header<'a>] {
        unimplemented!("sip contract stub")
    }
    /// The unfolded value of the first header called `name`.
    pub fn header(&self, name: HeaderName) -> Option<Cow<'a, str>> {
        let _ = name;
        unimplemented!("sip contract stub")
    }
    /// The unfolded value of the first header with this name (any name; compact forms understood).
    pub fn header_by_name(&self, name: &str) -> Option<Cow<'a, str>> {
        let _ = name;
        unimplemented!("sip contract stub")
    }
    /// The body bytes (exactly Content-Length of them).
    pub fn body(&self) -> &'a [u8] {
        unimplemented!("sip contract stub")
    }
    /// Serializes the message; parse-then-serialize gives back the same header order and body bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let _ = self.raw;
        unimplemented!("sip contract stub")
    }
    /// Every Via value, top first (comma-separated values split).
    pub fn vias(&self) -> Vec<Via<'a>> {
        unimplemented!("sip contract stub")
    }
    /// The topmost Via (always present: checked by `parse`).
    pub fn top_via(&self) -> Via<'a> {
        unimplemented!("sip contract stub")
    }
    /// The From header (checked by `parse`).
    pub fn from(&self) -> NameAddr<'a> {
        unimplemented!("sip contract stub")
    }
    /// The To header (checked by `parse`).
    pub fn to(&self) -> NameAddr<'a> {
        unimplemented!("sip contract stub")
    }
    /// The Call-ID (checked by `parse`).
    pub fn call_id(&self) -> &'a str {
        unimplemented!("sip contract stub")
    }
    /// The CSeq (checked by `parse`).
    pub fn cseq(&self) -> CSeq<'a> {
        unimplemented!("sip contract stub")
    }
    /// Every Contact value, in order.
    ///
    /// # Errors
    /// A malformed Contact.
    pub fn contacts(&self) -> Result<Vec<Contact<'a>>, ParseError> {
        unimplemented!("sip contract stub")
    }
    /// Every Record-Route value, in order.
    ///
    /// # Errors
    /// A malformed value.
    pub fn record_route(&self) -> Result<Vec<NameAddr<'a>>, ParseError> {
        unimplemented!("sip contract stub")
    }
    /// The Expires header.
    pub fn expires(&self) -> Option<u32> {
        unimplemented!("sip contract stub")
    }
    /// The Min-Expires header.
    pub fn min_expires(&self) -> Option<u32> {
        unimplemented!("sip contract stub")
    }
    /// The Retry-After header.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        unimplemented!("sip contract stub")
    }
    /// Every WWW-Authenticate challenge that parses, in order.
    pub fn www_authenticate(&self) -> Vec<Challenge> {
        unimplemented!("sip contract stub")
    }
    /// Every Proxy-Authenticate challenge that parses, in order.
    pub fn proxy_authenticate(&self) -> Vec<Challenge> {
        unimplemented!("sip contract stub")
    }
}

pub(crate) fn redact(bytes: &[u8]) -> String {
    let _ = bytes;
    unimplemented!("sip contract stub")
}
