//! The Replaces header (RFC 3891): which dialog a new INVITE takes the place of, in the
//! form it has as a header and the escaped form it has inside a Refer-To URI
//! (`<sip:bob@host?Replaces=callid%3Bto-tag%3D7743%3Bfrom-tag%3D6472>`, RFC 3261
//! section 19.1.1 URI headers).

use std::fmt;

use crate::sip::text::{find_param, is_lws, is_token, skip_while, sub, trim_lws, ParamIter};
use crate::sip::ParseError;

/// The Replaces header (RFC 3891): `call-id ;to-tag=... ;from-tag=... [;early-only]`.
///
/// The tags are named from the side of the user agent that receives the INVITE: its
/// dialog matches when the Call-ID is equal, `to-tag` is its own (local) tag and
/// `from-tag` is the peer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaces<'a> {
    /// The Call-ID of the dialog to replace.
    pub call_id: &'a str,
    /// The `to-tag` parameter.
    pub to_tag: &'a str,
    /// The `from-tag` parameter.
    pub from_tag: &'a str,
    /// Whether `early-only` is present: only an early dialog may be replaced.
    pub early_only: bool,
}

/// Whether `b` may appear in a Call-ID (`word`, RFC 3261 section 25.1, and `@`).
fn is_call_id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'!'
                | b'%'
                | b'*'
                | b'_'
                | b'+'
                | b'`'
                | b'\''
                | b'~'
                | b'('
                | b')'
                | b'<'
                | b'>'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'{'
                | b'}'
                | b'@'
        )
}

/// Whether `b` goes unescaped into a URI header value (`hnv-unreserved / unreserved`,
/// RFC 3261 section 25.1); everything else is written `%HH`.
fn is_hvalue_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_'
                | b'.'
                | b'!'
                | b'~'
                | b'*'
                | b'\''
                | b'('
                | b')'
                | b'['
                | b']'
                | b'/'
                | b'?'
                | b':'
                | b'+'
                | b'$'
        )
}

impl<'a> Replaces<'a> {
    /// Parses a Replaces value.
    ///
    /// # Errors
    /// A missing or malformed Call-ID, a missing `to-tag` or `from-tag`, tags that are
    /// not tokens, or malformed parameters.
    pub fn parse(value: &'a str) -> Result<Replaces<'a>, ParseError> {
        let err = |why: &str| ParseError::new(0, format!("invalid Replaces: {why}"));
        let s = trim_lws(value);
        let end = skip_while(s, 0, |b| !is_lws(b) && b != b';');
        let call_id = sub(s, 0, end);
        if call_id.is_empty() {
            return Err(err("no Call-ID"));
        }
        if !call_id.bytes().all(is_call_id_char) || call_id.matches('@').count() > 1 {
            return Err(err("the Call-ID is not a word [@ word]"));
        }
        let params = sub(s, end, s.len());
        ParamIter::validate(params).map_err(err)?;
        let tag = |n: &str| {
            find_param(params, n)
                .flatten()
                .filter(|t| is_token(t))
                .ok_or_else(|| err(&format!("no {n} token")))
        };
        Ok(Replaces {
            call_id,
            to_tag: tag("to-tag")?,
            from_tag: tag("from-tag")?,
            early_only: find_param(params, "early-only").is_some(),
        })
    }

    /// The value escaped for a URI header, as it follows `?Replaces=` in a Refer-To
    /// URI: `;` is `%3B`, `=` is `%3D`, `@` is `%40`.
    pub fn to_uri_header_value(&self) -> String {
        let mut out = String::new();
        for b in self.to_string().bytes() {
            if is_hvalue_char(b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
}

impl fmt::Display for Replaces<'_> {
    /// The header value: `call-id;to-tag=...;from-tag=...` and `;early-only` when set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{};to-tag={};from-tag={}",
            self.call_id, self.to_tag, self.from_tag
        )?;
        if self.early_only {
            f.write_str(";early-only")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::{percent_decode, Uri};

    #[test]
    fn parses_the_rfc_example_and_rejects_what_is_malformed() {
        let r = Replaces::parse("425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only")
            .unwrap();
        assert_eq!(r.call_id, "425928@bobster.example.org");
        assert_eq!((r.to_tag, r.from_tag, r.early_only), ("7743", "6472", true));
        let r = Replaces::parse(" abc ; FROM-TAG=2 ; To-Tag=1 ").unwrap();
        assert_eq!(
            (r.call_id, r.to_tag, r.from_tag, r.early_only),
            ("abc", "1", "2", false)
        );
        for bad in [
            "",
            ";to-tag=1;from-tag=2",
            "abc;to-tag=1",
            "abc;from-tag=2",
            "abc;to-tag;from-tag=2",
            "abc;to-tag=1;from-tag=\"2\"",
            "a@b@c;to-tag=1;from-tag=2",
            "a\u{7f}b;to-tag=1;from-tag=2",
            "abc;to-tag=1;;from-tag=2",
        ] {
            assert!(Replaces::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn builds_the_header_and_its_escaped_uri_form() {
        let r = Replaces {
            call_id: "425928@bobster.example.org",
            to_tag: "7743",
            from_tag: "6472",
            early_only: false,
        };
        assert_eq!(
            r.to_string(),
            "425928@bobster.example.org;to-tag=7743;from-tag=6472"
        );
        let escaped = r.to_uri_header_value();
        assert_eq!(
            escaped,
            "425928%40bobster.example.org%3Bto-tag%3D7743%3Bfrom-tag%3D6472"
        );
        // The escaped form is a valid URI header, and decodes back to the same value.
        let uri = format!("sip:bob@example.com?Replaces={escaped}");
        let uri = Uri::parse(&uri).unwrap();
        assert_eq!(
            uri.header("replaces").as_deref(),
            Some(r.to_string().as_str())
        );
        assert_eq!(percent_decode(&escaped), r.to_string());
        let early = Replaces {
            early_only: true,
            ..r
        };
        assert!(early.to_uri_header_value().ends_with("%3Bearly-only"));
        assert_eq!(Replaces::parse(&early.to_string()).unwrap(), early);
    }
}
