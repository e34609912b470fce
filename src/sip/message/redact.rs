//! Rendering messages for logs without their credentials.

use crate::sip::HeaderName;

/// Splits at the empty line: (header lines each ending in LF, the empty line, body).
fn split_head(bytes: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut i = 0;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|r| r.iter().position(|&b| b == b'\n'))
    {
        let nl = i + off;
        let blank = match (bytes.get(nl + 1), bytes.get(nl + 2)) {
            (Some(b'\n'), _) => Some(1),
            (Some(b'\r'), Some(b'\n')) => Some(2),
            _ => None,
        };
        if let Some(len) = blank {
            let head = bytes.get(..=nl).unwrap_or_default();
            let empty = bytes.get(nl + 1..nl + 1 + len).unwrap_or_default();
            let body = bytes.get(nl + 1 + len..).unwrap_or_default();
            return (head, empty, body);
        }
        i = nl + 1;
    }
    (bytes, &[], &[])
}

fn is_credential(line: &str) -> bool {
    line.split_once(':').is_some_and(|(name, _)| {
        matches!(
            HeaderName::parse(name.trim_end_matches([' ', '\t'])),
            Some(HeaderName::Authorization | HeaderName::ProxyAuthorization)
        )
    })
}

/// Renders `bytes` as text with `Authorization` and `Proxy-Authorization` values
/// replaced by `***` (their folded continuation lines are dropped). Works on any
/// bytes, not only valid messages. A body is shown when it is UTF-8 text.
pub(crate) fn redact(bytes: &[u8]) -> String {
    let (head, empty, body) = split_head(bytes);
    let text = String::from_utf8_lossy(head);
    let mut out = String::with_capacity(bytes.len());
    let mut hiding = false;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\r', '\n']);
        let ending = line.get(content.len()..).unwrap_or_default();
        let folded = n > 0 && content.starts_with([' ', '\t']);
        if !folded {
            hiding = n > 0 && is_credential(content);
            if hiding {
                out.push_str(content.split_once(':').map_or("", |(name, _)| name));
                out.push_str(": ***");
                out.push_str(ending);
            }
        }
        if !hiding {
            out.push_str(line);
        }
    }
    out.push_str(&String::from_utf8_lossy(empty));
    if !body.is_empty() {
        match std::str::from_utf8(body) {
            Ok(t) => out.push_str(t),
            Err(_) => out.push_str(&format!("[{} bytes of binary body]", body.len())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_credentials_only() {
        let raw = b"REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/WSS h;branch=z9hG4bK1\r\n\
Authorization: Digest username=\"alice\",\r\n response=\"0123456789abcdef\"\r\n\
proxy-authorization : Digest response=\"fedcba\"\r\nCall-ID: x\r\n\r\nhello";
        let r = redact(raw);
        assert!(!r.contains("0123456789abcdef"), "{r}");
        assert!(!r.contains("fedcba"), "{r}");
        assert!(!r.contains("alice"), "{r}");
        assert!(r.contains("Authorization: ***\r\n"));
        assert!(r.contains("proxy-authorization : ***\r\n"));
        assert!(r.contains("Call-ID: x\r\n\r\nhello"));
        assert!(r.starts_with("REGISTER sip:example.com SIP/2.0\r\nVia:"));
    }

    #[test]
    fn binary_body_is_summarised() {
        let r = redact(b"SIP/2.0 200 OK\nCall-ID: y\n\n\xff\xfe\x00");
        assert!(r.ends_with("[3 bytes of binary body]"), "{r}");
    }
}
