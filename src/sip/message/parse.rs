//! `Message::parse`: framing, start line, header lines, and the checks of the
//! headers every message must carry.

use super::{single_word, Header, Message, StartLine};
use crate::sip::error::ParseErrorKind;
use crate::sip::text::{
    at, eq_ignore_case, find_byte, is_token, parse_u32, parse_usize, skip_class, skip_while, sub,
    trim_lws, CommaIter, TOKEN,
};
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
    let sip = eq_ignore_case(proto, "SIP/");
    if sip && num == "2.0" {
        return Ok(());
    }
    let well_formed = sip
        && num
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
    let is_response = t.get(..4).is_some_and(|p| eq_ignore_case(p, "SIP/"));
    if is_response {
        let sp = find_byte(t, 0, b' ')
            .ok_or_else(|| syntax(line, "status line without a status code"))?;
        let (version, rest) = (sub(t, 0, sp), sub(t, sp + 1, t.len()));
        check_version(version, line)?;
        // The SP after the code is required by the grammar; a status line that ends
        // right after the code is accepted all the same (liberal receiver).
        let (code, reason) = match find_byte(rest, 0, b' ') {
            Some(sp) => (sub(rest, 0, sp), sub(rest, sp + 1, rest.len())),
            None => (rest, ""),
        };
        let code = (code.len() == 3)
            .then(|| parse_u32(code))
            .flatten()
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (100..=699).contains(c))
            .ok_or_else(|| syntax(line, format!("invalid status code {code:?}")))?;
        return Ok(StartLine::Response { code, reason });
    }
    // Exactly two spaces, none at either end of a part.
    let sp1 = find_byte(t, 0, b' ');
    let sp2 = sp1.and_then(|a| find_byte(t, a + 1, b' '));
    let (Some(a), Some(b), None) = (sp1, sp2, sp2.and_then(|b| find_byte(t, b + 1, b' '))) else {
        return Err(syntax(
            line,
            "request line is not `Method SP Request-URI SP SIP-Version` (extra or missing spaces, or LWS in the Request-URI)",
        ));
    };
    let (method, uri, version) = (sub(t, 0, a), sub(t, a + 1, b), sub(t, b + 1, t.len()));
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

