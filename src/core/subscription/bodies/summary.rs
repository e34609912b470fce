//! `application/simple-message-summary` (RFC 3842), the body of MWI.
//!
//! Asterisk (res_pjsip_mwi_body_generator.c) writes `Messages-Waiting: yes|no`,
//! `Message-Account: <uri>` and `Voice-Message: new/old (urgent-new/urgent-old)`.

/// The counts of one message class (`Voice-Message: 2/8 (0/2)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageCounts {
    /// New messages.
    pub new: u32,
    /// Old (heard) messages.
    pub old: u32,
    /// New urgent messages.
    pub new_urgent: u32,
    /// Old urgent messages.
    pub old_urgent: u32,
}

/// A message summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageSummary {
    /// `Messages-Waiting: yes`.
    pub waiting: bool,
    /// `Message-Account`, if given.
    pub account: Option<String>,
    /// The voice-message counts, if given.
    pub voice: Option<MessageCounts>,
}

impl MessageSummary {
    /// Parses a summary; unknown lines and message classes are skipped.
    ///
    /// # Errors
    /// No `Messages-Waiting` line, or one that is neither `yes` nor `no`.
    pub fn parse(body: &str) -> Result<MessageSummary, String> {
        let mut waiting = None;
        let mut summary = MessageSummary::default();
        for line in body.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "messages-waiting" => {
                    waiting = match value.to_ascii_lowercase().as_str() {
                        "yes" => Some(true),
                        "no" => Some(false),
                        _ => return Err(format!("Messages-Waiting is {value:?}")),
                    }
                }
                "message-account" => summary.account = Some(value.to_string()),
                "voice-message" => summary.voice = counts(value),
                _ => {}
            }
        }
        summary.waiting = waiting.ok_or("no Messages-Waiting line")?;
        Ok(summary)
    }
}

/// `new/old` and an optional `(urgent-new/urgent-old)`.
fn counts(value: &str) -> Option<MessageCounts> {
    let pair = |s: &str| -> Option<(u32, u32)> {
        let (a, b) = s.split_once('/')?;
        Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
    };
    let (main, urgent) = match value.split_once('(') {
        Some((main, rest)) => (main, Some(rest.trim_end().trim_end_matches(')'))),
        None => (value, None),
    };
    let (new, old) = pair(main)?;
    let (new_urgent, old_urgent) = match urgent {
        Some(u) => pair(u)?,
        None => (0, 0),
    };
    Some(MessageCounts {
        new,
        old,
        new_urgent,
        old_urgent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_summary() {
        let s = MessageSummary::parse(
            "Messages-Waiting: yes\r\nMessage-Account: sip:1001@pbx\r\nVoice-Message: 2/8 (1/0)\r\n",
        )
        .unwrap();
        assert!(s.waiting);
        assert_eq!(s.account.as_deref(), Some("sip:1001@pbx"));
        let v = s.voice.unwrap();
        assert_eq!((v.new, v.old, v.new_urgent, v.old_urgent), (2, 8, 1, 0));
        let none = MessageSummary::parse("messages-waiting: no\nFax-Message: 1/0\n").unwrap();
        assert!(!none.waiting && none.voice.is_none());
        let plain =
            MessageSummary::parse("Messages-Waiting: yes\r\nVoice-Message: 3/1\r\n").unwrap();
        assert_eq!(plain.voice.unwrap().new, 3);
    }

    #[test]
    fn bad_summaries() {
        assert!(MessageSummary::parse("").is_err());
        assert!(MessageSummary::parse("Messages-Waiting: maybe").is_err());
        let odd = MessageSummary::parse("Messages-Waiting: yes\nVoice-Message: x/(/").unwrap();
        assert!(odd.voice.is_none(), "bad counts are dropped, not fatal");
    }
}
