//! The SIP message layer: a strict, zero-copy parser, typed views of the headers a
//! user agent reads, a validating builder for outgoing messages, and digest
//! authentication (RFC 2617, RFC 7616, RFC 8760).
//!
//! Parsing never panics, whatever the bytes: malformed input is a [`ParseError`]
//! naming the line and the reason. Values supplied by the application are checked
//! when they are built into a message: CR, LF or NUL is a [`BuildError`], never sent.
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

mod build;
mod digest;
mod error;
mod ext;
mod header;
mod message;
mod method;
mod secret;
mod text;
mod uri;

pub use build::{escape_display_name, BuildError, RequestBuilder, ResponseBuilder};
pub use digest::{Algorithm, Challenge, DigestError, DigestResponse, Qop};
pub use error::{ParseError, ParseErrorKind};
pub use ext::{Credentials, Reason, Replaces, SessionExpires};
pub use header::{CSeq, Contact, HeaderName, NameAddr, RetryAfter, Via};
pub use message::{Header, Message, StartLine};
pub use method::Method;
pub use secret::Secret;
pub use uri::{percent_decode, Uri};

/// Renders a message for a log line with every credential removed: the values of
/// `Authorization` and `Proxy-Authorization` become `***`. Bytes that are not valid
/// UTF-8 are replaced; the body is shown only when it is text.
pub fn redact(bytes: &[u8]) -> String {
    message::redact(bytes)
}
