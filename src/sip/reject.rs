//! The stateless answer to a request that failed to parse (RFC 3261 section 8.2:
//! a UAS answers a malformed request with 400, an unknown version with 505).

use super::error::ParseErrorKind;
use super::text::{is_token, unfold};
use super::{HeaderName, NameAddr, ParseError};

/// Builds the answer to a request that [`super::Message::parse`] rejected with
/// `error`: `505 Version Not Supported` for [`ParseErrorKind::Version`], `400 Bad
/// Request` otherwise, with the reason in a `Warning: 399` header. Every Via, and the
/// From, To (given `to_tag` when it has none and `to_tag` is a token), Call-ID and
/// CSeq are copied from the request's bytes, unfolded.
///
/// Returns `None` when no answer can or may be sent: the bytes are a response, an
/// ACK (never answered), have no request line, or lack any of Via, From, To,
/// Call-ID or CSeq (the case of RFC 4475 section 3.3.1: drop it), or a framing error
/// (the message is incomplete, as with a Content-Length beyond the data).
pub fn error_response(request: &[u8], error: &ParseError, to_tag: &str) -> Option<Vec<u8>> {
    if error.kind() == ParseErrorKind::Incomplete {
        return None;
    }
    let mut lines = request
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .skip_while(|l| l.is_empty());
    let start = lines.next()?;
    let method = start.split(|&b| b == b' ').next()?;
    let method = std::str::from_utf8(method).ok()?;
    // A status line starts with `SIP/2.0`, which is not a token.
    if !is_token(method) || method == "ACK" {
        return None;
    }
    // Header lines, folding joined; lines that are not clean text are skipped.
    let mut headers: Vec<String> = Vec::new();
    for l in lines {
        if l.is_empty() {
            break;
        }
        let Ok(text) = std::str::from_utf8(l) else {
            headers.push(String::new());
            continue;
        };
        if text.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.push(' ');
                last.push_str(text.trim());
            }
        } else {
            headers.push(text.to_string());
        }
    }
    let mut vias = Vec::new();
    let (mut from, mut to, mut call_id, mut cseq) = (None, None, None, None);
    for h in &headers {
        let Some((name, value)) = h.split_once(':') else {
            continue;
        };
        let value = unfold(value).into_owned();
        if value.bytes().any(|b| b < 0x20 && b != b'\t') {
            continue;
        }
        match HeaderName::parse(name.trim_end_matches([' ', '\t'])) {
            Some(HeaderName::Via) => vias.push(value),
            Some(HeaderName::From) => {
                from.get_or_insert(value);
            }
            Some(HeaderName::To) => {
                to.get_or_insert(value);
            }
            Some(HeaderName::CallId) => {
                call_id.get_or_insert(value);
            }
            Some(HeaderName::CSeq) => {
                cseq.get_or_insert(value);
            }
            _ => {}
        }
    }
    let (from, mut to, call_id, cseq) = (from?, to?, call_id?, cseq?);
    if vias.is_empty() {
        return None;
    }
    let has_tag = match NameAddr::parse(&to) {
        Ok(a) => a.tag().is_some(),
        Err(_) => to.contains(";tag="),
    };
    if !has_tag && is_token(to_tag) {
        to.push_str(";tag=");
        to.push_str(to_tag);
    }
    let status = if error.kind() == ParseErrorKind::Version {
        "505 Version Not Supported"
    } else {
        "400 Bad Request"
    };
    let warning: String = error
        .to_string()
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .collect();
    let mut out = format!("SIP/2.0 {status}\r\n");
    for v in &vias {
        out.push_str(&format!("Via: {v}\r\n"));
    }
    out.push_str(&format!(
        "From: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\nCSeq: {cseq}\r\n\
Warning: 399 softphone \"{warning}\"\r\nContent-Length: 0\r\n\r\n"
    ));
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::Message;

    const BAD: &[u8] = b"OPTIONS sip:user@example.com SIP/2.0\r\n\
Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n\
v: SIP/2.0/WSS b.invalid;branch=z9hG4bK2\r\n\
To: sip:user@example.com\r\n\
From: sip:caller@example.net;tag=34\r\n\
Call-ID: mismatch01.sj1j\r\n\
CSeq: 8\r\n INVITE\r\n\
Content-Length: 0\r\n\r\n";

    #[test]
    fn answers_400_with_copied_headers() {
        let e = Message::parse(BAD).unwrap_err();
        let out = error_response(BAD, &e, "t1").unwrap();
        let m = Message::parse(&out).unwrap();
        assert_eq!(m.status(), Some(400));
        assert_eq!(m.vias().len(), 2);
        assert_eq!(m.to().tag(), Some("t1"));
        assert_eq!(m.call_id(), "mismatch01.sj1j");
        assert_eq!(m.cseq().seq, 8);
        assert!(m
            .header_by_name("Warning")
            .unwrap()
            .contains("does not match"));
    }

    #[test]
    fn answers_505_and_refuses_what_it_must_not_answer() {
        let v = String::from_utf8(BAD.to_vec()).unwrap().replace(
            "OPTIONS sip:user@example.com SIP/2.0",
            "OPTIONS sip:u@e SIP/7.0",
        );
        let e = Message::parse(v.as_bytes()).unwrap_err();
        let m = error_response(v.as_bytes(), &e, "t").unwrap();
        assert!(m.starts_with(b"SIP/2.0 505 Version Not Supported\r\n"));

        let ack = v.replace("OPTIONS sip", "ACK sip");
        assert_eq!(error_response(ack.as_bytes(), &e, "t"), None);
        let resp = b"SIP/2.0 200 OK\r\nVia: x\r\n\r\n";
        assert_eq!(error_response(resp, &e, "t"), None);
        let no_from = v.replace("From:", "X-From:");
        assert_eq!(error_response(no_from.as_bytes(), &e, "t"), None);
        let short = ParseError::with_kind(1, ParseErrorKind::Incomplete, "short");
        assert_eq!(error_response(v.as_bytes(), &short, "t"), None);
    }
}
