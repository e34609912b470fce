//! The public face of instant messages: how to send one, and what the application
//! hears of the ones it sent and the ones that arrived.

use crate::core::ids::MessageId;

/// How to send a MESSAGE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageOptions {
    /// The body's media type; `text/plain` by default.
    pub content_type: String,
    /// Extra headers, checked as [`ExtraHeaders`](crate::core::ExtraHeaders) for
    /// [`HeaderTarget::Message`](crate::core::HeaderTarget::Message): no
    /// CR, LF or NUL, none the stack writes (`Content-Type` comes from `content_type`).
    pub headers: Vec<(String, String)>,
}

impl Default for MessageOptions {
    fn default() -> Self {
        MessageOptions {
            content_type: "text/plain".to_string(),
            headers: Vec::new(),
        }
    }
}

/// A MESSAGE received from the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMessage {
    /// The sender's URI (From).
    pub from: String,
    /// The sender's display name, if From has one.
    pub display_name: Option<String>,
    /// The recipient URI (To).
    pub to: String,
    /// The body's media type as sent (parameters included), `""` without a body.
    pub content_type: String,
    /// The body, as UTF-8 (invalid sequences replaced).
    pub body: String,
    /// Every header of the request in order, as `(name, value)`.
    pub headers: Vec<(String, String)>,
}

/// What happened to a MESSAGE.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageEvent {
    /// A MESSAGE the application sent was accepted (any 2xx).
    Delivered {
        /// The id `send_message` returned.
        id: MessageId,
        /// The status (200, 202...).
        status: u16,
    },
    /// A MESSAGE the application sent was refused, timed out (408) or lost with the
    /// connection (503).
    Failed {
        /// The id `send_message` returned.
        id: MessageId,
        /// The status.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// A MESSAGE arrived (already answered `200 OK`).
    Received(IncomingMessage),
}
