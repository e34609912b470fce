//! Extra headers the application adds to the requests and responses it causes, and
//! the RFC 3326 `Reason` it may give when a call ends.
//!
//! One validated type, [`ExtraHeaders`], for every request the application can cause
//! (REGISTER, INVITE and its 2xx, a rejection, BYE, CANCEL, re-INVITE, REFER, INFO,
//! MESSAGE and SUBSCRIBE): a name that is a token, a value without CR, LF or NUL,
//! and none of the headers the stack writes itself. Taking one of those would let the
//! application break the transaction layer (a second Via, CSeq or Call-ID), the digest
//! (Authorization) or the routing (Route), so they are refused with a typed error
//! rather than silently dropped.

use std::fmt;

use crate::sip::HeaderName;

/// Headers every message's framing, transaction, dialog or authentication owns.
const OWNED: &[&str] = &[
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Contact",
    "Max-Forwards",
    "Content-Length",
    "Authorization",
    "Proxy-Authorization",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Route",
    "Record-Route",
    "Allow",
    "Supported",
    "Require",
    "Session-Expires",
    "Min-SE",
];

/// Why an extra header was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError {
    /// The header name as the application gave it.
    pub name: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "header {:?}: {}", self.name, self.why)
    }
}

impl std::error::Error for HeaderError {}

/// Which message the headers go into: decides the extra headers the stack owns there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderTarget {
    /// REGISTER (and its refreshes): `Expires` is the stack's.
    Register,
    /// An INVITE or re-INVITE (with an SDP body).
    Invite,
    /// The 2xx answering an INVITE (with an SDP body).
    Answer,
    /// A final response rejecting an INVITE (`Reason` is given apart).
    Reject,
    /// BYE or CANCEL (`Reason` is given apart).
    End,
    /// REFER: `Refer-To` and `Referred-By` are the stack's.
    Refer,
    /// A request in a dialog whose body the application gives (INFO): `Content-Type`
    /// is the stack's, from the body's content type.
    WithBody,
    /// MESSAGE outside a dialog (RFC 3428): `Content-Type` is the stack's, from the
    /// message's content type. `Expires` and `Date` stay the application's (RFC 3428
    /// section 6 lets a sender give them).
    Message,
    /// SUBSCRIBE (RFC 6665), the initial one, its refreshes and the unsubscribe:
    /// `Event`, `Expires` and `Accept` are the stack's, from the package, the lifetime
    /// and the accepted body types.
    Subscribe,
}

impl HeaderTarget {
    fn owns(self, name: &str) -> bool {
        let eq = |n: &str| name.eq_ignore_ascii_case(n);
        match self {
            HeaderTarget::Register => eq("Expires"),
            HeaderTarget::Invite
            | HeaderTarget::Answer
            | HeaderTarget::WithBody
            | HeaderTarget::Message => eq("Content-Type"),
            HeaderTarget::Reject | HeaderTarget::End => eq("Reason"),
            HeaderTarget::Refer => eq("Refer-To") || eq("Referred-By"),
            HeaderTarget::Subscribe => eq("Event") || eq("Expires") || eq("Accept"),
        }
    }
}

/// Extra `(name, value)` headers, checked once and kept in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraHeaders(Vec<(String, String)>);

impl ExtraHeaders {
    /// No extra header.
    pub fn none() -> Self {
        ExtraHeaders(Vec::new())
    }

    /// Checks `pairs` for a message of `target`.
    ///
    /// # Errors
    /// The first header whose name is not a token, whose value holds CR, LF or NUL (or
    /// is longer than 4 kB), or which the stack writes itself (Via, From, To, Call-ID,
    /// CSeq, Contact, Max-Forwards, Content-Length, the authentication headers, Route,
    /// Record-Route, Allow, Supported, Require, the session timer's, and per `target`
    /// Expires, Content-Type, Reason, Refer-To, Event or Accept). Compact forms (`v`,
    /// `i`, `o`...) count as their long names.
    pub fn new(pairs: Vec<(String, String)>, target: HeaderTarget) -> Result<Self, HeaderError> {
        if pairs.len() > 64 {
            return Err(HeaderError {
                name: String::new(),
                why: "more than 64 extra headers",
            });
        }
        for (name, value) in &pairs {
            check(name, value, target)?;
        }
        Ok(ExtraHeaders(pairs))
    }

    /// The headers, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn check(name: &str, value: &str, target: HeaderTarget) -> Result<(), HeaderError> {
    let err = |why| {
        Err(HeaderError {
            name: name.to_string(),
            why,
        })
    };
    let token = |c: u8| c.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&c);
    if name.is_empty() || !name.bytes().all(token) {
        return err("the name is not a token");
    }
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return err("the value holds CR, LF or NUL");
    }
    if value.len() > 4096 {
        return err("the value is longer than 4096 bytes");
    }
    // A compact form names the same header as its long one.
    let long = HeaderName::parse(name).map_or(name, |h| h.as_str());
    if OWNED.iter().any(|o| o.eq_ignore_ascii_case(long)) || target.owns(long) {
        return err("the stack writes this header itself");
    }
    Ok(())
}