/// The position of the first CR or LF at or after `from`, eight bytes at a time.
///
/// Header lines are tens of bytes long: a word-at-a-time search (the classic "has a
/// zero byte" bit trick on `word ^ 0x0a0a..` and `word ^ 0x0d0d..`) takes a fraction
/// of a byte-by-byte loop, natively and in wasm (64-bit integers are native there).
/// The lowest flagged byte is always a real match; false flags only occur above one.
fn find_eol(buf: &[u8], from: usize) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = buf.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*chunk);
        let lf = w ^ (LO * u64::from(b'\n'));
        let cr = w ^ (LO * u64::from(b'\r'));
        let hit = ((lf.wrapping_sub(LO) & !lf) | (cr.wrapping_sub(LO) & !cr)) & HI;
        if hit != 0 {
            // trailing_zeros is below 64, so the byte index is below 8.
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while let Some(&b) = buf.get(i) {
        if b == b'\n' || b == b'\r' {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The 1-based line of byte `pos` (for error messages only).
fn line_of(buf: &[u8], pos: usize) -> usize {
    1 + buf
        .get(..pos)
        .unwrap_or_default()
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// The error for a header line whose name is not `token *WSP ":"`.
fn name_error(text: &str, line: usize) -> ParseError {
    match text.find(':') {
        None => syntax(line, "header line without a colon"),
        Some(colon) => {
            let name = text
                .get(..colon)
                .unwrap_or_default()
                .trim_end_matches([' ', '\t']);
            syntax(line, format!("invalid header name {name:?}"))
        }
    }
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

    // Framing: one scan over the header lines as bytes. A header's name and value are
    // filled in below, once the whole header section is known to be UTF-8.
    let head_start = pos;
    let mut headers: Vec<Header<'_>> = Vec::with_capacity(24);
    loop {
        let eol = find_eol(buf, pos).ok_or_else(|| incomplete(line))?;
        let (end, next) = match (buf.get(eol), buf.get(eol + 1)) {
            (Some(b'\n'), _) => (eol, eol + 1),
            (_, Some(b'\n')) => (eol, eol + 2),
            // A CR not followed by LF: an error if the line ends at all.
            _ if buf.get(eol..).is_some_and(|r| r.contains(&b'\n')) => {
                return Err(syntax(line, "bare CR in a header line"));
            }
            _ => return Err(incomplete(line)),
        };
        if end == pos {
            pos = next;
            break;
        }
        if matches!(buf.get(pos), Some(b' ' | b'\t')) {
            match headers.last_mut() {
                Some(last) => last.end = end,
                None => return Err(syntax(line, "folded line before any header")),
            }
        } else {
            headers.push(Header::at(pos, end));
        }
        pos = next;
        line += 1;
    }
    let body_start = pos;
    let head =
        std::str::from_utf8(buf.get(head_start..body_start).unwrap_or_default()).map_err(|e| {
            let line = line_of(buf, head_start + e.valid_up_to());
            syntax(line, "header line is not valid UTF-8")
        })?;

    let mut counts = [0u8; KNOWN];
    let mut vias = Vec::new();
    let mut contacts = Vec::new();
    let mut from = None;
    let mut to = None;
    let mut call_id = None;
    let mut cseq = None;
    let mut cseq_at = 0;
    let mut content_length = None;
    for h in &mut headers {
        let (s, e) = (h.start - head_start, h.end - head_start);
        let here = h.start;
        let line = || line_of(buf, here);
        // name *WSP ":" value, positions in `head`
        let n = skip_class(head, s, TOKEN);
        let colon = skip_while(head, n, |b| b == b' ' || b == b'\t');
        if n == s || colon >= e || at(head, colon) != b':' {
            return Err(name_error(sub(head, s, e), line()));
        }
        h.name = sub(head, s, n);
        h.raw_value = sub(head, colon + 1, e);
        let k = HeaderName::parse(h.name);
        h.known = k;
        let Some(k) = k else {
            // RFC 3261 allows only GMT in a Date; RFC 4475 section 3.1.2.12 lets a
            // parser reject any other zone, which costs nothing here.
            if eq_ignore_case(h.name, "Date") && !trim_lws(h.raw_value).ends_with(" GMT") {
                return Err(syntax(line(), "Date is not in GMT"));
            }
            continue;
        };
        let Some(c) = counts.get_mut(k as usize) else {
            return Err(syntax(line(), "internal"));
        };
        *c = c.saturating_add(1);
        if *c > 1 && k.is_single() {
            return Err(syntax(
                line(),
                format!("more than one {} header", k.as_str()),
            ));
        }
        let v = h.raw_value;
        let at_line = |e: ParseError| {
            let reason = format!("{}: {}", h.name, e.reason());
            ParseError::with_kind(line(), e.kind(), reason)
        };
        match k {
            HeaderName::Via => {
                for item in CommaIter::new(v) {
                    let item = match item {
                        Ok(item) => item,
                        Err(why) => return Err(syntax(line(), format!("Via: {why}"))),
                    };
                    // `match`, not `map_err`: at opt-level "z" the generic is a call that
                    // copies the parsed value once more.
                    match Via::parse(item) {
                        Ok(via) => vias.push(via),
                        Err(e) => return Err(at_line(e)),
                    }
                }
            }
            HeaderName::From => match NameAddr::parse(v) {
                Ok(a) => from = Some(a),
                Err(e) => return Err(at_line(e)),
            },
            HeaderName::To => match NameAddr::parse(v) {
                Ok(a) => to = Some(a),
                Err(e) => return Err(at_line(e)),
            },
            HeaderName::CallId => {
                call_id = Some(
                    single_word(v)
                        .ok_or_else(|| syntax(line(), "Call-ID is empty or holds spaces"))?,
                );
            }
            HeaderName::CSeq => {
                match CSeq::parse(v) {
                    Ok(c) => cseq = Some(c),
                    Err(e) => return Err(at_line(e)),
                }
                cseq_at = here;
            }
            HeaderName::ContentLength => {
                let Some(n) = parse_usize(trim_lws(v)) else {
                    return Err(syntax(
                        line(),
                        "Content-Length is not a non-negative number",
                    ));
                };
                content_length = Some((n, here));
            }
            HeaderName::MaxForwards if parse_u32(trim_lws(v)).is_none_or(|n| n > 255) => {
                return Err(syntax(line(), "Max-Forwards is not a number from 0 to 255"));
            }
            HeaderName::Contact => {
                for item in CommaIter::new(v) {
                    let item = match item {
                        Ok(item) => item,
                        Err(why) => return Err(syntax(line(), format!("Contact: {why}"))),
                    };
                    match Contact::parse(item) {
                        Ok(c) => contacts.push(c),
                        Err(e) => return Err(at_line(e)),
                    }
                }
            }
            _ => {}
        }
    }
    let missing = |what: &str| syntax(0, format!("missing {what} header"));
    if vias.is_empty() {
        return Err(missing("Via"));
    }
    let Some(from) = from else {
        return Err(missing("From"));
    };
    let Some(to) = to else {
        return Err(missing("To"));
    };
    let Some(call_id) = call_id else {
        return Err(missing("Call-ID"));
    };
    let Some(cseq) = cseq else {
        return Err(missing("CSeq"));
    };
    if let StartLine::Request { method, .. } = &start {
        if method.as_str() != cseq.method.as_str() {
            return Err(syntax(
                line_of(buf, cseq_at),
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
        Some((n, here)) if n > available => {
            return Err(ParseError::with_kind(
                line_of(buf, here),
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
        body,
        vias,
        contacts,
        from,
        to,
        call_id,
        cseq,
    })
}
