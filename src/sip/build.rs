//! Building outgoing messages from values that may come from the application.

use std::fmt;

use super::text::is_token;
use super::{HeaderName, Message, Method, NameAddr, Uri};

/// A value could not be put into a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// The value holds CR, LF or NUL (header injection).
    ForbiddenCharacter {
        /// What the value was for (`Request-URI`, `display name`, a header name).
        field: String,
    },
    /// The URI does not parse.
    InvalidUri {
        /// What the URI was for.
        field: String,
        /// Why.
        reason: String,
    },
    /// The header name is not a token.
    InvalidHeaderName(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ForbiddenCharacter { field } => write!(f, "{field} contains CR, LF or NUL"),
            BuildError::InvalidUri { field, reason } => {
                write!(f, "{field} is not a valid URI: {reason}")
            }
            BuildError::InvalidHeaderName(n) => write!(f, "{n:?} is not a valid header name"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Fails when `value` holds CR, LF or NUL.
fn check_value(field: &str, value: &str) -> Result<(), BuildError> {
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        Err(BuildError::ForbiddenCharacter {
            field: field.to_string(),
        })
    } else {
        Ok(())
    }
}

/// Headers and body shared by both builders. Content-Type and Content-Length are
/// written by `finish`, Content-Length last.
#[derive(Debug, Clone, Default)]
struct Tail {
    headers: Vec<u8>,
    body: Option<(String, Vec<u8>)>,
}

impl Tail {
    fn header(&mut self, name: &str, value: &str) -> Result<(), BuildError> {
        if !is_token(name) {
            return Err(BuildError::InvalidHeaderName(name.to_string()));
        }
        check_value(name, value)?;
        // The builder computes Content-Length itself.
        if HeaderName::parse(name) == Some(HeaderName::ContentLength) {
            return Ok(());
        }
        push_header(&mut self.headers, name, value);
        Ok(())
    }

    fn body(&mut self, content_type: &str, body: &[u8]) -> Result<(), BuildError> {
        check_value("Content-Type", content_type)?;
        self.body = Some((content_type.to_string(), body.to_vec()));
        Ok(())
    }

    fn finish(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.headers);
        let body: &[u8] = match &self.body {
            Some((ct, b)) => {
                if !ct.is_empty() {
                    push_header(out, "Content-Type", ct);
                }
                b
            }
            None => &[],
        };
        push_header(out, "Content-Length", &body.len().to_string());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
    }
}

