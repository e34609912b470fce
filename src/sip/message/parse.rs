//! `Message::parse`: framing, start line, header lines, and the checks of the
//! headers every message must carry.

use super::{single_word, Header, Message, StartLine};
use crate::sip::error::ParseErrorKind;
use crate::sip::text::{is_token, parse_u32, parse_usize, trim_lws, CommaIter};
use crate::sip::{CSeq, Contact, HeaderName, Method, NameAddr, ParseError, Uri, Via};

/// Number of `HeaderName` variants (for the duplicate counters).
const KNOWN: usize = crate::sip::header::KNOWN_COUNT;

/// Finds the line starting at `pos`: returns the end of its content (before CRLF or
/// LF) and the start of the next line, or `None` when no LF follows.
fn next_line(buf: &[u8], pos: usize) -> Option<(usize, usize)> {
    let rest = buf.get(pos..)?;
    let nl = pos + rest.iter().position(|&b| b == b'\n')?;
    let end = if nl > pos && buf.get(nl - 1) == Some(&b'\r') {
        nl - 1
    } else {
        nl
    };
    Some((end, nl + 1))
}

fn syntax(line: usize, why: impl Into<String>) -> ParseError {
    ParseError::new(line, why)
}

fn utf8<'a>(bytes: &'a [u8], line: usize, what: &str) -> Result<&'a str, ParseError> {
    std::str::from_utf8(bytes).map_err(|_| syntax(line, format!("{what} is not valid UTF-8")))
}

/// Checks `SIP/2.0` (the `SIP` literal is case-insensitive).
fn check_version(v: &str, line: usize) -> Result<(), ParseError> {
    let (proto, num) = v.split_at_checked(4).unwrap_or(("", ""));
    if !proto.eq_ignore_ascii_case("SIP/") {
        return Err(syntax(line, format!("malformed SIP version {v:?}")));
    }
    if num == "2.0" {
        return Ok(());
    }
    let well_formed = num
        .split_once('.')
        .is_some_and(|(a, b)| parse_u32(a).is_some() && parse_u32(b).is_some());
    if well_formed {
        Err(ParseError::with_kind(
            line,
            ParseErrorKind::Version,
            format!("unsupported SIP version {v}"),
        ))
    } else {
        Err(syntax(line, format!("malformed SIP version {v:?}")))
    }
}

fn parse_start_line(t: &str, line: usize) -> Result<StartLine<'_>, ParseError> {
    if t.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(syntax(line, "control character in the start line"));
    }
    let is_response = t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("SIP/"));
    if is_response {
        let (version, rest) = t
            .split_once(' ')
            .ok_or_else(|| syntax(line, "status line without a status code"))?;
        check_version(version, line)?;
        // The SP after the code is required by the grammar; a status line that ends
        // right after the code is accepted all the same (liberal receiver).
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let code = (code.len() == 3)
            .then(|| parse_u32(code))
            .flatten()
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (100..=699).contains(c))
            .ok_or_else(|| syntax(line, format!("invalid status code {code:?}")))?;
        return Ok(StartLine::Response { code, reason });
    }
    let mut parts = t.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(syntax(
            line,
            "request line is not `Method SP Request-URI SP SIP-Version` (extra or missing spaces, or LWS in the Request-URI)",
        ));
    };
    if !is_token(method) {
        return Err(syntax(line, "method is not a token"));
    }
    if uri.starts_with('<') {
        return Err(syntax(line, "Request-URI enclosed in <>"));
    }
    check_version(version, line)?;
    let uri = Uri::parse(uri).map_err(|e| syntax(line, format!("Request-URI: {}", e.reason())))?;
    if uri.headers().is_some() {
        return Err(syntax(line, "Request-URI carries headers (`?`)"));
    }
    Ok(StartLine::Request {
        method: Method::parse(method),
        uri,
    })
}

