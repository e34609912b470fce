//! Typed views of the headers a user agent reads.

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

impl HeaderName {
    /// Recognises a header name, case-insensitively, including compact forms (`v`, `i`, `m`...).
    pub fn parse(name: &str) -> Option<HeaderName> {
        let _ = name;
        unimplemented!("sip contract stub")
    }
    /// The canonical long form, as this crate writes it (`Call-ID`, `CSeq`, `WWW-Authenticate`).
    pub fn as_str(&self) -> &'static str {
        unimplemented!("sip contract stub")
    }
}

/// A `name-addr` or `addr-spec` with parameters: From, To, Contact, Route, Record-Route, Refer-To.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr<'a> {
    uri: Uri<'a>,
}

impl<'a> NameAddr<'a> {
    /// Parses one value.
    ///
    /// # Errors
    /// Unbalanced quotes or angle brackets, or a bad URI.
    pub fn parse(value: &'a str) -> Result<NameAddr<'a>, ParseError> {
        let _ = value;
        unimplemented!("sip contract stub")
    }
    /// The URI.
    pub fn uri(&self) -> &Uri<'a> {
        &self.uri
    }
    /// The display name, unquoted and unescaped, if any.
    pub fn display_name(&self) -> Option<std::borrow::Cow<'a, str>> {
        unimplemented!("sip contract stub")
    }
    /// The `tag` parameter.
    pub fn tag(&self) -> Option<&'a str> {
        unimplemented!("sip contract stub")
    }
    /// A header parameter (after the `>`): `Some(None)` for a flag; quoted values keep their quotes.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        let _ = name;
        unimplemented!("sip contract stub")
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

impl Contact<'_> {
    /// The `expires` parameter, if present and numeric.
    pub fn expires(&self) -> Option<u32> {
        unimplemented!("sip contract stub")
    }
}

/// One Via value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via<'a> {
    text: &'a str,
}

impl<'a> Via<'a> {
    /// Parses one value, such as `SIP/2.0/WSS a.invalid;branch=z9hG4bK1`.
    ///
    /// # Errors
    /// A bad protocol, transport or sent-by.
    pub fn parse(value: &'a str) -> Result<Via<'a>, ParseError> {
        let _ = value;
        unimplemented!("sip contract stub")
    }
    /// The transport (`UDP`, `TCP`, `WS`, `WSS`...), as written.
    pub fn transport(&self) -> &'a str {
        unimplemented!("sip contract stub")
    }
    /// The sent-by host (IPv6 with brackets).
    pub fn host(&self) -> &'a str {
        unimplemented!("sip contract stub")
    }
    /// The sent-by port, if any.
    pub fn port(&self) -> Option<u16> {
        unimplemented!("sip contract stub")
    }
    /// The `branch` parameter.
    pub fn branch(&self) -> Option<&'a str> {
        unimplemented!("sip contract stub")
    }
    /// Any parameter: `Some(None)` for a flag such as `rport`.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        let _ = (name, self.text);
        unimplemented!("sip contract stub")
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

/// The Retry-After header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    /// Seconds to wait.
    pub seconds: u32,
    /// The `duration` parameter, if any.
    pub duration: Option<u32>,
}