/// The protocol of a `Reason` header (RFC 3326).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonProtocol {
    /// `SIP`: `cause` is a SIP status code.
    Sip,
    /// `Q.850`: `cause` is an ISDN cause value (16 normal clearing, 17 busy ...).
    Q850,
}

/// A `Reason` header value: `SIP;cause=486;text="Busy Here"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonHeader {
    /// `SIP` or `Q.850`.
    pub protocol: ReasonProtocol,
    /// The cause code.
    pub cause: u16,
    /// The text, if any.
    pub text: Option<String>,
}

impl ReasonHeader {
    /// The header value.
    ///
    /// # Errors
    /// The text holds CR, LF or NUL, a cause out of range (SIP 100-699, Q.850 0-127),
    /// or is longer than 256 bytes.
    pub fn value(&self) -> Result<String, HeaderError> {
        let err = |why| {
            Err(HeaderError {
                name: "Reason".into(),
                why,
            })
        };
        let (protocol, ok) = match self.protocol {
            ReasonProtocol::Sip => ("SIP", (100..=699).contains(&self.cause)),
            ReasonProtocol::Q850 => ("Q.850", self.cause <= 127),
        };
        if !ok {
            return err("the cause is out of range (SIP 100-699, Q.850 0-127)");
        }
        let mut out = format!("{protocol};cause={}", self.cause);
        if let Some(text) = &self.text {
            if text.len() > 256 || text.chars().any(|c| c.is_control()) {
                return err("the text holds control characters or is too long");
            }
            out.push_str(";text=\"");
            for c in text.chars() {
                if matches!(c, '"' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        Ok(out)
    }
}

/// How the application ends a call: the status and reason phrase of a rejection, a
/// `Reason` header, extra headers. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndOptions {
    /// The final status of a rejection (300-699; 486 by default). Unused for BYE and CANCEL.
    pub status: Option<u16>,
    /// The reason phrase of a rejection (the status' usual phrase by default).
    pub reason_phrase: Option<String>,
    /// An RFC 3326 `Reason` for the BYE, CANCEL or rejection.
    pub reason: Option<ReasonHeader>,
    /// Extra headers (checked when the call ends: `Reason` is refused among them).
    pub headers: Vec<(String, String)>,
}

/// Checks a reason phrase given by the application.
pub(crate) fn check_phrase(phrase: &str) -> Result<(), HeaderError> {
    if phrase.len() > 256 || phrase.chars().any(|c| c.is_control()) {
        return Err(HeaderError {
            name: "reasonPhrase".into(),
            why: "holds control characters or is longer than 256 bytes",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, value: &str, t: HeaderTarget) -> Result<ExtraHeaders, HeaderError> {
        ExtraHeaders::new(vec![(name.into(), value.into())], t)
    }

    #[test]
    fn refuses_what_the_stack_owns() {
        assert!(one("X-Account", "42", HeaderTarget::Invite).is_ok());
        for name in [
            "Via", "v", "call-id", "i", "CSeq", "Contact", "m", "Route", "Min-SE",
        ] {
            assert!(one(name, "x", HeaderTarget::Invite).is_err(), "{name}");
        }
        assert!(one("Expires", "60", HeaderTarget::Register).is_err());
        assert!(one("Expires", "60", HeaderTarget::Invite).is_ok());
        assert!(one("Content-Type", "text/plain", HeaderTarget::WithBody).is_err());
        assert!(one("c", "text/plain", HeaderTarget::Invite).is_err());
        assert!(one("Reason", "SIP;cause=200", HeaderTarget::End).is_err());
        assert!(one("Refer-To", "<sip:a@b>", HeaderTarget::Refer).is_err());
        for name in ["Content-Type", "c", "Call-ID", "Authorization"] {
            assert!(one(name, "x", HeaderTarget::Message).is_err(), "{name}");
        }
        assert!(one("Expires", "60", HeaderTarget::Message).is_ok());
        for name in ["Event", "o", "Expires", "Accept", "Contact", "Route"] {
            assert!(one(name, "x", HeaderTarget::Subscribe).is_err(), "{name}");
        }
        assert!(one("X-Panel", "7", HeaderTarget::Subscribe).is_ok());
        assert!(one("X-A", "a\r\nVia: x", HeaderTarget::Invite).is_err());
        assert!(one("X A", "a", HeaderTarget::Invite).is_err());
        assert!(one("", "a", HeaderTarget::Invite).is_err());
    }

    #[test]
    fn reason_values() {
        let r = ReasonHeader {
            protocol: ReasonProtocol::Q850,
            cause: 16,
            text: Some("Normal \"clearing\"".into()),
        };
        assert_eq!(
            r.value().unwrap(),
            "Q.850;cause=16;text=\"Normal \\\"clearing\\\"\""
        );
        let bad = ReasonHeader {
            protocol: ReasonProtocol::Sip,
            cause: 99,
            text: None,
        };
        assert!(bad.value().is_err());
    }
}