fn push_header(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Builds a request. Content-Length is always written, last.
///
/// A `Content-Length` given to [`RequestBuilder::header`] is ignored: the builder
/// computes it from the body.
#[derive(Clone)]
pub struct RequestBuilder {
    buf: Vec<u8>,
    tail: Tail,
}

impl RequestBuilder {
    /// Starts `METHOD uri SIP/2.0`.
    ///
    /// # Errors
    /// The URI does not parse or holds forbidden characters (a method that is not a
    /// token is reported as a forbidden character in the `method` field).
    pub fn new(method: Method<'_>, request_uri: &str) -> Result<Self, BuildError> {
        check_value("Request-URI", request_uri)?;
        if !method.is_valid() {
            return Err(BuildError::ForbiddenCharacter {
                field: "method".to_string(),
            });
        }
        let uri = Uri::parse(request_uri).map_err(|e| BuildError::InvalidUri {
            field: "Request-URI".to_string(),
            reason: e.reason().to_string(),
        })?;
        if uri.headers().is_some() {
            return Err(BuildError::InvalidUri {
                field: "Request-URI".to_string(),
                reason: "a Request-URI cannot carry headers".to_string(),
            });
        }
        let mut buf = Vec::with_capacity(512);
        buf.extend_from_slice(method.as_str().as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(request_uri.as_bytes());
        buf.extend_from_slice(b" SIP/2.0\r\n");
        Ok(RequestBuilder {
            buf,
            tail: Tail::default(),
        })
    }
    /// Appends a header.
    ///
    /// # Errors
    /// The name is not a token, or the value holds CR, LF or NUL.
    pub fn header(&mut self, name: &str, value: &str) -> Result<&mut Self, BuildError> {
        self.tail.header(name, value)?;
        Ok(self)
    }
    /// Sets the body and its Content-Type (an empty content type writes none).
    ///
    /// # Errors
    /// The content type holds forbidden characters.
    pub fn body(&mut self, content_type: &str, body: &[u8]) -> Result<&mut Self, BuildError> {
        self.tail.body(content_type, body)?;
        Ok(self)
    }
    /// Returns the bytes.
    pub fn build(&self) -> Vec<u8> {
        let mut out = self.buf.clone();
        self.tail.finish(&mut out);
        out
    }
}

/// Builds a response to a request: copies every Via, From, To, Call-ID and CSeq.
///
/// A `Content-Length` given to [`ResponseBuilder::header`] is ignored: the builder
/// computes it from the body.
#[derive(Clone)]
pub struct ResponseBuilder {
    /// Status line, Via headers and From.
    buf: Vec<u8>,
    /// The To value, which `to_tag` may extend.
    to: String,
    /// Call-ID and CSeq.
    ids: Vec<u8>,
    tail: Tail,
}

impl ResponseBuilder {
    /// Starts `SIP/2.0 code reason` for `request`.
    ///
    /// The code is written as given; callers pass 100-699.
    ///
    /// # Errors
    /// The reason holds forbidden characters.
    pub fn new(request: &Message<'_>, code: u16, reason: &str) -> Result<Self, BuildError> {
        check_value("reason phrase", reason)?;
        let mut buf = Vec::with_capacity(512);
        buf.extend_from_slice(format!("SIP/2.0 {code:03} {reason}\r\n").as_bytes());
        let mut to = String::new();
        let mut ids = Vec::with_capacity(128);
        // The values come from a parsed message: folding is replaced by spaces, so
        // they hold no line break.
        for h in request.headers() {
            match h.known() {
                Some(HeaderName::Via) => push_header(&mut buf, "Via", &h.value()),
                Some(HeaderName::From) => push_header(&mut buf, "From", &h.value()),
                Some(HeaderName::To) => to = h.value().into_owned(),
                Some(HeaderName::CallId) => push_header(&mut ids, "Call-ID", &h.value()),
                Some(HeaderName::CSeq) => push_header(&mut ids, "CSeq", &h.value()),
                _ => {}
            }
        }
        Ok(ResponseBuilder {
            buf,
            to,
            ids,
            tail: Tail::default(),
        })
    }
    /// Adds `;tag=` to the To header unless it has one. A tag that is not a token is
    /// not added (tags come from the user agent's generator, never from the network).
    pub fn to_tag(&mut self, tag: &str) -> &mut Self {
        let has_tag = NameAddr::parse(&self.to).is_ok_and(|a| a.param("tag").is_some());
        if !has_tag && is_token(tag) {
            self.to.push_str(";tag=");
            self.to.push_str(tag);
        }
        self
    }
    /// Appends a header.
    ///
    /// # Errors
    /// The name is not a token, or the value holds CR, LF or NUL.
    pub fn header(&mut self, name: &str, value: &str) -> Result<&mut Self, BuildError> {
        self.tail.header(name, value)?;
        Ok(self)
    }
    /// Sets the body and its Content-Type (an empty content type writes none).
    ///
    /// # Errors
    /// The content type holds forbidden characters.
    pub fn body(&mut self, content_type: &str, body: &[u8]) -> Result<&mut Self, BuildError> {
        self.tail.body(content_type, body)?;
        Ok(self)
    }
    /// Returns the bytes.
    pub fn build(&self) -> Vec<u8> {
        let mut out = self.buf.clone();
        push_header(&mut out, "To", &self.to);
        out.extend_from_slice(&self.ids);
        self.tail.finish(&mut out);
        out
    }
}

impl fmt::Debug for RequestBuilder {
    /// Shows the message as [`super::redact`] renders it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestBuilder")
            .field(&super::redact(&self.build()))
            .finish()
    }
}

impl fmt::Debug for ResponseBuilder {
    /// Shows the message as [`super::redact`] renders it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResponseBuilder")
            .field(&super::redact(&self.build()))
            .finish()
    }
}

