//! What the application dials, made into a Request-URI: a SIP URI as it is, a
//! `tel:` number or a plain number or user name in the AOR's domain.

use super::types::CallError;
use crate::sip::Uri;

/// Returns the Request-URI for `input`, or why it cannot be one.
pub(crate) fn normalize_target(input: &str, domain: &str) -> Result<String, CallError> {
    if input.contains(['\r', '\n', '\0']) {
        return Err(CallError::InvalidValue(
            "target contains CR, LF or NUL".into(),
        ));
    }
    let input = input.trim();
    if input.is_empty() {
        return Err(CallError::InvalidTarget("empty".into()));
    }
    let lower = input.to_ascii_lowercase();
    let uri = if lower.starts_with("sip:") || lower.starts_with("sips:") {
        input.to_string()
    } else if let Some(number) = lower.strip_prefix("tel:") {
        format!("sip:{}@{domain};user=phone", dial_string(number)?)
    } else if input.contains('@') {
        format!("sip:{input}")
    } else if let Ok(number) = dial_string(input) {
        format!("sip:{number}@{domain}")
    } else {
        check_user(input)?;
        format!("sip:{input}@{domain}")
    };
    let parsed = Uri::parse(&uri).map_err(|e| CallError::InvalidTarget(e.to_string()))?;
    if !matches!(
        parsed.scheme().to_ascii_lowercase().as_str(),
        "sip" | "sips"
    ) {
        return Err(CallError::InvalidTarget(
            "only sip: and sips: URIs can be called".into(),
        ));
    }
    if parsed.host().is_empty() {
        return Err(CallError::InvalidTarget("no host".into()));
    }
    Ok(uri)
}

/// A phone number with its visual separators removed (`+1 (555) 010-2030`).
fn dial_string(input: &str) -> Result<String, CallError> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let body = digits.strip_prefix('+').unwrap_or(&digits);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
    {
        return Err(CallError::InvalidTarget(format!(
            "{input:?} is not a number"
        )));
    }
    // `#` must be escaped in a SIP URI user part.
    Ok(digits.replace('#', "%23"))
}

/// RFC 3261 user: unreserved, escaped, and user-unreserved characters.
fn check_user(user: &str) -> Result<(), CallError> {
    let ok = user
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.!~*'()%&=+$,;?/".contains(c));
    if ok {
        Ok(())
    } else {
        Err(CallError::InvalidTarget(format!(
            "{user:?} is not a valid user name"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let d = "softphone.test";
        for (input, want) in [
            ("bob", "sip:bob@softphone.test"),
            (" 1001 ", "sip:1001@softphone.test"),
            ("+1 (555) 010-2030", "sip:+15550102030@softphone.test"),
            ("*97", "sip:*97@softphone.test"),
            ("#31#", "sip:%2331%23@softphone.test"),
            ("tel:+4930123", "sip:+4930123@softphone.test;user=phone"),
            ("bob@example.com", "sip:bob@example.com"),
            ("sip:bob@[2001:db8::1]:5060", "sip:bob@[2001:db8::1]:5060"),
        ] {
            assert_eq!(normalize_target(input, d).unwrap(), want, "{input:?}");
        }
        assert!(normalize_target("", d).is_err());
        assert!(normalize_target("bob smith", d).is_err());
        assert!(normalize_target("bob\r\nX: y", d).is_err());
        assert!(normalize_target("<sip:bob@x>", d).is_err());
        assert!(normalize_target("http://example.com", d).is_err());
    }
}
