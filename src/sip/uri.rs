//! SIP and other URIs, as views of the text they were parsed from.

use super::ParseError;

/// A URI (`sip:`, `sips:`, `tel:` or any other scheme), borrowed from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri<'a> {
    text: &'a str,
}

impl<'a> Uri<'a> {
    /// Parses a URI; for `sip`/`sips`, userinfo, host (IPv6 in brackets), port, params and headers.
    ///
    /// # Errors
    /// Whitespace, `<`, `>`, control characters, or a malformed host or port.
    pub fn parse(text: &'a str) -> Result<Uri<'a>, ParseError> {
        let _ = text;
        unimplemented!("sip contract stub")
    }
    /// The whole URI text, as parsed.
    pub fn as_str(&self) -> &'a str {
        self.text
    }
    /// The scheme, lower-cased by the caller if needed (`sip`, `sips`, `tel`...).
    pub fn scheme(&self) -> &'a str {
        unimplemented!("sip contract stub")
    }
    /// The user part (still %-escaped), if any.
    pub fn user(&self) -> Option<&'a str> {
        unimplemented!("sip contract stub")
    }
    /// The host; IPv6 references keep their brackets.
    pub fn host(&self) -> &'a str {
        unimplemented!("sip contract stub")
    }
    /// The port, if given.
    pub fn port(&self) -> Option<u16> {
        unimplemented!("sip contract stub")
    }
    /// A URI parameter: `None` when absent, `Some(None)` for a flag such as `;lr`.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        let _ = name;
        unimplemented!("sip contract stub")
    }
}
