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
        match token {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "REFER" => Method::Refer,
            "NOTIFY" => Method::Notify,
            "SUBSCRIBE" => Method::Subscribe,
            "MESSAGE" => Method::Message,
            "PRACK" => Method::Prack,
            "PUBLISH" => Method::Publish,
            other => Method::Other(other),
        }
    }

    /// Returns the method's token.
    pub fn as_str(&self) -> &'a str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Refer => "REFER",
            Method::Notify => "NOTIFY",
            Method::Subscribe => "SUBSCRIBE",
            Method::Message => "MESSAGE",
            Method::Prack => "PRACK",
            Method::Publish => "PUBLISH",
            Method::Other(t) => t,
        }
    }

    /// Whether the method is a valid `token` (the parser only produces such methods;
    /// `Method::Other` built by hand may not be).
    pub fn is_valid(&self) -> bool {
        super::text::is_token(self.as_str())
    }
}

impl std::fmt::Display for Method<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Method;

    #[test]
    fn known_and_unknown_methods_round_trip() {
        assert_eq!(Method::parse("INVITE"), Method::Invite);
        assert_eq!(Method::parse("invite"), Method::Other("invite"));
        assert_eq!(Method::parse("RE%47IST%45R"), Method::Other("RE%47IST%45R"));
        for t in [
            "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "PRACK", "FOO",
        ] {
            assert_eq!(Method::parse(t).as_str(), t);
        }
        assert!(!Method::Other("A B").is_valid());
    }
}
