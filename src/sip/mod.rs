//! The SIP message layer: a strict, zero-copy parser, typed views of the headers a
//! user agent reads, a validating builder for outgoing messages, and digest
//! authentication (RFC 2617, RFC 7616, RFC 8760).
//!
//! Parsing never panics, whatever the bytes: malformed input is a [`ParseError`]
//! naming the line and the reason, and its [`ParseErrorKind`] tells a 400 from a 505
//! from a framing error. Values supplied by the application are checked when they
//! are built into a message: CR, LF or NUL is a [`BuildError`], never sent.
//!
//! What [`Message::parse`] accepts and rejects follows RFC 3261 and the RFC 4475
//! torture tests (`tests/sip_rfc4475.rs`): folding, compact names, LF-only line ends,
//! IPv6 hosts, unknown methods and schemes, escaped URIs and binary bodies framed by
//! Content-Length are accepted; a bad or duplicated Content-Length, a CSeq of 2^31 or
//! more, a CSeq method that differs from the request's, an unknown SIP version,
//! unbalanced quotes, LWS or `<>` in the Request-URI, and a missing or repeated
//! single-value header (From, To, Call-ID, CSeq, Max-Forwards...) are rejected.
//! Via, From, To, Call-ID and CSeq are required, and checked once at parse time so
//! that their accessors cannot fail. Every other header is kept verbatim, in order.
//!
//! ```
//! use softphone_core::sip::Message;
//! let raw = b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
//! Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK776asdhds\r\n\
//! From: <sip:alice@example.com>;tag=1928301774\r\n\
//! To: <sip:bob@example.com>\r\n\
//! Call-ID: a84b4c76e66710\r\n\
//! CSeq: 63104 OPTIONS\r\n\
//! Content-Length: 0\r\n\r\n";
//! let msg = Message::parse(raw).unwrap();
//! assert_eq!(msg.cseq().seq, 63104);
//! assert_eq!(msg.to_bytes(), raw.to_vec());
//! ```

mod bench_read;
mod build;
mod digest;
mod error;
mod ext;
mod header;
mod message;
mod method;
mod reject;
mod secret;
mod text;
mod uri;

#[doc(hidden)]
pub use bench_read::parse_and_read;
pub use build::{escape_display_name, BuildError, RequestBuilder, ResponseBuilder};
pub use digest::{Algorithm, Challenge, DigestError, DigestResponse, DigestSecret, Qop};
pub use error::{ParseError, ParseErrorKind};
pub use ext::{Credentials, Reason, SessionExpires};
pub use header::{CSeq, Contact, HeaderName, NameAddr, Replaces, RetryAfter, Via};
pub use message::{Header, Message, StartLine};
pub use method::Method;
pub use reject::error_response;
pub use secret::Secret;
pub use uri::{percent_decode, Uri};

/// Renders a message for a log line with every credential removed: the values of
/// `Authorization` and `Proxy-Authorization` become `***`. Bytes that are not valid
/// UTF-8 are replaced; the body is shown only when it is text.
pub fn redact(bytes: &[u8]) -> String {
    message::redact(bytes)
}
