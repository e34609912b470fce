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

    /// Whether the method is a target refresh request inside a dialog: its Contact
    /// replaces the peer's remote target, so the request and its 2xx answer carry
    /// Contact (INVITE: RFC 3261 section 12.2; UPDATE: RFC 3311 section 5.1;
    /// SUBSCRIBE and NOTIFY: RFC 6665 section 4.1.2 and 4.2). REFER is not one by its
    /// RFC, but it creates a subscription usage and RFC 3515 section 2.4 has it carry
    /// Contact as SUBSCRIBE does; PBXs (Asterisk) refuse one without.
    pub fn is_target_refresh(&self) -> bool {
        matches!(
            self,
            Method::Invite | Method::Update | Method::Subscribe | Method::Notify | Method::Refer
        )
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

    #[test]
    fn target_refresh_methods() {
        let refresh = ["INVITE", "UPDATE", "SUBSCRIBE", "NOTIFY", "REFER"];
        for t in refresh {
            assert!(Method::parse(t).is_target_refresh(), "{t}");
        }
        for t in [
            "ACK", "BYE", "CANCEL", "INFO", "OPTIONS", "MESSAGE", "PRACK", "FOO",
        ] {
            assert!(!Method::parse(t).is_target_refresh(), "{t}");
        }
    }
}
