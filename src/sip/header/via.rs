//! The Via header.

use crate::sip::text::{
    at, eq_ignore_case, find_param, is_token_char, scan_host, scan_port, skip_lws, skip_while, sub,
    ParamIter,
};
use crate::sip::ParseError;

/// One Via value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via<'a> {
    text: &'a str,
    transport: &'a str,
    host: &'a str,
    port: Option<u16>,
    params: &'a str,
}

impl<'a> Via<'a> {
    /// An empty value, for `Message::top_via` on a message that has none (which `parse`
    /// does not let through).
    pub(crate) const NONE: Via<'static> = Via {
        text: "",
        transport: "",
        host: "",
        port: None,
        params: "",
    };

    /// Parses one value, such as `SIP/2.0/WSS a.invalid;branch=z9hG4bK1`.
    ///
    /// # Errors
    /// A bad protocol, transport or sent-by.
    pub fn parse(value: &'a str) -> Result<Via<'a>, ParseError> {
        let err = |why: &str| ParseError::new(0, format!("invalid Via: {why}"));
        let s = value;
        let mut parts = [""; 3];
        let start = skip_lws(s, 0);
        let mut i = start;
        for (n, part) in parts.iter_mut().enumerate() {
            if n > 0 {
                i = skip_lws(s, i);
                if at(s, i) != b'/' {
                    return Err(err("expected '/' in the protocol"));
                }
                i = skip_lws(s, i + 1);
            }
            let start = i;
            i = skip_while(s, i, is_token_char);
            if i == start {
                return Err(err("empty protocol field"));
            }
            *part = sub(s, start, i);
        }
        // `parts` is a `[&str; 3]`: constant indices below 3 are checked at compile time.
        if !eq_ignore_case(parts[0], "SIP") || parts[1] != "2.0" {
            return Err(err("protocol is not SIP/2.0"));
        }
        let h = skip_lws(s, i);
        if h == i {
            return Err(err("no space before sent-by"));
        }
        let host_end = match scan_host(s, h) {
            Ok(v) => v,
            Err(why) => return Err(err(why)),
        };
        let mut j = skip_lws(s, host_end);
        let mut port = None;
        let mut end = host_end;
        if at(s, j) == b':' {
            j = skip_lws(s, j + 1);
            let (p, e) = match scan_port(s, j) {
                Ok(v) => v,
                Err(why) => return Err(err(why)),
            };
            port = Some(p);
            end = e;
        }
        let rest = sub(s, end, s.len());
        let (p, q) = match ParamIter::validate(rest) {
            Ok(v) => v,
            Err(why) => return Err(err(why)),
        };
        // As in `NameAddr::parse`: the value trimmed ends at the parameters' end, or at
        // the end of the sent-by without any.
        Ok(Via {
            text: sub(s, start, end + q),
            transport: parts[2],
            host: sub(s, h, host_end),
            port,
            params: sub(rest, p, q),
        })
    }
    /// The transport (`UDP`, `TCP`, `WS`, `WSS`...), as written.
    pub fn transport(&self) -> &'a str {
        self.transport
    }
    /// The sent-by host (IPv6 with brackets).
    pub fn host(&self) -> &'a str {
        self.host
    }
    /// The sent-by port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
    /// The `branch` parameter.
    pub fn branch(&self) -> Option<&'a str> {
        self.param("branch").flatten()
    }
    /// Any parameter: `Some(None)` for a flag such as `rport`.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        find_param(self.params, name)
    }
    /// The whole value as written (outer whitespace trimmed).
    pub fn as_str(&self) -> &'a str {
        self.text
    }
}