/// Quotes a display name for a `name-addr` (`"Alice \"A\" Smith"`).
///
/// # Errors
/// CR, LF or NUL in the name.
pub fn escape_display_name(name: &str) -> Result<String, BuildError> {
    check_value("display name", name)?;
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> RequestBuilder {
        let mut b = RequestBuilder::new(Method::Invite, "sip:bob@example.com").unwrap();
        b.header("Via", "SIP/2.0/WSS a.invalid;branch=z9hG4bK1")
            .unwrap()
            .header("From", "<sip:alice@example.com>;tag=1")
            .unwrap()
            .header("To", "<sip:bob@example.com>")
            .unwrap()
            .header("Call-ID", "c1")
            .unwrap()
            .header("CSeq", "1 INVITE")
            .unwrap();
        b
    }

    #[test]
    fn request_writes_content_length_last() {
        let mut b = invite();
        b.body("application/sdp", b"v=0\r\n").unwrap();
        b.header("Content-Length", "99").unwrap();
        b.header("Max-Forwards", "70").unwrap();
        let out = b.build();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("INVITE sip:bob@example.com SIP/2.0\r\nVia: "));
        assert!(
            text.ends_with("Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n"),
            "{text}"
        );
        let m = Message::parse(&out).unwrap();
        assert_eq!(m.body(), b"v=0\r\n");
        assert_eq!(m.cseq().method, Method::Invite);
    }

    #[test]
    fn rejects_injection() {
        let mut b = invite();
        assert!(matches!(
            b.header("Subject", "hi\r\nX-Evil: 1"),
            Err(BuildError::ForbiddenCharacter { .. })
        ));
        assert!(matches!(
            b.header("Bad Name", "x"),
            Err(BuildError::InvalidHeaderName(_))
        ));
        assert!(b.header("X", "a\0b").is_err());
        b.header("Authorization", "Digest response=\"s3cr3t\"")
            .unwrap();
        assert!(!format!("{b:?}").contains("s3cr3t"));
        assert!(b.body("text/plain\n", b"").is_err());
        assert!(RequestBuilder::new(Method::Invite, "sip:a@b\r\nX: y").is_err());
        assert!(matches!(
            RequestBuilder::new(Method::Invite, "sip:a b"),
            Err(BuildError::ForbiddenCharacter { .. } | BuildError::InvalidUri { .. })
        ));
        assert!(RequestBuilder::new(Method::Other("A\r\n"), "sip:a@b").is_err());
        assert!(escape_display_name("a\nb").is_err());
        assert_eq!(
            escape_display_name(r#"Al "A" \"#).unwrap(),
            r#""Al \"A\" \\""#
        );
    }

    #[test]
    fn response_copies_request_headers() {
        let raw = b"INVITE sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n\
Max-Forwards: 70\r\n\
v: SIP/2.0/WSS b.invalid;branch=z9hG4bK2, SIP/2.0/WSS c.invalid;branch=z9hG4bK3\r\n\
From: <sip:alice@example.com>;tag=1\r\n\
To: <sip:bob@example.com>\r\n\
Call-ID: c1\r\n\
CSeq: 1 INVITE\r\n\
Content-Length: 0\r\n\r\n";
        let req = Message::parse(raw).unwrap();
        let mut r = ResponseBuilder::new(&req, 180, "Ringing").unwrap();
        r.to_tag("t1").to_tag("t2");
        let out = String::from_utf8(r.build()).unwrap();
        assert_eq!(
            out,
            "SIP/2.0 180 Ringing\r\n\
Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n\
Via: SIP/2.0/WSS b.invalid;branch=z9hG4bK2, SIP/2.0/WSS c.invalid;branch=z9hG4bK3\r\n\
From: <sip:alice@example.com>;tag=1\r\n\
To: <sip:bob@example.com>;tag=t1\r\n\
Call-ID: c1\r\n\
CSeq: 1 INVITE\r\n\
Content-Length: 0\r\n\r\n"
        );
        let resp = Message::parse(out.as_bytes()).unwrap();
        assert_eq!(resp.vias().len(), 3);
        assert_eq!(resp.to().tag(), Some("t1"));
        assert!(ResponseBuilder::new(&req, 200, "OK\r\nX: 1").is_err());
    }
}
