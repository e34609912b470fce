//! Request methods.

/// A SIP request method. Unknown methods are kept, as RFC 3261 requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method<'a> {
    /// INVITE
    Invite,
    /// ACK
    Ack,
    /// BYE
    Bye,
    /// CANCEL
    Cancel,
    /// REGISTER
    Register,
    /// OPTIONS
    Options,
    /// INFO
    Info,
    /// UPDATE
    Update,
    /// REFER
    Refer,
    /// NOTIFY
    Notify,
    /// SUBSCRIBE
    Subscribe,
    /// MESSAGE
    Message,
    /// PRACK
    Prack,
    /// PUBLISH
    Publish,
    /// Any other token.
    Other(&'a str),
}

impl<'a> Method<'a> {
    /// Reads a method token (case-sensitive, as RFC 3261 says).
    pub fn parse(token: &'a str) -> Method<'a> {
        let _ = token;
        unimplemented!("sip contract stub")
    }

    /// Returns the method's token.
    pub fn as_str(&self) -> &'a str {
        unimplemented!("sip contract stub")
    }
}
