//! What an incoming INVITE tells beyond its caller: its headers in order, the identity
//! a trusted proxy asserts (P-Asserted-Identity, RFC 3325, or Remote-Party-ID), and the
//! auto-answer hints PBXs put in Alert-Info and Call-Info.

use super::dtmf::header_pairs;
use super::types::{Identity, IdentitySource, IncomingDetails};
use crate::sip::{Message, NameAddr};

/// Reads the details of `invite`.
pub(crate) fn incoming_details(invite: &Message<'_>) -> IncomingDetails {
    let headers = header_pairs(invite);
    let values = |name: &str| -> Vec<String> {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| split_list(v))
            .collect()
    };
    let alert_info = values("Alert-Info");
    let call_info = values("Call-Info");
    let identity = identity(
        &values("P-Asserted-Identity"),
        IdentitySource::PAssertedIdentity,
    )
    .or_else(|| identity(&values("Remote-Party-ID"), IdentitySource::RemotePartyId));
    let auto_answer_after = call_info
        .iter()
        .chain(alert_info.iter())
        .find_map(|v| auto_answer(v));
    IncomingDetails {
        call_id: invite.call_id().to_string(),
        headers,
        identity,
        alert_info,
        call_info,
        auto_answer_after,
    }
}

/// The first identity among `values`, a `sip:`/`sips:` one before a `tel:` one.
fn identity(values: &[String], source: IdentitySource) -> Option<Identity> {
    let parsed: Vec<Identity> = values
        .iter()
        .filter_map(|v| {
            let addr = NameAddr::parse(v).ok()?;
            Some(Identity {
                uri: addr.uri().as_str().to_string(),
                display_name: addr.display_name().map(|d| d.into_owned()),
                source,
            })
        })
        .collect();
    parsed
        .iter()
        .find(|i| i.uri.starts_with("sip"))
        .or(parsed.first())
        .cloned()
}

/// The auto-answer delay a hint asks for: `answer-after=N`, or 0 (or `delay=N`) for
/// `info=alert-autoanswer`, `info=intercom` and their like.
fn auto_answer(value: &str) -> Option<u32> {
    let lower = value.to_ascii_lowercase();
    // The parameters only: what follows the `<uri>`, if there is one.
    let params = lower.rsplit_once('>').map_or(lower.as_str(), |(_, p)| p);
    let param = |name: &str| -> Option<&str> {
        params.split(';').find_map(|p| {
            let (n, v) = p.split_once('=')?;
            (n.trim() == name).then(|| v.trim().trim_matches('"'))
        })
    };
    if let Some(after) = param("answer-after") {
        return after.parse().ok();
    }
    let info = param("info")?;
    let hint = [
        "alert-autoanswer",
        "autoanswer",
        "auto-answer",
        "intercom",
        "ring-answer",
    ]
    .contains(&info);
    hint.then(|| param("delay").and_then(|d| d.parse().ok()).unwrap_or(0))
}

/// Splits a comma-separated header value, leaving commas inside quotes and `<...>`.
fn split_list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut escaped) = (false, false, false);
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                out.push(value[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim().to_string());
    out.retain(|v| !v.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints() {
        assert_eq!(auto_answer("<sip:x@y>;answer-after=0"), Some(0));
        assert_eq!(auto_answer("<http://a/b;answer-after=9>"), None);
        assert_eq!(
            auto_answer("<http://www.notused.com>;info=alert-autoanswer;delay=2"),
            Some(2)
        );
        assert_eq!(auto_answer("info=alert-autoanswer"), Some(0));
        assert_eq!(auto_answer("<http://x>;info=Intercom"), Some(0));
        assert_eq!(auto_answer("<http://x/ring.wav>"), None);
        assert_eq!(
            split_list("\"A, B\" <sip:a@b>, <tel:+1>"),
            vec!["\"A, B\" <sip:a@b>".to_string(), "<tel:+1>".to_string()]
        );
    }
}
