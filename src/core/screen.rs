//! Checks a user agent server makes on every request before acting on it (RFC 3261
//! section 8.2): the URI scheme, required extensions, the body's type, and the hop
//! count. A request that fails one is answered here and goes no further.

use crate::sip::{Message, Method};

/// Option tags this user agent supports (for Require).
pub(crate) const SUPPORTED: &[&str] = &["timer", "outbound", "path", "replaces"];

/// A refusal: status, reason phrase, extra headers.
pub(crate) struct Refusal {
    pub(crate) code: u16,
    pub(crate) reason: &'static str,
    pub(crate) headers: Vec<(&'static str, String)>,
}

fn refuse(
    code: u16,
    reason: &'static str,
    headers: Vec<(&'static str, String)>,
) -> Option<Refusal> {
    Some(Refusal {
        code,
        reason,
        headers,
    })
}

/// The refusal for `request`, if it must be refused.
pub(crate) fn screen(request: &Message<'_>) -> Option<Refusal> {
    let method = request.method();
    if matches!(method, Method::Ack | Method::Cancel) {
        return None;
    }
    if let Some(uri) = request.request_uri() {
        if !matches!(uri.scheme().to_ascii_lowercase().as_str(), "sip" | "sips") {
            return refuse(416, "Unsupported URI Scheme", Vec::new());
        }
    }
    let unsupported: Vec<&str> = request
        .require()
        .into_iter()
        .filter(|tag| !SUPPORTED.iter().any(|s| s.eq_ignore_ascii_case(tag)))
        .collect();
    if !unsupported.is_empty() {
        return refuse(
            420,
            "Bad Extension",
            vec![("Unsupported", unsupported.join(", "))],
        );
    }
    if method != Method::Invite && !matches!(request.replaces(), Ok(None)) {
        // RFC 3891 section 3: Replaces belongs in an INVITE only.
        return refuse(400, "Replaces Only Allowed In INVITE", Vec::new());
    }
    if request.max_forwards() == Some(0) && method != Method::Options {
        return refuse(483, "Too Many Hops", Vec::new());
    }
    let offers = matches!(method, Method::Invite | Method::Update | Method::Prack);
    if offers && !request.body().is_empty() {
        let media = request.media_type().unwrap_or("").to_ascii_lowercase();
        if media != "application/sdp" {
            return refuse(
                415,
                "Unsupported Media Type",
                vec![("Accept", "application/sdp".to_string())],
            );
        }
    }
    None
}
