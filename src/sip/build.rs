//! Building outgoing messages from values that may come from the application.

use std::fmt;

use super::{Message, Method};

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

/// Builds a request. Content-Length is always written, last.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    buf: Vec<u8>,
}

impl RequestBuilder {
    /// Starts `METHOD uri SIP/2.0`.
    ///
    /// # Errors
    /// The URI does not parse or holds forbidden characters.
    pub fn new(method: Method<'_>, request_uri: &str) -> Result<Self, BuildError> {
        let _ = (method, request_uri);
        unimplemented!("sip contract stub")
    }
    /// Appends a header.
    ///
    /// # Errors
    /// The name is not a token, or the value holds CR, LF or NUL.
    pub fn header(&mut self, name: &str, value: &str) -> Result<&mut Self, BuildError> {
        let _ = (name, value, &self.buf);
        unimplemented!("sip contract stub")
    }
    /// Sets the body and its Content-Type.
    ///
    /// # Errors
    /// The content type holds forbidden characters.
    pub fn body(&mut self, content_type: &str, body: &[u8]) -> Result<&mut Self, BuildError> {
        let _ = (content_type, body);
        unimplemented!("sip contract stub")
    }
    /// Returns the bytes.
    pub fn build(&self) -> Vec<u8> {
        unimplemented!("sip contract stub")
    }
}

/// Builds a response to a request: copies every Via, From, To, Call-ID and CSeq.
#[derive(Debug, Clone)]
pub struct ResponseBuilder {
    buf: Vec<u8>,
}

impl ResponseBuilder {
    /// Starts `SIP/2.0 code reason` for `request`.
    ///
    /// # Errors
    /// The reason holds forbidden characters.
    pub fn new(request: &Message<'_>, code: u16, reason: &str) -> Result<Self, BuildError> {
        let _ = (request, code, reason);
        unimplemented!("sip contract stub")
    }
    /// Adds `;tag=` to the To header unless it has one.
    pub fn to_tag(&mut self, tag: &str) -> &mut Self {
        let _ = (tag, &self.buf);
        unimplemented!("sip contract stub")
    }
    /// Appends a header.
    ///
    /// # Errors
    /// The name is not a token, or the value holds CR, LF or NUL.
    pub fn header(&mut self, name: &str, value: &str) -> Result<&mut Self, BuildError> {
        let _ = (name, value);
        unimplemented!("sip contract stub")
    }
    /// Sets the body and its Content-Type.
    ///
    /// # Errors
    /// The content type holds forbidden characters.
    pub fn body(&mut self, content_type: &str, body: &[u8]) -> Result<&mut Self, BuildError> {
        let _ = (content_type, body);
        unimplemented!("sip contract stub")
    }
    /// Returns the bytes.
    pub fn build(&self) -> Vec<u8> {
        unimplemented!("sip contract stub")
    }
}

/// Quotes a display name for a `name-addr` (`"Alice \"A\" Smith"`).
///
/// # Errors
/// CR, LF or NUL in the name.
pub fn escape_display_name(name: &str) -> Result<String, BuildError> {
    let _ = name;
    unimplemented!("sip contract stub")
}
