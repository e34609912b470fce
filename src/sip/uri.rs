//! SIP and other URIs, as views of the text they were parsed from.

use super::text::{
    at, eq_ignore_case, find_byte, scan_host, scan_port, skip_class, skip_while, sub, URI_PARAM,
    URI_PLAIN, USERINFO,
};
use super::ParseError;

/// A URI (`sip:`, `sips:`, `tel:` or any other scheme), borrowed from its text.
///
/// For `sip` and `sips` the parts are split out; for other schemes [`Uri::user`] is
/// `None`, [`Uri::host`] is empty, and [`Uri::opaque`] holds everything after the
/// colon (its `;` parameters are still readable with [`Uri::param`]).
///
/// The parts are kept as positions in the text and sliced when asked for: parsing
/// makes no slice at all, and the value is smaller to move around.
#[derive(Clone, PartialEq, Eq)]
pub struct Uri<'a> {
    text: &'a str,
    /// The scheme is `text[..colon]`.
    colon: usize,
    /// The user part is `text[colon + 1..user_end]`; 0 when there is none.
    user_end: usize,
    /// Whether a password follows the user part (`text[user_end + 1..host_start - 1]`).
    password: bool,
    host_start: usize,
    host_end: usize,
    port: Option<u16>,
    /// The parameter section, starting with `;`, or empty.
    params_start: usize,
    params_end: usize,
    /// The header section is `text[headers_start..]`; 0 when there is none.
    headers_start: usize,
}

impl std::fmt::Debug for Uri<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uri")
            .field("text", &self.text)
            .field("scheme", &self.scheme())
            .field("user", &self.user())
            .field("password", &self.password())
            .field("host", &self.host())
            .field("port", &self.port)
            .field("params", &self.params())
            .field("headers", &self.headers())
            .finish()
    }
}

/// Whether a scheme is `sip` or `sips`, in any case (`| 0x20` lower-cases a letter, and
/// no other byte becomes `s`, `i` or `p` by it).
fn is_sip_scheme(s: &[u8]) -> bool {
    match *s {
        [a, b, c] => [a | 0x20, b | 0x20, c | 0x20] == *b"sip",
        [a, b, c, d] => [a | 0x20, b | 0x20, c | 0x20, d | 0x20] == *b"sips",
        _ => false,
    }
}

/// Whether every byte of `s` may appear in a URI at all: not whitespace, a control
/// character, a quote or an angle bracket (checked on the way out with an error, and
/// for schemes other than sip).
fn all_uri_ok(s: &str) -> bool {
    skip_while(s, 0, |b| {
        !(b <= b' ' || b == 0x7f || matches!(b, b'<' | b'>' | b'"'))
    }) == s.len()
}