pub(super) fn parse(buf: &[u8]) -> Result<Message<'_>, ParseError> {
    let mut pos = 0;
    let mut line = 1;
    // RFC 3261 section 7.5: ignore CRLFs before the start line.
    loop {
        match (buf.get(pos), buf.get(pos + 1)) {
            (Some(b'\r'), Some(b'\n')) => pos += 2,
            (Some(b'\n'), _) => pos += 1,
            _ => break,
        }
        line += 1;
    }
    let lead = pos;
    if pos >= buf.len() {
        return Err(ParseError::with_kind(
            line,
            ParseErrorKind::Incomplete,
            "empty message",
        ));
    }
    let incomplete = |line| {
        ParseError::with_kind(
            line,
            ParseErrorKind::Incomplete,
            "message ends before the empty line that closes the headers",
        )
    };
    let (end, next) = next_line(buf, pos).ok_or_else(|| incomplete(line))?;
    let start_bytes = buf.get(pos..end).unwrap_or_default();
    let start_text = utf8(start_bytes, line, "start line")?;
    let start = parse_start_line(start_text, line)?;
    pos = next;
    line += 1;

    // Header lines: (start, end, line number); folded lines extend the previous one.
    let mut spans: Vec<(usize, usize, usize)> = Vec::with_capacity(16);
    loop {
        let (end, next) = next_line(buf, pos).ok_or_else(|| incomplete(line))?;
        let content = buf.get(pos..end).unwrap_or_default();
        if content.is_empty() {
            pos = next;
            break;
        }
        if content.contains(&b'\r') {
            return Err(syntax(line, "bare CR in a header line"));
        }
        if matches!(content.first(), Some(b' ' | b'\t')) {
            match spans.last_mut() {
                Some(last) => last.1 = end,
                None => return Err(syntax(line, "folded line before any header")),
            }
        } else {
            spans.push((pos, end, line));
        }
        pos = next;
        line += 1;
    }
    let body_start = pos;

    let mut headers = Vec::with_capacity(spans.len());
    let mut known = Vec::with_capacity(spans.len());
    let mut counts = [0u8; KNOWN];
    for &(s, e, line) in &spans {
        let text = utf8(buf.get(s..e).unwrap_or_default(), line, "header line")?;
        let colon = text
            .find(':')
            .ok_or_else(|| syntax(line, "header line without a colon"))?;
        let name = text
            .get(..colon)
            .unwrap_or_default()
            .trim_end_matches([' ', '\t']);
        if !is_token(name) {
            return Err(syntax(line, format!("invalid header name {name:?}")));
        }
        let raw_value = text.get(colon + 1..).unwrap_or_default();
        let k = HeaderName::parse(name);
        if let Some(k) = k {
            let c = counts
                .get_mut(k as usize)
                .ok_or_else(|| syntax(line, "internal"))?;
            *c = c.saturating_add(1);
            if *c > 1 && k.is_single() {
                return Err(syntax(line, format!("more than one {} header", k.as_str())));
            }
        }
        headers.push(Header { name, raw_value });
        known.push(k);
    }

    // The headers every message needs, and the framing.
    let mut top_via = None;
    let mut from = None;
    let mut to = None;
    let mut call_id = None;
    let mut cseq = None;
    let mut content_length = None;
    for ((h, k), &(_, _, line)) in headers.iter().zip(&known).zip(&spans) {
        let at = |e: ParseError| {
            let reason = format!("{}: {}", h.name, e.reason());
            ParseError::with_kind(line, e.kind(), reason)
        };
        match k {
            Some(HeaderName::Via) => {
                for v in CommaIter::new(h.raw_value) {
                    let v = v.map_err(|why| syntax(line, format!("Via: {why}")))?;
                    let via = Via::parse(v).map_err(at)?;
                    top_via.get_or_insert(via);
                }
            }
            Some(HeaderName::From) => from = Some(NameAddr::parse(h.raw_value).map_err(at)?),
            Some(HeaderName::To) => to = Some(NameAddr::parse(h.raw_value).map_err(at)?),
            Some(HeaderName::CallId) => {
                call_id = Some(
                    single_word(h.raw_value)
                        .ok_or_else(|| syntax(line, "Call-ID is empty or holds spaces"))?,
                );
            }
            Some(HeaderName::CSeq) => cseq = Some(CSeq::parse(h.raw_value).map_err(at)?),
            Some(HeaderName::ContentLength) => {
                content_length = Some((
                    parse_usize(trim_lws(h.raw_value)).ok_or_else(|| {
                        syntax(line, "Content-Length is not a non-negative number")
                    })?,
                    line,
                ));
            }
            Some(HeaderName::MaxForwards) => {
                parse_u32(trim_lws(h.raw_value))
                    .filter(|n| *n <= 255)
                    .ok_or_else(|| syntax(line, "Max-Forwards is not a number from 0 to 255"))?;
            }
            Some(HeaderName::Contact) => {
                for v in CommaIter::new(h.raw_value) {
                    let v = v.map_err(|why| syntax(line, format!("Contact: {why}")))?;
                    Contact::parse(v).map_err(at)?;
                }
            }
            // RFC 3261 allows only GMT in a Date; RFC 4475 section 3.1.2.12 lets a
            // parser reject any other zone, which costs nothing here.
            None if h.name.eq_ignore_ascii_case("Date")
                && !trim_lws(h.raw_value).ends_with(" GMT") =>
            {
                return Err(syntax(line, "Date is not in GMT"));
            }
            _ => {}
        }
    }
    let missing = |what: &str| syntax(0, format!("missing {what} header"));
    let top_via = top_via.ok_or_else(|| missing("Via"))?;
    let from = from.ok_or_else(|| missing("From"))?;
    let to = to.ok_or_else(|| missing("To"))?;
    let call_id = call_id.ok_or_else(|| missing("Call-ID"))?;
    let cseq: CSeq<'_> = cseq.ok_or_else(|| missing("CSeq"))?;
    if let StartLine::Request { method, .. } = &start {
        if method.as_str() != cseq.method.as_str() {
            let line = spans
                .iter()
                .zip(&known)
                .find(|(_, k)| **k == Some(HeaderName::CSeq))
                .map_or(0, |(s, _)| s.2);
            return Err(syntax(
                line,
                format!(
                    "CSeq method {} does not match the request method {}",
                    cseq.method.as_str(),
                    method.as_str()
                ),
            ));
        }
    }

    let available = buf.len().saturating_sub(body_start);
    let body_end = match content_length {
        Some((n, line)) if n > available => {
            return Err(ParseError::with_kind(
                line,
                ParseErrorKind::Incomplete,
                format!("Content-Length is {n} but only {available} bytes follow the headers"),
            ))
        }
        Some((n, _)) => body_start + n,
        None => buf.len(),
    };
    let body = buf.get(body_start..body_end).unwrap_or_default();
    let raw = buf.get(..body_end).unwrap_or_default();
    Ok(Message {
        raw,
        lead,
        start,
        start_text,
        headers,
        known,
        spans: spans.iter().map(|&(s, e, _)| (s, e)).collect(),
        body,
        top_via,
        from,
        to,
        call_id,
        cseq,
    })
}
