//! Typed bodies of the event packages: dialog (BLF), message-summary (MWI) and
//! presence (PIDF), and the small XML reader the XML ones share.

mod dialog_info;
mod pidf;
mod summary;
mod xml;

pub use dialog_info::{DialogEntry, DialogInfo, LampState};
pub use pidf::Presence;
pub use summary::{MessageCounts, MessageSummary};

/// The body of a NOTIFY, parsed when its type is known.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotifyBody {
    /// `application/dialog-info+xml` (RFC 4235): the BLF lamp, already merged with
    /// earlier partial NOTIFYs of the subscription.
    Dialog(DialogInfo),
    /// `application/simple-message-summary` (RFC 3842): MWI.
    MessageSummary(MessageSummary),
    /// `application/pidf+xml` (RFC 3863): presence.
    Presence(Presence),
    /// Another type, as received.
    Other {
        /// The media type.
        content_type: String,
        /// The body, as UTF-8 (invalid sequences replaced).
        body: String,
    },
    /// A known type that did not parse (the NOTIFY was still answered 200).
    Malformed {
        /// The media type.
        content_type: String,
        /// What was wrong.
        reason: String,
    },
}

/// The media type a package's NOTIFYs carry by default.
pub(crate) fn default_accept(package: &str) -> Option<&'static str> {
    match package {
        "dialog" => Some("application/dialog-info+xml"),
        "message-summary" => Some("application/simple-message-summary"),
        "presence" => Some("application/pidf+xml"),
        _ => None,
    }
}

/// Parses a NOTIFY body by its media type (lower-case, without parameters);
/// `None` for no body (a pending subscription's NOTIFY, or the final one).
pub(crate) fn parse(media: &str, content_type: &str, body: &[u8]) -> Option<NotifyBody> {
    if body.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let malformed = |reason: String| NotifyBody::Malformed {
        content_type: content_type.to_string(),
        reason,
    };
    Some(match media {
        "application/dialog-info+xml" => {
            DialogInfo::parse(&text).map_or_else(malformed, NotifyBody::Dialog)
        }
        "application/simple-message-summary" => {
            MessageSummary::parse(&text).map_or_else(malformed, NotifyBody::MessageSummary)
        }
        "application/pidf+xml" => {
            Presence::parse(&text).map_or_else(malformed, NotifyBody::Presence)
        }
        _ => NotifyBody::Other {
            content_type: content_type.to_string(),
            body: text.into_owned(),
        },
    })
}