/// Checks that every `%` is followed by two hex digits.
fn escapes_ok(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        // `i < b.len()` by the loop's condition.
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

impl<'a> Uri<'a> {
    /// Parses a URI; for `sip`/`sips`, userinfo, host (IPv6 in brackets), port, params and headers.
    ///
    /// # Errors
    /// Whitespace, `<`, `>`, control characters, or a malformed host or port.
    pub fn parse(text: &'a str) -> Result<Uri<'a>, ParseError> {
        // Whitespace, control characters, quotes and angle brackets are reported first,
        // whatever else is wrong. A sip URI that parses is made of characters that every
        // part's own class excludes them from, so the check is only made for other
        // schemes and on the way out with an error.
        let err = |why: &str| {
            let why = if all_uri_ok(text) {
                why
            } else {
                "whitespace, control character, quote or angle bracket"
            };
            ParseError::new(0, format!("invalid URI: {why}"))
        };
        if text.is_empty() {
            return Err(err("empty"));
        }
        let colon = find_byte(text, 0, b':').ok_or_else(|| err("no scheme"))?;
        let b = text.as_bytes();
        let scheme = b.get(..colon).unwrap_or_default();
        let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !scheme_ok {
            return Err(err("malformed scheme"));
        }
        if colon + 1 >= text.len() {
            return Err(err("nothing after the scheme"));
        }
        let mut uri = Uri {
            text,
            colon,
            user_end: 0,
            password: false,
            host_start: 0,
            host_end: 0,
            port: None,
            params_start: 0,
            params_end: 0,
            headers_start: 0,
        };
        if !is_sip_scheme(scheme) {
            if !all_uri_ok(text) {
                return Err(err(""));
            }
            if !text.is_ascii() {
                return Err(err("non-ASCII character"));
            }
            if let Some(semi) = find_byte(text, colon + 1, b';') {
                uri.params_start = semi;
                uri.params_end = find_byte(text, colon + 1, b'?')
                    .filter(|&q| q > semi)
                    .unwrap_or(text.len());
            }
            return Ok(uri);
        }
        // sip / sips: [userinfo "@"] host [":" port] *(";" param) ["?" headers]
        let mut h = colon + 1;
        // '@' is not a userinfo character: the scan stops at the first '@' when the user
        // part is well formed. With no '@' at all there is no user part; an '@' further
        // on means a bad character before it.
        let atpos = skip_class(text, h, USERINFO);
        if at(text, atpos) == b'@' {
            let userinfo = b.get(h..atpos).unwrap_or_default();
            // One pass over the user part: its escapes, and the first ':' (the password
            // follows it... unless the user part itself holds one (telephone-subscriber);
            // RFC 3261 takes the first).
            let mut user_end = atpos;
            let mut k = 0;
            while let Some(&c) = userinfo.get(k) {
                if c == b'%'
                    && !(userinfo.get(k + 1).is_some_and(u8::is_ascii_hexdigit)
                        && userinfo.get(k + 2).is_some_and(u8::is_ascii_hexdigit))
                {
                    return Err(err("bad character in the user part"));
                }
                if c == b':' && !uri.password {
                    uri.password = true;
                    user_end = h + k;
                }
                k += 1;
            }
            if user_end == h {
                return Err(err("empty user part"));
            }
            uri.user_end = user_end;
            h = atpos + 1;
        } else if find_byte(text, atpos, b'@').is_some() {
            return Err(err("bad character in the user part"));
        }
        let host_end = match scan_host(text, h) {
            Ok(v) => v,
            Err(why) => return Err(err(why)),
        };
        uri.host_start = h;
        uri.host_end = host_end;
        let mut i = host_end;
        if at(text, i) == b':' {
            let (port, end) = match scan_port(text, i + 1) {
                Ok(v) => v,
                Err(why) => return Err(err(why)),
            };
            uri.port = Some(port);
            i = end;
        }
        let t = b.get(i..).unwrap_or_default();
        if !matches!(t.first(), None | Some(b';' | b'?')) {
            return Err(err("unexpected character after the host"));
        }
        // One pass over the tail: its characters, its escapes, where the headers start,
        // and that every parameter has a name. Plain characters are skipped by class;
        // the loop body only sees the others.
        let mut q = text.len();
        let mut k = i;
        loop {
            k = skip_class(text, k, URI_PLAIN);
            match b.get(k) {
                None => break,
                Some(b'%')
                    if b.get(k + 1).is_some_and(u8::is_ascii_hexdigit)
                        && b.get(k + 2).is_some_and(u8::is_ascii_hexdigit) => {}
                Some(b'?') => q = q.min(k),
                Some(b';') => {
                    if q == text.len() && matches!(b.get(k + 1), None | Some(b';' | b'=' | b'?')) {
                        // Reported after the character checks, as before: look on for a
                        // bad character first.
                        if skip_class(text, k, URI_PARAM) < text.len() || !escapes_ok(t) {
                            return Err(err("bad character in the parameters or headers"));
                        }
                        return Err(err("empty parameter"));
                    }
                }
                Some(_) => return Err(err("bad character in the parameters or headers")),
            }
            k += 1;
        }
        uri.params_start = i;
        uri.params_end = q;
        if q < text.len() {
            uri.headers_start = q + 1;
        }
        Ok(uri)
    }
    /// The whole URI text, as parsed.
    pub fn as_str(&self) -> &'a str {
        self.text
    }
    /// The scheme, lower-cased by the caller if needed (`sip`, `sips`, `tel`...).
    pub fn scheme(&self) -> &'a str {
        sub(self.text, 0, self.colon)
    }
    /// Whether the scheme is `sip` or `sips` (any case).
    pub fn is_sip(&self) -> bool {
        is_sip_scheme(self.text.as_bytes().get(..self.colon).unwrap_or_default())
    }
    /// The user part (still %-escaped), if any.
    pub fn user(&self) -> Option<&'a str> {
        (self.user_end > 0).then(|| sub(self.text, self.colon + 1, self.user_end))
    }
    /// The password of a `user:password@host` URI (still %-escaped), if any.
    pub fn password(&self) -> Option<&'a str> {
        self.password.then(|| {
            sub(
                self.text,
                self.user_end + 1,
                self.host_start.saturating_sub(1),
            )
        })
    }
    /// The host; IPv6 references keep their brackets.
    pub fn host(&self) -> &'a str {
        sub(self.text, self.host_start, self.host_end)
    }
    /// The port, if given.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
    /// Everything after `scheme:`.
    pub fn opaque(&self) -> &'a str {
        sub(self.text, self.colon + 1, self.text.len())
    }
    /// The raw parameter section, starting with `;` (empty when there are none).
    pub fn params(&self) -> &'a str {
        sub(self.text, self.params_start, self.params_end)
    }
    /// The raw header section after `?`, if any (still %-escaped).
    pub fn headers(&self) -> Option<&'a str> {
        (self.headers_start > 0).then(|| sub(self.text, self.headers_start, self.text.len()))
    }
    /// A URI parameter: `None` when absent, `Some(None)` for a flag such as `;lr`.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        self.params()
            .split(';')
            .skip(1)
            .map(|p| match p.find('=') {
                Some(e) => (sub(p, 0, e), Some(sub(p, e + 1, p.len()))),
                None => (p, None),
            })
            .find(|(n, _)| eq_ignore_case(n, name))
            .map(|(_, v)| v)
    }
    /// A URI header (`?name=value&...`, RFC 3261 section 19.1.1) by name
    /// (case-insensitive), its `%HH` escapes decoded once: `Replaces` in a Refer-To URI.
    pub fn header(&self, name: &str) -> Option<std::borrow::Cow<'a, str>> {
        self.headers()?
            .split('&')
            .map(|h| h.split_once('=').unwrap_or((h, "")))
            .find(|(n, _)| eq_ignore_case(&percent_decode(n), name))
            .map(|(_, v)| percent_decode(v))
    }
    /// The URI without its header section (what goes into a Request-URI, which carries
    /// no headers).
    pub fn without_headers(&self) -> &'a str {
        match self.headers_start {
            0 => self.text,
            start => sub(self.text, 0, start - 1),
        }
    }
}

impl std::fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text)
    }
}

/// Decodes `%HH` escapes once (not recursively). Invalid escapes are kept as written;
/// the result is lossy UTF-8.
pub fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        // `i < b.len()` by the loop's condition; the bytes after it are read with `get`.
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                // h and l are below 16, so the value fits in a byte.
                out.push(u8::try_from(h * 16 + l).unwrap_or(0));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sip_uri_parts() {
        let u = Uri::parse("sip:alice:pw@[2001:db8::1]:5061;transport=ws;lr?Subject=hi").unwrap();
        assert_eq!(u.scheme(), "sip");
        assert_eq!(u.user(), Some("alice"));
        assert_eq!(u.password(), Some("pw"));
        assert_eq!(u.host(), "[2001:db8::1]");
        assert_eq!(u.port(), Some(5061));
        assert_eq!(u.param("transport"), Some(Some("ws")));
        assert_eq!(u.param("LR"), Some(None));
        assert_eq!(u.param("maddr"), None);
        assert_eq!(u.headers(), Some("Subject=hi"));
    }

    #[test]
    fn sip_scheme_any_case() {
        for (s, yes) in [
            ("sip", true),
            ("SIPS", true),
            ("sIp", true),
            ("sipx", false),
            ("si", false),
            ("tel", false),
            ("s\tp", false),
        ] {
            assert_eq!(is_sip_scheme(s.as_bytes()), yes, "{s}");
            assert_eq!(
                s.eq_ignore_ascii_case("sip") || s.eq_ignore_ascii_case("sips"),
                yes
            );
        }
    }

    #[test]
    fn odd_but_valid_uris() {
        let u = Uri::parse("sip:user;par=u%40example.net@example.com").unwrap();
        assert_eq!(u.user(), Some("user;par=u%40example.net"));
        assert_eq!(u.host(), "example.com");
        let t = Uri::parse("tel:+1-201-555-0123;phone-context=x").unwrap();
        assert_eq!(t.scheme(), "tel");
        assert_eq!(t.user(), None);
        assert_eq!(t.param("phone-context"), Some(Some("x")));
        assert_eq!(t.opaque(), "+1-201-555-0123;phone-context=x");
        assert!(Uri::parse("nobodyKnowsThisScheme:totallyopaquecontent").is_ok());
        assert!(Uri::parse("sip:example.com").unwrap().user().is_none());
    }

    #[test]
    fn rejects_bad_uris() {
        for bad in [
            "",
            "sip:",
            "sip:a b@c",
            "<sip:a@b>",
            "sip:a@b:99999",
            "sip:a@b:x",
            "sip:a@[zz]",
            "sip:a@",
            "sip:%zz@b",
            "nocolon",
            "1sip:a",
            "sip:a@b;;x",
        ] {
            assert!(Uri::parse(bad).is_err(), "{bad}");
        }
        for spaced in ["sip:a b@c", "sip:a@b;x=<y>", "tel:1 2", "sip:a@b c:x"] {
            let e = Uri::parse(spaced).unwrap_err();
            assert!(e.reason().contains("whitespace"), "{spaced}: {e}");
        }
    }

    #[test]
    fn percent_decoding_is_single_pass() {
        assert_eq!(percent_decode("value%25%34%31"), "value%41");
        assert_eq!(percent_decode("a%zz"), "a%zz");
    }
}
